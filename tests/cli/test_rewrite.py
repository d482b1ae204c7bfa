"""The command line: exit codes, streams, and end-to-end runs replayed from cassettes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from rewriter import __version__
from rewriter.cli import app
from rewriter.errors import ExitCode
from rewriter.llm import ChatClient

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
runner = CliRunner()


@pytest.fixture
def cli_backend(backend: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> list[str]:
    monkeypatch.setenv("REWRITER_API_KEY", backend["api_key"])
    monkeypatch.setenv("REWRITER_MAX_RETRIES", str(backend["max_retries"]))
    return ["--base-url", backend["base_url"], "--model", backend["model"]]


@pytest.fixture
def no_model_calls(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a model call was made")

    monkeypatch.setattr(ChatClient, "complete", refuse)
    monkeypatch.setattr(ChatClient, "model_name", refuse)


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and result.stdout.strip() == f"rewriter {__version__}"


def test_help_documents_exit_codes() -> None:
    result = runner.invoke(app, ["rewrite", "--help"])
    assert result.exit_code == 0
    assert "6 reply still unfaithful" in " ".join(result.stdout.split())


@pytest.mark.vcr
def test_rewrite_prints_the_reply_and_a_report(cli_backend: list[str]) -> None:
    args = [
        "rewrite",
        str(EXAMPLES / "backup-draft.txt"),
        "--customer-file",
        str(EXAMPLES / "backup-message.txt"),
        "--name",
        "Dana",
        *cli_backend,
    ]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Hi Dana,")
    assert "30 days" in result.stdout and "Settings > Backups" in result.stdout and "#48213" in result.stdout
    assert "kept all 3 facts" in result.stderr
    assert "kept all 3 facts" not in result.stdout
    assert "warning" not in result.stderr  # an "ok" and a warning never stand side by side


@pytest.mark.vcr
def test_rewrite_json_has_report_and_prompt_version(cli_backend: list[str]) -> None:
    args = [
        "rewrite",
        "-",
        "--customer",
        "Where is my refund? Order ABC-123.",
        "--name",
        "Sam",
        "--channel",
        "chat",
        "--json",
        *cli_backend,
    ]
    draft = "Refunds take 5 business days after we receive the return. Order ABC-123."
    result = runner.invoke(app, args, input=draft)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["status"] == "rewritten"
    assert data["draft"] == draft
    assert data["report"]["facts_checked"] == ["5 business days", "ABC-123"]
    assert {f["rule_id"] for f in data["report"]["findings"]} >= {
        "faithfulness.keep-facts",
        "faithfulness.no-invented-facts",
        "tone.no-blame",
        "assertive.next-step",
    }
    assert len(data["prompt_version"]) == 12
    assert data["channel"] == "chat"


@pytest.mark.vcr
def test_diff_shows_draft_against_reply(cli_backend: list[str]) -> None:
    args = ["rewrite", str(EXAMPLES / "backup-draft.txt"), "--diff", "--quiet", *cli_backend]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("--- draft\n+++ reply\n")
    assert "-As I said before" in result.stdout
    assert result.stderr == ""


@pytest.mark.parametrize(
    ("content", "code", "message"),
    [
        (b"", ExitCode.USAGE, "is empty"),
        (b"  \n\t\n", ExitCode.USAGE, "is empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00IHDR", ExitCode.USAGE, "binary"),
        ("Café fermé".encode("latin-1"), ExitCode.USAGE, "not valid UTF-8"),
        (b"word " * 420_000, ExitCode.INPUT_TOO_LONG, "limit is"),
    ],
    ids=["empty", "whitespace", "binary", "latin1", "2MB"],
)
def test_bad_drafts_fail_clearly_without_a_model_call(
    tmp_path: Path, no_model_calls: None, content: bytes, code: ExitCode, message: str
) -> None:
    path = tmp_path / "draft.txt"
    path.write_bytes(content)
    result = runner.invoke(app, ["rewrite", str(path), "--base-url", "http://127.0.0.1:9/v1"])
    assert result.exit_code == code
    assert message in result.stderr
    assert result.stdout == ""


def test_missing_backend_is_a_configuration_error(tmp_path: Path) -> None:
    path = tmp_path / "draft.txt"
    path.write_text("Restore from Settings > Backups.", encoding="utf-8")
    result = runner.invoke(app, ["rewrite", str(path)])
    assert result.exit_code == ExitCode.CONFIG
    assert "OPENAI_API_KEY" in result.stderr and "--base-url" in result.stderr
    # stdout is not a terminal here, so the untouched draft is passed through for pipes.
    assert result.stdout.strip() == "Restore from Settings > Backups."


def test_conflicting_options_are_usage_errors(tmp_path: Path) -> None:
    path = tmp_path / "draft.txt"
    path.write_text("hello", encoding="utf-8")
    result = runner.invoke(app, ["rewrite", str(path), "--customer", "a", "--customer-file", str(path)])
    assert result.exit_code == ExitCode.USAGE
    result = runner.invoke(app, ["rewrite", str(path), "--channel", "fax"])
    assert result.exit_code == ExitCode.USAGE


def test_json_error_carries_the_draft(tmp_path: Path) -> None:
    path = tmp_path / "draft.txt"
    path.write_text("Keep ticket #48213.", encoding="utf-8")
    result = runner.invoke(app, ["rewrite", str(path), "--json"])
    assert result.exit_code == ExitCode.CONFIG
    data = json.loads(result.stdout)
    assert data["error"]["type"] == "ConfigError" and data["draft"] == "Keep ticket #48213."


def test_bad_customer_file_prints_no_draft(tmp_path: Path) -> None:
    draft = tmp_path / "draft.txt"
    draft.write_text("Keep ticket #48213.", encoding="utf-8")
    result = runner.invoke(app, ["rewrite", str(draft), "--customer-file", str(tmp_path / "missing.txt")])
    assert result.exit_code == ExitCode.USAGE
    assert "missing.txt: no such file" in result.stderr and result.stdout == ""


def test_rewrite_refuses_a_broken_team_file_before_any_model_call(
    tmp_path: Path, no_model_calls: None
) -> None:
    draft = tmp_path / "draft.txt"
    draft.write_text("Keep ticket #48213.", encoding="utf-8")
    team = tmp_path / "team.yaml"
    team.write_text("disable: [tone.nope]\n", encoding="utf-8")
    result = runner.invoke(
        app, ["rewrite", str(draft), "--guidance", str(team), "--base-url", "http://127.0.0.1:9/v1"]
    )
    assert result.exit_code == ExitCode.CONFIG
    assert "tone.nope" in result.stderr


def test_a_failing_report_prints_a_warning_and_never_ok() -> None:
    from rich.console import Console

    from rewriter.cli.rewrite import _print_result
    from rewriter.models import Channel, CheckReport, Finding, RewriteResult, RewriteStatus, Usage, Verdict

    def printed(findings: list[Finding]) -> str:
        result = RewriteResult(
            status=RewriteStatus.NEEDS_REVIEW, reply="Hi.", next_steps=[], changes=[],
            report=CheckReport(findings=findings), attempts=1, usage=Usage(), cost_usd=0.0, model="m",
            prompt_version="x", response_format="text", draft="Hi.", channel=Channel.EMAIL,
        )  # fmt: skip
        console = Console(record=True, width=200)
        _print_result(result, as_json=False, diff=False, err=console)
        return console.export_text()

    echo = Finding(rule_id="tone.no-echo", verdict=Verdict.FAIL, message="copies the customer's message back")
    failing = printed([echo])
    assert "warning" in failing and "copies the customer's message back" in failing and "ok:" not in failing
    unsure = Finding(rule_id="faithfulness.same-language", verdict=Verdict.UNSCORED, message="too short")
    passing = printed([unsure])
    assert "ok:" in passing and "warning" not in passing
    assert "not checked (could not decide): faithfulness.same-language" in passing
