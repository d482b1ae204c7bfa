"""Throughput of fact extraction and the faithfulness guard on a typical reply, one core.

    python bench/facts_throughput.py

Prints medians over repeated timing rounds, and the ratio of guard to extraction.
"""

from __future__ import annotations

from _timing import per_second

from rewriter.check.facts import extract_facts
from rewriter.check.guard import check_faithfulness

DRAFT = (
    "As I said before, the update didn't delete anything. Restore from Settings > Backups, "
    "backups are kept 30 days. Ticket #48213."
)
REPLY = " ".join([DRAFT] * 6) + (
    " Call +1 415 555 0100 or email support@example.com, see https://example.com/help."
    " A $25.00 refund lands by March 3, 2025 at 5 PM EST; upgrade to version 4.2."
)


def main() -> None:
    words = len(REPLY.split())
    extract = per_second(lambda: extract_facts(REPLY))
    guard = per_second(lambda: check_faithfulness(DRAFT, REPLY))
    print(f"reply of {words} words")
    print(f"extract_facts       {extract:9.0f} replies/s  ({1e6 / extract:6.0f} us each)")
    print(f"check_faithfulness  {guard:9.0f} replies/s  ({1e6 / guard:6.0f} us each)")
    print(f"guard/extract time ratio {extract / guard:.2f}")


if __name__ == "__main__":
    main()
