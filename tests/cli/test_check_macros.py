"""`rewriter check-macros` and the `rewriter-check` pre-commit hook that runs it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rewriter.cli import app
from rewriter.errors import ExitCode

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()
GOOD = "---\nchannel: chat\nname: Sam\n---\nHi Sam! Open https://example.com/reset and set a new password.\n"
BAD = "---\nchannel: email\n---\nHi,\n\nAs I said before, open https://example.com/reset.\n\nThanks,\nLena\n"


def test_passing_files_are_quiet_and_a_failing_one_shows_its_table(tmp_path: Path) -> None:
    good, bad = tmp_path / "good.md", tmp_path / "bad.md"
    good.write_text(GOOD, encoding="utf-8")
    bad.write_text(BAD, encoding="utf-8")
    assert runner.invoke(app, ["check-macros", str(good)]).exit_code == 0
    result = runner.invoke(app, ["check-macros", str(good), str(bad)], env={"COLUMNS": "200"})
    assert result.exit_code == ExitCode.CHECK_FAILED == 7
    assert f"{bad} (email): a must rule fails" in result.stdout and str(good) not in result.stdout
    assert "tone.no-blame" in result.stdout and '"As I said before"' in result.stdout
    assert "1 of 2 macro file(s) fail a must rule" in result.stderr


def test_a_bad_front_matter_stops_the_run_with_the_file_named(tmp_path: Path) -> None:
    typo = tmp_path / "typo.md"
    typo.write_text("---\nchanel: chat\n---\nHi", encoding="utf-8")
    result = runner.invoke(app, ["check-macros", str(typo)])
    assert result.exit_code == ExitCode.USAGE == 2
    assert f"{typo}: front matter: unknown key 'chanel'" in result.stderr


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, timeout=60)


@pytest.mark.tool
@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_the_pre_commit_hook_fails_a_commit_with_a_scolding_macro(tmp_path: Path) -> None:
    """The real pre-commit, reading this repository's .pre-commit-hooks.yaml, in a new repository."""
    repo = tmp_path / "team"
    (repo / "macros").mkdir(parents=True)
    (repo / "macros" / "reset.md").write_text(GOOD, encoding="utf-8")
    (repo / "README.md").write_text("As I said before, this is no macro.\n", encoding="utf-8")  # not matched
    _git(repo, "init", "-q")
    who = {f"GIT_{role}_{part}": value for role in ("AUTHOR", "COMMITTER")
           for part, value in (("NAME", "t"), ("EMAIL", "t@example.com"))}  # fmt: skip
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "cache"), **who}
    pre_commit = [sys.executable, "-m", "pre_commit", "try-repo", str(ROOT), "rewriter-check"]

    def hook(*files: str) -> subprocess.CompletedProcess[str]:
        _git(repo, "add", "-A")
        return subprocess.run(
            [*pre_commit, "--files", *files], cwd=repo, env=env, capture_output=True, text=True, timeout=900
        )

    passed = hook("macros/reset.md", "README.md")
    assert passed.returncode == 0, passed.stdout + passed.stderr
    (repo / "macros" / "scold.md").write_text(BAD, encoding="utf-8")
    failed = hook("macros/reset.md", "macros/scold.md")
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "macros/scold.md (email): a must rule fails" in failed.stdout and "tone.no-blame" in failed.stdout
