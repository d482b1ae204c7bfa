"""The client against a real HTTP server on loopback: the format ladder, retries, and every fault typed."""

from __future__ import annotations

import socket
import time
from typing import Any

import pytest

from rewriter.config import ResponseFormat, resolve_settings
from rewriter.errors import (
    AccessDeniedError,
    BackendTimeoutError,
    ConfigError,
    ContextOverflowError,
    ExitCode,
    HostNotFoundError,
    KeyRejectedError,
    LLMError,
    RateLimitedError,
    ServerError,
    StreamDroppedError,
    UnknownModelError,
    UnreachableError,
)
from rewriter.llm import ChatClient

pytestmark = pytest.mark.block_network(allowed_hosts=["127.0.0.1"])

MESSAGES = [{"role": "user", "content": "hi"}]
SCHEMA = {"type": "object"}
LLAMA_REJECTION = (
    "[{'type': 'literal_error', 'loc': ('body', 'response_format', 'type'), "
    "'msg': \"Input should be 'text' or 'json_object'\"}]"
)
KEY = "sk-test-0123456789abcdef"


def client(base_url: str, environ: dict[str, str] | None = None, **extra: Any) -> ChatClient:
    # No backoff between retries (a Retry-After within the bound is still waited out).
    settings, _ = resolve_settings(
        {"base_url": base_url, "model": "local", "max_retries": 0, "max_retry_wait": 0, **extra},
        environ or {},
    )
    return ChatClient(settings)


def test_rejected_json_schema_falls_back_once_and_is_remembered(fault_server: Any) -> None:
    fault_server.fail(500, LLAMA_REJECTION)
    chat = client(fault_server.base_url, max_retries=2)
    first = chat.complete(MESSAGES, SCHEMA)
    second = chat.complete(MESSAGES, SCHEMA)
    assert first.response_format is second.response_format is ResponseFormat.JSON_OBJECT
    sent = [r.body["response_format"]["type"] for r in fault_server.completions]
    assert sent == ["json_schema", "json_object", "json_object"]  # a rejection is never retried
    assert fault_server.completions[1].body["response_format"]["schema"] == SCHEMA
    assert (first.requests, second.requests) == (2, 1)  # the rejected probe was a request too


def test_text_mode_sends_no_response_format(fault_server: Any) -> None:
    client(fault_server.base_url, response_format="text").complete(MESSAGES, SCHEMA)
    body = fault_server.completions[0].body
    assert "response_format" not in body and body["seed"] == 7


def test_retry_after_within_the_bound_is_waited_out_and_counted(fault_server: Any) -> None:
    fault_server.fail(429, "slow down", retry_after="0.15")
    started = time.monotonic()
    response = client(fault_server.base_url, max_retries=1, max_retry_wait=5).complete(MESSAGES, SCHEMA)
    assert time.monotonic() - started >= 0.15
    assert response.requests == 2 and len(fault_server.completions) == 2


def test_retry_after_past_the_bound_gives_up_at_once(fault_server: Any) -> None:
    fault_server.fail(429, "slow down", retry_after="120")
    started = time.monotonic()
    with pytest.raises(RateLimitedError) as info:
        client(fault_server.base_url, max_retries=2, max_retry_wait=30).complete(MESSAGES, SCHEMA)
    assert time.monotonic() - started < 5
    assert info.value.retry_after == 120 and info.value.exit_code is ExitCode.BACKEND
    assert "asks to wait 120s, more than REWRITER_MAX_RETRY_WAIT (30s)" in info.value.message
    assert len(fault_server.completions) == 1


@pytest.mark.parametrize("response_format", ["auto", "json_object"])  # the probe obeys the setting too
@pytest.mark.parametrize(("status", "kind"), [(429, RateLimitedError), (503, ServerError)])
def test_a_fault_that_never_clears_is_tried_exactly_max_retries_more_times(
    fault_server: Any, status: int, kind: type[LLMError], response_format: str
) -> None:
    fault_server.fail(status, "busy", times=9)
    with pytest.raises(kind) as info:
        client(fault_server.base_url, max_retries=2, response_format=response_format).complete(
            MESSAGES, SCHEMA
        )
    assert len(fault_server.completions) == 3
    assert f"(HTTP {status}: busy) (3 tries)" in info.value.message
    assert info.value.exit_code is ExitCode.BACKEND  # not 4: the model's output was never the problem


def test_a_server_error_that_clears_costs_one_request_more(fault_server: Any) -> None:
    fault_server.fail(502, "bad gateway")
    response = client(fault_server.base_url, max_retries=1).complete(MESSAGES, SCHEMA)
    assert response.requests == 2 and response.response_format is ResponseFormat.JSON_SCHEMA


