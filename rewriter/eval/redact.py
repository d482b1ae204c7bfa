"""Mask the customer's personal data (emails, phone numbers, card numbers) in cassettes and reports.

Only what the *customer* wrote is masked, and only what the draft and the policy do not
also hold: the draft is the source of truth whose facts the guard checks word for word
(a support address, a phone line, an order number), so those stay verbatim. A masked
value becomes a numbered placeholder (``<email:1>``, ``<phone:1>``, ``<card:1>``),
numbered in the order it first appears in the customer's message, so the same case is
masked the same way every time and a masked request still matches its recording.
Masking is a plain replacement of known values, so masking twice changes nothing.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

REDACT_VARIABLE = "REWRITER_REDACT"
_OFF = frozenset({"0", "false", "no", "off"})

_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_CARD = re.compile(r"(?<![\w-])\d(?:[ -]?\d){12,18}(?![\w-])")
_PHONE = re.compile(r"(?<![\w+])(?:\+\d{1,3}[ .-]?)?(?:\(\d{1,5}\)[ .-]?)?\d[\d .-]{5,16}\d(?![\w-])")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}|\d{1,2}[./-]\d{1,2}[./-]\d{2,4}")


def enabled(environ: Mapping[str, str] | None = None) -> bool:
    """Whether masking is on: it is unless ``REWRITER_REDACT`` is ``0``, ``false``, ``no`` or ``off``."""
    env = os.environ if environ is None else environ
    return env.get(REDACT_VARIABLE, "").strip().lower() not in _OFF


def _luhn(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def personal_data(text: str) -> list[tuple[str, str]]:
    """The emails, card-like numbers and phone numbers in ``text``, as (kind, value), in order.

    A card-like number is 13 to 19 digits (spaces or dashes between them allowed) that
    pass the Luhn check; a phone number is 7 to 15 digits written with a ``+`` or a
    separator (a bare run of digits is an order or account number, not a phone); dates
    are neither.
    """
    found: list[tuple[int, str, str]] = []
    taken: list[tuple[int, int]] = []

    def free(start: int, end: int) -> bool:
        return all(end <= a or start >= b for a, b in taken)

    for match in _EMAIL.finditer(text):
        found.append((match.start(), "email", match.group()))
        taken.append(match.span())
    for match in _CARD.finditer(text):
        if free(*match.span()) and _luhn(_digits(match.group())):
            found.append((match.start(), "card", match.group()))
            taken.append(match.span())
    for match in _PHONE.finditer(text):
        value = match.group().strip(" .-")
        digits = _digits(value)
        if not free(*match.span()) or not 7 <= len(digits) <= 15 or _DATE.fullmatch(value):
            continue
        if value.startswith("+") or re.search(r"[ ().-]", value):
            found.append((match.start(), "phone", value))
            taken.append(match.span())
    return [(kind, value) for _, kind, value in sorted(found)]


@dataclass(frozen=True)
class Redactor:
    """Known values and their placeholders; applied to any text, request or response body."""

    values: dict[str, str] = field(default_factory=dict)

    @classmethod
    def for_case(cls, customer: str, keep: Iterable[str] = ()) -> Redactor:
        """Mask the personal data of ``customer`` that none of ``keep`` (the draft, the policy) holds."""
        kept = list(keep)
        kept_digits = {_digits(v) for text in kept for kind, v in personal_data(text) if kind != "email"}
        values: dict[str, str] = {}
        counts: dict[str, int] = {}
        for kind, value in personal_data(customer):
            if value in values or any(value in text for text in kept):
                continue
            if kind != "email" and _digits(value) in kept_digits:
                continue
            counts[kind] = counts.get(kind, 0) + 1
            values[value] = f"<{kind}:{counts[kind]}>"
        return cls(values)

    @classmethod
    def merged(cls, redactors: Iterable[Redactor]) -> Redactor:
        """One redactor for many cases (a report): a value masked by any of them is masked."""
        values: dict[str, str] = {}
        for redactor in redactors:
            for value, placeholder in redactor.values.items():
                values.setdefault(value, placeholder)
        return cls(values)

    def __bool__(self) -> bool:
        return bool(self.values)

    def text(self, text: str) -> str:
        """``text`` with every known value replaced by its placeholder (longest value first)."""
        for value in sorted(self.values, key=len, reverse=True):
            text = text.replace(value, self.values[value])
        return text

    def body(self, body: str | bytes | None) -> str | bytes | None:
        """A request or response body masked the same way, kept as bytes or text."""
        if not self.values or body is None:
            return body
        if isinstance(body, bytes):
            try:
                return self.text(body.decode("utf-8")).encode("utf-8")
            except UnicodeDecodeError:
                return body
        return self.text(body)
