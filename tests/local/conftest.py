"""A stand-in engine, run as a real process by the real supervisor, for lifecycle and crash tests."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from rewriter.local import model as local_model
from rewriter.local import server as local_server

TESTS = Path(__file__).resolve().parent
SHA = "0" * 64


@pytest.fixture
def fake_engine(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    """The model file the stand-in 'loads'; the server is stopped after the test."""
    monkeypatch.setenv("REWRITER_LOCAL_ENGINE_MODULE", "fake_engine")
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(TESTS), os.environ.get("PYTHONPATH", "")]))
    model = tmp_path / "model.gguf"
    model.write_bytes(b"gguf")
    yield model
    local_server.stop_server()


@pytest.fixture
def embedded(fake_engine: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The embedded backend as a user without settings gets it, on the stand-in engine."""
    monkeypatch.setattr(local_model, "available", lambda: True)
    monkeypatch.setattr(local_model, "assemble", lambda force=False: fake_engine)
    monkeypatch.setattr(local_model, "verify_cached", lambda path=None: SHA)
    return fake_engine
