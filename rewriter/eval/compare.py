"""Compare two runs: per-scorer and overall deltas, flipped cases, and whether a delta is noise.

Cases differ far more from each other than a change moves any one of them, so deltas
are paired by case: each case's value (its repeats averaged) in the candidate minus
the same case in the baseline. Whether the mean of those paired deltas is beyond noise
is decided by a bootstrap over cases (resampling cases with their repeats folded in,
fixed seed, so the verdict is reproducible): a delta counts only when its 95% interval
excludes zero. It assumes no normal distribution, which pass rates over a few dozen
cases do not have.
"""

from __future__ import annotations

import random
import statistics
from collections import defaultdict
from collections.abc import Callable

from pydantic import BaseModel, ConfigDict

from rewriter.errors import InputError
from rewriter.eval.grades import ReviewedGrade, reply_hash
from rewriter.eval.results import CaseResult, EvalRun
from rewriter.eval.scorers import Outcome

BOOTSTRAP_ROUNDS = 2000
BOOTSTRAP_SEED = 7


class Delta(BaseModel):
    """One metric in both runs, the paired difference and its 95% bootstrap interval."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    metric: str
    cases: int
    base: float
    candidate: float
    delta: float
    low: float
    high: float

    @property
    def beyond_noise(self) -> bool:
        """True when the interval excludes zero."""
        return self.low > 0 or self.high < 0


class Flip(BaseModel):
    """A case that passed in one run and failed in the other."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    case_id: str
    base_pass_rate: float
    candidate_pass_rate: float
    failing: list[str]


class Comparison(BaseModel):
    """Everything ``rewriter eval compare`` reports, and the verdict."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    base_label: str
    candidate_label: str
    suite_changed: bool
    overall: list[Delta]
    scorers: list[Delta]
    broke: list[Flip]
    fixed: list[Flip]
    threshold: float
    regressions: list[str]
    reviewed: list[Delta] = []


def compare_runs(
    base: EvalRun,
    candidate: EvalRun,
    *,
    threshold: float = 0.05,
    allow_suite_change: bool = False,
    base_label: str = "base",
    candidate_label: str = "candidate",
    reviews: list[ReviewedGrade] | None = None,
) -> Comparison:
    """Compare ``candidate`` with ``base`` on the cases both ran.

    A regression is a metric whose paired delta is below ``-threshold`` and beyond noise.
    With ``reviews`` (committed blind-review grades), the reviewers' figures are shown
    beside the scorers' for the cases whose replies are graded in both runs: a grade
    follows its reply by hash, so a reply that did not change keeps its grade.

    Raises:
        InputError: The runs are over different suites or scoring files and
            ``allow_suite_change`` is not set, or they share no case.
    """
    changed = [
        what
        for what, a, b in (
            ("suite", base.meta.suite_hash, candidate.meta.suite_hash),
            ("scoring file", base.meta.scoring_hash, candidate.meta.scoring_hash),
        )
        if a != b
    ]
    if changed and not allow_suite_change:
        raise InputError(
            f"the runs differ in their {' and '.join(changed)} ({base_label} vs {candidate_label}), so their "
            "numbers are not comparable; pass --allow-suite-change to compare the cases they share"
        )
    a, b = _by_case(base.results), _by_case(candidate.results)
    shared = [case.id for case in base.cases if case.id in a and case.id in b]
    if not shared:
        raise InputError("the runs share no case; nothing to compare")
    overall = [
        _delta("case pass rate", shared, a, b, lambda r: 1.0 if r.passed else 0.0),
        _delta("mean case score", shared, a, b, lambda r: r.case_score),
    ]
    names = sorted({s.scorer for runs in (a, b) for rs in runs.values() for r in rs for s in r.scores})
    scorers = [d for name in names if (d := _scorer_delta(name, shared, a, b)) is not None]
    broke, fixed = _flips(shared, a, b)
    regressions = [d.metric for d in [*overall, *scorers] if d.delta < -threshold and d.high < 0]
    return Comparison(
        base_label=base_label, candidate_label=candidate_label, suite_changed=bool(changed), overall=overall,
        scorers=scorers, broke=broke, fixed=fixed, threshold=threshold, regressions=regressions,
        reviewed=_reviewed(shared, a, b, reviews or []),
    )  # fmt: skip


REVIEW_METRICS: dict[str, Callable[[ReviewedGrade], float]] = {
    "review: sendable": lambda g: float(g.sendable),
    "review: sent as is": lambda g: float(g.send == "as_is"),
    "review: better than the draft": lambda g: float(g.vs_draft == "better"),
    "review: worse than the draft": lambda g: float(g.vs_draft == "worse"),
    "review: empathy (0-2)": lambda g: float(g.empathy),
    "review: next steps (0-2)": lambda g: float(g.next_steps),
}


def _reviewed(
    cases: list[str],
    a: dict[str, list[CaseResult]],
    b: dict[str, list[CaseResult]],
    grades: list[ReviewedGrade],
) -> list[Delta]:
    """The reviewers' figures on the cases whose replies both runs have grades for."""
    by_reply: dict[str, list[ReviewedGrade]] = defaultdict(list)
    for grade in grades:
        by_reply[grade.reply_sha256].append(grade)
    if not by_reply:
        return []

    def graded(r: CaseResult) -> list[ReviewedGrade]:
        return by_reply.get(reply_hash(r.reply), []) if r.reply else []

    both = [c for c in cases if any(graded(r) for r in a[c]) and any(graded(r) for r in b[c])]
    deltas = []
    for metric, value in REVIEW_METRICS.items():

        def mean(r: CaseResult, value: Callable[[ReviewedGrade], float] = value) -> float | None:
            return _mean([value(g) for g in graded(r)])

        deltas.append(_delta(metric, both, a, b, mean))
    return deltas if both else []


