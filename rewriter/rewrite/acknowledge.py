"""The acknowledgement: one sentence that shows the customer they were heard, and the model only chooses it.

Read blind, the rewrite's empathy was lower than the draft's. Asked to write that
sentence itself, the embedded 1.5B model stated causes nobody had given ("your
accountant is mistaken"), and reviewers would send fewer replies with its sentences
than without (52% against 71%). Telling which situation a customer is in (a repeat
contact, money gone, work feared lost, a deadline at risk) is a task it does well, so
it only picks the situations, from a list, and copies the customer's own words for
what is at stake (:mod:`stake`: "generic" was the readers' grade for a sentence that
named only the kind of situation); the sentences are written per language in
``prompts/acknowledge.yaml``. Each is still checked inside the finished reply by the
same checker as everything else, and used only when it leaves the reply no worse;
when none fits, the reply has none.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from rewriter.check.deterministic import lexicon
from rewriter.check.facts import extract_facts
from rewriter.errors import PromptError
from rewriter.llm import ChatClient
from rewriter.models import CheckReport, RewriteRequest, Usage, Verdict
from rewriter.prompts import load_yaml, prompts_dir, render
from rewriter.rewrite.reflect import TOLD, told
from rewriter.rewrite.stake import SLOT, fill, markers, stake
from rewriter.rewrite.wanted import WANTED
from rewriter.text import NUMBER_MARKER, extract_json_object, sentences

NONE = "none"
_NEAR = 3  # words after the customer's thing in which it must be said to fail ("my playlists won't load")


class _Told(BaseModel):
    """A sentence for what the customer said outright ("charged me twice"), in each language."""

    model_config = ConfigDict(extra="allow", frozen=True)

    signals: dict[str, list[str]]

    def sentence(self, language: str, message: str) -> str | None:
        said = (self.model_extra or {}).get(language)
        return str(said) if said and _any(self.signals.get(language, []), message) else None


class _Situation(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)

    means: str | None = None
    cues: dict[str, list[str]] = {}
    signals: dict[str, list[str]] = {}
    unless: dict[str, list[str]] = {}
    specific: dict[str, str] = {}
    reflected: dict[str, str] = {}
    told: list[_Told] = []
    needs_signal: bool = False
    alone: bool = False
    outranks: list[str] = []
    stake_is_subject: bool = False
    unsaid: dict[str, list[str]] = {}

    @property
    def offered(self) -> bool:
        """Whether the model chooses it; a situation without ``means`` is told by its signals alone."""
        return self.means is not None

    def cued(self, language: str, message: str) -> bool:
        """Whether the message bears a choice out: a cue (if any) or a signal, and no ``unless`` word."""
        if _any(self.unless.get(language, []), message):
            return False
        if self.needs_signal:
            return self.signalled(language, message)
        cues = self.cues.get(language)
        return not cues or _any(cues, message) or self.signalled(language, message)

    def signalled(self, language: str, message: str) -> bool:
        """Whether the message says this situation in so many words, with nothing that rules it out."""
        signals = self.signals.get(language, [])
        return _any(signals, message) and not _any(self.unless.get(language, []), message)

    def sentence(self, language: str) -> str | None:
        """This situation's acknowledgement in ``language``, if the data file has one."""
        said = (self.model_extra or {}).get(language)
        return str(said) if said else None

    def telling(self, language: str, message: str) -> str | None:
        """The sentence for what the customer said in so many words, if one of ``told`` matches."""
        return next((t for t in (told.sentence(language, message) for told in self.told) if t), None)

    def reflecting(
        self, language: str, message: str, cued: bool = True, unsaid: list[str] | None = None
    ) -> str | None:
        """The sentence that says back what the customer told us (:mod:`reflect`), when a clause fits.

        A clause holding one of ``unsaid`` is not said back ("your folder is gone" would
        state the customer's fear as a fact).
        """
        frame = self.reflected.get(language)
        if not frame or TOLD not in frame:
            return None
        said = told(message, language, lambda sentence: self.borne_out(language, sentence), cued)
        if not said or _any(unsaid or [], said):
            return None
        return fill(frame, said, TOLD)

    def borne_out(self, language: str, sentence: str, *more: str) -> bool:
        """Whether a sentence of the message bears this situation out.

        It holds a cue or signal (or one of ``more``) and no ``unless`` word: words from a
        sentence about something else ("'ships in 48h' my foot") are not said back.
        """
        cues = [*self.cues.get(language, []), *self.signals.get(language, []), *more]
        return _any(cues, sentence) and not _any(self.unless.get(language, []), sentence)

    def naming(self, language: str, quoted: object, message: str) -> str | None:
        """The sentence that names what is at stake in the customer's words, when they can be used."""
        frame = self.specific.get(language)
        if not frame or SLOT not in frame:
            return None
        said = stake(quoted, message, language)
        if said is None or not self.borne_out(language, said.sentence, *markers(language)):
            return None  # words from a sentence about something else
        if self.stake_is_subject and not self.borne_out(language, " ".join(said.after.split()[:_NEAR])):
            return None  # "the show ... and the app won't": not what stopped working
        return fill(frame, said.said)


