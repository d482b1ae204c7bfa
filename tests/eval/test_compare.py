"""Comparison: paired by case, noise told apart by a bootstrap, a regression gates."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pytest
from typer.testing import CliRunner

from rewriter.cli import app
from rewriter.errors import InputError
from rewriter.eval.compare import compare_runs

N = 30


def test_a_run_compared_with_itself_has_no_delta_and_no_regression(runs: SimpleNamespace) -> None:
    base = runs.run([runs.result(i, blame=i % 3 == 0) for i in range(1, N + 1)], N)
    same = compare_runs(base, base)
    assert not same.regressions and not same.broke and not same.fixed
    assert all(d.delta == 0 and d.low == 0 and d.high == 0 for d in [*same.overall, *same.scorers])


def test_blame_coming_back_in_most_cases_is_a_regression_naming_the_rule(runs: SimpleNamespace) -> None:
    base = runs.run([runs.result(i, blame=False) for i in range(1, N + 1)], N)
    worse = runs.run([runs.result(i, blame=i % 4 != 0) for i in range(1, N + 1)], N)
    c = compare_runs(base, worse)
    assert {"rule:tone.no-blame", "case pass rate", "mean case score"} <= set(c.regressions)
    assert "facts" not in c.regressions  # unchanged scorers are not blamed
    blame = next(d for d in c.scorers if d.metric == "rule:tone.no-blame")
    assert blame.base == 1.0 and blame.candidate == pytest.approx(7 / 30, abs=1e-4) and blame.high < 0
    assert len(c.broke) == 23 and all(f.failing == ["rule:tone.no-blame"] for f in c.broke)
    assert "expect:tone.calm" not in {d.metric for d in c.scorers}  # never scored: not compared


def test_one_flipped_case_in_thirty_is_noise(runs: SimpleNamespace) -> None:
    base = runs.run([runs.result(i, blame=False) for i in range(1, N + 1)], N)
    one = runs.run([runs.result(i, blame=i == 5) for i in range(1, N + 1)], N)
    c = compare_runs(base, one, threshold=0.0)
    blame = next(d for d in c.scorers if d.metric == "rule:tone.no-blame")
    assert blame.delta < 0 and not blame.beyond_noise and not c.regressions
    assert [f.case_id for f in c.broke] == ["case-5"]


def test_repeats_are_averaged_within_a_case(runs: SimpleNamespace) -> None:
    base = runs.run([runs.result(1, blame=False, repeat=r) for r in range(3)], 1)
    flaky = runs.run([runs.result(1, blame=r == 0, repeat=r) for r in range(3)], 1)
    c = compare_runs(base, flaky)
    blame = next(d for d in c.scorers if d.metric == "rule:tone.no-blame")
    assert blame.cases == 1 and blame.candidate == pytest.approx(2 / 3, abs=1e-4)
    assert not c.broke  # 2 of 3 repeats still pass: the case did not flip


def test_runs_over_different_suites_are_refused_unless_allowed(runs: SimpleNamespace) -> None:
    base = runs.run([runs.result(i, blame=False) for i in range(1, 4)], 3)
    other = runs.run([runs.result(i, blame=False) for i in range(2, 5)], 4, suite_hash="s2")
    with pytest.raises(InputError, match="differ in their suite .* --allow-suite-change"):
        compare_runs(base, other)
    c = compare_runs(base, other, allow_suite_change=True)
    assert c.suite_changed and c.overall[0].cases == 2  # case-2 and case-3 only


def test_the_cli_gate_exits_8_and_prints_the_table(runs: SimpleNamespace, tmp_path: Path) -> None:
    base = runs.run([runs.result(i, blame=False) for i in range(1, N + 1)], N)
    worse = runs.run([runs.result(i, blame=i % 4 != 0) for i in range(1, N + 1)], N)
    (tmp_path / "base.json").write_text(base.model_dump_json(), encoding="utf-8")
    (tmp_path / "cand.json").write_text(worse.model_dump_json(), encoding="utf-8")
    args = ["eval", "compare", str(tmp_path / "base.json"), str(tmp_path / "cand.json")]
    advisory = CliRunner().invoke(app, args)
    assert advisory.exit_code == 0 and "**Regression**" in advisory.stdout
    gated = CliRunner().invoke(app, [*args, "--fail-on-regression"])
    assert gated.exit_code == 8 and "regression: case pass rate" in gated.stderr
    assert "| `rule:tone.no-blame` | 30 | 1.000 | 0.233 | -0.767 |" in gated.stdout
    same = ["eval", "compare", str(tmp_path / "base.json"), str(tmp_path / "base.json")]
    itself = CliRunner().invoke(app, [*same, "--fail-on-regression", "--format", "json"])
    assert itself.exit_code == 0 and json.loads(itself.stdout)["regressions"] == []
