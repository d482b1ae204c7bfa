"""Jargon said in plain words: the one sentence restated by the model, and checked against it.

Blind readers would not send a reply that kept the draft's "OAuth token's TTL" to a
customer who says they are not technical, and the draft-first reply keeps the draft's
words. Restating a whole reply, the embedded 1.5B model moved statuses and invented
steps; restating one sentence is a short task that can be checked against the sentence
it came from: its facts verbatim, nothing that looks like a fact added, who acts (what
"we" did stays ours, only an order stays an order), every "not", no new promise, hedge
or apology, and none of the technical terms left. A restatement that fails keeps the
draft's sentence. The words are the model's, so the reply is held for the agent to
confirm them (:data:`PLAIN_WORDS`), never called "ok" on their strength.
"""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict

from rewriter.check.deterministic import lexicon
from rewriter.check.facts import extract_facts, fact_like_tokens
from rewriter.check.language import detect_language
from rewriter.check.meaning import draft_actions
from rewriter.check.plain import unexplained_terms
from rewriter.llm import ChatClient
from rewriter.models import Usage
from rewriter.prompts import render
from rewriter.rewrite.outcome import Held
from rewriter.text import NUMBER_MARKER, extract_json_object, sentences, words

PLAIN_WORDS = "faithfulness.plain-words"
# At most this many sentences restated per reply: each is a request.
MOST = 4
# A sentence longer than this is restated only for two terms or more.
LONE_TERM_WORDS = 20
# The first answer at temperature 0; up to two more, each with its own seed, while none passes.
_SAMPLES = ((0.0, None), (0.7, 1), (0.9, 2))
_MARKER = re.compile(rf"^\s*(?:{NUMBER_MARKER}|[-*\u2022])\s+")
_SCHEMA = {
    "type": "object",
    "properties": {"plain": {"type": "string", "maxLength": 400}},
    "required": ["plain"],
    "additionalProperties": False,
}


class Restated(BaseModel):
    """One sentence of the reply, said in plain words."""

    model_config = ConfigDict(frozen=True)

    sentence: str
    plain: str


def speaks_plainly(customer: str, language: str) -> bool:
    """Whether the customer writes without technical terms: then the reply should too.

    A customer who writes "HTTP 429 on every call" or "my OAuth token's TTL" reads the
    draft's terms as they are; one who writes "the page says server not found" needs
    them said in everyday words. A word in capitals of five letters or more is shouted
    ("TWICE"), not an acronym.
    """
    if not customer.strip() or lexicon(language, "technical_register").search(customer):
        return False
    terms = unexplained_terms(customer, "", language)
    return not [t for t in terms if not (t.text.isupper() and len(t.text) >= 5)]


def technical(blocks: list[str], customer: str, language: str) -> list[tuple[int, str]]:
    """The sentences (block index, text) that hold a term the customer did not use, at most :data:`MOST`."""
    found: list[tuple[int, str]] = []
    for i, block in enumerate(blocks):
        for line in block.splitlines():
            text = _MARKER.sub("", line, count=1)
            spans = sentences(text)
            for j, span in enumerate(spans):
                # "Per GDPR Art." | "17 we've ...": a piece cut at an abbreviation is no sentence
                cut = j + 1 < len(spans) and not spans[j + 1].text[:1].isupper()
                terms = {t.text.lower() for t in unexplained_terms(span.text, customer, language)}
                size = len(words(span.text))
                # One term in a long sentence: retelling 30 words to change one changed
                # others too ("CPU usage will spike" -> "the computer will use more power").
                worth = len(terms) > 1 or (bool(terms) and size <= LONE_TERM_WORDS)
                if size >= 5 and not cut and worth:
                    found.append((i, span.text))
    return found[:MOST]


def restate(client: ChatClient, sentence: str, customer: str, language: str, usage: Usage) -> str | None:
    """The sentence in plain words, or ``None`` when no answer passes :func:`unfit`."""
    slotted, facts = masked(sentence)
    messages = [
        {"role": "system", "content": render("plain.system.md")},
        {
            "role": "user",
            "content": render(
                "plain.user.md",
                customer_message=customer,
                sentence=slotted,
                terms=terms(sentence, customer, language),
            ),
        },
    ]
    for temperature, seed in _SAMPLES:
        response = client.complete(messages, _SCHEMA, max_tokens=160, temperature=temperature, seed=seed)
        usage.add(response.prompt_tokens or 0, response.completion_tokens or 0, requests=response.requests)
        try:
            data = extract_json_object(response.text)
        except ValueError:
            continue
        plain = data.get("plain") if isinstance(data, dict) else None
        if isinstance(plain, str) and (plain := unmasked(" ".join(plain.split()), facts)) is not None:
            if unfit(plain, sentence, customer, language) is None:
                return plain
    return None


