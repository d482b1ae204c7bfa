"""Settings, resolved in one place: explicit arguments > ``REWRITER_*`` > ``OPENAI_*`` > defaults.

Keeping the precedence here (and nowhere else) is what lets ``rewriter config`` show
exactly which value won and where it came from.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from enum import StrEnum
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlparse

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from rewriter.errors import ConfigError


class ResponseFormat(StrEnum):
    """How structured output is requested; ``auto`` tries the strictest first."""

    AUTO = "auto"
    JSON_SCHEMA = "json_schema"
    JSON_OBJECT = "json_object"
    TEXT = "text"


class Settings(BaseModel):
    """Everything that shapes how a backend is called.

    ``api_key`` is excluded from dumps so settings can be logged or shown safely;
    ``api_key_source`` says where it came from, so a rejected key's message can name the
    variable to fix rather than guess.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    base_url: str | None = None
    api_key: str | None = Field(default=None, exclude=True, repr=False)
    api_key_source: str | None = Field(default=None, exclude=True)
    model: str | None = None
    timeout: float = Field(default=120.0, gt=0)
    max_retries: int = Field(default=2, ge=0, le=10)
    # The longest `Retry-After` we wait out; a server asking for more is given up on at
    # once, with a message, rather than hanging the command.
    max_retry_wait: float = Field(default=60.0, ge=0)
    temperature: float = Field(default=0.2, ge=0, le=2)
    seed: int | None = 7
    max_tokens: int = Field(default=700, ge=16)
    max_revisions: int = Field(default=2, ge=0, le=5)
    revision_temperature: float = Field(default=0.7, ge=0, le=2)
    response_format: ResponseFormat = ResponseFormat.AUTO
    # The format of the repair request after an unusable answer; None = the same as
    # the first request. Lets a fast unconstrained first try fall back to a
    # grammar-constrained one on servers known to support it.
    repair_response_format: ResponseFormat | None = None
    models_file: Path | None = None
    # How a reply is made: "draft-first" keeps the draft's own sentences, cleaned and laid
    # out, and asks the model only for the acknowledgement; "parts" has the model write
    # every part of the reply, then checks, revises and mends it.
    strategy: Literal["parts", "draft-first"] = "draft-first"
    context_window: int | None = Field(default=None, ge=256)
    # Where requests queue for a server that answers one at a time (the embedded one):
    # see rewriter.turns. Not a setting anyone tunes, so not part of any dump.
    turns: Path | None = Field(default=None, exclude=True)
    # Where the embedded engine's supervisor records a crash (see rewriter.crashes), so
    # a refused or cut connection is reported as the crash it was.
    engine_crashes: Path | None = Field(default=None, exclude=True)

    def is_loopback(self) -> bool:
        """True when the backend is on this machine, where no key is needed."""
        if not self.base_url:
            return False
        return is_loopback_host(urlparse(self.base_url).hostname or "")


def is_loopback_host(host: str) -> bool:
    """Whether ``host`` reaches only this machine (``127.0.0.1``, ``::1``, ``localhost``)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


# Field name -> environment variables, first found wins.
_ENV: dict[str, tuple[str, ...]] = {
    "base_url": ("REWRITER_BASE_URL", "OPENAI_BASE_URL"),
    "api_key": ("REWRITER_API_KEY", "OPENAI_API_KEY"),
    "model": ("REWRITER_MODEL",),
    "timeout": ("REWRITER_TIMEOUT",),
    "max_retries": ("REWRITER_MAX_RETRIES",),
    "max_retry_wait": ("REWRITER_MAX_RETRY_WAIT",),
    "temperature": ("REWRITER_TEMPERATURE",),
    "seed": ("REWRITER_SEED",),
    "max_tokens": ("REWRITER_MAX_TOKENS",),
    "max_revisions": ("REWRITER_MAX_REVISIONS",),
    "revision_temperature": ("REWRITER_REVISION_TEMPERATURE",),
    "response_format": ("REWRITER_RESPONSE_FORMAT",),
    "repair_response_format": ("REWRITER_REPAIR_RESPONSE_FORMAT",),
    "models_file": ("REWRITER_MODELS_FILE",),
    "context_window": ("REWRITER_CONTEXT_WINDOW",),
    "strategy": ("REWRITER_STRATEGY",),
}


def resolve_settings(
    overrides: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None
) -> tuple[Settings, dict[str, str]]:
    """Build settings from explicit values over the environment.

    Args:
        overrides: Values the caller set explicitly (CLI flags, library arguments);
            ``None`` values count as unset.
        environ: The environment to read; defaults to ``os.environ``.

    Returns:
        The settings and, for each field that was set, where its value came from.

    Raises:
        ConfigError: A value is malformed; the message names the variable or flag.
    """
    env = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    origin: dict[str, str] = {}
    for field, names in _ENV.items():
        for name in names:
            if env.get(name, "").strip():
                values[field] = env[name].strip()
                origin[field] = f"env {name}"
                break
    for field, value in (overrides or {}).items():
        if value is not None:
            values[field] = value
            origin[field] = "argument"
    if "api_key" in origin:
        values["api_key_source"] = origin["api_key"].removeprefix("env ")
    if values.get("seed") in ("none", "None", ""):
        values["seed"] = None
    try:
        return Settings(**values), origin
    except ValidationError as exc:
        problems = "; ".join(
            f"{err['loc'][0]} ({origin.get(str(err['loc'][0]), 'argument')}): {err['msg']}"
            for err in exc.errors()
        )
        raise ConfigError(f"invalid setting: {problems}") from exc
