"""Files on disk: whole or not at all, and the user's alone where they hold customer text.

A run killed mid-write (``kill -9``, a full disk, a laptop lid) must never leave a file
that a later run misreads: whole files are written to a temporary name in the same
folder, synced, and renamed over the old one, so a reader sees the old file or the new
one; the temporary names end in ``.tmp``, which no reader looks for. Caches, journals and
the server's state hold customer text or say where a server listens, so they are
created readable and writable by the user only (``0600``, folders ``0700``), whatever
the umask; a file the user asked for by name (a run file, a report) follows the umask
like any file they write.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from pathlib import Path
from typing import IO

PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700


def private_dir(path: Path) -> Path:
    """Create ``path`` (and its parents) if needed; the leaf is the user's alone."""
    path.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR)
    with contextlib.suppress(PermissionError):  # a shared folder someone else made: leave it
        if path.stat().st_mode & 0o777 != PRIVATE_DIR:
            path.chmod(PRIVATE_DIR)
    return path


def write_atomic(path: Path, data: str | bytes, *, private: bool = True) -> None:
    """Write ``data`` to ``path`` so that it is either the old file or the whole new one.

    Args:
        path: The file; its folder is created if missing.
        data: Text (written as UTF-8) or bytes.
        private: Readable by the user only; otherwise as the umask says.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    # The kernel applies the umask to 0666; 0600 needs none.
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE if private else 0o666)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data.encode("utf-8") if isinstance(data, str) else data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
        _sync_dir(path.parent)
    finally:
        Path(tmp).unlink(missing_ok=True)


def open_private(path: Path, *, append: bool) -> IO[str]:
    """A text file opened for writing that only the user can read, new or appended to."""
    path.parent.mkdir(parents=True, exist_ok=True)
    flags = os.O_WRONLY | os.O_CREAT | (os.O_APPEND if append else os.O_TRUNC)
    fd = os.open(path, flags, PRIVATE_FILE)
    with contextlib.suppress(PermissionError):
        os.fchmod(fd, PRIVATE_FILE)  # an older file made under a looser umask
    return os.fdopen(fd, "a" if append else "w", encoding="utf-8")


def _sync_dir(folder: Path) -> None:
    """Make the rename itself durable: a crash right after it must not undo it."""
    with contextlib.suppress(OSError):  # not every file system lets a folder be opened
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
