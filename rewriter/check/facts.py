"""Find the checkable facts in a support reply so a rewrite can be held to them.

An LLM rewrite may paraphrase freely, but the things a customer acts on (links,
amounts, deadlines, IDs, menu paths) must survive verbatim. Extraction favours
precision over recall: a spurious fact fails a good rewrite, while a missed one
only weakens the check. Every pattern is anchored with the same word and number
boundaries that `occurs_in` applies, so a fact always occurs in its own source.
Quantifiers are bounded or separated by literals to rule out runaway backtracking.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Iterator
from enum import StrEnum

from pydantic import BaseModel, ConfigDict


class FactKind(StrEnum):
    """Kinds let a caller say *what* a rewrite lost, not just that it lost something."""

    URL = "url"
    EMAIL = "email"
    PHONE = "phone"
    MONEY = "money"
    QUANTITY = "quantity"
    ID = "id"
    VERSION = "version"
    DATE = "date"
    TIME = "time"
    UI_PATH = "ui_path"
    CODE = "code"


class Fact(BaseModel):
    """A fact with its offsets, so callers can point at it in the draft."""

    model_config = ConfigDict(frozen=True)

    kind: FactKind
    text: str
    start: int
    end: int


# Shared boundaries: never start or stop inside a word or inside a number like 1.5 or 1,000.
_L = r"(?<!\w)(?<!\d[.,])"
_R = r"(?!\w)(?![.,]\d)"
_SP = r"[ \t\xa0]"
_NUM = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
_WORDNUM = r"(?:two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty)"
_UNIT = (
    r"(?:(?:business|working|calendar)" + _SP + r"(?:days?|hours?|weeks?)|seconds?|secs?|minutes?|mins?"
    r"|hours?|hrs?|days?|weeks?|months?|years?|yrs?|ms|[KMGTP]i?B|[kmgt]b|[KMG]bps|(?:kilo|mega|giga|tera)?bytes?"
    r"|[GM]Hz|px|percent|%|users?|seats?|licen[cs]es?|devices?|members?|projects?|files?|pages?|characters?"
    r"|attempts?|credits?|emails?|messages?|requests?)"
)
_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
)
_DAY = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?"
_DOM = r"(?:[12]\d|3[01]|0?[1-9])"
_YEAR = r"(?:19|20)\d{2}"
_AMPM = r"(?:[AaPp]\.[Mm]\.|[AaPp][Mm])"
_TZ = r"(?:UTC|GMT|[ECMP][SD]?T|BST|CES?T|IST|AE[SD]T|JST)(?:[+-]\d{1,2}(?::\d\d)?)?"
_CUR = r"(?:USD|EUR|GBP|CAD|AUD|NZD|JPY|CHF|INR|SEK|NOK|DKK|MXN|BRL)"
_URL_CHAR = r"[^\s<>\"'`\[\]{}|\\^]"
_URL_LB = r"(?<![\w.@/-])"
_URL_LA = r"(?=[.,;:!?)]*(?!" + _URL_CHAR + "))"
_TLD = r"(?:com|org|net|io|co|dev|ai|app|edu|gov|info|biz|us|uk|ca|de|fr|eu|au|nz|ch|nl|se|jp|help|cloud)"
_DOMAIN = r"(?:[A-Za-z0-9][A-Za-z0-9-]*\.)+" + _TLD + r"(?![\w-])"
_EMAIL_BODY = r"[A-Za-z0-9._%+-]+@(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,24}"
_EMAIL_LB, _EMAIL_LA = r"(?<![\w.%+-])", r"(?![\w-]|\.\w)"
_ARROW = r"\s*(?:->|→|>)\s*"
_UI_ARROW = _SP + r"*(?:->|→|>)" + _SP + r"*"
_CAPW = r"[a-z]?[A-Z][\w'+-]+"
_SEG = _CAPW + r"(?:" + _SP + r"(?:(?:and|or|of|for|the|&)" + _SP + r")?" + _CAPW + r"){0,4}"
_VERB = (
    r"(?:Go|Open|Click|Tap|Select|Choose|Navigate|Visit|Head|Under|In|From|Via|Then|Next|Try|Use|Press"
    r"|Find|Check|Access|Launch|See|Restore|Please|Now|Return|Scroll|Enable|Disable|Toggle)\b"
)
_ID_BODY = r"(?=[A-Za-z0-9-]*\d)(?=[A-Za-z0-9-]{3})[A-Za-z0-9]+(?:-[A-Za-z0-9]+){0,4}"
_ID_KEY = r"(?:order|ticket|case|invoice|ref(?:erence)?|request|booking|confirmation|tracking|receipt|id)"

_Entry = tuple[FactKind, re.Pattern[str]]


def _c(*entries: tuple[FactKind, str]) -> list[_Entry]:
    """Compile a table of patterns once, at import."""
    return [(kind, re.compile(pattern)) for kind, pattern in entries]


_K = FactKind
# Python's re only skips ahead quickly when a pattern starts with a literal or a character set, and a
# leading lookbehind defeats that. So patterns either start with one (lookbehinds shifted after the
# first character), or run only where a cheap gate finds a hint ("gate"), or are tried only at the
# start positions a cheap finder reports ("at"; "at_low" finds on the lower-cased text).
_GROUPS: list[tuple[str, re.Pattern[str], list[_Entry]]] = [
    (
        "gate",
        re.compile(""),
        _c(
            (_K.CODE, r"```(?:[^\n`]*\n)?(?P<v>[\s\S]*?)\n?```"),
            (_K.CODE, r"`(?P<v>[^`\n]+)`"),
            (_K.PHONE, r"\+(?<![\w+]\+)\d{1,3}(?:[ .-]?\(\d{1,4}\)[ .-]?\d{1,4}|[ .-]\d{1,4}){2,5}" + _R),
            (_K.PHONE, r"\+(?<![\w+]\+)\d{8,15}" + _R),
            (_K.PHONE, r"\((?<![\w(]\()\d{3}\)" + _SP + r"?\d{3}[ .-]\d{4}" + _R),
            (_K.MONEY, r"[$€£¥₹]" + _SP + "?" + _NUM + r"(?:[kKM]|bn)?" + _R),
            (_K.VERSION, r"[vV](?<!\w[vV])\d+(?:\.\d+){0,3}" + _R),
            (_K.ID, r"#(?<![\w#&]#)" + _ID_BODY + _R),
            (_K.ID, r"[A-Z](?<![\w-][A-Z])[A-Z0-9]{1,9}(?:-[A-Z0-9]+){0,3}-\d[A-Z0-9]*" + _R),
        ),
    ),
    ("gate", re.compile("@"), _c((_K.EMAIL, _EMAIL_LB + _EMAIL_BODY + _EMAIL_LA))),
    (
        "gate",
        re.compile(r"\." + _TLD + r"(?![\w-])"),
        _c(
            (_K.URL, _URL_LB + _L + _DOMAIN + r"(?:[:/]" + _URL_CHAR + "*)?"),
        ),
    ),
    (
        "gate",
        re.compile("[>→]"),
        _c(
            (
                _K.UI_PATH,
                _L
                + r"(?!"
                + _VERB
                + r")"
                + _SEG
                + r"(?:"
                + _UI_ARROW
                + r"(?:"
                + _SEG
                + "|"
                + _CAPW
                + r"(?:"
                + _SP
                + r"[a-z][\w'&+-]*){1,4})(?="
                + _UI_ARROW
                + r")){0,5}"
                + _UI_ARROW
                + _SEG
                + _R,
            ),
        ),
    ),
    (
        "at",
        re.compile("[0-9]+"),
        _c(
            (_K.PHONE, _L + r"(?:1[ .-])?\d{3}([ .-])\d{3}\1\d{4}(?!-\d)" + _R),
            (_K.PHONE, _L + r"0\d{2,4}[ -]\d{3,4}[ -]?\d{3,4}(?!-\d)" + _R),
            (_K.MONEY, _L + _NUM + _SP + r"?(?:" + _CUR + r"|dollars?|euros?|pounds?|cents?)" + _R),
            (
                _K.DATE,
                _L + _DAY + _SP + r"(?:of" + _SP + r")?" + _MONTH + r"(?:\.?,?" + _SP + _YEAR + r")?" + _R,
            ),
            (_K.DATE, _L + r"\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])" + _R),
            (_K.DATE, _L + _DOM + r"([/.])" + _DOM + r"\1(?:\d{4}|\d\d)(?![/.]\d)" + _R),
            (
                _K.TIME,
                _L + r"(?:[01]?\d|2[0-3]):[0-5]\d(?::[0-5]\d)?(?:" + _SP + "?" + _AMPM + r")?"
                r"(?:" + _SP + _TZ + r")?" + _R,
            ),
            (_K.TIME, _L + r"(?:1[0-2]|0?[1-9])" + _SP + "?" + _AMPM + r"(?:" + _SP + _TZ + r")?" + _R),
            (_K.VERSION, _L + r"\d+\.\d+\.\d+(?:\.\d+)?" + _R),
            (
                _K.QUANTITY,
                _L
                + r"(?<![$€£¥₹])"
                + _NUM
                + r"(?:"
                + _SP
                + r"?[-–]"
                + _SP
                + r"?"
                + _NUM
                + r")?"
                + r"[ \t\xa0-]?"
                + _UNIT
                + _R,
            ),
        ),
    ),
    (
        "at",
        re.compile(_MONTH),
        _c(
            (_K.DATE, _L + _MONTH + r"\.?" + _SP + _DAY + r"(?:,?" + _SP + _YEAR + r")?" + _R),
            (_K.DATE, _L + _MONTH + r"\.?" + _SP + _YEAR + _R),
        ),
    ),
    ("at", re.compile(_CUR), _c((_K.MONEY, _L + _CUR + _SP + "?" + _NUM + _R))),
    (
        "at_low",
        re.compile(r"https?://|www\."),
        _c(
            (_K.URL, _URL_LB + _L + r"(?i:https?://|www\.)\w" + _URL_CHAR + "*"),
        ),
    ),
    (
        "at_low",
        re.compile("version|release|build"),
        _c(
            (_K.VERSION, _L + r"(?i:version|release|build)" + _SP + r"(?P<v>[vV]?\d+(?:\.\d+){0,3})" + _R),
        ),
    ),
    (
        "at_low",
        re.compile(_ID_KEY),
        _c(
            (
                _K.ID,
                _L
                + r"(?i:"
                + _ID_KEY
                + r")(?:"
                + _SP
                + r"(?i:number|no\.?|id|#))?:?"
                + _SP
                + r"(?P<v>#?"
                + _ID_BODY
                + r")"
                + _R,
            ),
        ),
    ),
    (
        "at_low",
        re.compile(_WORDNUM),
        _c(
            (_K.QUANTITY, _L + r"(?i:" + _WORDNUM + r")[ \t\xa0-]" + _UNIT + _R),
        ),
    ),
]
# Ties between equally long overlapping matches go to the more specific kind.
_PRIORITY = {
    k: i
    for i, k in enumerate(
        [
            _K.CODE,
            _K.EMAIL,
            _K.URL,
            _K.UI_PATH,
            _K.PHONE,
            _K.MONEY,
            _K.DATE,
            _K.TIME,
            _K.VERSION,
            _K.ID,
            _K.QUANTITY,
        ]
    )
}
_URL_END = re.compile(_URL_LA)
_URL_START = re.compile(r"(?i:https?://|www\.)\w|" + _DOMAIN + r"(?:[:/]|$)")
_HOST = re.compile(r"(?i:https?://)?[^/?#]*")
_EMAIL_FULL = re.compile(_EMAIL_BODY)
_ARROW_SPLIT = re.compile(_ARROW)
_WS = re.compile(r"\s+")
_WORD = re.compile(r"\w")
_DIGIT = re.compile(r"\d")


def _trim_url(text: str, start: int, end: int) -> int:
    """Drop sentence punctuation and unbalanced closing parens that prose glues onto links."""
    while end > start and (
        text[end - 1] in ".,;:!?"
        or (text[end - 1] == ")" and text.count("(", start, end) < text.count(")", start, end))
    ):
        end -= 1
    return end


def _matches(text: str) -> Iterator[tuple[FactKind, re.Match[str]]]:
    """Run every group in its cheapest mode; lower-cased finds are used only when offsets line up."""
    low = text.lower()
    for mode, finder, entries in _GROUPS:
        if mode == "at" or (mode == "at_low" and len(low) == len(text)):
            starts = [m.start() for m in finder.finditer(low if mode == "at_low" else text)]
            for kind, pattern in entries:
                for pos in starts:
                    if found := pattern.match(text, pos):
                        yield kind, found
        elif mode != "gate" or finder.search(text):
            for kind, pattern in entries:
                yield from ((kind, m) for m in pattern.finditer(text))


def _candidates(text: str) -> list[tuple[int, int, int, int, FactKind]]:
    """Collect every match, keyed so the longest and then most specific sorts first."""
    found: list[tuple[int, int, int, int, FactKind]] = []
    for kind, m in _matches(text):
        start, end = m.span("v") if "v" in m.re.groupindex else m.span()
        if kind is FactKind.URL:
            end = _trim_url(text, start, end)
            if not _URL_END.match(text, end):
                continue
        if kind is FactKind.PHONE and not 8 <= len(_DIGIT.findall(text, start, end)) <= 15:
            continue
        if end > start and not text[start:end].isspace():
            found.append((start - end, _PRIORITY[kind], start, end, kind))
    return found


def extract_facts(text: str) -> list[Fact]:
    """Extract non-overlapping facts, keeping the longest (then most specific) where patterns collide.

    Args:
        text: Any string; malformed or exotic input yields fewer facts, never an error.

    Returns:
        Facts ordered by start offset.
    """
    starts: list[int] = []
    chosen: list[tuple[int, int, FactKind]] = []
    for _, _, start, end, kind in sorted(_candidates(text)):
        i = bisect.bisect_right(starts, start)
        if (i and chosen[i - 1][1] > start) or (i < len(starts) and starts[i] < end):
            continue
        starts.insert(i, start)
        chosen.insert(i, (start, end, kind))
    return [Fact(kind=k, text=text[s:e], start=s, end=e) for s, e, k in chosen]


def unique_texts(facts: list[Fact]) -> list[Fact]:
    """Keep the first occurrence of each (kind, text), since repeats need checking only once."""
    first: dict[tuple[FactKind, str], Fact] = {}
    for fact in facts:
        first.setdefault((fact.kind, fact.text), fact)
    return list(first.values())


@functools.lru_cache(maxsize=4096)
def _needle(fact_text: str) -> re.Pattern[str] | None:
    """Compile the tolerant-but-strict search pattern for one fact; facts repeat, so cache it."""
    t = fact_text.strip()
    if not t:
        return None
    trimmed = t.rstrip(".")
    if trimmed and not _WS.search(trimmed) and _URL_START.match(trimmed):
        host = _HOST.match(trimmed)
        cut = host.end() if host else 0
        body = "(?i:" + re.escape(trimmed[:cut]) + ")" + re.escape(trimmed[cut:])
        return re.compile(_URL_LB + body + _URL_LA)
    if _EMAIL_FULL.fullmatch(t):
        return re.compile(_EMAIL_LB + "(?i:" + re.escape(t) + ")" + _EMAIL_LA)
    segments = (r"\s+".join(re.escape(w) for w in _WS.split(part)) for part in _ARROW_SPLIT.split(t))
    body = _ARROW.join(segments)
    head = (r"(?<!\w)" if _WORD.match(t[0]) else "") + (r"(?<!\d[.,])" if _DIGIT.match(t[0]) else "")
    tail = (r"(?!\w)" if _WORD.match(t[-1]) else "") + (r"(?![.,]\d)" if _DIGIT.match(t[-1]) else "")
    return re.compile(head + body + tail)


def occurs_in(fact_text: str, other: str) -> bool:
    """Tell whether a fact survives in `other`, forgiving only differences a reader would not notice.

    Whitespace runs, arrow style in menu paths, URL/e-mail host case and a trailing
    period on a URL are forgiven; anything that changes a number or a word is not,
    and matches inside a longer word or number (``30 days`` in ``130 days``) do not count.

    Args:
        fact_text: The fact as extracted from the draft.
        other: The text to search, typically the rewrite.

    Returns:
        True when the fact is present; False for empty or whitespace-only facts.
    """
    pattern = _needle(fact_text)
    return pattern is not None and pattern.search(other) is not None
