"""Plain words: a term the customer has to look up is a reply they cannot act on.

Blind reviewers would not send replies that kept the draft's "OAuth token's TTL" or
"failed VIES validation"; the checker had only a judge rule for it, unscored without
the judge, so such replies went out as "ok". This check is deterministic: a term of the
language's ``jargon`` list, or an acronym that is not everyday ("ETA", "PDF" are; "PII",
"SSO", "3DS" are not), fails unless the customer used it first or a bracket right after
it explains it. It cannot tell whether the customer is an engineer, so it is a
``should`` rule: a failure is reported beside the "ok", and a team that wants such
replies held for review raises it to ``must`` in its guidance file.
"""

from __future__ import annotations

import re

from rewriter.check.deterministic import CheckContext, finding, hit, lexicon
from rewriter.models import Evidence, Finding, Verdict

JARGON = "tone.jargon"
# "VIES", "PII", "IdP", "3DS", "SSID": capitals (a lower-case letter inside at most), or a
# digit and capitals; never part of a code ("INV-2025-0877"), a path or a word.
_ACRONYM = re.compile(r"(?<![\w/.#@^-])(?:[A-Z][a-z]?[A-Z0-9]{1,4}|\d[A-Z]{2,3})(?![\w/-])")


def jargon(ctx: CheckContext) -> Finding:
    """Technical terms and uncommon acronyms the customer did not use and no bracket explains."""
    hits = unexplained_terms(ctx.reply, ctx.customer_message or "", ctx.language)
    if not hits:
        return finding(ctx, JARGON, Verdict.PASS, "no unexplained technical terms")
    quoted = ", ".join(f'"{h.text}"' for h in hits[:5])
    return finding(
        ctx, JARGON, Verdict.FAIL, f"technical terms the customer did not use: {quoted}", evidence=hits,
        hint="say it in everyday words, or explain the term in a few words in brackets",
    )  # fmt: skip


def unexplained_terms(text: str, customer: str, language: str) -> list[Evidence]:
    """The terms of ``text`` a customer would have to look up, in order: not theirs, not explained."""
    said = customer.lower()
    everyday = lexicon(language, "everyday_acronyms")
    hits: list[Evidence] = []
    for m in lexicon(language, "jargon").finditer(text):
        if m.group(0).lower() not in said and not _explained(text, m.end()):
            hits.append(hit(m))
    for m in _ACRONYM.finditer(text):
        term = m.group(0)
        if everyday.fullmatch(term) or term.lower() in said or _explained(text, m.end()):
            continue
        if any(h.start <= m.start() < h.end for h in hits):
            continue
        hits.append(hit(m))
    return sorted(hits, key=lambda h: h.start)


def _explained(text: str, end: int) -> bool:
    """A bracket right after the term: "the hold (a temporary block on the amount)"."""
    return re.match(r"\s?\(", text[end:]) is not None
