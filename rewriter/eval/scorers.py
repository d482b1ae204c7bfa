"""Scorers: one contract, many judgements of a rewrite against its golden case.

A scorer gets the case, the reply and what the checker said about it, and returns
:class:`Score` objects: pass, fail, unscored, or a number, each with a reason and the
words it rests on. Unscored means the scorer could not tell (a judge that did not
answer, a rule that does not apply); it never counts as a fail and is reported as its
own count. Weights and thresholds come from ``evals/scoring.yaml``.
"""

from __future__ import annotations

import difflib
import hashlib
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from rewriter.check import occurs_in, score
from rewriter.errors import InputError
from rewriter.eval.cases import GoldenCase
from rewriter.models import Channel, CheckReport, Evidence, Severity, Verdict
from rewriter.text import numbered_lines


class Outcome(StrEnum):
    """What a scorer decided; ``number`` reports a value without a verdict."""

    PASS = "pass"
    FAIL = "fail"
    UNSCORED = "unscored"
    NUMBER = "number"


class Score(BaseModel):
    """One scorer's judgement of one reply."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    scorer: str
    outcome: Outcome
    value: float | None = None
    severity: Severity | None = None
    reason: str
    evidence: list[Evidence] = Field(default_factory=list)


class Thresholds(BaseModel):
    """Cut-offs of the numeric scorers."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    edit_size_max: float = Field(ge=0, le=1)
    balance_min: float = Field(ge=0, le=1)
    email_words_max: int = Field(gt=0)
    chat_words_max: int = Field(gt=0)
    social_chars_max: int = Field(gt=0)
    growth_max: float = Field(gt=0)


class Scoring(BaseModel):
    """The scoring file: weights per scorer family, gates and thresholds."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int
    weights: dict[str, float]
    gates: list[str]
    thresholds: Thresholds
    defects: list[str] = Field(default_factory=list, description="Rule ids the defects scorer counts.")
    hash: str = ""

    def weight(self, scorer: str) -> float:
        """The weight of a scorer, by its family (``rule:tone.no-blame`` -> ``rule``)."""
        return self.weights.get(scorer.split(":", 1)[0], 1.0)


def load_scoring(path: Path) -> Scoring:
    """Read ``scoring.yaml``; every error names the file and the field."""
    try:
        text = path.read_text(encoding="utf-8")
        raw: Any = yaml.safe_load(text)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise InputError(f"{path}: cannot read the scoring file: {exc}") from exc
    try:
        scoring = Scoring.model_validate(raw)
    except ValidationError as exc:
        err = exc.errors()[0]
        raise InputError(f"{path}: field {'.'.join(map(str, err['loc']))!r}: {err['msg']}") from exc
    unknown = [name for name in [*scoring.weights, *scoring.gates] if name not in FAMILIES]
    if unknown:
        raise InputError(f"{path}: no scorer {unknown[0]!r}; the scorers are {', '.join(FAMILIES)}")
    return scoring.model_copy(update={"hash": hashlib.sha256(text.encode()).hexdigest()[:12]})


class Scored(BaseModel):
    """What the scorers see: the case, the reply and the checker's report on it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    case: GoldenCase
    reply: str
    report: CheckReport


Scorer = Callable[[Scored, Scoring], list[Score]]


def _verdict(verdict: Verdict) -> Outcome:
    return {Verdict.PASS: Outcome.PASS, Verdict.FAIL: Outcome.FAIL}.get(verdict, Outcome.UNSCORED)


def rules(s: Scored, scoring: Scoring) -> list[Score]:
    """Every rule verdict of the checker (and judge); a rule that does not apply is left out."""
    return [
        Score(
            scorer=f"rule:{f.rule_id}",
            outcome=_verdict(f.verdict),
            severity=f.severity,
            reason=f.message,
            evidence=f.evidence,
        )  # fmt: skip
        for f in s.report.findings
        if f.verdict is not Verdict.NOT_APPLICABLE
    ]


