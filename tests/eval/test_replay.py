"""The committed recording of the whole golden suite replays offline and reproduces the baseline."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

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


# the default (draft-first), the parts pipeline it replaced, and the plain-prompt anchor
# The parts pipeline's replay is the slowest test (its 65 cases are revised and mended):
# marked slow, it runs in .ci/run, not in the default run.
@pytest.mark.parametrize("name", ["draft-first", pytest.param("local", marks=pytest.mark.slow), "plain"])
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
    assert replay.meta.pipeline == ("plain" if name == "plain" else "rewriter")
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


CUSTOMER = (
    "My files are gone! Write to me at dana.k@mailbox.test or call +44 20 7946 0958. "
    "I paid with 4111 1111 1111 1111 and want to know if my backups are lost."
)
SUPPORT_DRAFT = (
    "Hi Dana,\n\nYour backups are kept for 30 days. Restore them from Settings > Backups, "
    "or write to support@example.com.\n\nThanks,\nLena"
)


@pytest.mark.block_network(allowed_hosts=["127.0.0.1"])
def test_a_recording_masks_the_customers_data_keeps_the_drafts_facts_and_replays(
    fault_server: Any, tmp_path: Path
) -> None:
    from rewriter.config import Settings
    from rewriter.eval.cases import GoldenCase, Suite

    case = GoldenCase.model_validate({
        "id": "pii", "tags": {"scenario": "backups", "emotion": "worried", "flaws": ["none"]},
        "customer_name": "Dana", "customer": CUSTOMER, "draft": SUPPORT_DRAFT,
        "facts": ["30 days", "Settings > Backups", "support@example.com"],
    })  # fmt: skip
    suite = Suite(cases=[case], hash="pii", files=[])
    parts = {
        **fault_server.parts,
        "closing": "Write to support@example.com; we reply to dana.k@mailbox.test.",
    }
    fault_server.answer(json.dumps(parts))
    settings = Settings(base_url=fault_server.base_url, model="local", response_format="text", max_retries=0)
    scoring = load_scoring(EVALS / "scoring.yaml")
    recorded = run_suite(
        suite, RunOptions(settings=settings, cassettes=tmp_path, record_mode="new_episodes"), scoring
    )
    sent = json.dumps([r.body for r in fault_server.completions])
    assert "dana.k@mailbox.test" in sent  # the model saw the real message; only the recording is masked
    text = (tmp_path / "pii" / "repeat-0.yaml").read_text(encoding="utf-8")
    for personal in ("dana.k@mailbox.test", "+44 20 7946 0958", "4111 1111 1111 1111", "7946"):
        assert personal not in text
    assert "<email:1>" in text and "<phone:1>" in text and "<card:1>" in text
    assert "support@example.com" in text and "30 days" in text  # the draft's facts, verbatim
    seen = len(fault_server.requests)
    replayed = run_suite(
        suite, RunOptions(settings=settings, cassettes=tmp_path, record_mode="none"), scoring
    )
    assert len(fault_server.requests) == seen  # nothing reached the server
    assert replayed.results[0].status == recorded.results[0].status
    assert "support@example.com" in (replayed.results[0].reply or "")


def test_masking_can_be_turned_off_for_a_recording(fault_server: Any, tmp_path: Path) -> None:
    from rewriter.eval.redact import Redactor, enabled

    assert enabled({}) and enabled({"REWRITER_REDACT": "1"}) and not enabled({"REWRITER_REDACT": "off"})
    redactor = Redactor.for_case(CUSTOMER, [SUPPORT_DRAFT])
    assert set(redactor.values.values()) == {"<email:1>", "<phone:1>", "<card:1>"}
    assert redactor.text(redactor.text(CUSTOMER)) == redactor.text(CUSTOMER)  # masking twice: no change
    kept = Redactor.for_case(
        "call me on +1 555-0117 or at ops@example.com", ["Store: +1 555-0117, ops@example.com"]
    )
    assert not kept  # what the draft itself holds is never masked
