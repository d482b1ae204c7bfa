"""A fault-injecting OpenAI-compatible server on 127.0.0.1, for the tests of every fault.

It serves ``GET /v1/models`` and ``POST /v1/chat/completions`` (plain JSON, or SSE
when the request streams) the way an OpenAI-compatible server does. A test queues
what the next requests get, one step per request, in order: an HTTP error, a slow
answer, an answer of its choosing, a stream closed half-way, a connection hung up.
Once the queue is empty every request gets ``GOOD_PARTS``, a reply that passes every
check for ``GOOD_DRAFT``. It speaks HTTP/1.1 with chunked streams, as uvicorn does, so
a stream cut short is a real protocol error in the client, not a short answer. Each
connection closes after its response, so no client is left holding an idle socket.
"""

from __future__ import annotations

import contextlib
import json
import socket
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

GOOD_DRAFT = (
    "Hi Dana,\n\nYour backups are kept for 30 days. Restore them from Settings > Backups.\n\nThanks,\nLena"
)
GOOD_PARTS = {
    "acknowledgement": "I understand how worrying missing files are.",
    "answer": "Your backups are kept for 30 days, so nothing is lost yet.",
    "steps": ["Restore them from Settings > Backups."],
    "closing": "If anything is still missing, reply to this email and I will look into it.",
}
GOOD = json.dumps(GOOD_PARTS)


@dataclass
class Step:
    """What one request gets: a status and body, or an answer, maybe late, maybe cut."""

    status: int = 200
    error: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    body: Any = None
    content: str | None = GOOD
    finish_reason: str | None = "stop"
    refusal: str | None = None
    delay: float = 0.0
    drop_after: int | None = None  # stream this many characters, then close the connection
    hang_up: bool = False  # close the connection without any response


@dataclass
class Seen:
    """One request as the server received it."""

    path: str
    body: Any
    headers: dict[str, str]


class FaultServer:
    """The server, its queue of steps and the requests it saw.

    Attributes:
        base_url: ``http://127.0.0.1:PORT/v1``.
        requests: Every request received, in order (chat completions and model lists).
        draft, parts: A draft, and the parts of a reply to it that passes every check.
        one_at_a_time: Serve one chat completion at a time, holding the rest unanswered
            (their timeout runs), as the embedded engine does.
        most_at_once: The most chat completions the server held at one moment.
    """

    draft = GOOD_DRAFT
    parts = GOOD_PARTS

    def __init__(self) -> None:
        self.steps: list[Step] = []
        self.requests: list[Seen] = []
        self.models = ["local"]
        # Like the embedded engine: one request served at a time, the rest held unanswered.
        self.one_at_a_time = False
        self.most_at_once = 0
        self._in_flight = 0
        self._serving = threading.Lock()
        self._lock = threading.Lock()
        self._httpd = _HTTPServer(("127.0.0.1", 0), _Handler)
        self._httpd.faults = self
        self.base_url = f"http://127.0.0.1:{self._httpd.server_port}/v1"
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.01,), daemon=True)

    def __enter__(self) -> FaultServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    # What the next requests get, in order.
    def fail(self, status: int, message: str = "", *, times: int = 1, **headers: str) -> None:
        """HTTP ``status`` with an OpenAI-style error body, ``times`` requests in a row.

        Header names are given with ``_`` for ``-`` (``retry_after="2"``).
        """
        sent = {name.replace("_", "-"): value for name, value in headers.items()}
        self.steps += [Step(status=status, error=message or f"HTTP {status}", headers=sent)] * times

    def answer(self, content: str | None, *, finish_reason: str | None = "stop", refusal: str | None = None,
               times: int = 1) -> None:  # fmt: skip
        """A completion with this text (``None`` for none), finish reason and refusal."""
        self.steps += [Step(content=content, finish_reason=finish_reason, refusal=refusal)] * times

    def slow(self, seconds: float, *, times: int = 1) -> None:
        """A good answer, but only after ``seconds``."""
        self.steps += [Step(delay=seconds)] * times

    def drop(self, after: int, *, times: int = 1) -> None:
        """Stream the first ``after`` characters of a good answer, then close the connection."""
        self.steps += [Step(drop_after=after)] * times

    def hang_up(self, *, times: int = 1) -> None:
        """Close the connection as soon as the request has been read, answering nothing."""
        self.steps += [Step(hang_up=True)] * times

    @property
    def completions(self) -> list[Seen]:
        """The chat-completion requests received."""
        return [r for r in self.requests if r.path.endswith("/chat/completions")]

    def _next(self, seen: Seen) -> Step:
        with self._lock:
            self.requests.append(seen)
            return self.steps.pop(0) if self.steps else Step()


