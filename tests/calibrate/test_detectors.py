from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rewriter.calibrate.detectors import (
    acknowledgement_level,
    calibrate_detectors,
    exploration_level,
    politeness_score,
    spearman,
)
from rewriter.cli import app
from rewriter.errors import InputError

DATA = Path(__file__).resolve().parents[3] / "shared" / "data"


def write(tmp_path: Path) -> Path:
    epitome = [
        {"response_post": "I'm so sorry to hear that, it sounds awful.", "ER_level": 2, "EX_level": 0},
        {"response_post": "Go to the doctor.", "ER_level": 0, "EX_level": 0},
        {"response_post": "How are you feeling about it now?", "ER_level": 0, "EX_level": 2},
        {"response_post": "Good luck with it.", "ER_level": 1, "EX_level": 0},
    ]
    polite = [
        {"request": "Thanks! Could you please look at this?", "normalized_score": 1.2},
        {"request": "Why did you revert my edit?", "normalized_score": -1.0},
        {"request": "Can you check the link?", "normalized_score": 0.1},
    ]
    (tmp_path / "epitome-dev.jsonl").write_text("\n".join(json.dumps(r) for r in epitome), encoding="utf-8")
    (tmp_path / "politeness-dev.jsonl").write_text("\n".join(json.dumps(r) for r in polite), encoding="utf-8")
    return tmp_path


def test_detectors() -> None:
    assert acknowledgement_level("I'm so sorry, that sounds awful.") == 2
    assert acknowledgement_level("Restart the router.") == 0
    assert exploration_level("No questions here.") == 0
    assert exploration_level("Why?") == 1
    assert exploration_level("How are you feeling about it?") == 2
    assert politeness_score("Thanks! Could you please help?") > politeness_score("Why is this broken??")


def test_spearman_matches_known_values() -> None:
    assert spearman([1, 2, 3, 4], [10, 20, 30, 40]) == pytest.approx(1.0)
    assert spearman([1, 2, 3, 4], [4, 3, 2, 1]) == pytest.approx(-1.0)
    assert spearman([1, 2, 2, 3], [1, 3, 2, 4]) == pytest.approx(0.9486832980505138)  # numpy on the ranks


def test_calibration_figures_on_a_small_labelled_set(tmp_path: Path) -> None:
    figures = {(f.detector, f.metric): f.value for f in calibrate_detectors(write(tmp_path))}
    # ER: rows 1 and 4 are positive and both detected; no false positive.
    assert figures[("acknowledgement", "precision (level>=1)")] == 1.0
    assert figures[("acknowledgement", "recall (level>=1)")] == 1.0
    assert figures[("exploration", "F1 (level>=1)")] == 1.0
    assert figures[("politeness", "Spearman")] == pytest.approx(1.0)


def test_cli_calibrate(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["calibrate", "--data", str(write(tmp_path))])
    assert result.exit_code == 0 and "EPITOME ER" in result.stdout and "Spearman" in result.stdout
    missing = CliRunner().invoke(app, ["calibrate", "--data", str(tmp_path / "none")])
    assert missing.exit_code == 2 and "not found" in missing.stderr


@pytest.mark.skipif(not DATA.exists(), reason="../shared/data is not present")
def test_real_data_runs() -> None:
    figures = calibrate_detectors(DATA)
    assert {f.rows for f in figures if f.labels.startswith("EPITOME")} == {2132}


@pytest.mark.parametrize(
    ("bad_line", "problem"),
    [
        ({"response_post": "Go to the doctor.", "EX_level": 0}, "line 2: field 'ER_level': Field required"),
        ({"response_post": "Ok.", "ER_level": "x", "EX_level": 0}, "line 2: field 'ER_level': Input should"),
        ('{"response_post": "cut off', "line 2: not valid JSON"),
    ],
)
def test_bad_calibration_rows_name_the_file_line_and_field(
    tmp_path: Path, bad_line: object, problem: str
) -> None:
    data = write(tmp_path)
    rows = (data / "epitome-dev.jsonl").read_text(encoding="utf-8").splitlines()
    rows[1] = bad_line if isinstance(bad_line, str) else json.dumps(bad_line)
    (data / "epitome-dev.jsonl").write_text("\n".join(rows), encoding="utf-8")
    with pytest.raises(InputError, match=problem):
        calibrate_detectors(data)
    result = CliRunner().invoke(app, ["calibrate", "--data", str(data)])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert f"epitome-dev.jsonl {problem}" in result.stderr and "fix or remove the row" in result.stderr


def test_unreadable_data_and_an_unwritable_rows_file_are_user_errors(tmp_path: Path) -> None:
    data = write(tmp_path)
    (data / "politeness-dev.jsonl").write_bytes(b'{"request": "caf\xe9", "normalized_score": 1}\n')
    result = CliRunner().invoke(app, ["calibrate", "--data", str(data)])
    assert result.exit_code == 2 and "politeness-dev.jsonl: cannot read the labelled rows" in result.stderr
    args = ["calibrate", "--data", str(write(tmp_path)), "--judge", "--rows-out", str(tmp_path / "no" / "x")]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2 and "--rows-out" in result.stderr and "pick a writable path" in result.stderr
