"""Which language a text is in, without a model call, and whether the reply kept the draft's.

A rewrite that answers a Spanish draft in English loses the customer even when every
fact survives, and a small model does it often. Detection uses ``py3langid`` (its
model ships inside the package, so it works offline and gives the same answer every
time), restricted to the languages support teams write in (``prompts/languages.yaml``).
Facts (links, codes, amounts) and greetings carry little language, so they are masked
before detection; a text with too few words left, or a low-confidence guess, is
reported as unsure, and a check that rests on it is unscored, never passed.
"""

from __future__ import annotations

import functools
import re
from typing import Any

from pydantic import BaseModel, ConfigDict

from rewriter.check.deterministic import CheckContext, finding
from rewriter.check.facts import extract_facts
from rewriter.models import Evidence, Finding, Verdict
from rewriter.prompts import load_yaml, prompts_dir
from rewriter.text import sentences

SAME_LANGUAGE = "faithfulness.same-language"
# Languages that capitalise every noun, so a capitalised word inside a sentence is not
# a sign of a name there.
_CAPITALISE_NOUNS = frozenset({"de", "lb"})

# Below these, measured on the golden suite's sentences (see tests/check/test_language.py),
# a guess is too often wrong to act on.
MIN_WORDS = 4
MIN_CONFIDENCE = 0.9
# A draft is in two languages when the second holds this share of its surely-told
# words: a bilingual notice, not an English error message quoted in a German reply.
SECOND_LANGUAGE_SHARE = 0.15
_WORD = re.compile(r"[^\W\d_]{2,}")


class Guess(BaseModel):
    """A detected language: its code, the detector's confidence, and whether to act on it."""

    model_config = ConfigDict(frozen=True)

    language: str
    confidence: float
    sure: bool
    words: int


@functools.lru_cache(maxsize=4)
def _names(root: str) -> dict[str, str]:
    raw: Any = load_yaml("languages.yaml")
    return {str(code): str(name) for code, name in raw.items()}


def language_names() -> dict[str, str]:
    """Every language the checker tells apart: code to English name."""
    return _names(str(prompts_dir()))


def language_name(code: str) -> str:
    """The English name of a language code, for prompts and messages ("es" -> "Spanish")."""
    return language_names().get(code, code)


@functools.lru_cache(maxsize=4)
def _identifier(codes: tuple[str, ...]) -> Any:
    # Imported here: loading the model takes most of a second, and only checks need it.
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(list(codes))
    return identifier


def _masked(text: str) -> str:
    """The text with its facts blanked out: a URL or an order number says nothing of language."""
    chars = list(text)
    for fact in extract_facts(text):
        chars[fact.start : fact.end] = " " * (fact.end - fact.start)
    return "".join(chars)


def detect_language(text: str) -> Guess:
    """Guess the language of ``text``; ``sure`` is false when the guess should not be acted on."""
    masked = _masked(text)
    words = len(_WORD.findall(masked))
    identifier = _identifier(tuple(language_names()))
    language, confidence = identifier.classify(masked)
    sure = words >= MIN_WORDS and confidence >= MIN_CONFIDENCE
    return Guess(language=str(language), confidence=round(float(confidence), 3), sure=sure, words=words)


def draft_languages(draft: str) -> set[str]:
    """The languages a draft is written in: each holding a fair share of its words."""
    words: dict[str, int] = {}
    for sentence in sentences(draft):
        guess = detect_language(sentence.text)
        if guess.sure:
            words[guess.language] = words.get(guess.language, 0) + guess.words
    total = sum(words.values())
    return {code for code, count in words.items() if count >= SECOND_LANGUAGE_SHARE * total}


def foreign_sentences(reply: str, expected: str, allowed: frozenset[str] = frozenset()) -> list[Evidence]:
    """The reply's sentences surely in a language other than ``expected`` and ``allowed``."""
    found = []
    for sentence in sentences(reply):
        guess = detect_language(sentence.text)
        if guess.sure and guess.language != expected and guess.language not in allowed:
            found.append(Evidence(text=sentence.text, start=sentence.start, end=sentence.end, source="reply"))
    return found


def same_language(ctx: CheckContext) -> Finding:
    """The reply is in the language the draft (or the caller) gives, sentence by sentence."""
    rule = SAME_LANGUAGE
    expected = language_name(ctx.language)
    for sure, what in ((ctx.language_sure, "draft"), (detect_language(ctx.reply).sure, "reply")):
        if not sure:
            message = f"the {what} is too short to tell its language; not checked"
            return finding(ctx, rule, Verdict.UNSCORED, message)
    both = draft_languages(ctx.draft) if ctx.draft is not None and ctx.language_from_draft else set()
    if len(both) < 2:
        both = set()
    foreign = foreign_sentences(ctx.reply, ctx.language, frozenset(both))
    if not foreign:
        if both:
            names = " and ".join(language_name(code) for code in sorted(both))
            return finding(ctx, rule, Verdict.PASS, f"written in {names}, as the draft is")
        return finding(ctx, rule, Verdict.PASS, f"written in {expected}, as the draft is")
    return finding(
        ctx, rule, Verdict.FAIL, f"{len(foreign)} sentence(s) not in {expected}, the draft's language",
        evidence=foreign, hint=f"write all of the reply in {expected}; copy its facts unchanged",
    )  # fmt: skip


def capitalises_only_names(language: str) -> bool:
    """Whether a capitalised word inside a sentence marks a name in this language."""
    return language not in _CAPITALISE_NOUNS
