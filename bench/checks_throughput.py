"""Throughput of the whole deterministic check pass on a 150-word reply, one core.

    python bench/checks_throughput.py

Prints replies per second for the full pass and the time per rule (median of rounds).
"""

from __future__ import annotations

from _timing import per_second

from rewriter.check import check_reply
from rewriter.check.deterministic import CHECKS, CheckContext
from rewriter.models import Channel

REPLY = (
    "Hi Dana,\n\nLosing your project folder the night before a client presentation is awful, and I'm sorry "
    "it happened. The update did not delete anything: your files are in the automatic backups, which are "
    "kept 30 days, so everything from last night can be restored.\n\n1. Open Settings > Backups.\n2. Pick "
    "last night's backup and select Restore.\n3. Restart the app once the restore finishes.\n\nThe restore "
    "usually takes a few minutes. Your ticket is #48213; if anything is still missing afterwards, reply "
    "to this message and I will look at the backup logs with you today, so you are ready for tomorrow "
    "morning. You can also read the full guide at https://example.com/help/backups for next time.\n\n"
    "Best regards,\nLee"
)


def main() -> None:
    print(f"reply of {len(REPLY.split())} words")
    full = per_second(lambda: check_reply(REPLY, channel=Channel.EMAIL, customer_name="Dana"))
    print(f"full deterministic pass   {full:8.0f} replies/s ({1e6 / full:6.0f} us per reply)")
    ctx = CheckContext(reply=REPLY, customer_name="Dana")
    for rule_id, check in CHECKS.items():
        rate = per_second(lambda c=check: c(ctx), per_round=1000)  # type: ignore[misc]
        print(f"  {rule_id:30} {1e6 / rate:7.1f} us")


if __name__ == "__main__":
    main()
