"""Every fault has its class, its place under the root, its exit code, and its line in the README."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

import rewriter
from rewriter import errors
from rewriter.cli import app
from rewriter.errors import ExitCode, RewriterError

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")

# fault class -> (the class it specialises, its exit code)
FAULTS = {
    errors.KeyRejectedError: (errors.ConfigError, ExitCode.CONFIG),
    errors.AccessDeniedError: (errors.ConfigError, ExitCode.CONFIG),
    errors.UnknownModelError: (errors.ConfigError, ExitCode.CONFIG),
    errors.UnreachableError: (errors.ConfigError, ExitCode.CONFIG),
    errors.HostNotFoundError: (errors.UnreachableError, ExitCode.CONFIG),
    errors.EngineCrashedError: (errors.ConfigError, ExitCode.ENGINE_CRASHED),
    errors.RateLimitedError: (errors.LLMError, ExitCode.BACKEND),
    errors.ServerError: (errors.LLMError, ExitCode.BACKEND),
    errors.BackendTimeoutError: (errors.LLMError, ExitCode.BACKEND),
    errors.StreamDroppedError: (errors.LLMError, ExitCode.BACKEND),
    errors.ContextOverflowError: (errors.InputTooLongError, ExitCode.INPUT_TOO_LONG),
    errors.TruncatedAnswerError: (errors.ModelOutputError, ExitCode.MODEL_OUTPUT),
    errors.MalformedAnswerError: (errors.ModelOutputError, ExitCode.MODEL_OUTPUT),
    errors.EmptyAnswerError: (errors.ModelOutputError, ExitCode.MODEL_OUTPUT),
    errors.RefusalError: (errors.ModelOutputError, ExitCode.MODEL_OUTPUT),
}


@pytest.mark.parametrize(("fault", "parent", "code"), [(f, p, c) for f, (p, c) in FAULTS.items()])
def test_each_fault_has_its_parent_and_exit_code_and_keeps_the_draft(
    fault: type[RewriterError], parent: type[RewriterError], code: ExitCode
) -> None:
    error = fault("what happened; what to do", draft="the draft")
    assert isinstance(error, parent) and isinstance(error, RewriterError)
    assert error.exit_code is code and error.draft == "the draft" and error.draft_usable
    assert getattr(rewriter, fault.__name__) is fault  # part of the public API


def test_a_backend_that_failed_is_not_reported_as_unusable_output() -> None:
    assert errors.LLMError("x").exit_code is ExitCode.BACKEND
    assert errors.ModelOutputError("x").exit_code is ExitCode.MODEL_OUTPUT


def test_only_input_that_needs_fixing_is_not_handed_back() -> None:
    assert not errors.InputError("x").draft_usable
    assert errors.InputTooLongError("x").draft_usable and errors.ConfigError("x").draft_usable


def test_every_exit_code_is_documented_in_the_readme_and_the_help() -> None:
    table = README.split("Exit status:", 1)[1].split("Nothing is lost on failure", 1)[0]
    documented = {int(code) for code in re.findall(r"^\| (\d+) \|", table, re.MULTILINE)}
    assert documented == {int(code) for code in ExitCode}
    helped = " ".join(CliRunner().invoke(app, ["rewrite", "--help"]).stdout.split())
    for code in set(ExitCode) - {ExitCode.ERROR, ExitCode.REGRESSION}:  # the rewrite command's own
        assert re.search(rf"[:;] {int(code)} \w", helped), code


def test_every_fault_is_in_the_readme_fault_table() -> None:
    table = README.split("| fault | exception | exit | message |", 1)[1].split("\n\n", 1)[0]
    rows = re.findall(r"^\| [^|]+ \| `(\w+Error)`(?: \(`\w+`\))? \| (\d+) \|", table, re.MULTILINE)
    expected = {fault.__name__: int(code) for fault, (_, code) in FAULTS.items()}
    assert {name: int(code) for name, code in rows} == {**expected, "LLMError": ExitCode.BACKEND}
