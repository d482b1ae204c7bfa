"""Every command ends badly the same way: a user's mistake is a message, a bug says so."""

from __future__ import annotations

from typing import Any

import pytest
from typer.testing import CliRunner

from rewriter.cli import app
from rewriter.errors import ConfigError


def boom(*args: Any, **kwargs: Any) -> Any:
    raise RuntimeError("boom")


def test_a_bug_is_one_line_naming_itself_without_a_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("rewriter.cli.check.assess", boom)
    result = CliRunner().invoke(app, ["check", "-"], input="Hi Dana, restart the app.")
    assert result.exit_code == 1
    assert "internal error (RuntimeError: boom)" in result.stderr and "bug in rewriter" in result.stderr
    assert "Traceback" not in result.output and result.stdout == ""


@pytest.mark.parametrize("switch", [["--debug"], []])
def test_debug_shows_the_real_exception(monkeypatch: pytest.MonkeyPatch, switch: list[str]) -> None:
    monkeypatch.setattr("rewriter.cli.check.assess", boom)
    if not switch:
        monkeypatch.setenv("REWRITER_DEBUG", "1")
    result = CliRunner().invoke(app, [*switch, "check", "-"], input="Hi Dana, restart the app.")
    assert isinstance(result.exception, RuntimeError) and str(result.exception) == "boom"


def test_library_errors_become_their_message_and_exit_code(monkeypatch: pytest.MonkeyPatch) -> None:
    def unreachable(*args: Any, **kwargs: Any) -> Any:
        raise ConfigError("no model backend reachable at http://127.0.0.1:9/v1; start the server")

    monkeypatch.setattr("rewriter.cli.local.resolve_backend", unreachable)
    result = CliRunner().invoke(app, ["config"])
    assert result.exit_code == 3
    expected = "error: no model backend reachable at http://127.0.0.1:9/v1; start the server"
    assert result.stderr.strip() == expected


def test_an_unknown_rule_is_a_usage_error_everywhere(tmp_path: Any) -> None:
    shown = CliRunner().invoke(app, ["guidance", "show", "blame"])
    assert shown.exit_code == 2 and "error: no rule 'blame'; did you mean tone.no-blame?" in shown.stderr
    calibrated = CliRunner().invoke(app, ["calibrate", "--data", str(tmp_path), "--judge", "--rule", "blame"])
    assert calibrated.exit_code == 2 and "did you mean tone.no-blame?" in calibrated.stderr
