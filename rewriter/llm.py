"""The only module that talks to a model: any OpenAI-compatible chat endpoint.

Backends differ in what structured output they accept (hosted OpenAI wants
``json_schema``; llama.cpp's Python server wants ``json_object`` with a ``schema``;
others take only plain text), so we try the strictest form first, step down when a
server rejects it, and remember per endpoint what worked.

Retries are ours; the openai client runs with ``max_retries=0``. The format probe must
see a rejection at once, not after the retries; a ``Retry-After`` longer than we agree
to wait must end in a message, not a hang; a stream that drops half-way deserves
another try as much as a refused connection; and every request sent, retries
included, must be counted. What is retried and how long to wait follow the openai
client's rules: 408, 409, 429 and 5xx (or ``x-should-retry``), timeouts and connection
errors; ``retry-after-ms`` or ``Retry-After`` when the server says, else 0.5 s
doubling up to 8 s, less up to a quarter at random.

Every failure leaves here as a typed :mod:`rewriter.errors` exception whose message
names what to do, with any configured API key masked (servers echo request headers
in error bodies).
"""

from __future__ import annotations

import contextlib
import email.utils
import math
import random
import re
import socket
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import partial
from typing import Any, TypeVar

import openai

from rewriter.config import ResponseFormat, Settings
from rewriter.crashes import wait_for as crash_since
from rewriter.errors import (
    AccessDeniedError,
    BackendTimeoutError,
    ConfigError,
    ContextOverflowError,
    HostNotFoundError,
    KeyRejectedError,
    LLMError,
    RateLimitedError,
    RewriterError,
    ServerError,
    StreamDroppedError,
    UnknownModelError,
    UnreachableError,
)
from rewriter.turns import WaitCallback, turn

Message = dict[str, str]
DeltaCallback = Callable[[str], None]

DEFAULT_OPENAI_MODEL = "gpt-4o-mini"
_FALLBACK = {
    ResponseFormat.JSON_SCHEMA: ResponseFormat.JSON_OBJECT,
    ResponseFormat.JSON_OBJECT: ResponseFormat.TEXT,
}
# Words a server uses when it rejects the structured-output request itself.
_FORMAT_REJECTION_HINTS = ("response_format", "json_schema", "json_object", "schema")
# How servers say the prompt does not fit: OpenAI and vLLM ("maximum context length",
# code context_length_exceeded), llama-cpp-python ("exceed context window"), llama.cpp
# ("exceeds the available context size").
_CONTEXT_OVERFLOW = re.compile(r"context[ _](?:length|window|size)|maximum context", re.IGNORECASE)
# The wait before the first retry when the server names none; it doubles each time.
RETRY_BACKOFF = 0.5
RETRY_BACKOFF_MAX = 8.0
MASK = "***"

T = TypeVar("T")


@dataclass(frozen=True)
class ChatResponse:
    """One completion's text and accounting; token counts are ``None`` if not reported.

    ``refusal`` is the model's stated refusal, when the server reports one apart from
    the text (OpenAI's structured outputs do). ``requests`` counts every HTTP request
    this completion took: retries and rejected format probes cost a request each.
    """

    text: str
    model: str
    response_format: ResponseFormat
    prompt_tokens: int | None
    completion_tokens: int | None
    finish_reason: str | None
    refusal: str | None = None
    requests: int = 1


class _FormatRejected(Exception):
    """The probe's format was refused; the ladder steps down (after ``requests`` sent)."""

    def __init__(self, requests: int) -> None:
        super().__init__("format rejected")
        self.requests = requests


class _Dropped(Exception):
    """A streamed answer ended before its last chunk, after ``received`` characters."""

    def __init__(self, received: int) -> None:
        super().__init__(f"stream ended after {received} characters")
        self.received = received


