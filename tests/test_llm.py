"""Error paths of the client against a real HTTP server on loopback, scripted per test."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from rewriter.config import ResponseFormat, resolve_settings
from rewriter.errors import ConfigError, InputTooLongError, LLMError
from rewriter.llm import ChatClient

pytestmark = pytest.mark.block_network(allowed_hosts=["127.0.0.1"])

COMPLETION = {
    "id": "x",
    "object": "chat.completion",
    "created": 0,
    "model": "local",
    "choices": [{"index": 0, "message": {"role": "assistant", "content": "{}"}, "finish_reason": "stop"}],
    "usage": {"prompt_tokens": 5, "completion_tokens": 1, "total_tokens": 6},
}


class Script:
    """Responses to serve in order, and the requests received."""

    def __init__(self) -> None:
        self.responses: list[tuple[int, dict[str, str], Any]] = []
        self.requests: list[dict[str, Any]] = []


@pytest.fixture
def server() -> Iterator[tuple[str, Script]]:
    script = Script()

    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            body = json.loads(self.rfile.read(length) or b"null")
            script.requests.append({"path": self.path, "body": body})
            status, headers, payload = script.responses.pop(0)
            data = json.dumps(payload).encode()
            self.send_response(status)
            for key, value in {"content-type": "application/json", **headers}.items():
                self.send_header(key, value)
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = _serve

        def log_message(self, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}/v1", script
    httpd.shutdown()
    httpd.server_close()


def client(base_url: str, **extra: Any) -> ChatClient:
    settings, _ = resolve_settings({"base_url": base_url, "model": "local", "max_retries": 0, **extra}, {})
    return ChatClient(settings)


MESSAGES = [{"role": "user", "content": "hi"}]
SCHEMA = {"type": "object"}
LLAMA_REJECTION = {
    "error": {
        "message": "[{'type': 'literal_error', 'loc': ('body', 'response_format', 'type'), "
        "'msg': \"Input should be 'text' or 'json_object'\"}]"
    }
}


def test_rejected_json_schema_falls_back_once_and_is_remembered(server: tuple[str, Script]) -> None:
    url, script = server
    script.responses = [(500, {}, LLAMA_REJECTION), (200, {}, COMPLETION), (200, {}, COMPLETION)]
    chat = client(url)
    first = chat.complete(MESSAGES, SCHEMA)
    second = chat.complete(MESSAGES, SCHEMA)
    assert first.response_format is second.response_format is ResponseFormat.JSON_OBJECT
    sent = [r["body"]["response_format"]["type"] for r in script.requests]
    assert sent == ["json_schema", "json_object", "json_object"]
    assert script.requests[1]["body"]["response_format"]["schema"] == SCHEMA


def test_text_mode_sends_no_response_format(server: tuple[str, Script]) -> None:
    url, script = server
    script.responses = [(200, {}, COMPLETION)]
    client(url, response_format="text").complete(MESSAGES, SCHEMA)
    assert "response_format" not in script.requests[0]["body"]
    assert script.requests[0]["body"]["seed"] == 7


def test_retry_after_is_honoured(server: tuple[str, Script]) -> None:
    url, script = server
    script.responses = [
        (429, {"retry-after": "1"}, {"error": {"message": "slow down"}}),
        (200, {}, COMPLETION),
    ]
    started = time.monotonic()
    response = client(url, max_retries=1, response_format="json_object").complete(MESSAGES, SCHEMA)
    assert time.monotonic() - started >= 0.9
    assert response.prompt_tokens == 5 and len(script.requests) == 2


def test_bad_key_is_a_configuration_error(server: tuple[str, Script]) -> None:
    url, script = server
    script.responses = [(401, {}, {"error": {"message": "Incorrect API key"}})]
    with pytest.raises(ConfigError, match="rejected the API key"):
        client(url, response_format="json_object").complete(MESSAGES, SCHEMA)


def test_unknown_model_is_a_configuration_error(server: tuple[str, Script]) -> None:
    url, script = server
    script.responses = [(404, {}, {"error": {"message": "model 'nope' not found"}})]
    with pytest.raises(ConfigError, match="model 'nope' not found"):
        client(url, response_format="json_object").complete(MESSAGES, SCHEMA)


def test_server_side_context_overflow_is_input_too_long(server: tuple[str, Script]) -> None:
    url, script = server
    message = "Requested tokens (5000) exceed context window of 4096; maximum context length"
    script.responses = [(400, {}, {"error": {"message": message}})]
    with pytest.raises(InputTooLongError):
        client(url, response_format="json_object").complete(MESSAGES, SCHEMA)


def test_other_server_errors_after_probing_are_llm_errors(server: tuple[str, Script]) -> None:
    url, script = server
    boom = {"error": {"message": "out of memory"}}
    script.responses = [(500, {}, boom), (500, {}, boom)]
    with pytest.raises(LLMError, match=r"HTTP 500\): out of memory"):
        client(url).complete(MESSAGES, SCHEMA)
    assert len(script.requests) == 2  # the quick probe, then the request with its own retries (0 here)


def test_probe_that_meets_a_rate_limit_waits_as_told(server: tuple[str, Script]) -> None:
    url, script = server
    script.responses = [
        (429, {"retry-after": "1"}, {"error": {"message": "slow down"}}),
        (200, {}, COMPLETION),
    ]
    started = time.monotonic()
    response = client(url).complete(MESSAGES, SCHEMA)
    assert time.monotonic() - started >= 0.9
    assert response.response_format is ResponseFormat.JSON_SCHEMA


def test_unreachable_backend_is_a_configuration_error() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(ConfigError, match="no model backend reachable"):
        client(f"http://127.0.0.1:{port}/v1", response_format="json_object").complete(MESSAGES, SCHEMA)


def test_model_is_discovered_when_not_configured(server: tuple[str, Script]) -> None:
    url, script = server
    script.responses = [
        (200, {}, {"object": "list", "data": [{"id": "qwen", "object": "model", "owned_by": "me"}]})
    ]
    settings, _ = resolve_settings({"base_url": url, "max_retries": 0}, {})
    assert ChatClient(settings).model_name() == "qwen"
    assert script.requests[0]["path"] == "/v1/models"


def test_no_backend_at_all_names_both_ways_to_get_one() -> None:
    settings, _ = resolve_settings({}, {})
    with pytest.raises(ConfigError, match="OPENAI_API_KEY.*--base-url"):
        ChatClient(settings)
