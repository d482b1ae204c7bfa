"""Find the checkable facts in a support reply so a rewrite can be held to them.

An LLM rewrite may paraphrase freely, but the things a customer acts on (links,
amounts, deadlines, IDs, menu paths) must survive verbatim. Extraction favours
precision over recall: a spurious fact fails a good rewrite, while a missed one
only weakens the check. Every pattern is anchored with the same word and number
boundaries that `occurs_in` applies, so a fact always occurs in its own source.
Quantifiers are bounded or separated by literals to rule out runaway backtracking.

Typed extraction cannot know every shape a fact takes, so `fact_like_tokens` adds a
strict sweep: tokens that look like facts (a digit, a CODE_WITH_UNDERSCORES, a handle,
a path, a short quoted label, and, where the language capitalises only names, a
capitalised word inside a sentence: a place, a platform, a product) though no typed
pattern claims them. The guard reports those as "possibly lost" rather than as dropped
facts of a known kind.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Iterator, Sequence
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
    ERROR_CODE = "error_code"
    KEY = "key"
    HANDLE = "handle"
    HASHTAG = "hashtag"
    PATH = "path"
    LABEL = "label"
    # What the sweep found: fact-like, but of no kind the typed patterns know.
    TOKEN = "token"


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
    r"|attempts?|credits?|emails?|messages?|requests?|contacts|records|rows|items|orders|invoices|accounts"
    r"|tickets|photos|videos|images|documents|workspaces|subscribers|recipients|h"
    # es / de / fr durations: the units a deadline or a retention period is written in.
    r"|d[ií]as?(?:" + _SP + r"h[aá]biles)?|semanas?|horas?|meses|mes|minutos?|segundos?|a[ñn]os?"
    r"|(?:Werk|Arbeits|Geschäfts)?[Tt]age?n?|Stunden?|Wochen?|Monate?n?|Minuten?|Sekunden?|Jahre?n?"
    r"|jours?(?:" + _SP + r"ouvr(?:és|ables))?|heures?|semaines?|mois|secondes?|ans|ann[ée]es?)"
)
# "3-5 days", "5 to 7 days", "5 bis 7 Werktage", "de 5 à 7 jours": a range is one fact. A range
# in words starts from a small number, so "ticket 48213 and 30 days" stays two facts.
_RANGED = (
    r"(?:(?:\d{1,3}(?:\.\d+)?"
    + _SP
    + r"(?:to|and|or|bis|und|oder|a|y|o|à|et|ou)"
    + _SP
    + r"|"
    + _NUM
    + _SP
    + r"?[-–]"
    + _SP
    + r"?)(?=\d))?"
    + _NUM
)
_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
)
_DAY = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?"


def _names(words: str) -> str:
    """Month names as an alternation that also accepts a capital first letter."""
    return "(?:" + "|".join(f"[{w[0].upper()}{w[0]}]{w[1:]}" for w in words.split()) + ")"


_MONTH_ES = _names(
    "enero febrero marzo abril mayo junio julio agosto septiembre setiembre octubre noviembre diciembre"
)
_MONTH_DE = _names(
    "Januar Jänner Februar März Maerz April Mai Juni Juli August September Oktober November Dezember"
)
_MONTH_FR = _names(
    "janvier février fevrier mars avril mai juin juillet août aout septembre octobre novembre décembre"
    " decembre"
)
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
# Lower-case words end a menu path only before punctuation or a line break, and never
# the words that carry a sentence on past a menu ("and click", "for details", "kindly"):
# a path cut short still has to occur in the reply, while one run on into prose fails a
# good rewrite.
_PROSE = (
    r"(?:then|click|tap|select|choose|press|open|go|you|your|it|we|please|now|again|if|when|to|so|but|try"
    r"|use|find|check|see|there|here|this|that|more|also|can|will|should|must|may|need|is|are|was|in|on"
    r"|at|the|a|an|with|by|for|about|as|once|soon|ready|note|thanks|first|later|today|tomorrow|instead|too)"
)
_LOWW = r"(?!" + _PROSE + r"(?!\w)|[a-z]{1,30}ly(?!\w))[a-z][\w'&+-]{0,30}"
_LOWSEG = _CAPW + r"(?:" + _SP + _LOWW + r"){1,3}"
_MIDSEG = _CAPW + r"(?:" + _SP + r"[a-z][\w'&+-]{0,30}){1,4}"
_SEG_END = r"(?=[.,;:!?)\]\"'”»\n]|$)"
# A first segment in lower-case words ("My learning > ...") only where a path can start:
# a line's start, after a colon, bracket or quote, or after a verb that leads to a menu.
_PATH_START = (
    "(?:"
    + "|".join(
        [r"(?<![^\n])", r"(?<=[:(\"'“«„])", r"(?<=[:(\"'“«„]" + _SP + ")"]
        + [
            r"(?<=\b[" + w[0].upper() + w[0] + "]" + w[1:] + _SP + ")"
            for w in "to in under open via select choose click tap from on at".split()
        ]
    )
    + ")"
)
_VERB = (
    r"(?:Go|Open|Click|Tap|Select|Choose|Navigate|Visit|Head|Under|In|From|Via|Then|Next|Try|Use|Press"
    r"|Find|Check|Access|Launch|See|Restore|Please|Now|Return|Scroll|Enable|Disable|Toggle)\b"
)
_ID_BODY = r"(?=[A-Za-z0-9-]*\d)(?=[A-Za-z0-9-]{3})[A-Za-z0-9]+(?:-[A-Za-z0-9]+){0,4}"
# Paths: segments of word characters, dotted parts (app.log), and inside a path a space
# before a capitalised word ("Application Support", "Program Files").
_PW = r"[\w@%+~-]{1,64}(?:\.[\w@%+~-]{1,64}){0,6}"
_PMID = _PW + r"(?: [A-Z][\w@%+~-]{0,63}(?:\.[\w@%+~-]{1,64}){0,6}){0,3}"
_UNIX_TAIL = r"(?:" + _PMID + r"/){0,15}" + _PW + r"/?(?![\w/\\@%+~-]|\.\w)" + _R
_WIN_TAIL = r"(?:" + _PMID + r"\\){0,15}" + _PW + r"\\?(?![\w/\\@%+~-]|\.\w)" + _R
# Quoted UI labels: one to six words between a pair of quotes; the quotes are not the fact.
_QUOTES = [('"', '"'), ("'", "'"), ("“", "”"), ("‘", "’"), ("„", "“"), ("„", "”"), ("«", "»"), ("»", "«")]


def _quoted(opening: str, closing: str) -> str:
    """A short quoted span whose inner text (group v) is one to six words."""
    stop = re.escape(opening + closing)
    word = r"[^\s" + stop + r"]{1,40}"
    inner = r"(?P<v>" + word + r"(?:" + _SP + word + r"){0,5})"
    if opening in "\"'":  # straight quotes open and close alike, so a word must not touch them
        lead = re.escape(opening) + r"(?<![\w" + stop + r"]" + re.escape(opening) + r")"
        return lead + inner + re.escape(closing) + r"(?![\w" + stop + r"])"
    pad = _SP + "?" if opening in "«»" else ""
    return re.escape(opening) + pad + inner + pad + re.escape(closing)


# Looked back at from the number, so the status rides on the cheap digit-start scan.
_STATUS_KEY = (
    "(?:"
    + "|".join(
        r"(?<=(?<![\w/])(?i:" + re.escape(key) + r")" + sep + ")"
        for key in ("http", "http/1.0", "http/1.1", "http/2", "error", "status", "status code", "error code")
        for sep in (_SP, ":" + _SP)
    )
    + ")"
)
_HTTP_REASON = (
    r"(?:Bad Request|Unauthorized|Payment Required|Forbidden|Not Found|Request Timeout|Conflict|Gone"
    r"|Unprocessable Entity|Too Many Requests|Internal Server Error|Bad Gateway|Service Unavailable"
    r"|Gateway Time-?out)"
)
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
            # The whole token first, so "AB-1234-XY" is never taken as "AB-1234": hyphenated
            # parts with a letter and a digit, or a long unbroken code (1Z999AA10123456784);
            # else a prefix and a number ("ABC-123"). One scan serves all three.
            (
                _K.ID,
                r"[A-Z0-9](?<![\w-][A-Z0-9])(?=[A-Z0-9-]{2})(?:(?<![.,][A-Z0-9])"
                r"(?:(?=[A-Z0-9-]{0,60}\d)(?=[0-9-]{0,60}[A-Z])[A-Z0-9]{0,11}(?:-[A-Z0-9]{1,12}){1,5}"
                r"|(?=[A-Z]{0,35}\d[A-Z]{0,35}\d)(?=\d{0,35}[A-Z])[A-Z0-9]{7,35})(?!-?\w)"
                r"|(?<=[A-Z])[A-Z0-9]{1,9}(?:-[A-Z0-9]+){0,3}-\d[A-Z0-9]*)" + _R,
            ),
            (_K.HASHTAG, r"#(?<![\w#&]#)[^\W\d_]\w{0,49}(?!-?\w)(?![.,]\d)"),
        ),
    ),
    (
        "gate",
        re.compile("@"),
        _c(
            (_K.EMAIL, _EMAIL_LB + _EMAIL_BODY + _EMAIL_LA),
            # Not the group mentions of chat tools (@here, @everyone): nobody's account.
            (
                _K.HANDLE,
                r"@(?<![\w@.+-]@)(?!(?:here|everyone|channel|all)(?!\w))"
                r"[A-Za-z_][A-Za-z0-9_]{1,29}(?![\w@-]|\.\w)",
            ),
        ),
    ),
    # Gates here are literals: a character-class gate scans the whole text slowly.
    (
        "gate",
        re.compile("_"),
        _c(
            (_K.ERROR_CODE, r"[A-Z](?<!\w[A-Z])[A-Z0-9]{0,30}(?:_[A-Z0-9]{1,30}){1,8}(?!\w)(?![.,]\d)"),
            (
                _K.KEY,
                r"[a-z](?<!\w[a-z])[a-z0-9]{1,11}(?:_[a-z0-9]{1,11}){0,3}_[*•]{2,32}[A-Za-z0-9]{1,16}(?!\w)",
            ),
        ),
    ),
    ("gate", re.compile("0x"), _c((_K.ERROR_CODE, r"0(?<!\w0)x[0-9A-Fa-f]{4,16}(?!\w)(?![.,]\d)"))),
    ("gate", re.compile("•"), _c((_K.KEY, r"•(?<![•*]•)•{2,31}" + _SP + r"?\d{2,6}" + _R))),
    (
        "gate",
        re.compile("/"),
        _c(
            (_K.PATH, r"/(?<![\w/.~:)\]\\-]/)" + _UNIX_TAIL),
            (_K.PATH, r"~(?<![\w~]~)/" + _UNIX_TAIL),
            (_K.PATH, r"\.(?<![\w.]\.)\.?/" + _UNIX_TAIL),
        ),
    ),
    # "C:/Users": the gate skips the "://" of every link.
    ("gate", re.compile(":/(?!/)"), _c((_K.PATH, r"[A-Za-z](?<!\w[A-Za-z]):/" + _UNIX_TAIL))),
    (
        "gate",
        re.compile(r":\\"),
        _c((_K.PATH, r"[A-Za-z](?<!\w[A-Za-z]):\\(?:" + _WIN_TAIL + r"|(?![\w\\]))")),
    ),
    (
        "gate",
        re.compile("%"),
        _c((_K.PATH, r"%(?<![\w%]%)[A-Za-z_]\w{1,30}%(?:\\" + _WIN_TAIL + r"|(?![\w\\%]))")),
    ),
    ("gate", re.compile("[\"'“‘„«»]"), _c(*((_K.LABEL, _quoted(o, c)) for o, c in _QUOTES))),
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
                # The lookahead first: most positions fail on it before the costlier checks.
                r"(?=[a-z]?[A-Z])"
                + _L
                + r"(?!"
                + _VERB
                + r")(?:"
                + _SEG
                + r"|(?="
                + _LOWSEG
                + _UI_ARROW
                + r")"
                + _PATH_START
                + _LOWSEG
                + r"(?="
                + _UI_ARROW
                + r"))(?:"
                + _UI_ARROW
                + r"(?:"
                + _SEG
                + "|"
                + _MIDSEG
                + r")(?="
                + _UI_ARROW
                + r")){0,5}"
                + _UI_ARROW
                + r"(?:"
                + _LOWSEG
                + _SEG_END
                + r"|"
                + _SEG
                + r")"
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
            (
                _K.MONEY,
                # Most numbers are not followed by a currency; the lookahead says so cheaply.
                _L
                + r"(?=[\d.,]{1,24}"
                + _SP
                + r"?[€£$A-Zdpec])(?:"
                + _NUM
                + _SP
                + r"?(?:"
                + _CUR
                + r"|dollars?|euros?|pounds?|cents?)"
                # The European way: "49,00 €", "1.299,00 EUR".
                + r"|(?:\d{1,3}(?:\.\d{3})+|\d+)(?:,\d{2})?"
                + _SP
                + r"?(?:[€£$]|EUR|GBP|CHF|USD))"
                + _R,
            ),
            # "15 de mayo (de 2026)", "12. Januar (2026)", "1er août (2025)".
            (
                _K.DATE,
                _L
                + _DOM
                + r"(?:"
                + _SP
                + r"de"
                + _SP
                + _MONTH_ES
                + r"(?:"
                + _SP
                + r"del?"
                + _SP
                + _YEAR
                + r")?|\.?"
                + _SP
                + _MONTH_DE
                + r"(?:"
                + _SP
                + _YEAR
                + r")?|(?:er)?"
                + _SP
                + _MONTH_FR
                + r"(?:"
                + _SP
                + _YEAR
                + r")?)"
                + _R,
            ),
            # An HTTP status where words say it is one: "HTTP 503", "error 429", "404 Not Found".
            (
                _K.ERROR_CODE,
                _L
                + r"(?=[1-5]\d\d(?!\w))(?:"
                + _STATUS_KEY
                + r"|(?=\d{3}"
                + _SP
                + r"\(?"
                + _HTTP_REASON
                + r"(?!\w)))(?P<v>[1-5]\d\d)"
                + _R,
            ),
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
                _L + r"(?<![$€£¥₹])" + _RANGED + r"[ \t\xa0-]?" + _UNIT + _R,
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
            _K.KEY,
            _K.ERROR_CODE,
            _K.PATH,
            _K.ID,
            _K.HANDLE,
            _K.HASHTAG,
            _K.QUANTITY,
            _K.LABEL,
            _K.TOKEN,
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
_LETTER = re.compile(r"[^\W\d_]")


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
        if kind is FactKind.LABEL and not (_is_label(text[start:end]) and _occurs_at(text, start, end)):
            continue
        if kind is FactKind.PATH and end - start < 3:
            continue
        if end > start and not text[start:end].isspace():
            found.append((start - end, _PRIORITY[kind], start, end, kind))
    return found


def _is_label(inner: str) -> bool:
    """A UI label starts like a button does; lower-case or sentence-like quotes are left to the sweep."""
    return (
        (inner[0].isupper() or inner[0].isdigit())
        and not inner.endswith(".")
        and _LETTER.search(inner) is not None
    )


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


def _occurs_at(text: str, start: int, end: int) -> bool:
    """Whether ``occurs_in`` finds ``text[start:end]`` where it stands.

    Free-form spans (labels, sweep tokens) can look like a link to the tolerant matcher,
    which then asks for link boundaries; checking keeps "a fact occurs in its source" true.
    """
    pattern = _needle(text[start:end])
    return pattern is not None and pattern.match(text, start) is not None


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


# The sweep. Tokens are cut at whitespace and shed the punctuation prose wraps around them.
# Only tokens with a character some fact-like shape needs; the rest are skipped in C.
_TOKEN = re.compile(r"(?<!\S)(?=[^\s\d_@#/\\%~]*[\d_@#/\\%~])\S+")
_LONGEST_TOKEN = 200
_TRIM = ".,;:!?()\"'[]{}<>“”‘’«»„*…"
_CAPS_CODE = re.compile(r"[A-Z0-9]{1,40}(?:_{1,2}[A-Z0-9]{1,40}){1,8}")
_HANDLE_LIKE = re.compile(r"[@#][^\W_]")
# A root ("/", "~/", "./", "C:\\", "%APPDATA%"), a backslash, two slashes (docs/guide/intro.md) or a
# file after one (src/main.py); one slash alone is prose ("and/or").
_PATH_LIKE = re.compile(
    r"/|~/|\.\.?/|[A-Za-z]:[\\/]|%\w{1,30}%|[^\\]{0,200}\\"
    r"|[^/]{0,200}/[^/]{1,200}/|[^/]{1,200}/[\w-]{1,64}\.[A-Za-z]{1,5}$"
)
_MARKER = re.compile(r"\d{1,2}[.)]")
_STEP = re.compile(r"(?i:step|paso|schritt|étape|etape)[ \t\xa0]{1,3}$")
_GLUED = re.compile(r"[-_.]\w")
# Common terms with a digit that a rewrite may spell out ("two-factor") without losing anything.
_COMMON = frozenset(
    {"OK", "FAQ", "PDF", "CSV", "URL", "API", "ETA", "UTC", "2FA", "24/7", "4K", "MP3", "MP4"}
)
_QUOTED = [re.compile(_quoted(o, c)) for o, c in _QUOTES]
# A capitalised word ("Leeds", "Android", "GitHub"); where it does not open a sentence or
# a line, it is a name in languages that capitalise only names.
_NAME = re.compile(r"(?<![\w'’@#/\\.-])[A-ZÀ-ÖØ-Þ][a-zà-öø-ÿ]{2,30}(?:[A-Z][a-z]{1,30})*(?![\w'’/\\-])")
_OPENS = re.compile(r"(?:^|[.!?:;\"“”«»¿¡(\[—–•*>-]|^\s*\d{1,2}[.)])\s*$")


def _fact_like(token: str) -> bool:
    """The shapes a customer might type, quote or look up."""
    if token in _COMMON:
        return False
    return (
        _DIGIT.search(token) is not None
        or _CAPS_CODE.fullmatch(token) is not None
        or _HANDLE_LIKE.match(token) is not None
        or (_PATH_LIKE.match(token) is not None and _LETTER.search(token) is not None)
    )


def _noise(text: str, start: int, raw_end: int, token: str) -> bool:
    """List markers ("1." at a line's start) and step numbers ("Step 2") are layout, not facts."""
    if _MARKER.fullmatch(text, start, raw_end):
        line_start = text.rfind("\n", 0, start) + 1
        return not text[line_start:start].strip()
    return token.isdigit() and len(token) <= 2 and _STEP.search(text, max(0, start - 12), start) is not None


def _uncovered(start: int, end: int, text: str, typed: list[tuple[int, int]]) -> bool:
    """Whether a token says more than the typed facts it overlaps.

    A token inside a typed fact adds nothing; one that overlaps a fact adds something only
    when what is left has a digit or is glued to the fact ("v2.3.1-beta"), not a unit
    after a slash ("$25/month").
    """
    i = bisect.bisect_left(typed, (start, start)) - 1
    rest: list[str] = []
    pos, overlapped = start, False
    for s, e in typed[max(i, 0) :]:
        if s >= end:
            break
        if e <= start:
            continue
        overlapped = True
        rest.append(text[pos:s] if s > pos else "")
        pos = max(pos, e)
    if not overlapped:
        return True
    rest.append(text[pos:end])
    return any(_DIGIT.search(part) or _GLUED.match(part) for part in rest if part)


def fact_like_tokens(text: str, typed: Sequence[Fact] | None = None, *, names: bool = False) -> list[Fact]:
    """Tokens that look like facts though no typed pattern claims them, for the "possibly lost" check.

    Typed extraction favours precision, so a shape it does not know (a firmware name, a
    key to type, a repo path) would slip past the guard; this sweep errs the other way
    and the guard says only that such a token was *possibly* lost.

    Args:
        text: Any string; never raises.
        typed: The typed facts of ``text`` when the caller has them; extracted otherwise.
        names: Also sweep capitalised words inside sentences; only for a language that
            capitalises names alone (not German, which capitalises every noun).

    Returns:
        `FactKind.TOKEN` facts ordered by start offset, none inside a typed fact.
    """
    facts = extract_facts(text) if typed is None else typed
    spans = sorted((f.start, f.end) for f in facts)
    found: dict[int, Fact] = {}
    for m in _TOKEN.finditer(text):
        start, end = m.span()
        if end - start > _LONGEST_TOKEN:  # a blob (base64, a minified line) is nothing a customer types
            continue
        while start < end and text[start] in _TRIM:
            start += 1
        while end > start and text[end - 1] in _TRIM:
            end -= 1
        token = text[start:end]
        if (
            token
            and _fact_like(token)
            and not _noise(text, start, m.end(), token)
            and _uncovered(start, end, text, spans)
            and _occurs_at(text, start, end)
        ):
            found[start] = Fact(kind=FactKind.TOKEN, text=token, start=start, end=end)
    for pattern in _QUOTED:
        for m in pattern.finditer(text):
            start, end = m.span("v")
            token = text[start:end]
            if (
                len(token) > 1
                and _LETTER.search(token)
                and start not in found
                and _uncovered(start, end, text, spans)
                and _occurs_at(text, start, end)
            ):
                found[start] = Fact(kind=FactKind.TOKEN, text=token, start=start, end=end)
    if names:
        for m in _NAME.finditer(text):
            start, end = m.span()
            line_start = text.rfind("\n", 0, start) + 1
            if (
                start not in found
                and not _OPENS.search(text[line_start:start])
                and _uncovered(start, end, text, spans)
                and _occurs_at(text, start, end)
            ):
                found[start] = Fact(kind=FactKind.TOKEN, text=m.group(0), start=start, end=end)
    return _disjoint(sorted(found.values(), key=lambda f: (f.start, -f.end)))


def _disjoint(facts: list[Fact]) -> list[Fact]:
    """Drop tokens that overlap an earlier one (a quoted label and a word inside it)."""
    kept: list[Fact] = []
    for fact in facts:
        if not kept or fact.start >= kept[-1].end:
            kept.append(fact)
    return kept
