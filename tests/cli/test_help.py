"""Every command's --help reads as written: no help text lost to markup, no stray space.

Rich reads "[env: X]" in a help string as a style tag and drops it, which left
"Model name ." in `rewriter eval run --help`; this walks every command, so a new
option's help is held to the same standard.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from rewriter.cli import app

runner = CliRunner()


def _commands(group: Any, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], Any]]:
    found = [(path, group)]
    for name, command in getattr(group, "commands", {}).items():  # a group, of typer's own kind
        if not command.hidden:
            found += _commands(command, (*path, name))
    return found


COMMANDS = _commands(typer.main.get_command(app))


def _flat(text: str) -> str:
    """The help as one line of words: panel borders and wrapping gone."""
    return " ".join(re.sub(r"[│╭╮╰╯─]", " ", text).split())


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=[" ".join(p) or "rewriter" for p, _ in COMMANDS])
def test_help_shows_every_help_text_whole(path: tuple[str, ...], command: Any) -> None:
    result = runner.invoke(app, [*path, "--help"], env={"COLUMNS": "200", "TERM": "dumb"})
    assert result.exit_code == 0, result.output
    shown = _flat(result.output)
    assert not re.search(r"\w \.(\s|$)|\w ,\s| \)", shown), shown  # "Model name ." and its kin
    for param in command.params:
        said = getattr(param, "help", None)
        if said:
            assert _flat(said.split("\n\n")[0]) in shown, (param.name, said)
    if command.help:
        first = _flat(command.help.split("\n\n")[0].split("\b")[0])
        assert first[:60] in shown, first
