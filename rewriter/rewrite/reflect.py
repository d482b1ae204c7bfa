"""What the customer told us they did, need or feel, said back to them in the second person.

Blind readers graded the acknowledgement "generic" (1 of 2) whenever it named only the
kind of situation, and their notes asked, case after case, for the customer's own
circumstance: "does not mention the landlord deadline", "a nod to the medication
schedule would be better", "ignores the three failed attempts". Saying back what the
customer said is what an agent who listened does (000, active listening; 002,
understanding the customer). The model is not asked for it (it wrote causes nobody had
given, and spoke as the customer): one clause of the customer's message is taken as
written and turned to the second person word by word ("I have to send this to my
landlord today" -> "you have to send this to your landlord today"), which can be
checked. Only a clause about the customer (it opens with "I", "my", "we" ...), short,
holding a cue of what they did, need or feel, and with nothing that a restatement
would turn against them: no "not" ("you're not very good with computers" is no
comfort), no hedge, no demand or complaint, nothing said about us ("you") but what
they did for us ("I sent you a sample" -> "You sent us a sample"). The finished reply is
checked like any other, so a clause long enough to read as their message copied back
(``tone.no-echo``) is not used. Where the language's verbs change with the person and
no rule is written for them, nothing is said back.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

from pydantic import BaseModel, ConfigDict, Field

from rewriter.check.deterministic import lexicon
from rewriter.prompts import load_block, prompts_dir
from rewriter.rewrite.stake import in_second_person, second_person
from rewriter.text import sentences

TOLD = "{told}"


class ReflectRules(BaseModel):
    """The ``reflect`` block of ``prompts/acknowledge.yaml``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    min_words: int = Field(ge=1)
    max_words: int = Field(ge=1)
    subjects: dict[str, list[str]]
    openers: dict[str, list[str]] = {}
    cues: dict[str, list[str]]
    feelings_and_efforts: dict[str, list[str]] = {}
    ruled_out: dict[str, list[str]] = {}
    agreement: dict[str, dict[str, str]] = {}
    to_us: dict[str, list[str]] = {}
    us: dict[str, str] = {}
    ours: dict[str, dict[str, str]] = {}
    phrases: dict[str, list[str]] = {}
    owned: dict[str, list[str]] = {}


@lru_cache(maxsize=4)
def _rules(root: str) -> ReflectRules:
    return load_block("acknowledge.yaml", "reflect", ReflectRules)


_WORD = re.compile(r"[\w'’]+")
_US = "\x00"  # where the customer's "you" stood, kept from the swap to "you" until it is "us"
# Where a clause ends inside a sentence: a comma, colon or dash before a space ("$1,299"
# is one number).
_BREAK = r"\s*(?:[,;:](?=\s)|\s[-–—]\s)\s*"


def _has(words: list[str], text: str) -> bool:
    """Whether ``text`` holds one of ``words``; one ending in "*" starts a word."""
    lowered = text.lower().replace("’", "'")
    for word in words:
        body = re.escape(word.rstrip("*").lower())
        end = "" if word.endswith("*") else r"(?![\w'])"
        if re.search(rf"(?<![\w']){body}{end}", lowered):
            return True
    return False


def clauses(message: str, language: str) -> list[tuple[str, str]]:
    """Each clause of the message, with the sentence it stands in.

    A sentence is cut at a comma, colon or dash, and before a joining word ("and", "but",
    "though") that opens a new clause ("... three times and you keep taking $24.99", "...
    even though we gave you our VAT number"), not one that joins two things ("chatbots
    and scripts").
    """
    joints = f"{lexicon(language, 'run_on_joints').pattern}|{lexicon(language, 'subordinators').pattern}"
    ours = "|".join(re.escape(w) for w in _rules(str(prompts_dir())).subjects.get(language, []))
    subjects = "|".join(p for p in (lexicon(language, "clause_subjects").pattern, ours) if p)
    text = " ".join(message.split())
    found: list[tuple[str, str]] = []
    for sentence in sentences(text):
        body = sentence.text.rstrip(".!?…")
        for part in re.split(rf"{_BREAK}|\s+(?=(?:{joints})\s+(?:{subjects}))", body, flags=re.IGNORECASE):
            if part and part.strip():
                found.append((part.strip(), sentence.text))
    return found


