"""An engine that dies of SIGSEGV, as one built for another CPU does: told as a crash, not "nothing listens".

The stand-in engine is a real process under the real supervisor and kills itself with
a real SIGSEGV on its N-th completion; the client, the CLI and ``rewriter local`` are
the user's own.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rewriter import EngineCrashedError, Rewriter, RewriteRequest, UnreachableError
from rewriter.cli import app
from rewriter.errors import ExitCode
from rewriter.local import server as local_server

pytestmark = [pytest.mark.block_network(allowed_hosts=["127.0.0.1"]), pytest.mark.engine]
runner = CliRunner()
DRAFT = "Restore from Settings > Backups; backups are kept 30 days."
CUSTOMER = "My project folder is empty after the update and I present to a client tomorrow."
FAST = {"REWRITER_MAX_RETRIES": "2", "REWRITER_MAX_RETRY_WAIT": "0", "REWRITER_TIMEOUT": "10"}
SEGV = "was killed by SIGSEGV (signal 11)"
REBUILD = re.compile(r'CMAKE_ARGS="-DGGML_NATIVE=OFF [^"]*" \S+ -m pip install --no-cache-dir')


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("error: ")]


def test_local_start_self_check_catches_an_engine_that_dies_on_its_first_answer(
    embedded: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_ENGINE_SEGV_AT", "1")
    result = runner.invoke(app, ["local", "start"])
    assert result.exit_code == ExitCode.ENGINE_CRASHED == 10, result.output
    [line] = error_lines(result.stderr)
    assert SEGV in line and "on its self-check (one token), before any draft was sent" in line
    assert REBUILD.search(line) and "nothing is listening" not in line
    assert result.stdout == ""  # no server address printed: nothing is ready
    assert local_server.read_state() is None
    # `local status` keeps the crash: raw with --json, with a time a person can read without.
    status = runner.invoke(app, ["local", "status", "--no-verify", "--json"])
    crash = json.loads(status.stdout)["last_crash"]
    assert crash["what"] == f"the engine {SEGV}" and abs(crash["at"] - time.time()) < 120
    text = runner.invoke(app, ["local", "status", "--no-verify"]).stdout
    seen = r"last crash +\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d \(\d+ s ago\): the engine "
    assert re.search(seen + re.escape(SEGV), text), text


def test_an_engine_that_dies_as_it_loads_is_told_as_a_crash(fake_engine: Path) -> None:
    dying = fake_engine.with_suffix(".segv")
    dying.write_bytes(b"x")
    with pytest.raises(EngineCrashedError, match=re.escape(SEGV) + " while loading the model") as caught:
        local_server.ensure_server(dying, "0" * 64, start_timeout=20)
    assert REBUILD.search(caught.value.message) and local_server.read_state() is None


def test_a_healthy_engine_passes_the_self_check_and_no_crash_is_recorded(embedded: Path) -> None:
    result = runner.invoke(app, ["local", "start"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("http://127.0.0.1:")
    log = local_server.crash_file().parent / "server.log"
    assert '"POST /v1/chat/completions HTTP/1.1" 200' in log.read_text(encoding="utf-8")  # the self-check
    assert local_server.describe()["last_crash"] is None


@pytest.mark.parametrize(
    ("segv_at", "when"),
    [
        pytest.param("1", "on its self-check", id="caught-by-the-self-check-on-auto-start"),
        pytest.param("2", "while answering this request", id="mid-rewrite"),
    ],
)
def test_rewrite_reports_the_crash_with_its_exit_code_and_keeps_the_draft(
    embedded: Path, monkeypatch: pytest.MonkeyPatch, segv_at: str, when: str
) -> None:
    monkeypatch.setenv("FAKE_ENGINE_SEGV_AT", segv_at)
    for as_json in (False, True):
        local_server.stop_server()  # each round starts a fresh engine, whose count starts at 1
        args = ["rewrite", "-", "--name", "Dana", "--customer", CUSTOMER, *(["--json"] * as_json)]
        result = runner.invoke(app, args, input=DRAFT, env=FAST)
        assert result.exit_code == ExitCode.ENGINE_CRASHED, result.output
        if as_json:
            data = json.loads(result.stdout)
            assert data["error"]["type"] == "EngineCrashedError" and data["error"]["exit_code"] == 10
            assert SEGV in data["error"]["message"] and when in data["error"]["message"]
            assert data["draft"] == DRAFT
        else:
            [line] = error_lines(result.stderr)
            assert SEGV in line and when in line and REBUILD.search(line)
            assert "nothing is listening" not in result.stderr
            assert result.stdout == DRAFT + "\n"  # stdout is a pipe here: the draft, unchanged


def test_the_library_raises_the_typed_error_with_the_draft(
    embedded: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_ENGINE_SEGV_AT", "2")
    rewriter = Rewriter(max_retries=2, max_retry_wait=0)
    with pytest.raises(EngineCrashedError) as caught:
        rewriter.rewrite(RewriteRequest(draft=DRAFT, customer_message=CUSTOMER))
    error = caught.value
    assert error.signal_name == "SIGSEGV" and error.returncode == -11 and error.draft == DRAFT
    assert isinstance(error, Exception) and error.exit_code == ExitCode.ENGINE_CRASHED


def test_a_server_stopped_on_purpose_is_not_called_a_crash(embedded: Path) -> None:
    rewriter = Rewriter(max_retries=0)
    local_server.stop_server()  # SIGTERM, as `rewriter local stop` or the idle stop sends
    with pytest.raises(UnreachableError) as caught:
        rewriter.rewrite(RewriteRequest(draft=DRAFT, customer_message=CUSTOMER))
    assert not isinstance(caught.value, EngineCrashedError)
    assert local_server.describe()["last_crash"] is None
