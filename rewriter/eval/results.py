"""The run file: what was run, on what, every case's result and scores, and the summary.

One typed file that every view reads (the reports, the comparison, a resumed run), so
a number in a pull-request comment can always be traced to the replies behind it. It
carries the cases themselves, so a report needs nothing but the run file.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from rewriter.errors import InputError
from rewriter.eval.cases import GoldenCase
from rewriter.eval.scorers import Outcome, Score
from rewriter.models import Usage

CaseStatus = Literal["rewritten", "unfaithful", "needs_review", "error"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RunMeta(_Model):
    """Everything that decides a run's numbers, so two runs can be told apart or compared."""

    model: str
    endpoint_host: str
    temperature: float
    seed: int | None
    response_format: str
    max_tokens: int
    repeats: int
    repeat_sample: int | None = None
    repeat_seed_step: int
    judge_model: str | None = None
    prompt_version: str
    rules_version: str
    package_version: str
    git_commit: str | None = None
    suite_hash: str
    scoring_hash: str
    started_at: str
    cassettes: str | None = None
    pipeline: Literal["rewriter", "plain"] = "rewriter"


class CaseResult(_Model):
    """One repeat of one case: the reply, its scores, and what it cost."""

    case_id: str
    repeat: int
    seed: int | None
    status: CaseStatus
    reply: str | None = None
    error: str | None = None
    scores: list[Score] = Field(default_factory=list)
    case_score: float | None = None
    passed: bool = False
    attempts: int = 0
    latency_s: float = 0.0
    usage: Usage = Field(default_factory=Usage)
    cost_usd: float = 0.0
    cached: bool = False


class ScorerSummary(_Model):
    """How one scorer (or rule) fared over every reply it scored."""

    passed: int = 0
    failed: int = 0
    unscored: int = 0

    @property
    def pass_rate(self) -> float | None:
        """Passed over scored; ``None`` when nothing was scored."""
        scored = self.passed + self.failed
        return self.passed / scored if scored else None


class Summary(_Model):
    """The run in a few numbers."""

    cases: int
    results: int
    errors: int
    passed: int
    pass_rate: float
    mean_score: float | None
    pass_hat_k: dict[str, float] = Field(
        default_factory=dict, description="Share of repeated cases that passed every one of their k repeats."
    )
    score_spread: float | None = Field(
        default=None, description="Mean over repeated cases of the standard deviation of the case score."
    )
    unscored: int
    scorers: dict[str, ScorerSummary]
    usage: Usage
    cost_usd: float
    latency_median_s: float | None
    latency_p90_s: float | None
    cached: int


class EvalRun(_Model):
    """A whole run: metadata, the cases, every result and the summary."""

    meta: RunMeta
    cases: list[GoldenCase]
    results: list[CaseResult]
    summary: Summary
    wall_s: float = 0.0


def summarise(cases: list[GoldenCase], results: list[CaseResult]) -> Summary:
    """The summary of a run's results (in case order, then repeat)."""
    scorers: dict[str, ScorerSummary] = defaultdict(ScorerSummary)
    usage = Usage()
    unscored = 0
    for result in results:
        usage.merge(result.usage)
        for item in result.scores:
            entry = scorers[item.scorer]
            if item.outcome is Outcome.PASS:
                entry.passed += 1
            elif item.outcome is Outcome.FAIL:
                entry.failed += 1
            elif item.outcome is Outcome.UNSCORED:
                entry.unscored += 1
                unscored += 1
    by_case: dict[str, list[CaseResult]] = defaultdict(list)
    for result in results:
        by_case[result.case_id].append(result)
    pass_hat_k: dict[str, float] = {}
    spreads: list[float] = []
    for k in sorted({len(v) for v in by_case.values() if len(v) > 1}):
        group = [v for v in by_case.values() if len(v) == k]
        pass_hat_k[str(k)] = round(sum(all(r.passed for r in v) for v in group) / len(group), 4)
    for repeats in by_case.values():
        values = [r.case_score for r in repeats if r.case_score is not None]
        if len(repeats) > 1 and len(values) > 1:
            spreads.append(statistics.pstdev(values))
    scores = [r.case_score for r in results if r.case_score is not None]
    latencies = sorted(r.latency_s for r in results if not r.cached and r.status != "error")
    return Summary(
        cases=len(cases),
        results=len(results),
        errors=sum(r.status == "error" for r in results),
        passed=sum(r.passed for r in results),
        pass_rate=round(sum(r.passed for r in results) / len(results), 4) if results else 0.0,
        mean_score=round(statistics.fmean(scores), 4) if scores else None,
        pass_hat_k=pass_hat_k,
        score_spread=round(statistics.fmean(spreads), 4) if spreads else None,
        unscored=unscored,
        scorers=dict(sorted(scorers.items())),
        usage=usage,
        cost_usd=round(sum(r.cost_usd for r in results), 6),
        latency_median_s=round(statistics.median(latencies), 3) if latencies else None,
        latency_p90_s=round(latencies[min(len(latencies) - 1, int(0.9 * len(latencies)))], 3)
        if latencies
        else None,
        cached=sum(r.cached for r in results),
    )


def load_run(path: Path) -> EvalRun:
    """A run file read back, with an error that says which file is not one.

    Raises:
        InputError: The file cannot be read or is not a run file.
    """
    try:
        return EvalRun.model_validate_json(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(f"{path}: cannot read the run file ({exc.strerror})") from exc
    except ValueError as exc:
        first = str(exc).splitlines()[0]
        raise InputError(f"{path}: not a rewriter eval run file ({first})") from exc
