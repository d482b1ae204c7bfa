"""Values as a person reads them at a terminal: moments, sizes and paths.

``--json`` prints the raw values (epoch seconds, bytes, absolute paths) for tools; the
text a person reads turns them into an ISO date with how long ago, a size in MB or GB,
and a path under the home folder written from ``~``.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path


def moment(at: float, now: float | None = None, *, event: str = "") -> str:
    """``2026-12-07T16:20:01+00:00 (started 4 min ago)``: the local time, and how long ago."""
    now = time.time() if now is None else now
    stamp = datetime.fromtimestamp(at, tz=UTC).astimezone().isoformat(timespec="seconds")
    seconds = max(0, round(now - at))
    ago = f"{seconds} s"
    for unit, length in (("day", 86400), ("h", 3600), ("min", 60)):
        if seconds >= length:
            count = seconds // length
            ago = f"{count} {unit}{'s' if unit == 'day' and count > 1 else ''}"
            break
    return f"{stamp} ({event + ' ' if event else ''}{ago} ago)"


def size(count: int) -> str:
    """``1.1 GB``, ``986 MB``, ``12 kB``: decimal units, as disks and downloads are sized."""
    for unit, scale in (("GB", 10**9), ("MB", 10**6), ("kB", 10**3)):
        if count >= scale:
            value = count / scale
            return f"{value:.1f} {unit}" if value < 10 else f"{value:.0f} {unit}"
    return f"{count} bytes"


def home(path: str | Path) -> str:
    """The path written from ``~`` when it is under the home folder, else as it is."""
    full = Path(path)
    try:
        return str(Path("~") / full.relative_to(Path.home()))
    except ValueError:
        return str(full)