def terms(sentence: str, customer: str, language: str) -> str:
    """The sentence's technical terms, quoted, as the model is told to replace them."""
    return ", ".join(dict.fromkeys(f'"{t.text}"' for t in unexplained_terms(sentence, customer, language)))


_SLOT = re.compile(r"\[(\d{1,2})\]")
_BRACKET = re.compile(r"\([^()]{1,40}\)")


def masked(sentence: str) -> tuple[str, list[str]]:
    """The sentence with each fact and bracket a numbered slot ("via [1] on a [2] SSID"), and what they hold.

    Asked to keep "Device > Settings > Firmware > Check for updates" or "03:12 UTC", the
    small model shortens the path and turns the time into "3:12 PM"; a slot it can only
    copy, and the fact goes back in as the draft wrote it.
    """
    found = [(f.start, f.end) for f in [*extract_facts(sentence), *fact_like_tokens(sentence)]]
    found += [m.span() for m in _BRACKET.finditer(sentence)]  # "(Ctrl+Shift+R)": dropped, a step goes with it
    spans: list[tuple[int, int]] = []
    for start, end in sorted(found):
        if not spans or start >= spans[-1][1]:
            spans.append((start, end))
    out, facts, at = [], [], 0
    for start, end in spans:
        facts.append(sentence[start:end])
        out.append(f"{sentence[at:start]}[{len(facts)}]")
        at = end
    return "".join(out) + sentence[at:], facts


def unmasked(text: str, facts: list[str]) -> str | None:
    """The model's text with each slot's fact put back; ``None`` when a slot is missing, twice or unknown."""
    found = [int(m.group(1)) for m in _SLOT.finditer(text)]
    if sorted(found) != list(range(1, len(facts) + 1)):
        return None
    return _SLOT.sub(lambda m: facts[int(m.group(1)) - 1], text)


def unfit(plain: str, sentence: str, customer: str, language: str) -> str | None:
    """Why ``plain`` cannot stand for ``sentence``, or ``None`` when it can."""
    return _unfit_form(plain, sentence, language) or _unfit_meaning(plain, sentence, customer, language)


def _unfit_form(plain: str, sentence: str, language: str) -> str | None:
    """A restatement that is no sentence, the same one, too long, or in another language."""
    said, new = words(sentence.lower()), words(plain.lower())
    if not new or plain.lower() == sentence.lower():
        return "empty, or the sentence itself"
    guess = detect_language(plain)
    if guess.sure and guess.language != language:
        return f"written in {guess.language}, not {language}"
    if len(new) > max(1.5 * len(said), len(said) + 12):
        return "much longer than the sentence"
    if plain[-1:] not in ".!?":
        return "not a whole sentence"
    return None


def _unfit_meaning(plain: str, sentence: str, customer: str, language: str) -> str | None:
    """A restatement that loses or adds a fact, keeps a term, or changes who acts, a "not" or a status."""
    for fact in [*extract_facts(sentence), *fact_like_tokens(sentence)]:
        if fact.text not in plain:
            return f"lost {fact.text!r}"
    for token in fact_like_tokens(plain, names=False):
        if token.text not in sentence:
            return f"added {token.text!r}"
    if unexplained_terms(plain, customer, language):
        return "technical terms left"
    for name in ("first_person", "negation"):
        if _has(name, sentence, language) and not _has(name, plain, language):
            return f"lost its {name.replace('_', ' ')}"
    for name in ("first_person", "negation", "future_markers", "likelihood", "finished", "analogy", "hedge",
                 "apology", "promises", "stock_lines"):  # fmt: skip
        if _said(name, plain, language) - _said(name, sentence, language):
            return f"added {name.replace('_', ' ')}"  # "likely X" said as "could be X" is a new doubt
    if bool(draft_actions(plain, language)) and not draft_actions(sentence, language):
        return "made a statement an order"
    if bool(draft_actions(sentence, language)) and not draft_actions(plain, language):
        return "lost its order"
    return None


def _has(name: str, text: str, language: str) -> bool:
    return lexicon(language, name).search(text) is not None


def _said(name: str, text: str, language: str) -> set[str]:
    """The phrases of a lexicon list in ``text``, lower-cased: compared as words, not as presence."""
    return {m.group(0).lower() for m in lexicon(language, name).finditer(text)}


def held_plain(restated: list[Restated]) -> Held:
    """The restated sentences, each beside the draft's, for the agent to confirm."""
    said = "; ".join(f"{r.plain!r} for {r.sentence!r}" for r in restated)
    return Held(
        rule_id=PLAIN_WORDS,
        lines=[r.plain for r in restated],
        message=f"said in plain words by the model: {said}",
        hint="check each still says what the draft's sentence said; put the draft's back where it does not",
    )
