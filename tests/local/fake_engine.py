"""A stand-in for ``llama_cpp.server`` in lifecycle tests: same arguments, serves /v1/models.

The lifecycle code (start, share, lock, crash recovery, idle stop) is about processes,
not about the model; the real engine is exercised by the ``live`` tests.
"""

import argparse
import json
import time
from http.server import BaseHTTPRequestHandler, HTTPServer

parser = argparse.ArgumentParser()
for flag in ("--model", "--model_alias", "--host", "--port", "--n_threads", "--n_ctx"):
    parser.add_argument(flag)
args = parser.parse_args()
if args.model.endswith(".broken"):
    raise SystemExit("fake engine: failed to load model " + args.model)


class Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = json.dumps({"object": "list", "data": [{"id": args.model_alias, "object": "model"}]}).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *a: object) -> None:
        print("fake engine:", format % a, flush=True)  # like uvicorn, one line per request


time.sleep(0.3)  # like a model load: the server is not ready at once
HTTPServer((args.host, int(args.port)), Handler).serve_forever()
