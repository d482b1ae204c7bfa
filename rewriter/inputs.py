"""Read user-supplied text (drafts, customer messages) and refuse what cannot be a reply.

Every refusal happens before any model call and names the file and the problem, so a
binary attachment or a mis-encoded export costs the user nothing but a clear message.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import BinaryIO

from rewriter.errors import InputError, InputTooLongError

# Far above any real reply (a long email is ~10 KB) and far below what would make
# tokenising or sending it slow; the context window check refines this later.
MAX_INPUT_BYTES = 256 * 1024


def decode_text(data: bytes, label: str, *, max_bytes: int = MAX_INPUT_BYTES) -> str:
    """Decode bytes as UTF-8 text, rejecting empty, oversized, binary or mis-encoded input.

    Args:
        data: The raw bytes.
        label: How to name the input in messages (a path, or "standard input").
        max_bytes: The size limit.

    Raises:
        InputTooLongError: Over the size limit.
        InputError: Empty, binary, or not UTF-8.
    """
    if len(data) > max_bytes:
        raise InputTooLongError(
            f"{label} is {len(data):,} bytes; the limit is {max_bytes:,} bytes. "
            "Pass only the reply text, not a whole thread or attachment."
        )
    if b"\0" in data:
        raise InputError(f"{label} looks like a binary file (it contains NUL bytes); pass a text file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{label} is not valid UTF-8 (byte {exc.start}: {data[exc.start : exc.start + 1]!r}); "
            "save it as UTF-8, e.g. `iconv -f latin1 -t utf-8`"
        ) from exc
    if not text.strip():
        raise InputError(f"{label} is empty; give the text of the reply")
    return text.replace("\r\n", "\n")


def read_text(source: str, *, stdin: BinaryIO | None = None, max_bytes: int = MAX_INPUT_BYTES) -> str:
    """Read text from a path, or from standard input when ``source`` is ``-``."""
    if source == "-":
        stream = stdin if stdin is not None else sys.stdin.buffer
        return decode_text(stream.read(max_bytes + 1), "standard input", max_bytes=max_bytes)
    path = Path(source)
    if not path.exists():
        raise InputError(f"{source}: no such file")
    if path.is_dir():
        raise InputError(f"{source} is a directory; pass a text file")
    size = path.stat().st_size
    if size > max_bytes:
        raise InputTooLongError(
            f"{source} is {size:,} bytes; the limit is {max_bytes:,} bytes. "
            "Pass only the reply text, not a whole thread or attachment."
        )
    return decode_text(path.read_bytes(), source, max_bytes=max_bytes)