@pytest.mark.parametrize("stream", [False, True])
def test_the_first_request_retries_a_timeout_as_configured(fault_server: Any, stream: bool) -> None:
    fault_server.slow(1.0)
    chat = client(fault_server.base_url, max_retries=1, timeout=0.25)
    response = chat.complete(MESSAGES, SCHEMA, on_delta=[].append if stream else None)
    assert response.requests == 2 and chat.accepted_format() is ResponseFormat.JSON_SCHEMA


def test_a_timeout_on_every_try_is_a_timeout_error(fault_server: Any) -> None:
    fault_server.slow(1.0, times=2)
    with pytest.raises(BackendTimeoutError) as info:
        client(fault_server.base_url, max_retries=1, timeout=0.1).complete(MESSAGES, SCHEMA)
    assert "did not answer within 0.1s (2 tries); try again, or raise REWRITER_TIMEOUT" in info.value.message
    assert info.value.exit_code is ExitCode.BACKEND and len(fault_server.completions) == 2


def test_a_stream_dropped_half_way_is_retried_then_reported_as_dropped(fault_server: Any) -> None:
    pieces: list[str] = []
    fault_server.drop(after=30)
    response = client(fault_server.base_url, max_retries=1).complete(MESSAGES, SCHEMA, on_delta=pieces.append)
    assert response.requests == 2 and response.finish_reason == "stop"
    assert "".join(pieces).startswith('{"acknowledgement": "I u{"acknowledgement": "I u')  # cut, then whole
    fault_server.drop(after=30, times=2)
    with pytest.raises(StreamDroppedError) as info:
        client(fault_server.base_url, max_retries=1).complete(MESSAGES, SCHEMA, on_delta=pieces.append)
    assert "closed the stream mid-answer, after 24 characters (2 tries)" in info.value.message
    assert "start the server" not in info.value.message and info.value.exit_code is ExitCode.BACKEND


def test_a_stream_that_ends_without_its_last_chunk_was_cut_off(fault_server: Any) -> None:
    fault_server.answer('{"acknowledgement": "I see', finish_reason=None, times=2)  # then [DONE], cleanly
    with pytest.raises(StreamDroppedError, match="closed the stream mid-answer, after 26 characters"):
        client(fault_server.base_url, max_retries=1).complete(MESSAGES, SCHEMA, on_delta=[].append)
    assert len(fault_server.completions) == 2


def test_a_server_that_hangs_up_before_answering_was_reached(fault_server: Any) -> None:
    fault_server.hang_up()
    with pytest.raises(StreamDroppedError, match="closed the connection before answering"):
        client(fault_server.base_url).complete(MESSAGES, SCHEMA)


@pytest.mark.parametrize(
    ("environ", "extra", "says"),
    [
        (
            {"REWRITER_API_KEY": KEY},
            {},
            "rejected the API key in REWRITER_API_KEY (HTTP 401); check REWRITER_API_KEY",
        ),
        (
            {"OPENAI_API_KEY": KEY},
            {},
            "rejected the API key in OPENAI_API_KEY (HTTP 401); check OPENAI_API_KEY",
        ),
        ({}, {"api_key": KEY}, "rejected the API key it was given (HTTP 401); check the api_key setting"),
        ({}, {}, "wants an API key (HTTP 401) and none is set; set REWRITER_API_KEY (or OPENAI_API_KEY)"),
    ],
    ids=["rewriter-env", "openai-env", "argument", "none"],
)
def test_a_rejected_key_names_where_the_key_came_from(
    fault_server: Any, environ: dict[str, str], extra: dict[str, str], says: str
) -> None:
    fault_server.fail(401, "Incorrect API key provided")
    with pytest.raises(KeyRejectedError) as info:
        client(fault_server.base_url, environ, **extra).complete(MESSAGES, SCHEMA)
    assert info.value.message == f"{fault_server.base_url}/ {says}"
    assert isinstance(info.value, ConfigError) and info.value.exit_code is ExitCode.CONFIG


def test_forbidden_and_unknown_model_are_configuration_errors(fault_server: Any) -> None:
    fault_server.fail(403, "this key may not use model 'local'")
    with pytest.raises(
        AccessDeniedError, match=r"HTTP 403: this key may not use .*check that requests without a key may use"
    ):
        client(fault_server.base_url).complete(MESSAGES, SCHEMA)
    fault_server.fail(404, "model 'nope' not found")
    with pytest.raises(
        UnknownModelError, match=r"has no model 'local' .*model 'nope' not found.*check --model"
    ):
        client(fault_server.base_url).complete(MESSAGES, SCHEMA)
    assert len(fault_server.completions) == 2  # neither is retried


