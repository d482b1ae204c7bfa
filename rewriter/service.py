"""``rewriter serve``: the library over HTTP, for help desks that are not Python.

Most help-desk apps and sidebars run JavaScript or live in another process, so they
call a service, not an import. This one is a thin shell over the library, as the CLI
is: the request and response bodies are the library's own pydantic models
(``RewriteRequest`` -> ``RewriteResult``, :class:`CheckRequest` -> ``CheckReport``),
the OpenAPI description is generated from them, and an error is the library's typed
error as a JSON body with an HTTP status (and the CLI's exit code, for scripts that
already know it). FastAPI is the framework (an ``serve`` extra): routing, validation
and the OpenAPI document are not ours to write by hand.

What a shared service needs and a CLI does not:

- **One backend client** for every request (one :class:`~rewriter.Rewriter`), so
  connections and the embedded server are shared.
- **Bounded concurrency with a queue**: at most ``concurrency`` rewrites run at once,
  at most ``queue`` more wait; beyond that a request is turned away at once with 503
  and ``Retry-After`` rather than left to time out.
- **A size limit** on request bodies (413), checked before the body is read whole.
- **A bearer token** whenever it listens beyond loopback (refused to start without).
- **No customer text in its logs**: one line per request with method, path, status,
  time and size, never a body; validation errors name the field, never echo its value.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import queue
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from rewriter import __version__
from rewriter.check import check_reply
from rewriter.config import is_loopback_host
from rewriter.errors import (
    ConfigError,
    InputError,
    InputTooLongError,
    LLMError,
    ModelOutputError,
    RateLimitedError,
    RewriterError,
    UnreachableError,
)
from rewriter.models import Channel, CheckReport, RewriteRequest, RewriteResult
from rewriter.rewrite import Rewriter

log = logging.getLogger("rewriter.service")
Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class CheckRequest(BaseModel):
    """A reply to check, and what the checker needs to know about it (``rewriter check``'s options)."""

    model_config = ConfigDict(extra="forbid")

    reply: str = Field(min_length=1)
    channel: Channel = Channel.EMAIL
    customer_name: str | None = None
    draft: str | None = None
    customer_message: str | None = None
    policy: list[str] = Field(default_factory=list)
    language: str | None = None


class ServiceError(BaseModel):
    """The body of every error: the library's error type, its message and the CLI's exit code."""

    type: str
    message: str
    exit_code: int


class Limits(BaseModel):
    """How much the service takes on at once."""

    model_config = ConfigDict(frozen=True)

    concurrency: int = Field(default=2, ge=1)
    queue: int = Field(default=16, ge=0)
    max_body_bytes: int = Field(default=256_000, ge=1024)


def require_token_off_loopback(host: str, token: str | None) -> None:
    """Refuse to listen beyond this machine without a bearer token.

    Raises:
        ConfigError: ``host`` is not loopback and no token is set.
    """
    if not is_loopback_host(host) and not token:
        raise ConfigError(
            f"refusing to listen on {host} without a bearer token: anyone who can reach it could send "
            "customer text through it; set REWRITER_SERVE_TOKEN (or --token-file), or bind 127.0.0.1"
        )


def _status_for(exc: RewriterError) -> int:
    """The HTTP status a library error is answered with."""
    if isinstance(exc, InputTooLongError):
        return 413
    if isinstance(exc, InputError):
        return 400
    if isinstance(exc, RateLimitedError):
        return 429
    if isinstance(exc, UnreachableError | ConfigError):
        return 503
    if isinstance(exc, ModelOutputError | LLMError):
        return 502
    return 500


def _error(
    status: int, kind: str, message: str, exit_code: int, headers: dict[str, str] | None = None
) -> JSONResponse:
    body = ServiceError(type=kind, message=message, exit_code=exit_code).model_dump()
    return JSONResponse({"error": body}, status_code=status, headers=headers)


class _Gate:
    """At most ``concurrency`` at work and ``queue`` waiting; the rest are turned away at once."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self._slots = asyncio.Semaphore(limits.concurrency)
        self.waiting = 0
        self.running = 0

    def full(self) -> bool:
        return self.running + self.waiting >= self.limits.concurrency + self.limits.queue

    async def __aenter__(self) -> None:
        self.waiting += 1
        try:
            await self._slots.acquire()
        finally:
            self.waiting -= 1
        self.running += 1

    async def __aexit__(self, *exc: object) -> None:
        self.running -= 1
        self._slots.release()


def _limit_body(app: ASGIApp, max_bytes: int) -> ASGIApp:
    """Turn away a body over ``max_bytes`` with 413: by its Content-Length, or read up to the limit."""

    async def limited(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        too_big = _error(
            413, "InputTooLongError", f"the request body is over {max_bytes} bytes; send less", 5
        )
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None:
            if declared.isdigit() and int(declared) > max_bytes:
                await too_big(scope, receive, send)
                return
            await app(scope, receive, send)
            return
        # No length given (a chunked body): read it, never past the limit, then hand it on.
        messages: list[Message] = []
        seen = 0
        while True:
            message = await receive()
            messages.append(message)
            seen += len(message.get("body", b""))
            if seen > max_bytes:
                await too_big(scope, receive, send)
                return
            if message["type"] != "http.request" or not message.get("more_body", False):
                break

        async def replay() -> Message:
            return messages.pop(0) if messages else await receive()

        await app(scope, replay, send)

    return limited


def create_app(rewriter: Rewriter, *, token: str | None = None, limits: Limits | None = None) -> ASGIApp:
    """The service as an ASGI app, around one shared :class:`~rewriter.Rewriter`.

    Args:
        rewriter: Used by every request: one backend client for all.
        token: When set, every request but ``GET /healthz`` must carry
            ``Authorization: Bearer <token>``.
        limits: Concurrency, queue and body size.
    """
    limits = limits or Limits()
    gate = _Gate(limits)
    api = FastAPI(
        title="rewriter",
        version=__version__,
        description="Rewrite a support agent's draft so it is caring and clear, checked against the draft.",
    )

    @api.middleware("http")
    async def guard(request: Request, call_next: Callable[[Request], Awaitable[Any]]) -> Any:
        started = time.perf_counter()
        if token and request.url.path != "/healthz":
            given = request.headers.get("authorization", "")
            if not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
                response: Any = _error(
                    401, "Unauthorized", "a valid 'Authorization: Bearer <token>' header is required", 3,
                    headers={"WWW-Authenticate": "Bearer"},
                )  # fmt: skip
                _log(request, response.status_code, started)
                return response
        response = await call_next(request)
        _log(request, response.status_code, started)
        return response

    @api.exception_handler(RewriterError)
    async def library_error(request: Request, exc: RewriterError) -> JSONResponse:
        return _error(_status_for(exc), type(exc).__name__, exc.message, int(exc.exit_code))

    @api.exception_handler(RequestValidationError)
    async def bad_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        # The field and the problem, never the value: it may be a customer's message.
        errors = exc.errors()
        where = [".".join(str(p) for p in e.get("loc", ()) if p != "body") or "body" for e in errors]
        problems = "; ".join(f"{w}: {e.get('msg', 'invalid')}" for w, e in zip(where, errors, strict=True))
        return _error(422, "InputError", f"the request body is not valid: {problems}", 2)

    @api.get("/healthz")
    async def healthz() -> dict[str, object]:
        """Up, and how busy: for a load balancer's health check (no token needed)."""
        return {"status": "ok", "version": __version__, "running": gate.running, "waiting": gate.waiting}

    @api.post("/v1/check", response_model=CheckReport)
    async def check(body: CheckRequest) -> CheckReport:
        """Check a reply against the guidance (and the draft, if given), as ``rewriter check`` does."""
        return await asyncio.to_thread(
            check_reply, body.reply, channel=body.channel, customer_name=body.customer_name, draft=body.draft,
            customer_message=body.customer_message, policy=body.policy, language=body.language,
            guidance=rewriter.guidance,
        )  # fmt: skip

    @api.post(
        "/v1/rewrite",
        response_model=RewriteResult,
        responses={200: {"content": {"text/event-stream": {}}}, 503: {"model": ServiceError}},
    )
    async def rewrite(body: RewriteRequest, stream: bool = False) -> Any:
        """Rewrite a draft. With ``?stream=true`` the answer is server-sent events.

        Each ``delta`` event carries a piece of model text as it arrives; the last event
        is ``result`` (the ``RewriteResult``) or ``error`` (the error body).
        """
        if gate.full():
            return _error(503, "Busy", "the service is at its limit of queued rewrites; retry shortly", 9,
                          headers={"Retry-After": "1"})  # fmt: skip
        if stream:
            return StreamingResponse(_events(rewriter, gate, body), media_type="text/event-stream")
        async with gate:
            return await rewriter.arewrite(body)

    return _limit_body(api, limits.max_body_bytes)


async def _events(rewriter: Rewriter, gate: _Gate, body: RewriteRequest) -> AsyncIterator[str]:
    """Server-sent events: ``delta`` pieces while the model writes, then ``result`` or ``error``."""
    pieces: queue.SimpleQueue[str | None] = queue.SimpleQueue()
    outcome: dict[str, Any] = {}

    def work() -> None:
        try:
            outcome["result"] = rewriter.rewrite(body, on_delta=pieces.put)
        except RewriterError as exc:
            outcome["error"] = exc
        finally:
            pieces.put(None)

    async with gate:
        worker = threading.Thread(target=work, daemon=True)
        worker.start()
        while True:
            piece = await asyncio.to_thread(pieces.get)
            if piece is None:
                break
            yield _event("delta", {"text": piece})
        worker.join()
    if "error" in outcome:
        exc = outcome["error"]
        yield _event("error", ServiceError(type=type(exc).__name__, message=exc.message,
                                          exit_code=int(exc.exit_code)).model_dump())  # fmt: skip
    else:
        yield _event("result", outcome["result"].model_dump(mode="json"))


def _event(name: str, data: object) -> str:
    return f"event: {name}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


def _log(request: Request, status: int, started: float) -> None:
    """One line per request, never a body: method, path, status, milliseconds, bytes."""
    size = request.headers.get("content-length", "0")
    took = (time.perf_counter() - started) * 1000
    log.info("%s %s %d %.0f ms %s bytes", request.method, request.url.path, status, took, size)
