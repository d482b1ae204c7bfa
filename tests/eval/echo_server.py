"""A small OpenAI-compatible server for tests of runs, not of models: it answers slowly.

Every chat completion gets, after a short delay, reply parts that carry the draft back
unchanged (so nothing is lost or invented). Run as ``python echo_server.py PORT DELAY``.
"""

import json
import re
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PORT, DELAY = int(sys.argv[1]), float(sys.argv[2])


class Handler(BaseHTTPRequestHandler):
    def _send(self, payload: object) -> None:
        body = json.dumps(payload).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        self._send({"object": "list", "data": [{"id": "echo", "object": "model"}]})

    def do_POST(self) -> None:
        request = json.loads(self.rfile.read(int(self.headers["content-length"])))
        user = request["messages"][-1]["content"]
        draft = re.search(r"<draft>\n(.*?)\n</draft>", request["messages"][1]["content"], re.DOTALL)
        parts = {
            "acknowledgement": "I can see why this is frustrating.",
            "answer": draft.group(1) if draft else user[:200],
            "steps": [],
            "closing": "Reply here if anything is still wrong.",
        }
        time.sleep(DELAY)
        self._send(
            {
                "id": "echo-1",
                "object": "chat.completion",
                "created": 0,
                "model": "echo",
                "choices": [
                    {
                        "index": 0,
                        "finish_reason": "stop",
                        "message": {"role": "assistant", "content": json.dumps(parts)},
                    }
                ],
                "usage": {"prompt_tokens": 100, "completion_tokens": 20, "total_tokens": 120},
            }  # fmt: skip
        )

    def log_message(self, format: str, *args: object) -> None:
        pass


ThreadingHTTPServer(("127.0.0.1", PORT), Handler).serve_forever()