def _completion(model: str, step: Step) -> dict[str, Any]:
    message = {"role": "assistant", "content": step.content, "refusal": step.refusal}
    return {
        "id": "chatcmpl-fault", "object": "chat.completion", "created": 0, "model": model,
        "choices": [{"index": 0, "message": message, "finish_reason": step.finish_reason}],
        "usage": {"prompt_tokens": 100, "completion_tokens": 20, "total_tokens": 120},
    }  # fmt: skip


def _chunks(model: str, step: Step) -> Iterator[dict[str, Any]]:
    def chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
        return {
            "id": "chatcmpl-fault", "object": "chat.completion.chunk", "created": 0, "model": model,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
        }  # fmt: skip

    yield chunk({"role": "assistant", "content": ""})
    text = step.content or ""
    for start in range(0, len(text), 12):
        yield chunk({"content": text[start : start + 12]})
    if step.refusal:
        yield chunk({"refusal": step.refusal})
    yield chunk({}, step.finish_reason)


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    faults: FaultServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that timed out or hung up is what the fault tests want; say nothing.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _HTTPServer

    def do_GET(self) -> None:
        faults = self.server.faults
        if not self._failed(
            faults._next(Seen(self.path, None, {k.lower(): v for k, v in self.headers.items()}))
        ):
            self._json(200, {"object": "list", "data": [{"id": m, "object": "model"} for m in faults.models]})

    def do_POST(self) -> None:
        faults = self.server.faults
        with faults._lock:
            faults._in_flight += 1
            faults.most_at_once = max(faults.most_at_once, faults._in_flight)
        self._counted = True
        try:
            with faults._serving if faults.one_at_a_time else contextlib.nullcontext():
                self._post()
        finally:
            self._answered()

    def _answered(self) -> None:
        """No longer held: counted before the first byte goes out, so that a client that
        has its answer never finds its own request still in flight."""
        if getattr(self, "_counted", False):
            self._counted = False
            with self.server.faults._lock:
                self.server.faults._in_flight -= 1

    def _post(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        body = json.loads(self.rfile.read(length) or b"null")
        step = self.server.faults._next(
            Seen(self.path, body, {k.lower(): v for k, v in self.headers.items()})
        )
        if self._failed(step):
            return
        time.sleep(step.delay)
        model = body.get("model", "local")
        if body.get("stream"):
            self._sse(model, step)
        else:
            self._json(200, _completion(model, step))

    def _failed(self, step: Step) -> bool:
        if step.hang_up:
            self._close()
            return True
        if step.status == 200:
            return False
        error = {"message": step.error, "type": "fault", "code": None}
        self._json(step.status, step.body if step.body is not None else {"error": error}, step.headers)
        return True

    def _json(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        self._answered()
        data = json.dumps(payload).encode()
        self.send_response(status)
        for key, value in {"content-type": "application/json", **(headers or {})}.items():
            self.send_header(key, value)
        self.send_header("content-length", str(len(data)))
        self._last_response()
        self.wfile.write(data)

    def _sse(self, model: str, step: Step) -> None:
        self._answered()
        self.send_response(200)
        self.send_header("content-type", "text/event-stream")
        self.send_header("transfer-encoding", "chunked")
        self._last_response()
        sent = 0
        for chunk in _chunks(model, step):
            content = chunk["choices"][0]["delta"].get("content") or ""
            if step.drop_after is not None and sent + len(content) > step.drop_after:
                self._close()  # no last chunk: the client sees an incomplete body
                return
            sent += len(content)
            self._write(f"data: {json.dumps(chunk)}\n\n")
        self._write("data: [DONE]\n\n")
        self.wfile.write(b"0\r\n\r\n")

    def _last_response(self) -> None:
        self.send_header("connection", "close")
        self.close_connection = True
        self.end_headers()

    def _write(self, text: str) -> None:
        data = text.encode()
        self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()

    def _close(self) -> None:
        self._answered()
        self.wfile.flush()
        self.close_connection = True
        self.connection.shutdown(socket.SHUT_RDWR)

    def log_message(self, format: str, *args: object) -> None:
        pass