def _any(cues: list[str], message: str) -> bool:
    lowered = message.lower()
    return any(re.search(_cue_pattern(cue), lowered) for cue in cues)


def _cue_pattern(cue: str) -> str:
    """A cue as a pattern: "charg*" starts a word; "exam" is a whole word, never "example"."""
    stem = cue.endswith("*")
    text = cue.rstrip("*").lower()
    end = "" if stem or not text[-1:].isalnum() else r"(?!\w)"
    start = r"(?<!\w)" if text[:1].isalnum() else ""
    return f"{start}{re.escape(text)}{end}"


class _Refusal(BaseModel):
    """The sentence that goes before the draft's "no", and the draft's words that say one."""

    model_config = ConfigDict(extra="allow", frozen=True)

    signals: dict[str, list[str]] = {}
    specific: dict[str, str] = {}

    def sentence(self, language: str) -> str | None:
        said = (self.model_extra or {}).get(language)
        return str(said) if said else None

    def naming(self, language: str, hoped: str) -> str | None:
        """The sentence that names what the customer hoped for, if the language has one."""
        frame = self.specific.get(language)
        return fill(frame, hoped, WANTED) if frame and WANTED in frame else None


@lru_cache(maxsize=4)
def _refusal(root: str) -> _Refusal:
    raw: Any = load_yaml("acknowledge.yaml")
    try:
        return _Refusal.model_validate(raw.get("refusal") or {})
    except (ValidationError, AttributeError) as exc:
        raise PromptError(f"prompts/acknowledge.yaml: 'refusal' is malformed: {exc}") from exc


_STEP = re.compile(rf"^\s*{NUMBER_MARKER}\s")


def refusing(blocks: list[str], language: str) -> str | None:
    """The draft's first sentence that says no, outside a numbered step, or ``None``."""
    found = _first_no(blocks, language)
    return found[2] if found else None


def _first_no(blocks: list[str], language: str) -> tuple[int, int, str] | None:
    """Where the first "no" is: its block, its offset in the block, and its sentence."""
    signals = _refusal(str(prompts_dir())).signals.get(language, [])
    for i, block in enumerate(blocks):
        if _STEP.match(block):
            continue
        for span in sentences(block):
            if _any(signals, span.text):
                return i, span.start, span.text
    return None


def cushioned(blocks: list[str], language: str, hoped: str | None = None) -> list[str] | None:
    """The body with the refusal sentence just before its first "no", or ``None`` when it has none.

    ``hoped`` is what the customer hoped for, in their words (:mod:`wanted`): the sentence
    names it ("I know you were hoping for a family plan."); without it, the plain one.
    A numbered step is left alone: the sentence would break the list.
    """
    refusal = _refusal(str(prompts_dir()))
    said = refusal.naming(language, hoped) if hoped else refusal.sentence(language)
    found = _first_no(blocks, language)
    if not said or found is None or said in blocks[found[0]]:
        return None
    i, start, _ = found
    changed = f"{blocks[i][:start]}{said} {blocks[i][start:]}"
    return [*blocks[:i], changed, *blocks[i + 1 :]]


@lru_cache(maxsize=4)
def _situations(root: str) -> dict[str, _Situation]:
    raw: Any = load_yaml("acknowledge.yaml")
    try:
        situations = {name: _Situation.model_validate(body) for name, body in raw["situations"].items()}
        _Refusal.model_validate(raw.get("refusal") or {})
    except (ValidationError, KeyError, TypeError, AttributeError) as exc:
        raise PromptError(f"prompts/acknowledge.yaml is malformed: {exc}") from exc
    if NONE not in situations:
        raise PromptError("prompts/acknowledge.yaml has no 'none' situation for a calm customer")
    return situations


def supported(language: str) -> bool:
    """Whether every situation has a sentence in this language."""
    situations = _situations(str(prompts_dir()))
    return all(s.sentence(language) for name, s in situations.items() if name != NONE)


def _schema(names: list[str]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {
            "situations": {
                "type": "array",
                "items": {"type": "string", "enum": names},
                "minItems": 1,
                "maxItems": 2,
            },
            "at_stake": {"type": "string", "maxLength": 80},
        },
        "required": ["situations", "at_stake"],
        "additionalProperties": False,
    }