class ChatClient:
    """A configured connection to one endpoint and model.

    Holds no global state: two clients with different settings can live side by side
    in one help-desk process.
    """

    def __init__(self, settings: Settings, *, on_wait: WaitCallback | None = None) -> None:
        """Connect; nothing is sent yet.

        ``on_wait`` hears how many requests are ahead while one waits its turn at a
        server that answers one at a time (``settings.turns``, the embedded one).
        """
        self.settings = settings
        self.on_wait = on_wait
        api_key = settings.api_key
        if not api_key:
            if not settings.base_url:
                raise ConfigError(
                    "no model backend configured: set OPENAI_API_KEY (or REWRITER_API_KEY) for "
                    "OpenAI, or point --base-url / REWRITER_BASE_URL at an OpenAI-compatible server"
                )
            api_key = "not-needed"  # local servers ignore the key; the client insists on one
        self._client = openai.OpenAI(
            api_key=api_key, base_url=settings.base_url, timeout=settings.timeout, max_retries=0
        )
        self._accepted: dict[str, ResponseFormat] = {}
        self._model: str | None = settings.model

    @property
    def endpoint(self) -> str:
        """The base URL requests go to, for messages and the format memo."""
        return str(self._client.base_url)

    def model_name(self) -> str:
        """The model to ask: configured, OpenAI's default, or the server's first model."""
        if self._model is None:
            if not self.settings.base_url:
                self._model = DEFAULT_OPENAI_MODEL
            else:
                models, _ = self._send(lambda: list(self._client.models.list()))
                if not models:
                    raise ConfigError(f"the server at {self.endpoint} lists no models; pass --model")
                self._model = models[0].id
        return self._model

    def complete(
        self,
        messages: Sequence[Message],
        schema: dict[str, Any],
        *,
        on_delta: DeltaCallback | None = None,
        temperature: float | None = None,
        seed: int | None = None,
        response_format: ResponseFormat | None = None,
        max_tokens: int | None = None,
    ) -> ChatResponse:
        """Ask for a JSON answer, stepping down the structured-output ladder as needed.

        ``temperature`` and ``seed`` override the settings for this request only (the
        rewrite loop samples revisions differently from the first attempt);
        ``response_format`` forces one format for this request, with no fallback.

        Raises:
            ConfigError: The endpoint is unreachable, rejects the key or lacks the model
                (a subclass says which).
            ContextOverflowError: The server says the prompt does not fit.
            LLMError: A failure that survived the retries: rate limit, server error,
                timeout, a stream dropped half-way (a subclass says which).
        """
        model = self.model_name()
        sampling = (temperature, seed, max_tokens)
        if response_format is not None and response_format is not ResponseFormat.AUTO:
            response, sent = self._send(
                partial(self._call, model, messages, schema, response_format, on_delta, *sampling)
            )
            return replace(response, requests=sent)
        key = f"{self.endpoint}|{model}"
        fmt = self._accepted.get(key) or self._first_format()
        rejected = 0
        while True:
            probing = self._auto and key not in self._accepted and fmt in _FALLBACK
            try:
                call = partial(self._call, model, messages, schema, fmt, on_delta, *sampling)
                response, sent = self._send(call, probing=probing)
            except _FormatRejected as exc:
                rejected += exc.requests
                fmt = _FALLBACK[fmt]
                continue
            self._accepted[key] = fmt
            return replace(response, requests=rejected + sent)

    def accepted_format(self) -> ResponseFormat | None:
        """What this endpoint accepted so far (``None`` before the first request)."""
        return self._accepted.get(f"{self.endpoint}|{self._model}")

    @property
    def _auto(self) -> bool:
        # An explicitly chosen format is never silently replaced by a weaker one.
        return self.settings.response_format is ResponseFormat.AUTO

    def _first_format(self) -> ResponseFormat:
        return ResponseFormat.JSON_SCHEMA if self._auto else self.settings.response_format

    def _call(
        self,
        model: str,
        messages: Sequence[Message],
        schema: dict[str, Any],
        fmt: ResponseFormat,
        on_delta: DeltaCallback | None,
        temperature: float | None,
        seed: int | None,
        max_tokens: int | None,
    ) -> ChatResponse:
        s = self.settings
        kwargs: dict[str, Any] = {
            "model": model,
            "messages": list(messages),
            "temperature": s.temperature if temperature is None else temperature,
            "max_tokens": max_tokens or s.max_tokens,
        }
        if (seed := s.seed if seed is None else seed) is not None:
            kwargs["seed"] = seed
        if fmt is ResponseFormat.JSON_SCHEMA:
            kwargs["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": "rewrite", "schema": schema, "strict": True},
            }
        elif fmt is ResponseFormat.JSON_OBJECT:
            kwargs["response_format"] = {"type": "json_object", "schema": schema}
        if on_delta is not None:
            return self._stream(kwargs, fmt, on_delta)
        completion = self._client.chat.completions.create(**kwargs)
        choice = completion.choices[0] if completion.choices else None
        usage = completion.usage
        return ChatResponse(
            text=(choice.message.content if choice else None) or "",
            model=completion.model or model,
            response_format=fmt,
            prompt_tokens=usage.prompt_tokens if usage else None,
            completion_tokens=usage.completion_tokens if usage else None,
            finish_reason=choice.finish_reason if choice else None,
            refusal=choice.message.refusal if choice else None,
        )

    def _stream(self, kwargs: dict[str, Any], fmt: ResponseFormat, on_delta: DeltaCallback) -> ChatResponse:
        """Collect a streamed answer, telling a dropped stream from a finished one.

        The spec ends every stream with a chunk that carries ``finish_reason``; a stream
        that stops before it (the connection closed, or ended without it) was cut off,
        however much text came first.
        """
        parts: list[str] = []
        refusal: list[str] = []
        finish: str | None = None
        model = str(kwargs["model"])
        prompt_tokens = completion_tokens = None
        # Read the stream to its end even if the caller's callback is slow: a half-read
        # stream would leave the connection (and a recorded cassette) in a broken state.
        stream = self._client.chat.completions.create(stream=True, **kwargs)
        try:
            for chunk in stream:
                model = chunk.model or model
                if chunk.usage:
                    prompt_tokens = chunk.usage.prompt_tokens
                    completion_tokens = chunk.usage.completion_tokens
                for choice in chunk.choices:
                    if choice.delta.content:
                        parts.append(choice.delta.content)
                        on_delta(choice.delta.content)
                    if choice.delta.refusal:
                        refusal.append(choice.delta.refusal)
                    finish = choice.finish_reason or finish
        except openai.APITimeoutError:
            raise
        except openai.APIConnectionError as exc:
            raise _Dropped(sum(map(len, parts))) from exc
        if finish is None:
            raise _Dropped(sum(map(len, parts)))
        text = "".join(parts)
        return ChatResponse(
            text, model, fmt, prompt_tokens, completion_tokens, finish, "".join(refusal) or None
        )

    def _send(self, call: Callable[[], T], *, probing: bool = False) -> tuple[T, int]:
        """``call()`` and how many requests it took, retried as the module docstring says.

        Raises:
            _FormatRejected: ``probing``, and the server refused the structured-output
                request itself (never retried: the ladder steps down instead).
            RewriterError: Anything else that survived the retries, typed.
        """
        retries = 0
        since = time.time()
        while True:
            try:
                with self._turn():
                    return call(), retries + 1
            except openai.APIStatusError as exc:
                if probing and _is_format_rejection(exc):
                    raise _FormatRejected(retries + 1) from exc
                fault: Exception = exc
            except (openai.APIConnectionError, _Dropped) as exc:
                self._raise_if_crashed(since, exc)
                fault = exc
            except openai.OpenAIError as exc:
                raise self._error(exc, retries) from exc
            wait = self._retry_wait(fault, retries)
            if wait is None or retries >= self.settings.max_retries:
                raise self._error(fault, retries) from fault
            if wait > self.settings.max_retry_wait:
                raise self._error(fault, retries, asked=wait) from fault
            time.sleep(wait)
            retries += 1

    def _raise_if_crashed(self, since: float, exc: Exception) -> None:
        """Report a refused or cut connection as the engine crash it was, if it was one.

        Retrying cannot help a dead engine, and "nothing is listening" would send the
        user to start a server that was there: the crash record says what happened.
        """
        if self.settings.engine_crashes is None:
            return
        port = self._client.base_url.port
        crash = crash_since(self.settings.engine_crashes, port or 0, since - 1.0)
        if crash is not None:
            raise crash.error("while answering this request") from exc

    def _turn(self) -> contextlib.AbstractContextManager[None]:
        """The wait for this request's turn; the timeout starts once it comes."""
        if self.settings.turns is None:
            return contextlib.nullcontext()
        return turn(self.settings.turns, self.on_wait)

    def _retry_wait(self, exc: Exception, retries: int) -> float | None:
        """Seconds to wait before trying again, or ``None`` when another try cannot help."""
        if isinstance(exc, openai.APIStatusError):
            if _is_context_overflow(exc):
                return None
            told = exc.response.headers.get("x-should-retry")
            if told == "false" or (told != "true" and not _is_retryable(exc)):
                return None
            asked = _retry_after(exc.response.headers)
            if asked is not None:
                return asked
        backoff = min(RETRY_BACKOFF * 2.0**retries, RETRY_BACKOFF_MAX, self.settings.max_retry_wait)
        return backoff * (1 - 0.25 * random.random())

    def _error(self, exc: Exception, retries: int, asked: float | None = None) -> RewriterError:
        """The typed error for what ended the request, its message masked of the key."""
        error = self._classify(exc, retries, asked)
        error.message = self._masked(error.message)
        error.args = (error.message,)
        return error

    def _classify(self, exc: Exception, retries: int, asked: float | None) -> RewriterError:
        where = self.endpoint
        tries = f" ({retries + 1} tries)" if retries else ""
        more = f"raise REWRITER_MAX_RETRIES (now {self.settings.max_retries})"
        if isinstance(exc, _Dropped):
            return StreamDroppedError(
                f"{where} closed the stream mid-answer, after {exc.received} characters{tries}; "
                "try again, and if it keeps happening look at the server's log (a crash, or a proxy "
                "cutting long responses)"
            )
        if isinstance(exc, openai.APITimeoutError):
            return BackendTimeoutError(
                f"{where} did not answer within {self.settings.timeout:g}s{tries}; try again, or raise "
                "REWRITER_TIMEOUT for a slow model or a long draft"
            )
        if isinstance(exc, openai.APIConnectionError):
            return self._connection_error(exc, f", {retries + 1} tries" if retries else "")
        if not isinstance(exc, openai.APIStatusError):
            detail = _one_line(str(getattr(exc, "message", exc)))
            return LLMError(f"{where} failed ({detail}); try again, or look at the server's log")
        status, detail = exc.status_code, _detail(exc)
        if status == 401:
            return KeyRejectedError(self._key_rejected())
        model = f"model {self._model!r}" if self._model else "model list"
        if status == 403:
            return AccessDeniedError(
                f"{where} refused access (HTTP 403: {detail}); check that {self._key_name()} may use "
                f"the {model}"
            )
        if status == 404:
            return UnknownModelError(
                f"{where} has no {model} or no such route (HTTP 404: {detail}); check --model "
                "(`rewriter config` shows it) and --base-url (it usually ends in /v1)"
            )
        if _is_context_overflow(exc):
            return ContextOverflowError(
                f"the prompt does not fit the model's context window at {where} (HTTP {status}: "
                f"{detail}); shorten the draft or the customer's message, or set REWRITER_CONTEXT_WINDOW "
                "to the server's window so rewriter refuses it before sending"
            )
        limit = self.settings.max_retry_wait
        waits = (
            f" and asks to wait {asked:g}s, more than REWRITER_MAX_RETRY_WAIT ({limit:g}s)" if asked else ""
        )
        if status == 429:
            return RateLimitedError(
                f"{where} is rate-limiting requests (HTTP 429: {detail}){waits if asked else tries}; "
                f"wait and try again, or {'raise REWRITER_MAX_RETRY_WAIT' if asked else more}",
                retry_after=asked if asked is not None else _retry_after(exc.response.headers),
            )
        if status >= 500:
            return ServerError(
                f"{where} failed (HTTP {status}: {detail}){waits if asked else tries}; try again later, "
                "or look at the server's log",
                status_code=status,
            )
        return LLMError(
            f"{where} refused the request (HTTP {status}: {detail}); look at the server's log, and if it "
            "names response_format, set REWRITER_RESPONSE_FORMAT=auto"
        )

    def _connection_error(self, exc: openai.APIConnectionError, tries: str) -> RewriterError:
        where = self.endpoint
        causes = _causes(exc)
        if any(isinstance(c, socket.gaierror) for c in causes):
            host = self._client.base_url.host
            return HostNotFoundError(
                f"cannot find the host {host!r} of {where} (DNS lookup failed{tries}); check the host "
                "name in --base-url / REWRITER_BASE_URL, and the network"
            )
        if any(isinstance(c, ConnectionRefusedError) for c in causes):
            return UnreachableError(
                f"nothing is listening at {where} (connection refused{tries}); start the server "
                "(`rewriter local start` for the embedded one) or fix --base-url / REWRITER_BASE_URL"
            )
        if any(type(c).__name__ == "ConnectError" for c in causes):
            return UnreachableError(
                f"cannot connect to {where} ({_one_line(str(causes[-1]))}{tries}); check that the server "
                "runs and that --base-url / REWRITER_BASE_URL is right"
            )
        # Connected, then the server hung up before its answer began.
        return StreamDroppedError(
            f"{where} closed the connection before answering ({_one_line(str(causes[-1]))}{tries}); "
            "try again, and if it keeps happening look at the server's log"
        )

    def _key_name(self) -> str:
        source = self.settings.api_key_source
        if not self.settings.api_key:
            return "requests without a key"
        return f"the key in {source}" if source and source.isupper() else "the API key given"

    def _key_rejected(self) -> str:
        where, source = self.endpoint, self.settings.api_key_source
        if not self.settings.api_key:
            return (
                f"{where} wants an API key (HTTP 401) and none is set; set REWRITER_API_KEY "
                "(or OPENAI_API_KEY)"
            )
        if source and source.isupper():
            return f"{where} rejected the API key in {source} (HTTP 401); check {source}"
        return f"{where} rejected the API key it was given (HTTP 401); check the api_key setting"

    def _masked(self, text: str) -> str:
        # Short keys are left alone: masking "x" everywhere would garble the message.
        key = self.settings.api_key
        return text.replace(key, MASK) if key and len(key) >= 6 else text


