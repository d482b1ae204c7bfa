"""Recorded HTTP traffic, so a whole eval run can be replayed offline, byte for byte.

The same hygiene as the test suite's cassettes (the tests use these very functions):
keys, cookies and client fingerprints are never written, requests match on method,
path and JSON body (so a changed prompt is a miss, never a silent replay), and in
``none`` mode nothing reaches the network: a request that is not recorded fails.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

from rewriter.config import Settings
from rewriter.errors import ConfigError, InputError

RecordMode = Literal["none", "new_episodes", "all"]
SECRET_HEADERS = frozenset({"authorization", "api-key", "cookie"})


def scrub_request(request: Any) -> Any:
    """Drop credentials and the client's fingerprint headers before a request is recorded."""
    for header in list(request.headers):
        if header.lower().startswith("x-stainless") or header.lower() in SECRET_HEADERS:
            del request.headers[header]
    return request


def scrub_response(response: dict[str, Any]) -> dict[str, Any]:
    """Drop cookies and the date a server stamps on its answer."""
    response["headers"] = {
        k: v for k, v in response.get("headers", {}).items() if k.lower() not in {"set-cookie", "date"}
    }
    return response


def json_body(r1: Any, r2: Any) -> None:
    """Match JSON bodies by value, so key order never causes a miss but any change does."""

    def load(body: Any) -> Any:
        if isinstance(body, bytes):
            body = body.decode("utf-8")
        if not body:
            return None
        try:
            return json.loads(body)
        except ValueError:
            return body

    if load(r1.body) != load(r2.body):
        raise AssertionError("request bodies differ")  # how a vcrpy matcher says "no match"


def vcr_config() -> dict[str, Any]:
    """The options every recording uses, in the form vcrpy and pytest-recording take."""
    return {
        "match_on": ["method", "path", "json_body"],
        "filter_headers": sorted(SECRET_HEADERS),
        "before_record_request": scrub_request,
        "before_record_response": scrub_response,
        "decode_compressed_response": True,
    }


@contextlib.contextmanager
def cassette(path: Path, record_mode: RecordMode) -> Iterator[Any]:
    """Record to or replay from one cassette file for the duration of the block.

    vcrpy patches the HTTP client for the whole process, so only one cassette may be
    open at a time: runs that use cassettes go one case at a time.

    Raises:
        ConfigError: vcrpy is not installed (``pip install 'rewriter[eval]'``).
    """
    try:
        import vcr
    except ImportError as exc:  # the eval extra is optional for teams that only rewrite
        raise ConfigError("replaying cassettes needs vcrpy: pip install 'rewriter[eval]'") from exc
    recorder = vcr.VCR(record_mode=record_mode, **vcr_config())
    recorder.register_matcher("json_body", json_body)
    with recorder.use_cassette(str(path)) as recorded:
        yield recorded


def not_recorded(exc: BaseException) -> bool:
    """Whether an error, or one it was raised from, is vcrpy refusing an unrecorded request."""
    seen: BaseException | None = exc
    while seen is not None:
        if type(seen).__name__ == "CannotOverwriteExistingCassetteException":
            return True
        seen = seen.__cause__ or seen.__context__
    return False


REPLAY_BASE_URL = "http://127.0.0.1:8080/v1"  # never contacted: in "none" mode vcrpy answers


def save_replay_settings(directory: Path, settings: Settings) -> None:
    """Keep the backend settings of a recording beside its cassettes (never the key or host).

    A replay must send byte-identical requests, so it needs the model name, sampling,
    token cap and structured-output mode the recording used, not whatever backend the
    replaying machine would pick (often none at all).
    """
    data = settings.model_dump(mode="json", exclude={"api_key", "base_url", "models_file"})
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "backend.json").write_text(
        json.dumps(data, indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )


def replay_settings(directory: Path) -> Settings:
    """The settings a recording was made with, pointed at a placeholder endpoint.

    Raises:
        InputError: The folder holds no recording.
    """
    path = directory / "backend.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return Settings.model_validate({**data, "base_url": REPLAY_BASE_URL, "max_retries": 0})
    except OSError as exc:
        raise InputError(
            f"{path}: no recorded backend settings; record the cassettes first (--record-mode new_episodes) "
            "or name the backend with --base-url and --model"
        ) from exc
    except ValueError as exc:
        raise InputError(f"{path}: not readable backend settings: {exc}") from exc
