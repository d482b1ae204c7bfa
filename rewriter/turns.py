"""Taking turns at a server that answers one request at a time, first come first served.

The embedded engine serves one request at a time and queues the rest without a word;
a request's timeout runs while it waits, so eight agents at once on one machine used to
time out behind each other, and the server still computed every abandoned answer. So
each request first takes a ticket in a folder shared by every process of the user,
waits until no older ticket is left, and only then is sent: its timeout starts when
its turn does, and the caller hears how many are ahead.

A ticket is a file held under an exclusive ``flock`` by its owner for as long as it
waits or is served. The lock goes with the process, so a ticket whose lock can be
taken is one a killed process left behind, and is removed, never waited for; the
ticket is locked before it is given its name in the folder, so no one sees it
unlocked. Names sort by creation time on the system-wide monotonic clock, and a ticket
is stamped and shown under one lock (``.naming``), so no ticket shows after a younger
one has looked: the queue is first come first served across processes and threads
alike, and two are never served at once.
"""

from __future__ import annotations

import contextlib
import fcntl
import itertools
import os
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

WaitCallback = Callable[[int], None]
"""Called with the number of requests ahead, each time fewer are, while waiting."""

POLL = 0.1
_sequence = itertools.count()


@contextlib.contextmanager
def turn(folder: Path, on_wait: WaitCallback | None = None) -> Iterator[None]:
    """Wait until every older ticket in ``folder`` is served, then hold the turn.

    Args:
        folder: The queue, one per server (created readable by the user only).
        on_wait: Told how many are ahead, each time fewer are; never called when
            the turn comes at once.
    """
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, draft = tempfile.mkstemp(dir=folder, prefix=".new-")
    name = ""
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        name = _named(folder, draft)
        told = None
        while (ahead := _ahead(folder, name)) > 0:
            # A countdown: told again only when fewer are ahead.
            if on_wait is not None and (told is None or ahead < told):
                on_wait(ahead)
                told = ahead
            time.sleep(POLL)
        yield
    finally:
        for path in (folder / name, Path(draft)) if name else (Path(draft),):
            path.unlink(missing_ok=True)
        os.close(fd)


def _named(folder: Path, draft: str) -> str:
    """Stamp the ticket and put it in the queue in one step no other ticket can split.

    Stamped, then slowed down before it shows in the folder, a ticket would let a
    younger one that looked meanwhile go first, and both would be served at once.
    """
    lock = os.open(folder / ".naming", os.O_WRONLY | os.O_CREAT, 0o600)  # the user's alone, as the tickets
    try:
        fcntl.flock(lock, fcntl.LOCK_EX)
        name = f"{time.monotonic_ns():020d}-{os.getpid()}-{threading.get_ident()}-{next(_sequence)}.ticket"
        os.rename(draft, folder / name)
    finally:
        os.close(lock)  # which releases the lock
    return name


def _ahead(folder: Path, mine: str) -> int:
    """How many live tickets are older than ``mine``; abandoned ones are removed on the way."""
    return sum(
        _held(folder / other) for other in sorted(p.name for p in folder.glob("*.ticket")) if other < mine
    )


def _held(ticket: Path) -> bool:
    """Whether a live process holds the ticket; one its killed owner left is removed."""
    try:
        fd = os.open(ticket, os.O_RDONLY)
    except FileNotFoundError:
        return False  # served and removed just now
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    else:
        ticket.unlink(missing_ok=True)
        return False
    finally:
        os.close(fd)  # which releases a lock we took