def _causes(exc: BaseException) -> list[BaseException]:
    """The exceptions behind ``exc``, outermost first (httpx wraps the OSError twice)."""
    chain: list[BaseException] = []
    current: BaseException | None = exc.__cause__ or exc.__context__
    while current is not None and current not in chain:
        chain.append(current)
        current = current.__cause__ or current.__context__
    return chain or [exc]


def _one_line(text: str, limit: int = 200) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."


def _detail(exc: openai.APIStatusError) -> str:
    body = exc.body
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict) and inner.get("message"):
            return _one_line(str(inner["message"]))
        if isinstance(inner, str):
            return _one_line(inner)
        if body.get("detail"):
            return _one_line(str(body["detail"]))
    return _one_line(str(exc.message))


def _is_format_rejection(exc: openai.APIStatusError) -> bool:
    if exc.status_code not in (400, 422, 500, 501):
        return False
    text = f"{exc.message} {exc.body}".lower()
    return any(hint in text for hint in _FORMAT_REJECTION_HINTS)


def _is_context_overflow(exc: openai.APIStatusError) -> bool:
    if exc.status_code not in (400, 413, 422, 500):
        return False
    code = exc.body.get("code") if isinstance(exc.body, dict) else None
    return code == "context_length_exceeded" or bool(_CONTEXT_OVERFLOW.search(f"{exc.message} {exc.body}"))


def _retry_after(headers: Any) -> float | None:
    """The wait the server asked for, in seconds (``None`` if it named none we can read)."""
    for name, scale in (("retry-after-ms", 0.001), ("retry-after", 1.0)):
        value = headers.get(name)
        if value is None:
            continue
        try:
            seconds = float(value) * scale
        except ValueError:
            parsed = email.utils.parsedate_tz(value) if name == "retry-after" else None
            if parsed is None:
                continue
            seconds = email.utils.mktime_tz(parsed) - time.time()
        if math.isfinite(seconds):
            return max(seconds, 0.0)
        return math.inf
    return None


def _is_retryable(exc: openai.APIStatusError) -> bool:
    return exc.status_code in (408, 409, 429) or exc.status_code >= 500
