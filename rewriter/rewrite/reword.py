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


# "Hopefully it drops off in 3 days" -> "It should drop off in 3 days": a hope said as
# what is expected, which the draft does claim, not as a promise. English puts the hope
# before a subject and a verb, so the verb takes its base form after the modal; only a
# pronoun subject and a verb whose base form is certain are rewritten.
_HOPE = re.compile(
    r"(?P<hope>\bhopefully),?\s+(?P<subject>it|that|this|they|he|she|yours|we|you)"
    r"(?:\s+will\s+|'ll\s+|(?P<is>'s\s+|\s+is\s+|\s+are\s+|'re\s+)|\s+)(?P<verb>[a-z]+)\b",
    re.IGNORECASE,
)
_BASE = {"is": "be", "are": "be", "has": "have", "does": "do", "goes": "go"}
_TAIL_HOPE = re.compile(r",\s*hopefully(?:\s+(?:soon|today|tomorrow))?(?=[.!?]?$)", re.IGNORECASE)


def _base(verb: str) -> str | None:
    lowered = verb.lower()
    if lowered in _BASE:
        return _BASE[lowered]
    if lowered.endswith("ies"):
        return lowered[:-3] + "y"
    if re.search(r"(?:ch|sh|ss|x|z|o)es$", lowered):
        return lowered[:-2]
    if lowered.endswith("s") and not lowered.endswith(("ss", "us", "is")):
        return lowered[:-1]
    return None


def as_expectation(sentence: str, language: str) -> tuple[str, list[str]]:
    """A hope about what will happen said as what is expected; ``[]`` found when nothing was.

    Other languages swap the word where it stands (``forecast`` in the rewordings file:
    "hoffentlich" -> "voraussichtlich"), which keeps their word order.
    """
    if language != "en":
        return reword(sentence, language, "forecast")
    found: list[str] = []

    def modal(m: re.Match[str]) -> str:
        subject, verb = m.group("subject"), m.group("verb")
        if verb.lower() in {"been", "got", "gotten", "not"}:
            return m.group(0)  # "it's been", "it's got": not "it is"
        if m.group("is"):
            said = f"{subject} should be {verb}"
        elif m.group(0).lower().rstrip().endswith(verb.lower()) and re.search(r"will\s|'ll\s", m.group(0)):
            said = f"{subject} should {verb}"
        else:
            base = _base(verb)
            if base is None:
                return m.group(0)
            said = f"{subject} should {base}"
        found.append(m.group("hope").lower())
        return said[:1].upper() + said[1:] if m.group("hope")[:1].isupper() else said

    changed = _HOPE.sub(modal, sentence)
    tail = _TAIL_HOPE.sub("", changed)
    if tail != changed:
        found.append("hopefully")
    return tail, found
