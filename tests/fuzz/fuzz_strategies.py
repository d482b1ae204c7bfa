"""Hypothesis strategies for the fuzz tests: realistic reply shapes, not only random text.

Replies are built from pieces a support reply is made of (greetings, sign-offs, numbered
steps, facts of every kind, newlines) mixed with arbitrary unicode: emoji, right-to-left
text, combining marks and control characters.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

FACTS = [
    "https://example.com/reset?token=abc123",
    "http://help.example.org/a/b.",
    "www.example.com/path)",
    "support@example.com",
    "first.last+tag@mail.example.co.uk",
    "AB-1234-XY",
    "#48213",
    "order 1002003",
    "$72.00",
    "€1.234,56",
    "72,00 €",
    "£5",
    "14 May 2024",
    "May 14",
    "2024-05-14",
    "14/05/2024",
    "3. Dezember",
    "le 1er mai",
    "el 5 de junio de 2024",
    "30 days",
    "48 hours",
    "10:30 am",
    "+44 20 7946 0958",
    "(555) 123-4567",
    r"C:\Users\sam\AppData\Local\App",
    r"\\server\share\file.txt",
    "/var/log/app.log",
    "Settings > Backups",
    "Account > Billing > Invoices",
    "Settings → Privacy",
    "@support_team",
    "`config.yaml`",
    '"Restore"',
    "v2.5.1",
    "iOS 17",
    "Leeds",
]
GREETINGS = [
    "Hi Sam,",
    "Hello,",
    "Dear Ms. López,",
    "Hola Ana,",
    "Hallo Jonas,",
    "Bonjour Claire,",
    "Hey!",
    "",
]
SIGNOFFS = [
    "Best,\nAlex",
    "Thanks,\nSupport team",
    "Saludos,\nMarta",
    "Viele Grüße\nJan",
    "Cordialement,",
    "—Sam",
    "",
]
FILLER = [
    "We are sorry for the trouble.",
    "Unfortunately you did not read the manual",
    "I think maybe it could possibly work",
    "Please try again",
    "Your refund was issued",
    "Lo sentimos mucho.",
    "Es tut uns leid.",
    "Nous sommes désolés.",
    "Thanks for reaching out!",
    "Is there anything else?",
    "see",
    "on",
    "to",
    "and",
    "1.",
    "2)",
    "-",
    "•",
]
ODD = [
    "😀",
    "👩‍💻",
    "مرحبا",
    "שלום",
    "\u200f",
    "\u202e",
    "e\u0301",
    "\u0300",
    "\x00",
    "\x1b[0m",
    "\r\n",
    "\r",
    "\t",
    "\u2028",
    "\ufeff",
    "\\",
    "$",
    "${name}",
    "$agent",
    "{",
    "}",
    "(",
    "[",
    "*",
    "?",
    "..",
    "...",
    "  ",
]
SEPARATORS = [" ", " ", " ", "\n", "\n\n", ". ", ", ", ": ", "", "\n1. ", "\n- "]

piece = st.one_of(
    st.sampled_from(FACTS),
    st.sampled_from(FILLER),
    st.sampled_from(ODD),
    st.text(max_size=12),
)


@st.composite
def replies(draw: st.DrawFn) -> str:
    """A reply-shaped text: maybe a greeting, a body of mixed pieces, maybe a sign-off."""
    body = draw(st.lists(st.tuples(piece, st.sampled_from(SEPARATORS)), max_size=14))
    text = "".join(p + s for p, s in body)
    return (
        draw(st.sampled_from(GREETINGS))
        + draw(st.sampled_from(["\n\n", " ", ""]))
        + text
        + (draw(st.sampled_from(["\n\n", " ", ""])) + draw(st.sampled_from(SIGNOFFS)))
    )


texts = st.one_of(replies(), st.text(max_size=200))


def two_tiers(
    body: Callable[..., None], *strategies: st.SearchStrategy[Any], fast: settings, long: settings
) -> tuple[Callable[..., None], Callable[..., None]]:
    """One fuzz target as two tests: a quick one in the default run and a long one behind ``-m fuzz``."""
    return fast(given(*strategies)(body)), pytest.mark.fuzz(long(given(*strategies)(body)))
