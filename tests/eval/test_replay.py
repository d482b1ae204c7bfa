"""The committed recording of the whole golden suite replays offline and reproduces the baseline."""

from __future__ import annotations

from pathlib import Path

import pytest

from rewriter.eval.cases import load_suite
from rewriter.eval.replay import replay_settings
from rewriter.eval.results import EvalRun
from rewriter.eval.runner import RunOptions, run_suite
from rewriter.eval.scorers import load_scoring

EVALS = Path(__file__).resolve().parents[2] / "evals"
RECORDING = EVALS / "cassettes" / "local"
BASELINE = EVALS / "baselines" / "local.json"
# What a replay cannot reproduce: how long the model took, and when the run started.
TIMING = {"latency_s", "cached"}


@pytest.mark.parametrize("name", ["local", "plain"])  # ours, and the plain-prompt anchor
def test_replaying_the_suite_reproduces_the_baseline_exactly(tmp_path: Path, name: str) -> None:
    recording = EVALS / "cassettes" / name
    baseline = EvalRun.model_validate_json((EVALS / "baselines" / f"{name}.json").read_text(encoding="utf-8"))
    options = RunOptions(
        settings=replay_settings(recording), repeats=baseline.meta.repeats,
        repeat_sample=baseline.meta.repeat_sample, cassettes=recording, record_mode="none",
        pipeline=baseline.meta.pipeline,
    )  # fmt: skip
    replay = run_suite(
        load_suite([EVALS]), options, load_scoring(EVALS / "scoring.yaml"), out=tmp_path / "r.json"
    )
    assert replay.meta.pipeline == name.replace("local", "rewriter")
    assert replay.meta.suite_hash == baseline.meta.suite_hash
    assert replay.meta.scoring_hash == baseline.meta.scoring_hash
    assert [(r.case_id, r.repeat) for r in replay.results] == [
        (r.case_id, r.repeat) for r in baseline.results
    ]
    for got, want in zip(replay.results, baseline.results, strict=True):
        assert got.model_dump(exclude=TIMING) == want.model_dump(exclude=TIMING), got.case_id
    skip = {"latency_median_s", "latency_p90_s", "cached"}
    assert replay.summary.model_dump(exclude=skip) == baseline.summary.model_dump(exclude=skip)


@pytest.mark.parametrize("mode", ["none"])
def test_a_request_that_is_not_recorded_stops_the_run_with_what_to_do(tmp_path: Path, mode: str) -> None:
    from rewriter.errors import ConfigError

    (tmp_path / "backend.json").write_text((RECORDING / "backend.json").read_text(encoding="utf-8"), "utf-8")
    suite = load_suite([EVALS / "golden" / "account.yaml"])
    options = RunOptions(settings=replay_settings(tmp_path), cassettes=tmp_path, record_mode=mode)  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="not in the cassette .*record it with --record-mode new_episodes"):
        run_suite(suite, options, load_scoring(EVALS / "scoring.yaml"))


def test_rescoring_the_baseline_changes_nothing_and_needs_no_model(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from rewriter.cli import app

    copy = tmp_path / "base.json"
    copy.write_text(BASELINE.read_text(encoding="utf-8"), encoding="utf-8")
    result = CliRunner().invoke(app, ["eval", "rescore", str(copy), "--scoring", str(EVALS / "scoring.yaml")])
    assert result.exit_code == 0, result.output
    again = EvalRun.model_validate_json(copy.read_text(encoding="utf-8"))
    assert again.results == EvalRun.model_validate_json(BASELINE.read_text(encoding="utf-8")).results
