"""The README is part of the product: its commands must exist and match CI."""

from __future__ import annotations

import re
from pathlib import Path

import typer.main
from typer.testing import CliRunner

from rewriter.cli import app

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def readme_command(tag: str) -> str:
    match = re.search(rf"<!-- {tag} -->\n```bash\n(.+?)\n```", README, re.DOTALL)
    assert match, f"README has no {tag}"
    return match.group(1)


def test_readme_has_the_two_setup_commands() -> None:
    assert "pip install --no-cache-dir '.[local]'" in readme_command("main-command")
    assert "rewriter rewrite examples/" in readme_command("main-command")
    assert readme_command("test-command").endswith(".venv/bin/pytest")


def test_ci_runs_the_readme_commands() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "readme_command test-command" in ci and "readme_command main-command" in ci


def test_every_command_has_help_and_is_documented() -> None:
    group = typer.main.get_group(app)
    names = list(group.commands)
    assert {"rewrite", "config", "local"} <= set(names)
    for name in names:
        assert f"rewriter {name}" in README, name
        result = CliRunner().invoke(app, [name, "--help"])
        assert result.exit_code == 0 and "Usage" in result.stdout


def test_every_rewrite_option_is_documented() -> None:
    command = typer.main.get_command(app).commands["rewrite"]  # type: ignore[attr-defined]
    for param in command.params:
        for opt in param.opts:
            if opt.startswith("--") and opt != "--help":
                assert f"`{opt}" in README or f"{opt}`" in README or f" {opt} " in README, opt


def test_examples_exist_for_the_main_command() -> None:
    for path in re.findall(r"examples/[\w.-]+", readme_command("main-command")):
        assert (ROOT / path).is_file(), path