def expected_rules(s: Scored, scoring: Scoring) -> list[Score]:
    """The rules the case says a good rewrite passes; one that does not apply is unscored."""
    found = {f.rule_id: f for f in s.report.findings}
    scores = []
    for rule_id in s.case.expect.rules:
        finding = found.get(rule_id)
        if finding is None:
            scores.append(
                Score(scorer=f"expect:{rule_id}", outcome=Outcome.UNSCORED, reason="rule not checked")
            )
            continue
        outcome = _verdict(finding.verdict)
        reason = finding.message if outcome is not Outcome.UNSCORED else f"cannot tell: {finding.message}"
        scores.append(
            Score(scorer=f"expect:{rule_id}", outcome=outcome, reason=reason, evidence=finding.evidence)
        )
    return scores


def facts(s: Scored, scoring: Scoring) -> list[Score]:
    """Every fact the case lists survives in the reply."""
    if not s.case.facts:
        return []
    missing = [fact for fact in s.case.facts if not occurs_in(fact, s.reply)]
    if not missing:
        return [Score(scorer="facts", outcome=Outcome.PASS, reason=f"kept all {len(s.case.facts)} facts")]
    starts = [s.case.draft.index(fact) for fact in missing]  # facts are in the draft (validated)
    evidence = [
        Evidence(text=fact, start=at, end=at + len(fact), source="draft")
        for fact, at in zip(missing, starts, strict=True)
    ]
    quoted = ", ".join(f'"{fact}"' for fact in missing)
    return [Score(scorer="facts", outcome=Outcome.FAIL, reason=f"lost {quoted}", evidence=evidence)]


def forbidden(s: Scored, scoring: Scoring) -> list[Score]:
    """Nothing the case forbids appears in the reply."""
    if not s.case.forbid:
        return []
    hits: list[Evidence] = []
    whys: list[str] = []
    for item in s.case.forbid:
        for m in item.pattern().finditer(s.reply):
            hits.append(Evidence(text=m.group(0), start=m.start(), end=m.end(), source="reply"))
            whys.append(f'"{m.group(0)}" ({item.why})')
    if not hits:
        return [
            Score(scorer="forbidden", outcome=Outcome.PASS, reason=f"none of {len(s.case.forbid)} forbidden")
        ]
    return [Score(scorer="forbidden", outcome=Outcome.FAIL, reason="; ".join(whys), evidence=hits)]


def numbered_steps(s: Scored, scoring: Scoring) -> list[Score]:
    """Steps numbered when the case expects them numbered, and not when it does not."""
    wanted = s.case.expect.numbered_steps
    if wanted is None:
        return []
    count = numbered_lines(s.reply)
    ok = count >= 2 if wanted else count == 0
    what = "numbered steps" if wanted else "no numbered steps"
    reason = f"{count} numbered line(s); the case expects {what}"
    return [Score(scorer="numbered_steps", outcome=Outcome.PASS if ok else Outcome.FAIL, reason=reason)]


def edit_ratio(draft: str, reply: str) -> float:
    """Word-level edit ratio: 0 when the words are the same, 1 when none are kept in order."""
    return 1.0 - difflib.SequenceMatcher(None, draft.split(), reply.split(), autojunk=False).ratio()


def edit_size(s: Scored, scoring: Scoring) -> list[Score]:
    """How much the rewrite changed the draft; a good draft should change little."""
    ratio = round(edit_ratio(s.case.draft, s.reply), 4)
    if not s.case.good_draft:
        return [
            Score(scorer="edit_size", outcome=Outcome.NUMBER, value=ratio, reason=f"edit ratio {ratio:.2f}")
        ]
    limit = scoring.thresholds.edit_size_max
    ok = ratio <= limit
    reason = (
        f"edit ratio {ratio:.2f} {'within' if ok else 'over'} {limit:.2f} for a draft that was already good"
    )
    return [
        Score(scorer="edit_size", outcome=Outcome.PASS if ok else Outcome.FAIL, value=ratio, reason=reason)
    ]


