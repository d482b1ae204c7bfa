"""Run files for the report and compare tests, built from scores rather than a model."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from rewriter.eval.cases import GoldenCase
from rewriter.eval.results import CaseResult, EvalRun, RunMeta, summarise
from rewriter.eval.scorers import Outcome, Score
from rewriter.models import Evidence, Usage

META = RunMeta(
    model="local", endpoint_host="127.0.0.1:8080", temperature=0.2, seed=7, response_format="text",
    max_tokens=450, repeats=1, repeat_seed_step=1000, prompt_version="p1", rules_version="1-r",
    package_version="0.1.0", suite_hash="s1", scoring_hash="c1", started_at="2026-12-02T00:00:00+00:00",
)  # fmt: skip


def case(i: int) -> GoldenCase:
    return GoldenCase.model_validate(
        {
            "id": f"case-{i}",
            "tags": {"scenario": "double-charge", "emotion": "angry", "flaws": ["blaming"]},
            "customer": f"Charged twice <b>#{i}</b>!",
            "draft": f"As I said, the charge of ${i}.00 drops off in 5 to 7 days.",
        }
    )


def result(i: int, *, blame: bool, facts: bool = True, repeat: int = 0) -> CaseResult:
    reply = f"{'As I said, t' if blame else 'T'}he charge of ${i}.00 drops off in 5 to 7 days."
    scores = [
        Score(
            scorer="rule:tone.no-blame", outcome=Outcome.FAIL if blame else Outcome.PASS,
            reason="blaming" if blame else "no blame",
            evidence=[Evidence(text="As I said", start=0, end=9, source="reply")] if blame else [],
        ),
        Score(scorer="facts", outcome=Outcome.PASS if facts else Outcome.FAIL, reason="facts"),
        Score(scorer="expect:tone.calm", outcome=Outcome.UNSCORED, reason="cannot tell"),
    ]  # fmt: skip
    passed = not blame and facts
    return CaseResult(
        case_id=f"case-{i}", repeat=repeat, seed=7 + 1000 * repeat, status="rewritten", reply=reply,
        scores=scores, case_score=1.0 if passed else 0.5, passed=passed, attempts=1, latency_s=10.0 + i,
        usage=Usage(requests=1, prompt_tokens=900, completion_tokens=100),
    )  # fmt: skip


def run(results: list[CaseResult], count: int, **meta: object) -> EvalRun:
    cases = [case(i) for i in range(1, count + 1)]
    return EvalRun(
        meta=META.model_copy(update=meta), cases=cases, results=results, summary=summarise(cases, results)
    )


@pytest.fixture
def runs() -> SimpleNamespace:
    """The builders above, for tests that need run files without a model."""
    return SimpleNamespace(case=case, result=result, run=run, meta=META)