@pytest.mark.parametrize(
    ("message", "code"),
    [
        ("Requested tokens (5000) exceed context window of 4096", None),  # llama-cpp-python
        ("This model's maximum context length is 4096 tokens. However, you requested 5210 tokens", None),
        ("the request exceeds the available context size, try increasing it", None),  # llama.cpp
        ("Input is too long", "context_length_exceeded"),  # OpenAI's code says it when the words do not
    ],
    ids=["llama-cpp-python", "openai-vllm", "llama.cpp", "code"],
)
def test_server_side_context_overflow_is_input_too_long(
    fault_server: Any, message: str, code: str | None
) -> None:
    fault_server.fail(400, message)
    if code:
        fault_server.steps[-1].body = {"error": {"message": message, "code": code}}
    with pytest.raises(ContextOverflowError) as info:
        client(fault_server.base_url, max_retries=2).complete(MESSAGES, SCHEMA)
    assert info.value.exit_code is ExitCode.INPUT_TOO_LONG and info.value.draft_usable
    assert "shorten the draft" in info.value.message and len(fault_server.completions) == 1


def test_a_refused_connection_is_retried_then_says_to_start_the_server() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(UnreachableError) as info:
        client(f"http://127.0.0.1:{port}/v1", max_retries=1).complete(MESSAGES, SCHEMA)
    assert (
        f"nothing is listening at http://127.0.0.1:{port}/v1/ (connection refused, 2 tries)"
        in info.value.message
    )
    assert "start the server" in info.value.message and info.value.exit_code is ExitCode.CONFIG


def test_a_host_that_does_not_resolve_names_the_host(monkeypatch: pytest.MonkeyPatch) -> None:
    real = socket.getaddrinfo
    looked_up: list[str] = []

    def resolve(host: Any, *args: Any, **kwargs: Any) -> Any:
        # What the system resolver answers for a name no DNS server knows (kept offline).
        if str(host).endswith(".invalid"):
            looked_up.append(str(host))
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    with pytest.raises(HostNotFoundError) as info:
        client("http://models.example.invalid/v1").complete(MESSAGES, SCHEMA)
    assert "cannot find the host 'models.example.invalid'" in info.value.message and looked_up
    assert isinstance(info.value, UnreachableError) and info.value.exit_code is ExitCode.CONFIG


def test_a_key_echoed_by_the_server_is_masked(fault_server: Any) -> None:
    fault_server.fail(500, f"upstream refused header 'Authorization: Bearer {KEY}'")
    with pytest.raises(ServerError) as info:
        client(fault_server.base_url, {"REWRITER_API_KEY": KEY}).complete(MESSAGES, SCHEMA)
    assert KEY not in info.value.message and KEY not in str(info.value)
    assert "'Authorization: Bearer ***'" in info.value.message
    assert fault_server.completions[0].headers["authorization"] == f"Bearer {KEY}"  # the key was sent


def test_other_refusals_of_the_request_are_backend_errors(fault_server: Any) -> None:
    fault_server.fail(422, "seed is not supported", times=3)
    with pytest.raises(LLMError, match=r"refused the request \(HTTP 422: seed is not supported\)") as info:
        client(fault_server.base_url, max_retries=2).complete(MESSAGES, SCHEMA)
    assert type(info.value) is LLMError and len(fault_server.completions) == 1  # a 422 is not retried


@pytest.mark.parametrize("stream", [False, True])
def test_a_refusal_is_reported_apart_from_the_text(fault_server: Any, stream: bool) -> None:
    fault_server.answer(None, refusal="I can't help with that.")
    response = client(fault_server.base_url).complete(
        MESSAGES, SCHEMA, on_delta=[].append if stream else None
    )
    assert response.refusal == "I can't help with that." and response.text == ""


def test_model_is_discovered_when_not_configured(fault_server: Any) -> None:
    fault_server.models = ["qwen"]
    fault_server.fail(503, "loading")
    settings, _ = resolve_settings(
        {"base_url": fault_server.base_url, "max_retries": 1, "max_retry_wait": 0}, {}
    )
    assert ChatClient(settings).model_name() == "qwen"
    assert [r.path for r in fault_server.requests] == ["/v1/models", "/v1/models"]


def test_no_backend_at_all_names_both_ways_to_get_one() -> None:
    settings, _ = resolve_settings({}, {})
    with pytest.raises(ConfigError, match="OPENAI_API_KEY.*--base-url"):
        ChatClient(settings)
