"""A stand-in for ``llama_cpp.server`` in lifecycle tests: same arguments, serves /v1/models.

The lifecycle code (start, share, lock, crash recovery, idle stop) is about processes,
not about the model; the real engine is exercised by the ``live`` tests.
"""

import argparse
import json
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


BUSY = Path(args.model + ".busy")  # while it exists, the model is generating for someone
print(f"fake engine: interrupt_requests={args.interrupt_requests}", flush=True)


class Handler(BaseHTTPRequestHandler):
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
        body = json.dumps(payload).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *a: object) -> None:
        print("fake engine:", format % a, flush=True)  # like uvicorn, one line per request


time.sleep(0.3)  # like a model load: the server is not ready at once
ThreadingHTTPServer((args.host, int(args.port)), Handler).serve_forever()