def length(s: Scored, scoring: Scoring) -> list[Score]:
    """The reply fits its channel and has not ballooned past the draft."""
    t = scoring.thresholds
    words, draft_words = len(s.reply.split()), max(len(s.case.draft.split()), 1)
    problems = []
    if s.case.channel is Channel.SOCIAL and len(s.reply) > t.social_chars_max:
        problems.append(f"{len(s.reply)} characters, over {t.social_chars_max}")
    limit = {Channel.EMAIL: t.email_words_max, Channel.CHAT: t.chat_words_max}.get(s.case.channel)
    if limit is not None and words > limit:
        problems.append(f"{words} words, over {limit} for {s.case.channel.value}")
    growth = words / draft_words
    if growth > t.growth_max:
        problems.append(f"{growth:.1f} times the draft's length, over {t.growth_max:g}")
    outcome = Outcome.FAIL if problems else Outcome.PASS
    reason = "; ".join(problems) or f"{words} words, {growth:.1f} times the draft"
    return [Score(scorer="length", outcome=outcome, value=round(growth, 3), reason=reason)]


def balance(s: Scored, scoring: Scoring) -> list[Score]:
    """Empathy and assertiveness both present: their harmonic mean, from the checker's scores."""
    value = score(s.report).balance
    if value is None:
        return [
            Score(scorer="balance", outcome=Outcome.UNSCORED, reason="empathy or assertiveness not scored")
        ]
    ok = value >= scoring.thresholds.balance_min
    reason = f"balance {value:.2f} ({'at least' if ok else 'under'} {scoring.thresholds.balance_min:.2f})"
    return [
        Score(
            scorer="balance",
            outcome=Outcome.PASS if ok else Outcome.FAIL,
            value=round(value, 4),
            reason=reason,
        )
    ]


def flagged_loss(s: Scored, scoring: Scoring) -> list[Score]:
    """A reply that lost a fact of the case is flagged by the checker: its "ok" is never a lie.

    Scored only when a fact was lost; passing means ``rewrite`` would not have said
    "ok" (a ``must`` rule failed, so the reply was returned for review).
    """
    missing = [fact for fact in s.case.facts if not occurs_in(fact, s.reply)]
    if not missing:
        return []
    if not s.report.passed:
        return [
            Score(scorer="flagged_loss", outcome=Outcome.PASS, reason=f"lost {len(missing)} fact(s), flagged")
        ]
    quoted = ", ".join(f'"{fact}"' for fact in missing)
    return [
        Score(
            scorer="flagged_loss", outcome=Outcome.FAIL, reason=f"lost {quoted}, yet every must rule passed"
        )
    ]


def defects(s: Scored, scoring: Scoring) -> list[Score]:
    """Whether the reply has a defect a support lead would not send (one of ``scoring.defects``)."""
    if not scoring.defects:
        return []
    failed = [
        f.rule_id for f in s.report.findings if f.rule_id in scoring.defects and f.verdict is Verdict.FAIL
    ]
    if not failed:
        return [Score(scorer="defects", outcome=Outcome.PASS, reason="none of the listed defects")]
    return [Score(scorer="defects", outcome=Outcome.FAIL, reason=", ".join(failed))]


SCORERS: dict[str, Scorer] = {
    "rule": rules,
    "expect": expected_rules,
    "facts": facts,
    "forbidden": forbidden,
    "numbered_steps": numbered_steps,
    "edit_size": edit_size,
    "length": length,
    "balance": balance,
    "flagged_loss": flagged_loss,
    "defects": defects,
}
FAMILIES = tuple(SCORERS)


def score_reply(scored: Scored, scoring: Scoring) -> list[Score]:
    """Every scorer's scores for one reply, in a fixed order."""
    return [item for scorer in SCORERS.values() for item in scorer(scored, scoring)]


def case_score(scores: list[Score], scoring: Scoring) -> tuple[float | None, bool]:
    """The weighted share of passed checks, and whether the case passes its gates.

    A case fails when a gated scorer fails or a ``must`` rule fails; unscored checks
    neither pass nor fail it.
    """
    total = passed = 0.0
    gate_failed = False
    for item in scores:
        if item.outcome not in (Outcome.PASS, Outcome.FAIL):
            continue
        weight = scoring.weight(item.scorer)
        total += weight
        passed += weight if item.outcome is Outcome.PASS else 0.0
        if item.outcome is Outcome.FAIL:
            family = item.scorer.split(":", 1)[0]
            gate_failed |= family in scoring.gates or item.severity is Severity.MUST
    return (round(passed / total, 4) if total else None), not gate_failed
