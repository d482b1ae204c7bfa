"""A stand-in for ``llama_cpp.server`` in lifecycle tests: same arguments, same routes.

The lifecycle code (start, share, lock, crash recovery, idle stop) is about processes,
not about the model; the real engine is exercised by the ``live`` tests. It answers
chat completions with one fixed word, and with ``FAKE_ENGINE_SEGV_AT=N`` it dies of a
real SIGSEGV (a read of address 0) on its N-th completion, the way an engine built for another CPU does.
"""

import argparse
import ctypes
import itertools
import json
import os
import resource
import signal
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

parser = argparse.ArgumentParser()
for flag in (
    "--model",
    "--model_alias",
    "--host",
    "--port",
    "--n_threads",
    "--n_ctx",
    "--interrupt_requests",
):
    parser.add_argument(flag)
args = parser.parse_args()
if args.model.endswith(".broken"):
    raise SystemExit("fake engine: failed to load model " + args.model)
if args.model.endswith(".segv"):
    ctypes.string_at(0)  # dies as it loads, before it listens


BUSY = Path(args.model + ".busy")  # while it exists, the model is generating for someone
SEGV_AT = int(os.environ.get("FAKE_ENGINE_SEGV_AT") or 0)
completions = itertools.count(1)
counting = threading.Lock()
print(f"fake engine: interrupt_requests={args.interrupt_requests}", flush=True)


resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # a crash leaves no core file behind
signal.signal(signal.SIGSEGV, signal.SIG_DFL)  # no Python handler (faulthandler) in the way


def segfault() -> None:
    # A real invalid read, in the thread answering: the process dies before a byte of
    # the answer is sent (os.kill would let this thread answer first).
    ctypes.string_at(0)


class Handler(BaseHTTPRequestHandler):
    def _send(self, payload: object) -> None:
        body = json.dumps(payload).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        if self.path == "/v1/models":
            while BUSY.exists():  # like the real engine: the model list waits for the model's lock
                time.sleep(0.05)
            payload: object = {"object": "list", "data": [{"id": args.model_alias, "object": "model"}]}
        elif self.path == "/openapi.json":
            payload = {"openapi": "3.1.0"}
        else:
            self.send_error(404)
            return
        self._send(payload)

    def do_POST(self) -> None:
        if self.path != "/v1/chat/completions":
            self.send_error(404)
            return
        self.rfile.read(int(self.headers.get("content-length") or 0))
        with counting:
            number = next(completions)
        if number == SEGV_AT:
            segfault()
        payload = {
            "id": f"chatcmpl-{number}", "object": "chat.completion", "created": int(time.time()),
            "model": args.model_alias,
            "choices": [
                {"index": 0, "message": {"role": "assistant", "content": "OK"}, "finish_reason": "stop"}
            ],
            "usage": {"prompt_tokens": 5, "completion_tokens": 1, "total_tokens": 6},
        }  # fmt: skip
        self._send(payload)

    def log_message(self, format: str, *a: object) -> None:
        print("fake engine:", format % a, flush=True)  # like uvicorn, one line per request


time.sleep(0.3)  # like a model load: the server is not ready at once
ThreadingHTTPServer((args.host, int(args.port)), Handler).serve_forever()