def ask_options(client: ChatClient, request: RewriteRequest, language: str, usage: Usage) -> list[str]:
    """The acknowledgements for the situations the model sees in the customer's message, best first.

    The model only classifies; each sentence is written in ``prompts/acknowledge.yaml``.
    A malformed answer costs no repair request: the reply is whole without this sentence.
    """
    situations = _situations(str(prompts_dir()))
    offered = {name: s for name, s in situations.items() if s.offered}
    listed = "\n".join(f"- {name}: {s.means}" for name, s in offered.items())
    messages = [
        {"role": "system", "content": render("acknowledge.system.md", situations=listed)},
        {
            "role": "user",
            "content": render("acknowledge.user.md", customer_message=request.customer_message or ""),
        },
    ]
    # Instructed JSON, no grammar: an answer that does not parse only costs the sentence.
    response = client.complete(messages, _schema(list(offered)), max_tokens=64, temperature=0.0)
    usage.add(response.prompt_tokens or 0, response.completion_tokens or 0, requests=response.requests)
    try:
        data = extract_json_object(response.text)
    except ValueError:
        data = {}
    picked = data.get("situations") if isinstance(data, dict) else None
    quoted = data.get("at_stake") if isinstance(data, dict) else None
    message = request.customer_message or ""
    names: list[str] = []
    for name in picked if isinstance(picked, list) else []:
        if name == NONE:
            break  # "none" first: a calm customer; after a real one, the end of the list
        situation = offered.get(str(name))
        if situation is not None and situation.cued(language, message):
            names.append(str(name))  # else the message does not bear the choice out
    # Then what the customer says in so many words ("I'm scared", "fourth time"), in the
    # data file's order: the small model often answers "none" to a furious message.
    names += [name for name, s in situations.items() if s.signalled(language, message)]
    # A situation that rules out the others (a death): its sentence, and no other.
    names = next(([n] for n in names if situations[n].alone), names)
    names = _ranked(list(dict.fromkeys(names)), situations)
    # Across the situations, the most specific kind of sentence first: what the customer
    # told us of their need or effort, said back; their stake named; any clause of theirs
    # from a sentence that bears the situation out; what they said outright; the plain one.
    unsaid = [word for s in situations.values() for word in s.unsaid.get(language, [])]
    tiers: list[Callable[[_Situation], str | None]] = [
        lambda s: s.reflecting(language, message, unsaid=unsaid),
        lambda s: s.naming(language, quoted, message),
        lambda s: s.reflecting(language, message, cued=False, unsaid=unsaid),
        lambda s: s.telling(language, message),
        lambda s: s.sentence(language),
    ]
    said: list[str] = []
    for tier in tiers:
        for name in names:
            sentence = tier(situations[name])
            if sentence and sentence not in said:
                said.append(sentence)
    return said


def _ranked(names: list[str], situations: dict[str, _Situation]) -> list[str]:
    """The names with each one put before those it ``outranks`` (work lost before "it stopped working")."""
    ranked = list(names)
    for name in names:
        beaten = [ranked.index(n) for n in situations[name].outranks if n in ranked]
        if beaten and min(beaten) < ranked.index(name):
            ranked.remove(name)
            ranked.insert(min(beaten), name)
    return ranked


def unfit(option: str, request: RewriteRequest, language: str) -> str | None:
    """Why an acknowledgement cannot open the reply, or ``None`` when it can."""
    if extract_facts(option) and not all(
        f.text in (request.customer_message or "") for f in extract_facts(option)
    ):
        return "it carries a fact the customer did not give"
    # Promises and contacts are the checker's to judge, against the draft and policy.
    for name in ("apology", "stock_lines", "toxic_positivity"):
        if lexicon(language, name).search(option):
            return f"it holds {name.replace('_', ' ')}"
    return None


def choose(
    options: list[str],
    request: RewriteRequest,
    language: str,
    checked: Callable[[str], CheckReport],
    without: CheckReport,
) -> tuple[str, CheckReport] | None:
    """The first option that is fit and leaves the reply's checks no worse than without it."""
    for option in options:
        if unfit(option, request, language) is not None:
            continue
        report = checked(option)
        if no_worse(report, without):
            return option, report
    return None


def no_worse(report: CheckReport, before: CheckReport) -> bool:
    """Whether ``report`` fails no rule, ``must`` or ``should``, that ``before`` passed.

    A sentence added for the customer must not cost the reply a rule it kept (a social
    post pushed over its length, say), whatever that rule's severity.
    """
    return _failing(report) <= _failing(before)


def _failing(report: CheckReport) -> set[str]:
    return {f.rule_id for f in report.findings if f.verdict is Verdict.FAIL}


def skip_reason(request: RewriteRequest, opening: str, language: str) -> str | None:
    """Why the model need not be asked: no customer message to hear, or the draft already acknowledges."""
    if not (request.customer_message or "").strip():
        return "no customer message"
    if not supported(language):
        return f"no acknowledgement sentence for language {language!r} in prompts/acknowledge.yaml"
    if lexicon(language, "acknowledgement").search(opening):
        return "the draft already acknowledges the customer"
    return None
