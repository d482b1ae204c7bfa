"""The eval harness: golden cases, scorers, runs with repeats, offline replay, reports, comparison.

Example:
    >>> from pathlib import Path
    >>> from rewriter.eval import RunOptions, compare_runs, load_run, load_scoring, load_suite, run_suite
    >>> suite = load_suite([Path("evals")])  # doctest: +SKIP
    >>> scoring = load_scoring(Path("evals/scoring.yaml"))
    >>> run = run_suite(suite, RunOptions(settings=settings), scoring)  # doctest: +SKIP
    >>> compare_runs(load_run(Path("evals/baselines/local.json")), run).regressions  # doctest: +SKIP
"""

from rewriter.eval.cases import GoldenCase, Suite, load_suite
from rewriter.eval.compare import Comparison, compare_runs
from rewriter.eval.results import CaseResult, EvalRun, RunMeta, Summary, load_run
from rewriter.eval.runner import RunOptions, rescore, run_suite
from rewriter.eval.scorers import Outcome, Score, Scoring, load_scoring

__all__ = [
    "CaseResult",
    "Comparison",
    "EvalRun",
    "GoldenCase",
    "Outcome",
    "RunMeta",
    "RunOptions",
    "Score",
    "Scoring",
    "Suite",
    "Summary",
    "compare_runs",
    "load_run",
    "load_scoring",
    "load_suite",
    "rescore",
    "run_suite",
]
