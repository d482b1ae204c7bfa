"""The backend rule: flags > REWRITER_*/OPENAI_* > embedded model > error."""

from __future__ import annotations

from pathlib import Path

import pytest

from rewriter import backend
from rewriter.config import ResponseFormat
from rewriter.errors import ConfigError
from rewriter.local import model as local_model
from rewriter.local import server as local_server


@pytest.fixture
def embedded_available(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    calls: list[str] = []
    monkeypatch.setattr(local_model, "available", lambda: True)
    monkeypatch.setattr(local_model, "assemble", lambda force=False: Path("/models/m.gguf"))
    monkeypatch.setattr(local_model, "verify_cached", lambda path=None: "a" * 64)

    def ensure(model: Path, sha: str, **kw: object) -> local_server.ServerState:
        calls.append(sha)
        return local_server.ServerState(
            supervisor_pid=1, server_pid=2, port=5555, model_sha256=sha, model_path=str(model), started_at=0
        )

    monkeypatch.setattr(local_server, "ensure_server", ensure)
    return calls


def test_flags_win(embedded_available: list[str]) -> None:
    chosen = backend.resolve_backend({"base_url": "http://gpu-box:8000/v1"}, {"OPENAI_API_KEY": "k"})
    assert chosen.kind == "explicit" and chosen.settings.base_url == "http://gpu-box:8000/v1"
    assert embedded_available == []


def test_environment_beats_embedded(embedded_available: list[str]) -> None:
    chosen = backend.resolve_backend({}, {"OPENAI_API_KEY": "k"})
    assert chosen.kind == "environment" and chosen.settings.base_url is None
    assert embedded_available == []


def test_embedded_when_nothing_is_configured(embedded_available: list[str]) -> None:
    chosen = backend.resolve_backend({}, {})
    assert chosen.kind == "embedded" and embedded_available == ["a" * 64]
    s = chosen.settings
    assert s.base_url == "http://127.0.0.1:5555/v1" and s.model == "local"
    assert s.response_format is ResponseFormat.TEXT and s.max_tokens == 450 and s.context_window == 4096
    assert chosen.origin["base_url"] == "embedded"


def test_user_settings_survive_on_the_embedded_backend(embedded_available: list[str]) -> None:
    chosen = backend.resolve_backend(
        {}, {"REWRITER_MAX_TOKENS": "300", "REWRITER_RESPONSE_FORMAT": "json_object"}
    )
    assert chosen.settings.max_tokens == 300 and chosen.settings.response_format is ResponseFormat.JSON_OBJECT


def test_forced_embedded_ignores_an_openai_key(embedded_available: list[str]) -> None:
    chosen = backend.resolve_backend({}, {"OPENAI_API_KEY": "k", "REWRITER_BACKEND": "embedded"})
    assert chosen.kind == "embedded" and chosen.settings.api_key is None


def test_describing_does_not_start_anything(embedded_available: list[str]) -> None:
    chosen = backend.resolve_backend({}, {}, start=False)
    assert chosen.kind == "embedded" and embedded_available == []


def test_nothing_installed_names_both_ways() -> None:
    with pytest.raises(ConfigError, match=r"rewriter\[local\].*OPENAI_API_KEY.*--base-url"):
        backend.resolve_backend({}, {})
    with pytest.raises(ConfigError, match="not installed"):
        backend.resolve_backend({}, {"REWRITER_BACKEND": "embedded"})
    with pytest.raises(ConfigError, match="not one of"):
        backend.resolve_backend({}, {"REWRITER_BACKEND": "cloud"})
