"""rewriter.testing: the assertion a team's tests use, and the pytest plugin that hands it out."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from rewriter.models import CheckReport
from rewriter.testing import assert_meets_guidance

ROOT = Path(__file__).resolve().parents[1]
SCOLDING = (
    "Hi Sam,\n\nOpen https://example.com/reset and set a new password. As I said before, it works.\n\n"
    "Best regards,\nLena"
)


def test_a_reply_that_meets_the_guidance_returns_its_report() -> None:
    clean = "Hi Sam,\n\nOpen https://example.com/reset and set a new password.\n\nBest regards,\nLena"
    assert isinstance(assert_meets_guidance(clean, customer_name="Sam"), CheckReport)


def test_each_failing_rule_is_listed_with_its_words_and_fix() -> None:
    with pytest.raises(AssertionError) as caught:
        assert_meets_guidance(SCOLDING, customer_name="Sam")
    message = str(caught.value)
    assert message.startswith("the reply does not meet the guidance: 1 rule(s) failed")
    assert "- tone.no-blame (must): " in message
    start = SCOLDING.index("As I said before")
    assert f'evidence: "As I said before" (reply, characters {start}-{start + 16})' in message
    assert "fix: " in message


def test_a_draft_adds_the_faithfulness_checks_and_a_team_file_its_own_rules(tmp_path: Path) -> None:
    draft = "Hi Sam,\n\nYour refund of $40.00 goes out on Friday.\n\nLena"
    with pytest.raises(AssertionError, match=r"faithfulness\.keep-facts .*\n.*\$40\.00"):
        assert_meets_guidance(
            "Hi Sam,\n\nYour refund goes out on Friday.\n\nBest regards,\nLena", draft=draft
        )
    team = tmp_path / "team.yaml"
    team.write_text("rules:\n  - id: tone.no-blame\n    severity: should\n", encoding="utf-8")
    assert_meets_guidance(
        SCOLDING, customer_name="Sam", guidance=team
    )  # blame is only `should` for this team
    with pytest.raises(AssertionError, match=r"tone\.no-blame \(should\)"):
        assert_meets_guidance(SCOLDING, customer_name="Sam", guidance=team, include_should=True)


@pytest.mark.tool  # pytest in a subprocess: `.ci/run` runs it (-m tool)
def test_the_plugin_gives_pytest_the_fixture_and_its_failure_shows_the_evidence(tmp_path: Path) -> None:
    (tmp_path / "test_macro.py").write_text(
        "def test_macro(meets_guidance):\n"
        f"    meets_guidance({SCOLDING!r}, channel='email', customer_name='Sam')\n",
        encoding="utf-8",
    )
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
    run = subprocess.run(
        [*command, str(tmp_path), str(ROOT / "examples/pytest")], capture_output=True, text=True, timeout=120,
        cwd=tmp_path,
    )  # fmt: skip
    assert run.returncode == 1, run.stdout + run.stderr  # the scolding macro fails, the example passes
    assert "1 failed, 2 passed" in run.stdout, run.stdout
    assert 'evidence: "As I said before"' in run.stdout and "tone.no-blame (must)" in run.stdout
