"""What the policy notes offer that the draft leaves out, said to the customer.

Readers of the blind reviews asked, case after case, for the line of policy the draft
did not say: a timeline ("a team lead replies within 2 business days"), an alternative
("the Duo plan puts two accounts on one bill"), a way to check ("you can reply with a
screenshot"). The notes are the agent's to say, so such a line is no invention; but a
note may be for the agent alone ("never ask for a card number") or only repeat a
refusal, and it is written about the customer, not to them. The rules are data, in
``prompts/policy.yaml``; which lines are said, and in what words, is decided here, and
the reply is checked with them like any other sentence.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from rewriter.check.deterministic import lexicon
from rewriter.check.facts import extract_facts
from rewriter.check.language import detect_language
from rewriter.errors import PromptError
from rewriter.prompts import load_yaml, prompts_dir
from rewriter.rewrite.outcome import Held
from rewriter.text import sentences, words


class PolicyRules(BaseModel):
    """``prompts/policy.yaml``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    overlap: float = Field(gt=0, le=1)
    agent_only: dict[str, list[str]]
    person: dict[str, list[tuple[str, str]]]
    subjects: dict[str, list[str]] = {}
    irregular: dict[str, dict[str, str]] = {}
    keep_after_subject: dict[str, list[str]] = {}


@lru_cache(maxsize=4)
def _rules(root: str) -> PolicyRules:
    raw: Any = load_yaml("policy.yaml")
    try:
        return PolicyRules.model_validate(raw)
    except (ValidationError, TypeError) as exc:
        raise PromptError(f"prompts/policy.yaml is malformed: {exc}") from exc


def offered(policy: list[str] | tuple[str, ...], draft: str, language: str) -> list[str]:
    """The policy's sentences the draft does not say, in second person; ``[]`` for none."""
    rules = _rules(str(prompts_dir()))
    if language not in rules.agent_only:
        return []
    said = set(words(draft.lower()))
    found: list[str] = []
    for note in policy:
        guess = detect_language(note)
        if guess.sure and guess.language != language:
            continue  # a note in another language would be a foreign sentence in the reply
        for span in sentences(" ".join(note.split())):
            line = _for_customer(span.text, language, rules)
            if line is not None and _new(line, draft, said, rules.overlap) and line not in found:
                found.append(line)
    return found


POLICY_LINES = "faithfulness.policy-lines"
_NUMBER = re.compile(r"\d+(?:[.,/:]\d+)*")  # "5.0.3" and "12/03" whole: not the draft's "5.0.2"


def answers(line: str, customer: str, draft: str, language: str) -> bool:
    """Whether the line answers a question the customer asked and the draft leaves unanswered.

    "have I lost my bookings?" is answered by "...; none are lost", and the draft never
    speaks of anything lost; readers marked that answer as buried when it stood last,
    after the ticket line. A word the question shares with the draft ("do you offer a
    discount?" and "Non-profit discount: 50% off") means the draft answers it, first.
    Words are compared by their :func:`stems`.
    """
    asked = [s.text for s in sentences(customer) if s.text.rstrip().endswith("?")]
    if not asked or lexicon(language, "conditions").search(line):
        return False  # "we can open a claim once ...": a rule, not the answer to "is it lost?"
    return bool((stems(" ".join(asked), language) & stems(line, language)) - stems(draft, language))


def stems(text: str, language: str) -> set[str]:
    """The text's content words, by their first five letters with a plural's "s" off.

    Only words of four letters or more that are not ``function_words``: "plans" is
    "plan", "Sheets" is "sheet", and "what" or "this" say nothing of the subject.
    """
    skip = lexicon(language, "function_words")
    said = [w for w in words(text.lower()) if len(w) >= 4 and not w.isdigit() and not skip.fullmatch(w)]
    return {(w[:-1] if w.endswith("s") and not w.endswith("ss") else w)[:5] for w in said}


def held_policy(added: list[str]) -> Held:
    """The lines said from the policy, for the agent to confirm.

    Each line is true to the notes, but the agent chose not to write it; whether to offer
    it (a refund route, a call back) is theirs to decide.
    """
    return Held(
        rule_id=POLICY_LINES,
        lines=added,
        message=f"said from the policy notes, not the draft: {', '.join(repr(line) for line in added)}",
        hint="keep each line the agent means to offer; remove any they do not",
    )


def _for_customer(sentence: str, language: str, rules: PolicyRules) -> str | None:
    """The sentence in second person, or ``None`` when it is for the agent alone."""
    lowered = sentence.lower()
    if any(
        re.search(rf"(?<![\w']){re.escape(p)}(?![\w'])", lowered) for p in rules.agent_only.get(language, [])
    ):
        return None
    if lexicon(language, "writer_directives").search(sentence) or lexicon(language, "imperative_verbs").match(
        sentence
    ):
        return None  # "Ask for the receipt number there": an order to the agent
    text = sentence
    for was, now in rules.person.get(language, []):
        text = re.sub(rf"(?<![\w']){re.escape(was)}(?![\w'])", now, text, flags=re.IGNORECASE)
    if lexicon(language, "third_person").search(text):
        return None  # still about the customer, not to them
    text = _agreeing(text, language, rules)
    text = text[:1].upper() + text[1:]
    return text if text[-1:] in ".!?" else text + "."


def _agreeing(text: str, language: str, rules: PolicyRules) -> str:
    """A verb after a new "we"/"you" in their person: "we writes" -> "we write"."""
    subjects = rules.subjects.get(language, [])
    if not subjects:
        return text
    irregular = rules.irregular.get(language, {})
    keep = set(rules.keep_after_subject.get(language, []))

    def agree(m: re.Match[str]) -> str:
        verb = m.group("verb")
        low = verb.lower()
        if low in keep or not low.endswith("s") or low.endswith("ss"):
            return m.group(0)
        if low in irregular:
            new = irregular[low]
        elif low.endswith("ies"):
            new = verb[:-3] + "y"
        elif re.search(r"(?:ch|sh|x|z|o|ss)es$", low):
            new = verb[:-2]
        else:
            new = verb[:-1]
        return f"{m.group('subject')} {new}"

    pattern = rf"(?P<subject>\b(?:{'|'.join(map(re.escape, subjects))}))\s+(?P<verb>[a-z]+)\b"
    return re.sub(pattern, agree, text, flags=re.IGNORECASE)


def _new(line: str, draft: str, said: set[str], overlap: float) -> bool:
    """Whether the draft leaves the line out: none of its facts or numbers there, few of its words.

    Words are compared by their first five letters ("decided" is the draft's "decide"),
    numbers as numbers ("30 days" is the draft's "30-day window").
    """
    if any(f.text in draft for f in extract_facts(line)):
        return False
    if set(_NUMBER.findall(line)) & set(_NUMBER.findall(draft)):
        return False
    stems = {w[:5] for w in said}
    new = [w for w in words(line.lower()) if len(w) > 3 and not w.isdigit()]
    return bool(new) and sum(w[:5] in stems for w in new) / len(new) < overlap
