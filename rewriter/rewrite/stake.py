"""What the problem puts at risk for this customer, in their own words, said back to them.

Blind readers graded the acknowledgement "generic" (1 of 2) whenever it named only the
kind of situation ("Being shut out when you need to get things done is frustrating")
and asked, case after case, for the thing the customer had named: the payroll due at
five, the dog's medication, the notes from all afternoon. The embedded model may not
write that sentence (it invents causes), but it can copy a few words out of the
customer's message, and a copy can be checked: it must stand in the message word for
word, name a thing (it opens with "my", "the", ...) and not be the service itself ("my
account", "my password"); it is put into second person ("my notes" -> "your notes") and
into a sentence of ``prompts/acknowledge.yaml``. Anything else and the plain sentence is
used.
"""

from __future__ import annotations

import re
from functools import lru_cache

from pydantic import BaseModel, ConfigDict, Field

from rewriter.check.deterministic import lexicon
from rewriter.check.facts import extract_facts
from rewriter.prompts import load_block, prompts_dir
from rewriter.text import sentences

SLOT = "{stake}"


class StakeRules(BaseModel):
    """The ``stake`` block of ``prompts/acknowledge.yaml``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    max_words: int = Field(ge=1)
    leads: dict[str, list[str]]
    ruled_out_heads: dict[str, list[str]] = {}
    clause_words: dict[str, list[str]] = {}
    markers: dict[str, list[str]] = {}
    second_person: dict[str, dict[str, str]]


@lru_cache(maxsize=4)
def _rules(root: str) -> StakeRules:
    return load_block("acknowledge.yaml", "stake", StakeRules)


def _words(text: str) -> list[str]:
    return re.findall(r"[\w'’-]+", text.lower())


class Stake(BaseModel):
    """The words said back, and the customer's sentence they stand in."""

    model_config = ConfigDict(frozen=True)

    said: str
    sentence: str
    after: str = ""


def markers(language: str) -> list[str]:
    """Words that say the customer needs something ("I really need them"): their sentence names a stake."""
    return _rules(str(prompts_dir())).markers.get(language, [])


def stake(quoted: object, message: str, language: str) -> Stake | None:
    """The customer's words for what is at risk, in second person, or ``None`` when they cannot be used."""
    rules = _rules(str(prompts_dir()))
    if not isinstance(quoted, str):
        return None
    text = " ".join(quoted.split()).strip(" .,;:!?\"'“”«»")
    message = " ".join(message.split())  # a line break inside a sentence is not its end
    words = _words(text)
    leads = {lead.lower() for lead in rules.leads.get(language, [])}
    swaps = rules.second_person.get(language, {})
    if not words or len(words) > rules.max_words or not leads or not swaps:
        return None
    if all(word in leads for word in words):
        return None  # "my", "the": a lead alone names nothing
    clause = {w.lower() for w in rules.clause_words.get(language, [])}
    orders = lexicon(language, "imperative_verbs")
    cut = next((i for i, word in enumerate(words) if word in clause), None)
    if cut is not None and cut >= 2 and words[0] in swaps:  # "our order sync is dead": theirs, named first
        text = text[: list(re.finditer(r"[\w'’-]+", text))[cut].start()].rstrip(" ,")
        words = words[:cut]
    found = found_in(text, message)
    relead = False  # a lead the model put in front must come back from the message
    if found is None and len(words) > 1 and words[0] in leads:
        relead = words[0] not in swaps  # "my payroll" for "I have payroll to run" is the customer's own
        words = words[1:]  # ... "the client call" for "a client call" only with the message's "a"
        found = found_in(after_first_word(text), message)
    if found is None:
        return None  # not the customer's own words
    start = found.start()
    before = re.search(r"(?:([\w'’]+)\s+)?([\w'’]+)\s+$", message[:start])
    near, far = (before.group(2), before.group(1)) if before else (None, None)
    if before and words[0] not in leads and near and near.lower() in leads:
        start, words = before.start(2), [near.lower(), *words]  # "the note", not "note"
    elif (
        before
        and words[0] not in leads
        and far
        and far.lower() in leads
        and near
        and _describes(near, clause, leads)
    ):
        start, words = before.start(1), [far.lower(), near.lower(), *words]  # "my whole client folder"
    if relead and words[0] not in leads:
        return None  # "the uploads" for "Hi, uploads keep failing" names nothing of theirs
    bare = (
        len(words) == 1
        and not orders.fullmatch(words[0])
        and not (near and near[:1].isupper())  # "my Linux laptop" is not "laptop"
    )
    owned = (  # "medication for my dog": a thing of the customer's, named by their "my"
        len(words) > 2
        and words[0] not in clause
        and not orders.fullmatch(words[0])
        and bool(set(words[1:]) & set(swaps))
    )
    if words[0] not in leads and not bare and not owned:
        return None  # no thing named ("payroll to run by"); one noun alone ("payroll") is one
    if words[-1] in {w.lower() for w in rules.ruled_out_heads.get(language, [])}:
        return None  # "my account", "the third time": the service or a time, not what depends on it
    if clause & set(words):
        return None  # "our order sync is dead" is a sentence, not a thing
    if extract_facts(text) or re.search(r"\d", text):
        return None  # a link, a number, a code: what the reply states is the draft's to say
    said = message[start : found.end()]
    said = said.lower() if said.isupper() else said[:1].lower() + said[1:]
    said = in_second_person(said, language)
    return Stake(
        said=said,
        sentence=next(s.text for s in sentences(message) if s.end >= found.end()),
        after=message[found.end() :],
    )


