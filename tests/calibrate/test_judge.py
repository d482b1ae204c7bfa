"""Judge calibration: the figures' arithmetic, the fixed sample, and a replayed run."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from rewriter.calibrate.judge import JudgedRow, calibrate_judge, judge_figures, kappa, sample_rows
from rewriter.cli import app
from rewriter.config import resolve_settings
from rewriter.llm import ChatClient
from rewriter.models import Verdict

ROWS = Path(__file__).resolve().parents[1] / "data" / "epitome-style.jsonl"


def data_dir(tmp_path: Path) -> Path:
    """A data folder holding the project's own EPITOME-shaped rows (never the real set)."""
    shutil.copy(ROWS, tmp_path / "epitome-dev.jsonl")
    polite = [
        {"request": "Thanks, could you look?", "normalized_score": 1.0},
        {"request": "Why?", "normalized_score": -1.0},
    ]
    (tmp_path / "politeness-dev.jsonl").write_text("\n".join(json.dumps(r) for r in polite), encoding="utf-8")
    return tmp_path


def row(gold: int, verdict: Verdict, detector: int = 0) -> JudgedRow:
    return JudgedRow(row_id="x", gold=gold, verdict=verdict, detector=detector, seconds=0.0)


def test_kappa_known_values() -> None:
    assert kappa([(1, 1), (0, 0), (2, 1), (0, 0)]) == pytest.approx(1.0)
    assert kappa([(1, 0), (0, 1)]) == pytest.approx(-1.0)
    # Always "yes" agrees with half of a balanced set, and no more than chance.
    assert kappa([(1, 1), (0, 1), (1, 1), (0, 1)]) == pytest.approx(0.0)
    # 3/4 observed, 1/2 by chance: (0.75 - 0.5) / 0.5.
    assert kappa([(1, 1), (1, 1), (0, 0), (0, 1)]) == pytest.approx(0.5)
    assert kappa([]) == 0.0


def test_unscored_rows_lower_coverage_and_are_never_counted_as_fails() -> None:
    rows = [
        row(2, Verdict.PASS, detector=1),
        row(0, Verdict.FAIL),
        row(1, Verdict.FAIL),
        row(0, Verdict.PASS, detector=1),
        row(1, Verdict.UNSCORED),
        row(0, Verdict.NOT_APPLICABLE),
    ]
    figures = {(f.detector, f.metric): (f.value, f.rows) for f in judge_figures(rows, "r")}
    assert figures[("judge r", "coverage (scored rows)")] == (pytest.approx(5 / 6), 6)
    # Scored: gold+ = rows 1 and 3; predicted + = rows 1 and 4. TP 1, FP 1, FN 1.
    assert figures[("judge r", "precision (level>=1)")] == (pytest.approx(0.5), 5)
    assert figures[("judge r", "recall (level>=1)")] == (pytest.approx(0.5), 5)
    # Always-pass on the five scored rows: P 2/5, R 1.
    assert figures[("always pass", "F1 (level>=1)")][0] == pytest.approx(2 * 0.4 / 1.4)
    assert figures[("acknowledgement", "F1 (level>=1)")][0] == pytest.approx(0.5)


def test_the_same_seed_picks_the_same_rows(tmp_path: Path) -> None:
    data = data_dir(tmp_path)
    first = [r.rp_id for r in sample_rows(data, 3, seed=7)]
    assert first == [r.rp_id for r in sample_rows(data, 3, seed=7)]
    assert len(set(first)) == 3
    assert len(sample_rows(data, 99, seed=7)) == 4  # a sample larger than the set takes it all


def client(backend: dict[str, Any]) -> ChatClient:
    settings, _ = resolve_settings({**backend, "response_format": "text"}, {})
    return ChatClient(settings)


@pytest.mark.vcr
def test_a_recorded_judge_run_scores_every_row(backend: dict[str, Any], tmp_path: Path) -> None:
    seen: list[tuple[int, int]] = []
    run = calibrate_judge(
        client(backend),
        data_dir(tmp_path),
        sample=4,
        seed=7,
        on_row=lambda done, total, _: seen.append((done, total)),
    )
    assert seen == [(1, 4), (2, 4), (3, 4), (4, 4)]
    assert sorted(r.row_id for r in run.rows) == ["r1", "r2", "r3", "r4"]
    assert run.usage.requests == 4 and run.usage.completion_tokens > 0
    # What the recorded judge said: r1 and r2 quoted their replies and passed; for r3 and
    # r4 it quoted the seeker's post, which is not in the reply, so they are unscored.
    verdicts = {r.row_id: (r.gold, r.verdict, r.detector) for r in run.rows}
    assert verdicts == {
        "r1": (2, Verdict.PASS, 2),
        "r2": (0, Verdict.PASS, 0),
        "r3": (1, Verdict.UNSCORED, 1),
        "r4": (0, Verdict.UNSCORED, 0),
    }
    # Worked by hand on the two scored rows (r1 gold yes, r2 gold no, both "pass"):
    # TP 1, FP 1, FN 0; agreement 1/2 equals chance 1/2 * 1 + 1/2 * 0, so kappa is 0.
    # The detector found r1's cues and none in r2: perfect on these two rows.
    figures = {(f.detector, f.metric): (round(f.value, 4), f.rows) for f in run.figures}
    judged = "judge empathy.specific-acknowledgement"
    assert figures == {
        (judged, "coverage (scored rows)"): (0.5, 4),
        (judged, "precision (level>=1)"): (0.5, 2),
        (judged, "recall (level>=1)"): (1.0, 2),
        (judged, "F1 (level>=1)"): (0.6667, 2),
        (judged, "Cohen's kappa"): (0.0, 2),
        ("always pass", "F1 (level>=1)"): (0.6667, 2),
        ("acknowledgement", "F1 (level>=1)"): (1.0, 2),
        ("acknowledgement", "Cohen's kappa"): (1.0, 2),
    }


@pytest.mark.vcr
def test_cli_calibrate_judge_prints_judge_and_references(backend_env: dict[str, str], tmp_path: Path) -> None:
    saved = tmp_path / "rows.jsonl"
    args = [
        "calibrate",
        "--data",
        str(data_dir(tmp_path)),
        "--judge",
        "--sample",
        "4",
        "--rows-out",
        str(saved),
    ]
    result = CliRunner().invoke(app, args, env=backend_env)
    assert result.exit_code == 0, result.output
    for expected in ("judge empathy.specific-acknowledgement", "Cohen's kappa", "always pass", "coverage"):
        assert expected in result.stdout
    assert "judge 4/4" in result.stderr and "4 request(s)" in result.stderr
    lines = [json.loads(line) for line in saved.read_text(encoding="utf-8").splitlines()]
    assert len(lines) == 4 and set(lines[0]) == {"row_id", "gold", "verdict", "detector", "seconds"}


def test_cli_calibrate_judge_rejects_an_unknown_rule_before_any_request(tmp_path: Path) -> None:
    args = ["calibrate", "--data", str(data_dir(tmp_path)), "--judge", "--rule", "empathy.nope"]
    env = {"REWRITER_BASE_URL": "http://127.0.0.1:9/v1", "REWRITER_API_KEY": "k", "REWRITER_MODEL": "m"}
    result = CliRunner().invoke(app, args, env=env)
    assert result.exit_code == 2 and "no rule 'empathy.nope'" in result.stderr
