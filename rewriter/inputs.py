"""Read user-supplied text (drafts, customer messages) and refuse what cannot be a reply.

Every refusal happens before any model call and names the file and the problem, so a
binary attachment or a mis-encoded export costs the user nothing but a clear message.
"""

from __future__ import annotations

import codecs
import re
import sys
from html.parser import HTMLParser
from pathlib import Path
from typing import BinaryIO

from rewriter.errors import InputError, InputTooLongError

# Far above any real reply (a long email is ~10 KB) and far below what would make
# tokenising or sending it slow; the context window check refines this later.
MAX_INPUT_BYTES = 256 * 1024


# Byte-order marks say what a file is, so a file that has one is decoded as it says
# (Notepad and Excel save "Unicode" text as UTF-16 with a BOM). UTF-32 first: its
# little-endian BOM starts with UTF-16's.
_BOMS = [
    (codecs.BOM_UTF32_LE, "utf-32-le", "UTF-32"),
    (codecs.BOM_UTF32_BE, "utf-32-be", "UTF-32"),
    (codecs.BOM_UTF8, "utf-8", "UTF-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "UTF-16"),
]
# Bytes 0x80-0x9f are C1 controls in Latin-1 and curly quotes, dashes and the euro sign
# in Windows-1252: the usual culprit when such a byte is present.
_CP1252_ONLY = re.compile(rb"[\x80-\x9f]")


def too_long_message(label: str, size: int, max_bytes: int = MAX_INPUT_BYTES) -> str:
    """Say how big an input is, about how many tokens that is, and what to pass instead."""
    return (
        f"{label} is {size:,} bytes (about {size // 4:,} tokens); the limit is {max_bytes:,} bytes, "
        "already more than most models' context windows. "
        "Pass only the reply text, not a whole thread or attachment."
    )


def decode_text(
    data: bytes,
    label: str,
    *,
    max_bytes: int = MAX_INPUT_BYTES,
    empty_hint: str = "give the text of the reply",
) -> str:
    """Decode bytes as text, rejecting empty, oversized, binary or mis-encoded input.

    UTF-8 is expected; a byte-order mark (UTF-8, UTF-16 or UTF-32) is honoured.

    Args:
        data: The raw bytes.
        label: How to name the input in messages (a path, or "standard input").
        max_bytes: The size limit.
        empty_hint: What to do about an empty input.

    Raises:
        InputTooLongError: Over the size limit.
        InputError: Empty, binary, UTF-16 without a BOM, or not UTF-8.
    """
    if len(data) > max_bytes:
        raise InputTooLongError(too_long_message(label, len(data), max_bytes))
    for bom, codec, name in _BOMS:
        if data.startswith(bom):
            try:
                text = data[len(bom) :].decode(codec)
            except UnicodeDecodeError as exc:
                raise InputError(
                    f"{label} starts with a {name} byte-order mark but is not valid {name} "
                    f"(byte {exc.start + len(bom)}); save it again as UTF-8"
                ) from exc
            break
    else:
        text = _decode_utf8(data, label)
    if "\0" in text:
        raise InputError(
            f"{label} looks like a binary file (it contains NUL bytes); pass a text file, "
            "not a document, image or archive"
        )
    if not text.strip():
        raise InputError(f"{label} is empty; {empty_hint}")
    return text.replace("\r\n", "\n")


def _decode_utf8(data: bytes, label: str) -> str:
    if b"\0" in data:
        # ASCII text saved as UTF-16 without a BOM: every other byte is NUL.
        if len(data) >= 4 and (data[1::2].count(0) > len(data) // 4 or data[0::2].count(0) > len(data) // 4):
            raise InputError(
                f"{label} looks like UTF-16 without a byte-order mark; save it as UTF-8, "
                "e.g. `iconv -f utf-16le -t utf-8`"
            )
        raise InputError(
            f"{label} looks like a binary file (it contains NUL bytes); pass a text file, "
            "not a document, image or archive"
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        source = "windows-1252" if _CP1252_ONLY.search(data) else "latin1"
        raise InputError(
            f"{label} is not valid UTF-8 (byte {exc.start}, line {line}: "
            f"{data[exc.start : exc.start + 1]!r}); save it as UTF-8, e.g. `iconv -f {source} -t utf-8`"
        ) from exc


# An HTML email body starts with a tag that only HTML has; a reply that merely mentions
# "<b>" or "<user>" is left as it is.
_HTML_START = re.compile(
    r"\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body|div|p|table|span|font|center|meta|br)\b",
    re.IGNORECASE | re.DOTALL,
)
_BLOCK = frozenset(
    "p div br li ul ol tr table h1 h2 h3 h4 h5 h6 blockquote pre hr section article header footer".split()
)
_SKIP = frozenset({"script", "style", "head", "title", "template"})
_BLANK_RUN = re.compile(r"\n{3,}")
_SPACES = re.compile(r"[ \t\r\n\f\v\xa0]+")


def looks_like_html(text: str) -> bool:
    """Whether the text is an HTML document or body (it starts with an HTML tag)."""
    return _HTML_START.match(text) is not None


class _TextOf(HTMLParser):
    """The text a mail client shows for an HTML body: blocks on lines, links with their address."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self._skip = 0
        self._pre = 0
        self._links: list[tuple[str, int]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            self._skip += 1
        elif tag in _BLOCK:
            self.out.append("\n")
            self._pre += tag == "pre"
            if tag == "li":
                self.out.append("- ")
        elif tag == "a":
            self._links.append((dict(attrs).get("href") or "", len(self.out)))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCK:
            self.out.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self._skip = max(0, self._skip - 1)
        elif tag in _BLOCK:
            self.out.append("\n")
            self._pre = max(0, self._pre - (tag == "pre"))
        elif tag == "a" and self._links:
            href, at = self._links.pop()
            shown = "".join(self.out[at:]).strip()
            address = href.removeprefix("mailto:")
            if href and not href.startswith("#") and address not in shown:
                self.out.append(f" ({address})")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.out.append(data.replace("\xa0", " ") if self._pre else _SPACES.sub(" ", data))


def html_to_text(text: str) -> str:
    """The plain text of an HTML email body: tags dropped, entities decoded, links kept as text.

    Blocks and ``<br>`` become lines, list items "- " lines, and a link whose text hides
    its address gets the address in brackets, so a URL in the body stays a fact.
    """
    parser = _TextOf()
    parser.feed(text)
    parser.close()
    lines = [line.strip(" ") for line in "".join(parser.out).split("\n")]
    return _BLANK_RUN.sub("\n\n", "\n".join(lines)).strip() + "\n"


def plain_text(text: str) -> str:
    """The text itself, or the text of an HTML body (see `html_to_text`)."""
    return html_to_text(text) if looks_like_html(text) else text


def read_text(source: str, *, stdin: BinaryIO | None = None, max_bytes: int = MAX_INPUT_BYTES) -> str:
    """Read text from a path, or from standard input when ``source`` is ``-``.

    An HTML email body is read as its plain text (see `html_to_text`).
    """
    if source == "-":
        stream = stdin if stdin is not None else sys.stdin.buffer
        data = stream.read(max_bytes + 1)  # never more: a huge pipe is refused, not slurped
        if len(data) > max_bytes:
            raise InputTooLongError(
                too_long_message("standard input", len(data), max_bytes).replace(" is ", " is over ", 1)
            )
        return plain_text(decode_text(data, "standard input", max_bytes=max_bytes))
    path = Path(source)
    if not path.exists():
        raise InputError(f"{source}: no such file")
    if path.is_dir():
        raise InputError(f"{source} is a directory; pass a text file")
    size = path.stat().st_size
    if size > max_bytes:
        raise InputTooLongError(too_long_message(source, size, max_bytes))
    return plain_text(decode_text(path.read_bytes(), source, max_bytes=max_bytes))
