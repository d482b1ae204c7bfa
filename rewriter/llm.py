"""The only module that talks to a model: any OpenAI-compatible chat endpoint.

Backends differ in what structured output they accept (hosted OpenAI wants
``json_schema``; llama.cpp's Python server wants ``json_object`` with a ``schema``;
others take only plain text), so we try the strictest form first, step down when a
server rejects it, and remember per endpoint what worked. Transport retries, backoff
and ``Retry-After`` are the openai client's own, tested machinery.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import openai

from rewriter.config import ResponseFormat, Settings
from rewriter.errors import ConfigError, InputTooLongError, LLMError, RewriterError

Message = dict[str, str]
DeltaCallback = Callable[[str], None]

DEFAULT_OPENAI_MODEL = "gpt-4o-mini"
_FALLBACK = {
    ResponseFormat.JSON_SCHEMA: ResponseFormat.JSON_OBJECT,
    ResponseFormat.JSON_OBJECT: ResponseFormat.TEXT,
}
# Words a server uses when it rejects the structured-output request itself.
_FORMAT_REJECTION_HINTS = ("response_format", "json_schema", "json_object", "schema")


@dataclass(frozen=True)
class ChatResponse:
    """One completion's text and accounting; token counts are ``None`` if not reported."""

    text: str
    model: str
    response_format: ResponseFormat
    prompt_tokens: int | None
    completion_tokens: int | None
    finish_reason: str | None


