"""Replace the hedges and blaming phrases a model keeps, without asking it again.

A small model told "no maybe, no as I said" still writes them, and a revision request
for one word costs a whole second answer. Most such phrases can go, or become a firmer
word ("you might want to" -> "please"), with the sentence left sound; those are listed
per language in ``prompts/rewordings/<lang>.yaml``. Phrases that need a sentence
rebuilt ("you should have") are not listed and stay for the revision.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from rewriter.check.facts import extract_facts
from rewriter.errors import PromptError
from rewriter.prompts import list_prompts, load_yaml, prompts_dir

HEDGE = "hedge"
BLAME = "blame"

_SENTENCE_START = re.compile(r"(?:^|[.!?]\s+|\n\s*(?:\d+[.)]\s+|[-*]\s+)?)$")


class Rewording:
    """One phrase and what it becomes ("" drops it), compiled for a case-insensitive search."""

    def __init__(self, phrase: str, replacement: str, *, inside_only: bool = False) -> None:
        self.phrase = phrase
        self.replacement = replacement
        # In a verb-second language a dropped opening adverb breaks the word order
        # ("Vielleicht hilft es" -> "Hilft es"): there, a phrase goes only mid-sentence.
        self.inside_only = inside_only
        core = re.escape(phrase)
        tail = "" if phrase.endswith(",") else r"(?![\w'’-])"
        self.pattern = re.compile(rf"(?<![\w'’-]){core}{tail}", re.IGNORECASE)
        # A dropped phrase takes its punctuation along: ", I think," or "Maybe, ".
        self.aside = re.compile(rf",\s*{core}{tail}\s*(?:,(?=\s)|(?=[.!?;:]))", re.IGNORECASE)
        self.dropped = re.compile(
            rf"(?P<space>\s*)(?<![\w'’-]){core}{tail}(?P<comma>,?)\s*(?P<next>\w?)", re.IGNORECASE
        )

    def apply(self, text: str) -> str:
        """``text`` with every occurrence of the phrase reworded."""
        if not self.pattern.search(text):
            return text
        if self.replacement:
            return self.pattern.sub(lambda m: _same_case(m.group(0), self.replacement), text)
        text = self.aside.sub("", text)
        return _drop(text, self.dropped, self.inside_only)


def _same_case(original: str, replacement: str) -> str:
    return replacement[:1].upper() + replacement[1:] if original[:1].isupper() else replacement


def _drop(text: str, dropped: re.Pattern[str], inside_only: bool) -> str:
    """Drop each match: a sentence it opened starts with a capital, a comma after it stays mid-sentence."""

    def edit(m: re.Match[str]) -> str:
        following = m.group("next")
        if _SENTENCE_START.search(text[: m.start()] + m.group("space")):
            if inside_only:
                return m.group(0)
            return m.group("space") + following.upper()
        return m.group("comma") + " " + following

    edited = dropped.sub(edit, text)
    edited = re.sub(r"[ \t]{2,}", " ", edited)
    # A space left before punctuation goes, but not before a name such as ".md" or ".env".
    return re.sub(r"[ \t]+([,.!?;:])(?=\s|$)", r"\1", edited).strip()


@lru_cache(maxsize=8)
def _rewordings(root: str, language: str) -> dict[str, tuple[Rewording, ...]]:
    name = f"rewordings/{language}.yaml"
    if name not in list_prompts():
        return {}
    raw: Any = dict(load_yaml(name) or {})
    inside_only = raw.pop("verb_second", False) is True
    lists: dict[str, tuple[Rewording, ...]] = {}
    for kind, table in raw.items():
        if not isinstance(table, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in table.items()
        ):
            raise PromptError(f"prompts/{name}: {kind!r} must map each phrase to its replacement text")
        # Longest first, so "i think that" goes whole before "i think" is tried.
        ordered = sorted(table.items(), key=lambda kv: len(kv[0]), reverse=True)
        lists[kind] = tuple(
            # "Ich glaube, das geht": a clause with its comma leaves a whole sentence.
            Rewording(
                phrase, replacement, inside_only=inside_only and not replacement and not phrase.endswith(",")
            )
            for phrase, replacement in ordered
        )
    return lists


def rewordings(language: str, kind: str) -> tuple[Rewording, ...]:
    """The rewordings of one kind (``hedge``, ``blame``) for a language; none when it has no file."""
    return _rewordings(str(prompts_dir()), language).get(kind, ())


def reword(text: str, language: str, kind: str) -> tuple[str, list[str]]:
    """``text`` with the listed phrases of ``kind`` reworded, and the phrases that were found."""
    found = []
    for rewording in rewordings(language, kind):
        changed = rewording.apply(text)
        if changed != text:
            found.append(rewording.phrase.rstrip(","))
            text = changed
    return text, found


# "Hopefully that keeps the tables whole": a wish, which tells the customer nothing and
# reads as doubt. Said as an expectation ("that should keep") it became, to blind
# reviewers, a claim the draft never made; so a hope that carries no fact goes, whole
# sentence or clause, and one that carries a fact ("hopefully it drops off in 3-5 days")
# stays for the checker to flag. Per language in the rewordings file, ``hope``.
_CLAUSE_END = r"[^,.;!?]*"


def without_empty_hope(sentence: str, language: str) -> tuple[str, list[str]]:
    """``sentence`` without the hopes in it that carry no fact; ``""`` when it was one."""
    words = [r.phrase for r in rewordings(language, "hope")]
    if not words:
        return sentence, []
    hope = "|".join(re.escape(w) for w in words)
    # Only a hope that opens its clause: "..., and hopefully", not "which hopefully won't happen".
    joint = r",\s*(?:(?:and|so|but)\s+)?|\s+(?:and|so|but)\s+"
    found: list[str] = []

    def cut(m: re.Match[str]) -> str:
        if extract_facts(m.group(0)):
            return m.group(0)
        found.append(m.group("hope").lower())
        return ""

    pattern = re.compile(rf"(?:^|{joint})(?<![\w'’-])(?P<hope>{hope})(?![\w'’-]){_CLAUSE_END}", re.IGNORECASE)
    changed = pattern.sub(cut, sentence)
    if not found:
        return sentence, []
    changed = re.sub(r"^[\s,;]+", "", changed)
    changed = re.sub(r"\s+([,.;!?])", r"\1", changed).strip()
    if not re.search(r"[^\W\d_]", changed):
        return "", found
    return changed[:1].upper() + changed[1:], found
