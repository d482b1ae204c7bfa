"""Apologies and stock lines in the draft: one sincere apology stays, what the others say besides sorry stays.

Blind readers asked for doubled apologies to go ("I'm so sorry, and I apologise for the
inconvenience this has caused") and marked a reason lost whenever a further apology
went whole with it ("Sorry, reset emails are slow today, apologies."). These are the
cuts that cannot change what the draft says (001, compassion: one apology is enough).
"""

from __future__ import annotations

import re

from rewriter.check.deterministic import lexicon
from rewriter.check.facts import extract_facts
from rewriter.text import tidy, words

_APOLOGY_CLAUSE = re.compile(r"\s*[,;]\s*")


def without_apology(sentence: str, language: str) -> str:
    """What a further apology says besides sorry, or "" when it says nothing else.

    "Sorry, reset emails are slow today, apologies." -> "Reset emails are slow today.":
    dropped whole, it took the reason with it, and every reader marked the reason lost.
    """
    apology = lexicon(language, "apology")
    clauses = _APOLOGY_CLAUSE.split(sentence.strip())
    rest = [c for c in clauses if c and not apology.search(c)]
    if len(rest) == len(clauses) or len(words(" ".join(rest))) < 3:
        return ""
    end = sentence.rstrip()[-1:]
    return tidy(", ".join(rest).rstrip(" .!") + (end if end in ".!?" else "."))


def without_stock_clause(sentence: str, language: str) -> tuple[str, list[str]]:
    """A later clause that is a stock line and little else, taken out of its sentence.

    "I'm so sorry for the trouble, and I apologise for the inconvenience this has caused."
    -> "I'm so sorry for the trouble.": readers asked for the doubled apology to go and
    sent the rest as it was. A clause that says what for ("and I apologise that you've had
    to write in twice") or carries a fact stays.
    """
    stock = lexicon(language, "stock_lines")
    joints = lexicon(language, "run_on_joints")
    clauses = _APOLOGY_CLAUSE.split(sentence.strip())
    if len(clauses) < 2:
        return sentence, []
    kept, dropped = [clauses[0]], []
    for clause in clauses[1:]:
        rest = words(joints.sub(" ", stock.sub(" ", clause)))
        if stock.search(clause) and len(rest) <= 3 and not extract_facts(clause):
            dropped.append(clause.strip(" .!"))
            continue
        kept.append(clause)
    if not dropped:
        return sentence, []
    end = sentence.rstrip()[-1:]
    return tidy(", ".join(kept).rstrip(" .!") + (end if end in ".!?" else ".")), dropped


def bare_apology_to_drop(said: list[str], language: str) -> str | None:
    """The first apology when it says nothing but sorry and a later one says what for, with a fact.

    "I'm so sorry. I'm really sorry that order #A7-55213 missed the birthday." keeps the
    second: readers cut the bare one ("cutting the bare 'I'm so sorry.' would make it ready").
    """
    apology = lexicon(language, "apology")
    apologies = [s for s in said if apology.search(s)]
    if len(apologies) < 2:
        return None
    first = apologies[0]
    bare = len(words(first)) <= 6 and not extract_facts(first)
    return first if bare and any(extract_facts(s) for s in apologies[1:]) else None