def _by_case(results: list[CaseResult]) -> dict[str, list[CaseResult]]:
    grouped: dict[str, list[CaseResult]] = defaultdict(list)
    for result in results:
        grouped[result.case_id].append(result)
    return grouped


def _mean(values: list[float]) -> float | None:
    return statistics.fmean(values) if values else None


def _delta(
    metric: str,
    cases: list[str],
    a: dict[str, list[CaseResult]],
    b: dict[str, list[CaseResult]],
    value: Callable[[CaseResult], float | None],
) -> Delta:
    pairs = []
    for case in cases:
        x = _mean([v for r in a[case] if (v := value(r)) is not None])
        y = _mean([v for r in b[case] if (v := value(r)) is not None])
        if x is not None and y is not None:
            pairs.append((x, y))
    return _bootstrap(metric, pairs)


def _scorer_delta(
    name: str, cases: list[str], a: dict[str, list[CaseResult]], b: dict[str, list[CaseResult]]
) -> Delta | None:
    def outcome(r: CaseResult) -> float | None:
        for s in r.scores:
            if s.scorer == name and s.outcome in (Outcome.PASS, Outcome.FAIL):
                return 1.0 if s.outcome is Outcome.PASS else 0.0
        return None

    delta = _delta(name, cases, a, b, outcome)
    return delta if delta.cases else None


def _bootstrap(metric: str, pairs: list[tuple[float, float]]) -> Delta:
    if not pairs:
        return Delta(metric=metric, cases=0, base=0.0, candidate=0.0, delta=0.0, low=0.0, high=0.0)
    diffs = [y - x for x, y in pairs]
    rng = random.Random(BOOTSTRAP_SEED)
    means = sorted(statistics.fmean(rng.choices(diffs, k=len(diffs))) for _ in range(BOOTSTRAP_ROUNDS))
    low, high = means[int(0.025 * BOOTSTRAP_ROUNDS)], means[int(0.975 * BOOTSTRAP_ROUNDS) - 1]
    return Delta(
        metric=metric, cases=len(pairs), base=round(statistics.fmean(x for x, _ in pairs), 4),
        candidate=round(statistics.fmean(y for _, y in pairs), 4), delta=round(statistics.fmean(diffs), 4),
        low=round(low, 4), high=round(high, 4),
    )  # fmt: skip


def _flips(
    cases: list[str], a: dict[str, list[CaseResult]], b: dict[str, list[CaseResult]]
) -> tuple[list[Flip], list[Flip]]:
    broke: list[Flip] = []
    fixed: list[Flip] = []
    for case in cases:
        x = statistics.fmean(r.passed for r in a[case])
        y = statistics.fmean(r.passed for r in b[case])
        if (x >= 0.5) == (y >= 0.5):
            continue
        worse = b[case] if y < x else a[case]
        failing = sorted({s.scorer for r in worse for s in r.scores if s.outcome is Outcome.FAIL})
        flip = Flip(
            case_id=case, base_pass_rate=round(x, 4), candidate_pass_rate=round(y, 4), failing=failing
        )
        (broke if y < x else fixed).append(flip)
    return broke, fixed
