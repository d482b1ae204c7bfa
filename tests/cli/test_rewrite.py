"""The command line: exit codes, streams, and end-to-end runs replayed from cassettes."""

from __future__ import annotations

import json
import re
import socket
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from rewriter import __version__
from rewriter.cli import app
from rewriter.errors import ExitCode
from rewriter.llm import ChatClient
from rewriter.prompts import load_yaml
from rewriter.rewrite.stake import in_second_person

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
runner = CliRunner()


@pytest.fixture
def cli_backend(backend: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> list[str]:
    monkeypatch.setenv("REWRITER_API_KEY", backend["api_key"])
    monkeypatch.setenv("REWRITER_MAX_RETRIES", str(backend["max_retries"]))
    monkeypatch.setenv("REWRITER_STRATEGY", backend["strategy"])
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
def test_the_default_reply_is_the_draft_cleaned_and_opened_by_the_situation_the_model_saw(
    cli_backend: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REWRITER_STRATEGY", "draft-first")  # the default, on the embedded model
    monkeypatch.setenv("REWRITER_RESPONSE_FORMAT", "text")  # as the embedded backend asks: no format probe
    draft, message = str(EXAMPLES / "backup-draft.txt"), str(EXAMPLES / "backup-message.txt")
    args = ["rewrite", draft, "--customer-file", message, "--name", "Dana", "--json", *cli_backend]
    result = runner.invoke(app, args)
    data = json.loads(result.stdout)
    assert result.exit_code == (0 if data["status"] == "rewritten" else 7), result.output
    reply = data["reply"]
    assert reply.startswith("Hi Dana,") and "As I said before" not in reply
    # The draft's own sentences, as the agent wrote them, minus the blame.
    assert (
        "The update didn't delete anything. Restore from Settings > Backups, backups are kept 30 days."
        in reply
    )
    assert "Ticket #48213." in reply
    # The one model request chose a situation and copied the customer's words for what is at
    # stake; the sentence is the data file's, with at most those words in its slot, or a
    # clause of the customer's said back in the second person.
    situations = load_yaml("acknowledge.yaml")["situations"].values()
    plain = {body["en"] for body in situations if "en" in body}
    frames = [
        (body[kind]["en"], slot)
        for body in situations
        for kind, slot in (("specific", "{stake}"), ("reflected", "{told}"))
        if "en" in body.get(kind, {})
    ]
    opening = reply.split("\n\n")[1]
    customer = in_second_person(" ".join(Path(message).read_text(encoding="utf-8").split()), "en").lower()
    assert opening in plain or any(_slot(f, opening, slot) in customer for f, slot in frames), opening
    assert data["usage"]["requests"] == 1
    changes = [c["change"] for c in data["changes"]]
    assert "opened by acknowledging the customer's situation" in changes
    assert any(c.lower().startswith('removed "as i said before"') for c in changes)


def _slot(frame: str, sentence: str, slot: str) -> str:
    """What fills the frame's slot in the sentence, lower case ("\0" if not of this frame)."""
    found = re.fullmatch(re.escape(frame).replace(re.escape(slot), "(.+)"), sentence)
    return found.group(1).lower() if found else "\0"


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


# Every fault, through the real CLI and the real openai client, against tests/faults.py.
on_loopback = pytest.mark.block_network(allowed_hosts=["127.0.0.1"])
KEY = "sk-test-0123456789abcdef"
# The fault server answers the parts the model writes; every request goes through one client either way.
FAST = {
    "REWRITER_MAX_RETRIES": "1",
    "REWRITER_MAX_RETRY_WAIT": "0",
    "REWRITER_TIMEOUT": "5",
    "REWRITER_STRATEGY": "parts",
}
OVERFLOW = "This model's maximum context length is 4096 tokens. However, you requested 5210 tokens."


def refused(server: Any, monkeypatch: pytest.MonkeyPatch) -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}/v1"


def unresolvable(server: Any, monkeypatch: pytest.MonkeyPatch) -> str:
    real = socket.getaddrinfo

    def resolve(host: Any, *args: Any, **kwargs: Any) -> Any:  # the resolver's answer, offline
        if str(host).endswith(".invalid"):
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    return "http://models.example.invalid/v1"


FAULTS = [
    pytest.param(
        lambda s, m: s.fail(401, "Incorrect API key provided"), {"REWRITER_API_KEY": KEY},
        "KeyRejectedError", ExitCode.CONFIG,
        "rejected the API key in REWRITER_API_KEY (HTTP 401); check REWRITER_API_KEY",
        id="401",
    ),
    pytest.param(
        lambda s, m: s.fail(401, "Missing bearer token"), {},
        "KeyRejectedError", ExitCode.CONFIG,
        "wants an API key (HTTP 401) and none is set; set REWRITER_API_KEY (or OPENAI_API_KEY)",
        id="401-no-key",
    ),
    pytest.param(
        lambda s, m: s.fail(403, "project has no access to model local"), {"OPENAI_API_KEY": KEY},
        "AccessDeniedError", ExitCode.CONFIG,
        "refused access (HTTP 403: project has no access to model local); check that the key in "
        "OPENAI_API_KEY may use the model 'local'",
        id="403",
    ),
    pytest.param(
        lambda s, m: s.fail(404, "model 'local' not found"), {},
        "UnknownModelError", ExitCode.CONFIG,
        "has no model 'local' or no such route (HTTP 404: model 'local' not found); check --model",
        id="404",
    ),
    pytest.param(
        lambda s, m: s.fail(429, "Rate limit reached", retry_after="90"), {"REWRITER_MAX_RETRY_WAIT": "30"},
        "RateLimitedError", ExitCode.BACKEND,
        "is rate-limiting requests (HTTP 429: Rate limit reached) and asks to wait 90s, more than "
        "REWRITER_MAX_RETRY_WAIT (30s); wait and try again, or raise REWRITER_MAX_RETRY_WAIT",
        id="429-past-bound",
    ),
    pytest.param(
        lambda s, m: s.fail(429, "Rate limit reached", retry_after="0.01", times=9),
        {"REWRITER_MAX_RETRY_WAIT": "1"},
        "RateLimitedError", ExitCode.BACKEND,
        "is rate-limiting requests (HTTP 429: Rate limit reached) (2 tries); wait and try again, or raise "
        "REWRITER_MAX_RETRIES (now 1)",
        id="429-never-clears",
    ),
    pytest.param(
        lambda s, m: s.fail(500, "CUDA out of memory", times=9), {},
        "ServerError", ExitCode.BACKEND,
        "failed (HTTP 500: CUDA out of memory) (2 tries); try again later, or look at the server's log",
        id="5xx",
    ),
    pytest.param(
        lambda s, m: s.slow(1.0, times=2), {"REWRITER_TIMEOUT": "0.1"},
        "BackendTimeoutError", ExitCode.BACKEND,
        "did not answer within 0.1s (2 tries); try again, or raise REWRITER_TIMEOUT",
        id="timeout",
    ),
    pytest.param(
        refused, {}, "UnreachableError", ExitCode.CONFIG,
        "(connection refused, 2 tries); start the server (`rewriter local start` for the embedded one) or "
        "fix --base-url / REWRITER_BASE_URL",
        id="refused",
    ),
    pytest.param(
        unresolvable, {}, "HostNotFoundError", ExitCode.CONFIG,
        "cannot find the host 'models.example.invalid' of http://models.example.invalid/v1/ (DNS lookup "
        "failed, 2 tries); check the host name in --base-url / REWRITER_BASE_URL",
        id="dns",
    ),
    pytest.param(
        lambda s, m: s.fail(400, OVERFLOW), {}, "ContextOverflowError", ExitCode.INPUT_TOO_LONG,
        f"the prompt does not fit the model's context window at {{url}} (HTTP 400: {OVERFLOW}); shorten the "
        "draft or the customer's message, or set REWRITER_CONTEXT_WINDOW",
        id="context-overflow",
    ),
    pytest.param(
        lambda s, m: s.answer('{"acknowledgement": "I under', finish_reason="length", times=2), {},
        "TruncatedAnswerError", ExitCode.MODEL_OUTPUT,
        "the model's answer was cut off at the limit of 700 output tokens, even after a repair request; "
        "raise REWRITER_MAX_TOKENS",
        id="truncated",
    ),
    pytest.param(
        lambda s, m: s.answer('{"acknowledgement": "Hi" "answer": "x"}', times=2), {},
        "MalformedAnswerError", ExitCode.MODEL_OUTPUT,
        "the model's answer was not the JSON asked for (invalid JSON: Expecting ',' delimiter",
        id="malformed",
    ),
    pytest.param(
        lambda s, m: s.answer("", times=2), {}, "EmptyAnswerError", ExitCode.MODEL_OUTPUT,
        "the model's answer was empty, even after a repair request; check that --model names a chat model",
        id="empty",
    ),
    pytest.param(
        lambda s, m: s.answer(None, refusal="I can't help with that.", times=2), {},
        "RefusalError", ExitCode.MODEL_OUTPUT,
        "the model declined to rewrite this draft: \"I can't help with that.\", even after a repair request; "
        "send the draft as it is",
        id="refusal",
    ),
    pytest.param(
        lambda s, m: s.drop(after=30, times=2), {}, "StreamDroppedError", ExitCode.BACKEND,
        "closed the stream mid-answer, after 24 characters (2 tries); try again",
        id="stream-dropped",
    ),
]  # fmt: skip


@on_loopback
@pytest.mark.parametrize(("setup", "env", "kind", "code", "says"), FAULTS)
def test_every_fault_is_typed_told_in_one_line_with_its_exit_code_and_keeps_the_draft(
    fault_server: Any, monkeypatch: pytest.MonkeyPatch, setup: Any, env: dict[str, str], kind: str,
    code: ExitCode, says: str,
) -> None:  # fmt: skip
    for as_json in (False, True):
        fault_server.steps.clear()
        url = setup(fault_server, monkeypatch) or fault_server.base_url
        args = ["rewrite", "-", "--base-url", url, "--model", "local", "--stream", *(["--json"] * as_json)]
        result = runner.invoke(app, args, input=fault_server.draft, env={**FAST, **env})
        assert result.exit_code == code, result.output
        message = says.format(url=f"{url}/")
        if as_json:  # the typed error, its message and exit code, and the draft, for programs
            data = json.loads(result.stdout)
            assert data["error"]["type"] == kind and data["error"]["exit_code"] == code
            assert message in data["error"]["message"] and "\n" not in data["error"]["message"]
            assert data["draft"] == fault_server.draft
        else:  # one line for the person; the draft on stdout, which is a pipe here
            errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
            assert len(errors) == 1 and message in errors[0], result.stderr
            assert result.stdout == fault_server.draft + "\n"
        assert "be shorter" not in result.output and "Traceback" not in result.output


LONG_DRAFT = "\n".join(
    f"Order #{70000 + i} left our warehouse on day {i} and is on its way to you." for i in range(400)
)


# What the embedded engine itself does, recorded on it, not the fault server's imitation.
@pytest.mark.vcr
@pytest.mark.parametrize(
    ("env", "draft", "kind", "code", "says"),
    [
        pytest.param(  # a window set larger than the engine's lets the prompt past our own count
            {"REWRITER_CONTEXT_WINDOW": "100000"}, LONG_DRAFT, "ContextOverflowError",
            ExitCode.INPUT_TOO_LONG, "does not fit the model's context window", id="context-overflow",
        ),
        pytest.param(
            {"REWRITER_MAX_TOKENS": "16"}, (EXAMPLES / "backup-draft.txt").read_text(encoding="utf-8"),
            "TruncatedAnswerError", ExitCode.MODEL_OUTPUT, "cut off at the limit of 16 output tokens",
            id="truncated",
        ),
    ],
)  # fmt: skip
def test_what_the_embedded_engine_refuses_is_typed_with_its_exit_code_and_keeps_the_draft(
    cli_backend: list[str], monkeypatch: pytest.MonkeyPatch, env: dict[str, str], draft: str, kind: str,
    code: ExitCode, says: str,
) -> None:  # fmt: skip
    for name, value in {**env, "REWRITER_RESPONSE_FORMAT": "text"}.items():
        monkeypatch.setenv(name, value)
    result = runner.invoke(app, ["rewrite", "-", "--json", *cli_backend], input=draft)
    assert result.exit_code == code, result.output
    data = json.loads(result.stdout)
    assert data["error"]["type"] == kind and says in data["error"]["message"] and data["draft"] == draft


@on_loopback
def test_a_key_echoed_by_the_server_is_masked_on_stderr_and_in_json(fault_server: Any) -> None:
    for as_json in ([], ["--json"]):
        fault_server.fail(502, f"upstream refused header 'Authorization: Bearer {KEY}'")
        args = ["rewrite", "-", "--base-url", fault_server.base_url, "--model", "local", *as_json]
        env = {**FAST, "REWRITER_MAX_RETRIES": "0", "REWRITER_API_KEY": KEY}
        result = runner.invoke(app, args, input=fault_server.draft, env=env)
        assert result.exit_code == ExitCode.BACKEND
        assert KEY not in result.output and "Bearer ***" in result.output


@on_loopback
def test_retries_apply_to_the_first_request_as_set_and_are_counted(fault_server: Any) -> None:
    fault_server.slow(1.0)  # the first request probes the response format
    fault_server.fail(503, "loading")
    fault_server.drop(after=30)
    args = ["rewrite", "-", "--base-url", fault_server.base_url, "--model", "local", "--json", "--stream"]
    env = {**FAST, "REWRITER_MAX_RETRIES": "3", "REWRITER_TIMEOUT": "0.25"}
    result = runner.invoke(app, args, input=fault_server.draft, env=env)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["usage"]["requests"] == 4 == len(fault_server.completions)
    assert data["response_format"] == "json_schema" and data["attempts"] == 1