class ChatClient:
    """A configured connection to one endpoint and model.

    Holds no global state: two clients with different settings can live side by side
    in one help-desk process.
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        api_key = settings.api_key
        if not api_key:
            if not settings.base_url:
                raise ConfigError(
                    "no model backend configured: set OPENAI_API_KEY (or REWRITER_API_KEY) for "
                    "OpenAI, or point --base-url / REWRITER_BASE_URL at an OpenAI-compatible server"
                )
            api_key = "not-needed"  # local servers ignore the key; the client insists on one
        self._client = openai.OpenAI(
            api_key=api_key,
            base_url=settings.base_url,
            timeout=settings.timeout,
            max_retries=settings.max_retries,
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
                with self._map_errors():
                    models = list(self._client.models.list())
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
            ConfigError: The endpoint is unreachable, rejects the key or lacks the model.
            InputTooLongError: The server says the prompt does not fit.
            LLMError: Any other failure that survived the client's retries.
        """
        model = self.model_name()
        if response_format is not None and response_format is not ResponseFormat.AUTO:
            return self._call(
                model, messages, schema, response_format, on_delta, False, temperature, seed, max_tokens
            )
        key = f"{self.endpoint}|{model}"
        fmt = self._accepted.get(key) or self._first_format()
        while True:
            probing = self._auto and key not in self._accepted and fmt in _FALLBACK
            try:
                response = self._call(
                    model, messages, schema, fmt, on_delta, probing, temperature, seed, max_tokens
                )
            except openai.APIStatusError as exc:
                if probing and _is_format_rejection(exc):
                    fmt = _FALLBACK[fmt]
                    continue
                if probing and _is_retryable(exc):
                    # The quick probe ran without retries; wait as the server asked, then
                    # send it again with the client's full retries.
                    time.sleep(_retry_after(exc))
                    self._accepted[key] = fmt
                    continue
                with self._map_errors():
                    raise
            self._accepted[key] = fmt
            return response

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
        probing: bool,
        temperature: float | None,
        seed: int | None,
        max_tokens: int | None = None,
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
        client = self._client.with_options(max_retries=0) if probing else self._client
        with self._map_errors(passthrough=probing):
            if on_delta is None:
                completion = client.chat.completions.create(**kwargs)
                choice = completion.choices[0]
                usage = completion.usage
                return ChatResponse(
                    text=choice.message.content or "",
                    model=completion.model or model,
                    response_format=fmt,
                    prompt_tokens=usage.prompt_tokens if usage else None,
                    completion_tokens=usage.completion_tokens if usage else None,
                    finish_reason=choice.finish_reason,
                )
            return self._stream(client, kwargs, fmt, on_delta)

    @staticmethod
    def _stream(
        client: openai.OpenAI, kwargs: dict[str, Any], fmt: ResponseFormat, on_delta: DeltaCallback
    ) -> ChatResponse:
        parts: list[str] = []
        finish: str | None = None
        model = str(kwargs["model"])
        prompt_tokens = completion_tokens = None
        # Read the stream to its end even if the caller's callback is slow: a half-read
        # stream would leave the connection (and a recorded cassette) in a broken state.
        for chunk in client.chat.completions.create(stream=True, **kwargs):
            model = chunk.model or model
            if chunk.usage:
                prompt_tokens = chunk.usage.prompt_tokens
                completion_tokens = chunk.usage.completion_tokens
            for choice in chunk.choices:
                if choice.delta.content:
                    parts.append(choice.delta.content)
                    on_delta(choice.delta.content)
                finish = choice.finish_reason or finish
        return ChatResponse("".join(parts), model, fmt, prompt_tokens, completion_tokens, finish)

    @contextlib.contextmanager
    def _map_errors(self, passthrough: bool = False) -> Iterator[None]:
        """Turn openai's exceptions into ours, each naming the endpoint and a next step.

        With ``passthrough`` status errors propagate untouched so the caller can decide
        whether they were a structured-output rejection.
        """
        where = self.endpoint
        try:
            yield
        except RewriterError:
            raise
        except openai.AuthenticationError as exc:
            raise ConfigError(f"{where} rejected the API key (HTTP 401); check OPENAI_API_KEY") from exc
        except openai.PermissionDeniedError as exc:
            raise ConfigError(f"{where} refused access (HTTP 403): {_detail(exc)}") from exc
        except openai.NotFoundError as exc:
            raise ConfigError(
                f"{where} has no such model or route (HTTP 404): {_detail(exc)}; check --model and "
                "--base-url (it usually ends in /v1)"
            ) from exc
        except openai.APITimeoutError as exc:
            raise LLMError(
                f"{where} did not answer within {self.settings.timeout:g}s; raise REWRITER_TIMEOUT"
            ) from exc
        except openai.APIConnectionError as exc:
            raise ConfigError(
                f"no model backend reachable at {where}: {exc.__cause__ or exc}; start the server or fix "
                "--base-url / OPENAI_BASE_URL"
            ) from exc
        except openai.APIStatusError as exc:
            if passthrough:
                raise
            if "context" in _detail(exc).lower() and "length" in _detail(exc).lower():
                raise InputTooLongError(
                    f"{where}: the prompt does not fit the model: {_detail(exc)}"
                ) from exc
            raise LLMError(f"{where} failed (HTTP {exc.status_code}): {_detail(exc)}") from exc
        except openai.OpenAIError as exc:
            raise LLMError(f"{where} failed: {exc}") from exc


def _detail(exc: openai.APIStatusError) -> str:
    body = exc.body
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict) and inner.get("message"):
            return str(inner["message"])[:500]
        if isinstance(inner, str):
            return inner[:500]
        if body.get("detail"):
            return str(body["detail"])[:500]
    return str(exc.message)[:500]


def _is_format_rejection(exc: openai.APIStatusError) -> bool:
    if exc.status_code not in (400, 422, 500, 501):
        return False
    text = f"{exc.message} {exc.body}".lower()
    return any(hint in text for hint in _FORMAT_REJECTION_HINTS)


def _retry_after(exc: openai.APIStatusError, limit: float = 60.0) -> float:
    try:
        return min(max(float(exc.response.headers.get("retry-after", "0.5")), 0.0), limit)
    except ValueError:
        return 0.5


def _is_retryable(exc: openai.APIStatusError) -> bool:
    return exc.status_code in (408, 409, 429) or exc.status_code >= 500
