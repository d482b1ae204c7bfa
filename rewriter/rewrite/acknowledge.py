"""The acknowledgement: the one sentence of the reply the model writes, asked for alone and checked.

Read blind, the rewrite's empathy was lower than the draft's: asked for a whole reply,
a small model wrote no acknowledgement, or one that copied the customer and was cut.
Asked for just that sentence, three ways at once, it has one short job and little room
to go wrong, and each option is checked before it is used: inside the finished reply,
by the same checker as everything else, and on its own for what the sentence must not
carry (facts, numbers, a promise, the customer's own words, no "you" at all). The best
option that leaves the reply no worse is kept; when none passes, the reply goes out
without one rather than with a bad one.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from rewriter.check.deterministic import lexicon
from rewriter.check.facts import extract_facts
from rewriter.check.language import language_name
from rewriter.check.quality import shared_runs
from rewriter.errors import PromptError
from rewriter.llm import ChatClient
from rewriter.models import CheckReport, RewriteRequest, Usage
from rewriter.prompts import load_yaml, prompts_dir, render
from rewriter.text import extract_json_object

MAX_WORDS = 16  # of the situation
GROUNDED = 0.6  # share of its content words the customer or the draft used
COPY_WORDS = 5  # a run of this many of the customer's words is a copy
_WORD = re.compile(r"[^\W_]+")


class _Phrasing(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    sentences: list[str]
    feelings: dict[str, str]
    filler: list[str] = []


class _Data(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    feelings: list[str]
    languages: dict[str, _Phrasing]


@lru_cache(maxsize=4)
def _data(root: str) -> _Data:
    raw: Any = load_yaml("acknowledge.yaml")
    try:
        return _Data.model_validate(raw)
    except ValidationError as exc:
        raise PromptError(f"prompts/acknowledge.yaml is malformed: {exc}") from exc


def supported(language: str) -> bool:
    """Whether there is a sentence to say an acknowledgement in, in this language."""
    return language in _data(str(prompts_dir())).languages


def _schema() -> dict[str, Any]:
    option = {
        "type": "object",
        "properties": {
            "situation": {"type": "string"},
            "feeling": {"type": "string", "enum": _data(str(prompts_dir())).feelings},
        },
        "required": ["situation", "feeling"],
        "additionalProperties": False,
    }
    return {
        "type": "object",
        "properties": {"options": {"type": "array", "items": option, "minItems": 1, "maxItems": 3}},
        "required": ["options"],
        "additionalProperties": False,
    }


def ask_options(client: ChatClient, request: RewriteRequest, language: str, usage: Usage) -> list[str]:
    """Up to three acknowledgements: the model's situations, said in the language's sentence.

    A malformed answer costs no repair request: the reply is whole without this
    sentence, and a second request would cost more than the sentence is worth.
    """
    messages = [
        {"role": "system", "content": render("acknowledge.system.md")},
        {
            "role": "user",
            "content": render(
                "acknowledge.user.md",
                language=language_name(language),
                customer_message=request.customer_message or "",
            ),
        },
    ]
    # Grammar-constrained where the server can (the embedded one): a short answer that
    # must parse, so no repair request is ever needed.
    form = client.settings.repair_response_format
    response = client.complete(messages, _schema(), max_tokens=240, temperature=0.7, response_format=form)
    usage.add(response.prompt_tokens or 0, response.completion_tokens or 0, requests=response.requests)
    try:
        data = extract_json_object(response.text)
    except ValueError:
        return []
    options = data.get("options") if isinstance(data, dict) else None
    phrasing = _data(str(prompts_dir())).languages[language]
    said: list[tuple[str, str]] = []
    for option in options if isinstance(options, list) else []:
        if not isinstance(option, dict):
            continue
        situation = str(option.get("situation", "")).strip().rstrip(".!?;:, ")
        feeling = phrasing.feelings.get(str(option.get("feeling", "")))
        if situation and feeling and _fit_situation(situation, request, language):
            template = phrasing.sentences[len(said) % len(phrasing.sentences)]
            sentence = string.Template(template).substitute(
                situation=situation, situation_lower=situation[:1].lower() + situation[1:], feeling=feeling
            )
            said.append((sentence[:1].upper() + sentence[1:], situation))
    grounded = [
        (score, s) for s, situation in said if (score := _grounded(situation, request, language)) >= GROUNDED
    ]
    return [s for _, s in sorted(grounded, key=lambda pair: -pair[0])]


def _fit_situation(situation: str, request: RewriteRequest, language: str) -> bool:
    """A short phrase of the model's own about the customer: no question, second sentence or "my"."""
    words = _WORD.findall(situation)
    if not words or len(words) > MAX_WORDS or re.search(r"[.?!]\s", situation + " ") or "?" in situation:
        return False
    if lexicon(language, "first_person").search(situation) or lexicon(language, "third_person").search(
        situation
    ):
        return False  # "keeps locking me out", "the customer has been charged": not said to them
    customer = request.customer_message or ""
    return not (customer and shared_runs(situation, customer, COPY_WORDS))


def _grounded(sentence: str, request: RewriteRequest, language: str) -> float:
    """The share of the sentence's longer words the customer or the draft used (by stem).

    A situation in the customer's own terms is this customer's; words neither side used
    ("your accountant is mistaken") are the model's guesses, and guesses go last.
    """
    filler = set(_data(str(prompts_dir())).languages[language].filler)
    known = {w.lower()[:4] for w in _WORD.findall(f"{request.customer_message or ''} {request.draft}")}
    words = [w.lower()[:4] for w in _WORD.findall(sentence) if len(w) > 3 and w.lower() not in filler]
    return sum(w in known for w in words) / len(words) if words else 0.0


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
    failed_before = {f.rule_id for f in without.failures}
    for option in options:
        if unfit(option, request, language) is not None:
            continue
        report = checked(option)
        if {f.rule_id for f in report.failures} <= failed_before:
            return option, report
    return None


def skip_reason(request: RewriteRequest, opening: str, language: str) -> str | None:
    """Why the model need not be asked: no customer message to hear, or the draft already acknowledges."""
    if not (request.customer_message or "").strip():
        return "no customer message"
    if not supported(language):
        return f"no acknowledgement sentence for language {language!r} in prompts/acknowledge.yaml"
    if lexicon(language, "acknowledgement").search(opening):
        return "the draft already acknowledges the customer"
    return None
