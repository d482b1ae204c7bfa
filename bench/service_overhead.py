"""What `rewriter serve` adds per request, the backend left out, against calling the library.

    python bench/service_overhead.py

Two pairs, each measured in the same run: ``POST /v1/check`` over loopback HTTP (a
real uvicorn, a keep-alive httpx client) against ``check_reply`` called directly; and
``POST /v1/rewrite`` against ``Rewriter.rewrite`` on a draft with no customer message,
which asks no backend (the draft-first rewrite sends no request when there is nobody
to acknowledge), so both sides do the same work and the difference is the service's.
Prints the median milliseconds of each side, the overhead per request and the ratio.
"""

from __future__ import annotations

import socket
import threading
import time

import httpx2 as httpx
import uvicorn
from _timing import median_ms

from rewriter.check import check_reply
from rewriter.config import Settings
from rewriter.models import Channel, RewriteRequest
from rewriter.rewrite import Rewriter
from rewriter.service import create_app

REPLY = (
    "Hi Dana,\n\nThe update did not delete anything: your files are in the backups, kept 30 days.\n\n"
    "1. Open Settings > Backups.\n2. Pick last night's backup and select Restore.\n\n"
    "Your ticket is #48213; reply here if anything is still missing.\n\nBest regards,\nLee"
)
DRAFT = "As I said before, the update didn't delete anything. Restore from Settings > Backups. Ticket #48213."


def main() -> None:
    # Never contacted: no request leaves for a draft without a customer message.
    rewriter = Rewriter(Settings(base_url="http://127.0.0.1:9/v1", model="local", response_format="text"))
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = uvicorn.Config(create_app(rewriter), host="127.0.0.1", port=port, log_level="warning",
                            access_log=False, lifespan="off")  # fmt: skip
    server = uvicorn.Server(config)
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.02)
    url = f"http://127.0.0.1:{port}"
    request = RewriteRequest(draft=DRAFT, customer_name="Dana")
    with httpx.Client() as client:
        pairs = {
            "check": (
                lambda: check_reply(REPLY, channel=Channel.EMAIL, customer_name="Dana"),
                lambda: client.post(f"{url}/v1/check", json={"reply": REPLY, "customer_name": "Dana"}).json(),
            ),
            "rewrite": (
                lambda: rewriter.rewrite(request),
                lambda: client.post(f"{url}/v1/rewrite", json=request.model_dump(mode="json")).json(),
            ),
        }
        for name, (direct, served) in pairs.items():
            served()  # warm: connection, imports, caches
            library, service = median_ms(direct), median_ms(served)
            print(
                f"{name:8} library {library:6.2f} ms   service {service:6.2f} ms   "
                f"overhead {service - library:5.2f} ms per request   ratio {service / library:4.2f}"
            )
    server.should_exit = True


if __name__ == "__main__":
    main()