def leads(language: str) -> list[str]:
    """The words that open a copy naming a thing ("my", "the", "a")."""
    return _rules(str(prompts_dir())).leads.get(language, [])


def clause_words(language: str) -> list[str]:
    """The words that make a copy a sentence rather than a thing ("is", "that", "keeps")."""
    return _rules(str(prompts_dir())).clause_words.get(language, [])


def after_first_word(text: str) -> str:
    """The text without its first word ("a dark mode" -> "dark mode"), "" when it has no other."""
    first = re.match(r"\s*[\w'’-]+[^\w'’-]*", text)
    return text[first.end() :].strip() if first else ""


def second_person(language: str) -> dict[str, str]:
    """The first-person words of ``language`` and what each is in the second person ("my" -> "your")."""
    return _rules(str(prompts_dir())).second_person.get(language, {})


def in_second_person(text: str, language: str, ours: dict[str, str] | None = None) -> str:
    """``text`` with each first-person word swapped for its second-person one, capitals kept.

    ``ours`` swaps the customer's words for us in the same pass ("your site" -> "our site"),
    so a "my" made "your" is never taken for one of them.
    """
    swaps = {**second_person(language), **(ours or {})}
    return re.sub(r"[\w'’]+", lambda m: _swap(m.group(0), swaps), text)


def _describes(word: str, clause: set[str], leads: set[str]) -> bool:
    """A word between a lead and the thing that only describes it ("whole", "kid's"), not a verb or name."""
    return word[:1].islower() and word.lower() not in clause | leads


def found_in(text: str, message: str) -> re.Match[str] | None:
    """Where ``text`` stands in the message word for word, whatever its spacing and case."""
    if not text.strip():
        return None  # nothing matches everywhere
    spaced = r"\s+".join(re.escape(w) for w in text.split())
    return re.search(rf"(?<!\w){spaced}(?!\w)", message, re.IGNORECASE)


def _swap(word: str, swaps: dict[str, str]) -> str:
    """One word in second person ("my" -> "your"), its capital kept."""
    said = swaps.get(word.lower())
    if said is None:
        return word
    # "My" opens a sentence, "I" is always capital: only the first keeps its capital
    return said[:1].upper() + said[1:] if word[:1].isupper() and word[1:2].islower() else said


def fill(frame: str, said: str, slot: str = SLOT) -> str:
    """The sentence with the customer's words in its slot, capitalised if they open it."""
    sentence = frame.replace(slot, said)
    return sentence[:1].upper() + sentence[1:]
