"""Model assembly from chunk packages: atomic, verified, corruption reported and rebuilt."""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

import pytest
import yaml

from rewriter.errors import ConfigError
from rewriter.local import model as local_model

ROOT = Path(__file__).resolve().parents[2]
CHUNKS = [b"first chunk " * 100, b"second chunk " * 50, b"last"]


@pytest.fixture
def packages(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> bytes:
    """Installable chunk packages and a prompts folder pinning their joined hash."""
    site = tmp_path / "site"
    for n, data in enumerate(CHUNKS, 1):
        pkg = site / f"testmodel_part{n}"
        (pkg / "data").mkdir(parents=True)
        (pkg / "__init__.py").write_text("", encoding="utf-8")
        (pkg / "data" / f"part{n:02d}.bin").write_bytes(data)
    monkeypatch.syspath_prepend(str(site))
    whole = b"".join(CHUNKS)
    prompts = tmp_path / "prompts"
    prompts.mkdir()
    spec = yaml.safe_load((ROOT / "prompts" / "local.yaml").read_text(encoding="utf-8"))
    spec["model"].update(
        file="test.gguf", package="testmodel_part{n}", parts=len(CHUNKS), size=len(whole),
        sha256=hashlib.sha256(whole).hexdigest(),
    )  # fmt: skip
    (prompts / "local.yaml").write_text(yaml.safe_dump(spec), encoding="utf-8")
    monkeypatch.setenv("REWRITER_PROMPTS_DIR", str(prompts))
    return whole


def test_assemble_joins_chunks_and_verifies(packages: bytes) -> None:
    assert local_model.missing_parts() == []
    path = local_model.assemble()
    assert path.read_bytes() == packages
    assert local_model.verify(path) == hashlib.sha256(packages).hexdigest()
    assert not [p for p in path.parent.iterdir() if p.name.startswith(".assemble-")]


def test_flipped_byte_is_detected_and_rebuilt_on_request(packages: bytes) -> None:
    path = local_model.assemble()
    local_model.verify_cached(path)
    data = bytearray(path.read_bytes())
    data[100] ^= 0xFF
    time.sleep(0.01)
    path.write_bytes(bytes(data))
    with pytest.raises(ConfigError, match="corrupted(.|\n)*rewriter local rebuild"):
        local_model.verify_cached(path)
    local_model.assemble(force=True)
    assert local_model.verify_cached(path) == hashlib.sha256(packages).hexdigest()


def test_truncated_file_is_reported(packages: bytes) -> None:
    path = local_model.assemble()
    with path.open("r+b") as handle:
        handle.truncate(10)
    with pytest.raises(ConfigError, match="is 10 bytes, expected"):
        local_model.verify(path)


def test_wrong_pin_never_leaves_a_file(packages: bytes, tmp_path: Path) -> None:
    spec_path = Path(os.environ["REWRITER_PROMPTS_DIR"]) / "local.yaml"
    spec = yaml.safe_load(spec_path.read_text(encoding="utf-8"))
    spec["model"]["sha256"] = "f" * 64
    spec_path.write_text(yaml.safe_dump(spec), encoding="utf-8")
    with pytest.raises(ConfigError, match="reinstall them"):
        local_model.assemble()
    assert not local_model.model_path().exists()
    assert list(local_model.model_path().parent.iterdir()) == []


def test_missing_packages_name_the_extra(packages: bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    spec_path = Path(os.environ["REWRITER_PROMPTS_DIR"]) / "local.yaml"
    spec = yaml.safe_load(spec_path.read_text(encoding="utf-8"))
    spec["model"]["parts"] = 5
    spec_path.write_text(yaml.safe_dump(spec), encoding="utf-8")
    assert local_model.missing_parts() == [4, 5]
    with pytest.raises(ConfigError, match=r"pip install 'rewriter\[local\]'"):
        local_model.assemble()


def test_verify_without_a_file_says_how_to_build_it(packages: bytes) -> None:
    with pytest.raises(ConfigError, match="rewriter local rebuild"):
        local_model.verify()