def told(message: str, language: str, bears: Callable[[str], bool], cued: bool = True) -> str | None:
    """The first clause worth saying back, in the second person, or ``None``.

    ``bears`` says whether the sentence a clause stands in bears out the situation the
    acknowledgement is for: words from a sentence about something else are not used.
    With ``cued`` false, the clause needs no cue of its own, only a sentence that bears
    the situation out ("my card keeps getting declined on your site"): readers graded
    such a sentence specific, and tagged it an echo, so it comes after the sentence
    that names the stake.
    """
    rules = _rules(str(prompts_dir()))
    if not rules.subjects.get(language) or not second_person(language):
        return None
    anywhere = rules.feelings_and_efforts.get(language, [])
    for clause, sentence in clauses(message, language):
        said = _said_back(clause, language, rules, cued)
        if said is None:
            continue
        if (cued and _has(anywhere, clause)) or bears(sentence):
            return said
    return None


def _said_back(clause: str, language: str, rules: ReflectRules, cued: bool = True) -> str | None:
    """The clause in the second person, or ``None`` when it is not one to say back."""
    openers = {o.lower() for o in rules.openers.get(language, [])}
    while (first := _WORD.match(clause)) and first.group(0).lower() in openers:
        clause = clause[first.end() :].lstrip(" ,")  # "and I already restarted ...": the clause
    while (last := re.search(r"[\w'’]+\W*$", clause)) and last.group(0).strip(" ,").lower() in openers:
        clause = clause[: last.start()].rstrip(" ,")  # "... VAT on it even" before "though we ..."
    words = _WORD.findall(clause)
    if not words or not _about_them(words, language, rules):
        return None  # about us, the product or someone else, not what the customer did or needs
    if not rules.min_words <= len(words) <= rules.max_words or "?" in clause:
        return None
    if re.search(r"[\"“”«»„]", clause):
        return None  # their quotes said back ('you were told it was "logged"') read as mocking them
    clause = _unshouted(clause, language) or ""
    cues = [*rules.cues.get(language, []), *rules.feelings_and_efforts.get(language, [])]
    if not clause or (cued and not _has(cues, clause)):
        return None
    us = rules.us.get(language)
    given = "|".join(re.escape(v) for v in rules.to_us.get(language, []))
    if us and given:  # "I sent you a sample": the customer's "you" is us, said back as "us"
        clause = re.sub(rf"(?<![\w'])({given})\s+you(?![\w'])", rf"\1 {_US}", clause, flags=re.IGNORECASE)
    ours = rules.ours.get(language, {})  # "on your site" is ours: said back "on our site", not to them
    to_them = (
        re.sub(rf"(?<![\w'])(?:{'|'.join(map(re.escape, ours))})(?![\w'])", "", clause, flags=re.I)
        if ours
        else clause
    )
    if any(lexicon(language, name).search(to_them) for name in ("negation", "opinion_hedges", "addressee")):
        return None  # "you're not technical", "you think you were charged", "you want your money"
    if _has(rules.ruled_out.get(language, []), clause):
        return None
    for mine, yours in rules.agreement.get(language, {}).items():  # "I was" -> "you were"
        clause = re.sub(rf"(?<![\w']){re.escape(mine)}(?![\w'])", yours, clause, flags=re.IGNORECASE)
    return in_second_person(clause, language, ours).replace(_US, us or "")


def _about_them(words: list[str], language: str, rules: ReflectRules) -> bool:
    """Whether the clause opens with the customer: "I", "my", "this is my", or "the boots I bought"."""
    lowered = [w.lower().replace("’", "'") for w in words]
    subjects = {s.lower() for s in rules.subjects.get(language, [])}
    if lowered[0] in subjects:
        return True
    if any(lowered[: len(p.split())] == p.lower().split() for p in rules.phrases.get(language, [])):
        return True  # "this is my third email"
    owned = {o.lower() for o in rules.owned.get(language, [])}
    # "the boots I bought": a lead, one or two words, then the customer as subject
    return lowered[0] in owned and any(w in subjects for w in lowered[2:4])


def _unshouted(clause: str, language: str) -> str | None:
    """The clause with shouted small words lowered ("the app AND my phone"), or ``None`` if a code remains."""
    small = [lexicon(language, name) for name in ("function_words", "copulas", "run_on_joints")]
    everyday = lexicon(language, "everyday_acronyms")

    def lowered(match: re.Match[str]) -> str:
        word = match.group(0)
        low = word.lower()
        return low if len(word) > 1 and word.isupper() and any(p.fullmatch(low) for p in small) else word

    clause = _WORD.sub(lowered, clause)
    for word in _WORD.findall(clause):
        if "_" in word or (len(word) > 2 and word.isupper() and not everyday.fullmatch(word.lower())):
            return None  # "AUTH_TOKEN_EXPIRED", "NEVER": a code, or a word shouted in anger
    return clause
