"""Text primitives that several concerns share: sentences, numbered lines, JSON in prose.

Checks quote sentences, mending removes and restores them, calibration looks for
questions, and the change list looks for numbered steps. When each had its own idea of
a sentence, a check and the mend that answers it could disagree on where one ends, so
there is exactly one splitter and one numbered-line pattern, here.
"""

from __future__ import annotations

import contextlib
import json
import re
from typing import Any, NamedTuple

# A list marker the model or the agent typed: "1." or "2)" (numbered), "-", "*" or "•".
NUMBER_MARKER = r"\d+[.)]"
# A sentence ends at ., ! or ? followed by whitespace or the end of the text, or at a
# line break. A full stop inside a token ("2.5", "example.com") ends nothing, and
# neither does the one of a step number ("1. Open Settings") or of a one- or two-digit
# ordinal ("bis zum 3. Dezember", "le 1. mai"), which German and others write so.
_SENTENCE = re.compile(
    rf"(?:[ \t]*{NUMBER_MARKER}[ \t]+)?[^\n]*?(?<![\s(]\d)(?<![\s(]\d\d)[.!?]+(?=\s|$)|[^\n]+"
)
_LINE = re.compile(r"[^\n]+")
NUMBERED_LINE = re.compile(rf"(?m)^[ \t]*{NUMBER_MARKER}[ \t]+(?=\S)")
_LIST_MARKER = re.compile(rf"^\s*(?:{NUMBER_MARKER}|[-*\u2022])\s+")
_ESCAPE = re.compile(r"\\(.)", re.DOTALL)
_FENCE = re.compile(r"^```(?:json)?\s*|\s*```$", re.IGNORECASE)


class Span(NamedTuple):
    """A stretch of a text with its offsets, so evidence can point at it.

    A tuple rather than a model: checks split every reply into dozens of these.
    """

    text: str
    start: int
    end: int


def _trimmed(pattern: re.Pattern[str], text: str) -> list[Span]:
    found: list[Span] = []
    for match in pattern.finditer(text):
        raw = match.group(0)
        value = raw.strip()
        if value:
            start = match.start() + len(raw) - len(raw.lstrip())
            found.append(Span(value, start, start + len(value)))
    return found


def sentences(text: str) -> list[Span]:
    """The sentences of a text, trimmed of surrounding spaces, with their offsets."""
    return _trimmed(_SENTENCE, text)


# A line break the author's mail client put in ("...gibt es eine\nStörung beim ..."): the
# line before it is long and ends mid-sentence, and no list item or blank line follows.
_SOFT_WRAP = re.compile(rf"(?<=[^\n]{{{40}}})(?<![.!?:;\n])\n(?![ \t]*(?:\n|{NUMBER_MARKER}\s|[-*\u2022]\s))")


def unwrap(text: str) -> str:
    """The text with soft line wraps turned into spaces, every offset unchanged.

    A draft pasted from an email wrapped at a fixed width breaks sentences across
    lines; read line by line, "Seit 8:40 Uhr MEZ gibt es eine" would pass for one.
    """
    return _SOFT_WRAP.sub(" ", text)


def paragraphs(text: str) -> list[Span]:
    """The non-blank lines of a text, trimmed, with their offsets."""
    return _trimmed(_LINE, text)


def numbered_lines(text: str) -> int:
    """How many lines start with a step number ("1." or "2)")."""
    return len(NUMBERED_LINE.findall(text))


def strip_list_marker(line: str) -> str:
    """A line without its leading number or bullet: we number steps once, ourselves."""
    return _LIST_MARKER.sub("", line.strip())


class NoJSONError(ValueError):
    """A model's answer holds no usable JSON object; the message says what was wrong.

    Attributes:
        missing: True when there is no object at all (a cut-off or prose answer),
            False when there is one that does not parse.
    """

    def __init__(self, message: str, *, missing: bool) -> None:
        super().__init__(message)
        self.missing = missing


def extract_json_object(text: str) -> Any:
    """The JSON object inside a model's answer, tolerating code fences and chatter around it.

    Small models wrap JSON in fences, add a sentence before it, or put raw newlines
    inside strings (``strict=False``): none of that changes what they meant.

    Raises:
        NoJSONError: No object, or one that does not parse, with a short reason a
            repair request can quote.
    """
    body = _FENCE.sub("", text.strip())
    start, end = body.find("{"), body.rfind("}")
    if start < 0 or end <= start:
        raise NoJSONError("no JSON object found", missing=True)
    raw = body[start : end + 1]
    try:
        return json.loads(raw, strict=False)
    except json.JSONDecodeError as exc:
        if exc.msg.startswith("Invalid \\escape"):
            # A Windows path written raw ("C:\Users"): the backslash was meant literally.
            with contextlib.suppress(json.JSONDecodeError, RecursionError):
                return json.loads(_ESCAPE.sub(_literal_backslash, raw), strict=False)
        raise NoJSONError(f"invalid JSON: {exc.msg} at character {exc.pos}", missing=False) from exc
    except RecursionError as exc:  # "[[[[..." from a model stuck in a loop: no answer is nested so
        raise NoJSONError("invalid JSON: nested too deeply", missing=False) from exc


def _literal_backslash(escape: re.Match[str]) -> str:
    """A valid JSON escape as it is; any other backslash doubled, so it stays a backslash."""
    return escape.group(0) if escape.group(1) in '"\\/bfnrtu' else "\\\\" + escape.group(1)


def tidy(sentence: str) -> str:
    """A sentence a phrase was taken out of: no doubled spaces or commas, a capital first."""
    text = re.sub(r"\s{2,}", " ", sentence).strip()
    text = re.sub(r"\s+([,.;:!?])(?=\s|$)", r"\1", text)  # not " .md": a name, not a stop
    text = re.sub(r",\s*([.;:!?])", r"\1", text)  # "in version 3.18, maybe." lost its "maybe"
    text = re.sub(r"^[,;:\s]+", "", text)
    return text[:1].upper() + text[1:]


def words(text: str) -> list[str]:
    """The words of a text, as the draft-first cuts count them (letters and digits, no underscores)."""
    return re.findall(r"[^\W_]+", text)
