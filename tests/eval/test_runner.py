"""Runs: killed with kill -9 and resumed, every case ends exactly once; repeats are independent."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from rewriter.cli.app import app
from rewriter.eval.journal import journal_path, read_journal
from rewriter.eval.results import EvalRun

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
pytestmark = pytest.mark.block_network(allowed_hosts=["127.0.0.1"])


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def echo_server(request: pytest.FixtureRequest) -> Iterator[str]:
    # Slow enough to kill a run half-way where a test needs that, fast otherwise.
    delay = getattr(request, "param", "0.02")
    port = free_port()
    server = subprocess.Popen([sys.executable, str(HERE / "echo_server.py"), str(port), delay])
    url = f"http://127.0.0.1:{port}/v1"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{url}/models", timeout=1).close()
                break
            except OSError:
                time.sleep(0.05)
        yield url
    finally:
        server.kill()
        server.wait()


def cases_file(tmp_path: Path, count: int) -> Path:
    cases = [
        {
            "id": f"case-{i}",
            "tags": {"scenario": "double-charge", "emotion": "angry", "flaws": ["cold"]},
            "customer": "I was charged twice.",
            "draft": f"Hi Ana, the second charge of ${i}0.00 drops off in 5 to 7 days. Reply here if not.",
            "facts": [f"${i}0.00", "5 to 7 days"],
        }
        for i in range(1, count + 1)
    ]
    path = tmp_path / "cases.yaml"
    path.write_text(json.dumps({"cases": cases}), encoding="utf-8")
    return path


def run_command(suite: Path, url: str, *extra: str) -> list[str]:
    return [sys.executable, "-m", "rewriter", "eval", "run", str(suite), "--base-url", url, "--model", "echo",
            "--scoring", str(ROOT / "evals" / "scoring.yaml"), "--no-cache", *extra]  # fmt: skip


def env(tmp_path: Path) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("REWRITER_", "OPENAI_"))}
    # The echo server answers the parts the model writes: these runs exercise that pipeline.
    return {**clean, "REWRITER_RESPONSE_FORMAT": "text", "REWRITER_CACHE_DIR": str(tmp_path / "cache"),
            "REWRITER_STRATEGY": "parts"}  # fmt: skip


def invoke(args: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Result:
    """The command in this process: what a run does does not depend on a fresh interpreter,
    and starting one costs a second a call (the kill test alone needs a process of its own)."""
    for name in [k for k in os.environ if k.startswith(("REWRITER_", "OPENAI_"))]:
        monkeypatch.delenv(name)
    for name, value in env(tmp_path).items():
        if name.startswith("REWRITER_"):
            monkeypatch.setenv(name, value)
    assert args[:3] == [sys.executable, "-m", "rewriter"]
    return CliRunner().invoke(app, args[3:])


@pytest.mark.slow
@pytest.mark.parametrize("echo_server", ["0.08"], indirect=True)
def test_kill_9_half_way_then_resume_ends_with_every_case_exactly_once(
    echo_server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    suite, out = cases_file(tmp_path, 8), tmp_path / "run.json"
    journal = journal_path(out)
    process = subprocess.Popen(run_command(suite, echo_server, "--out", str(out)), env=env(tmp_path))
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        if journal.exists() and journal.read_text(encoding="utf-8").count('"result"') >= 3:
            break
        time.sleep(0.01)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert not out.exists(), "the run finished before it could be killed"
    _, before = read_journal(journal)
    assert 3 <= len(before) < 8
    with journal.open("a", encoding="utf-8") as handle:
        handle.write('{"result": {"case_id": "case-')  # a line cut short by the crash
    resumed = invoke(run_command(suite, echo_server, "--resume", str(out)), tmp_path, monkeypatch)
    assert resumed.exit_code == 0, resumed.output
    run = EvalRun.model_validate_json(out.read_text(encoding="utf-8"))
    keys = [(r.case_id, r.repeat) for r in run.results]
    assert keys == [(f"case-{i}", 0) for i in range(1, 9)]  # every case, exactly once, in order
    assert run.results[: len(before)] == before  # finished cases were kept, not redone
    assert all(r.status != "error" and r.reply for r in run.results)
    assert not journal.exists()


def test_resume_refuses_a_journal_of_another_run(
    echo_server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    suite, out, first = cases_file(tmp_path, 1), tmp_path / "run.json", tmp_path / "first.json"
    assert invoke(run_command(suite, echo_server, "--out", str(first)), tmp_path, monkeypatch).exit_code == 0
    meta = EvalRun.model_validate_json(first.read_text(encoding="utf-8")).meta.model_dump(mode="json")
    journal_path(out).write_text(
        json.dumps({"meta": {**meta, "suite_hash": "other"}}) + "\n", encoding="utf-8"
    )
    resumed = invoke(run_command(suite, echo_server, "--resume", str(out)), tmp_path, monkeypatch)
    assert resumed.exit_code == 2
    assert "the journal is of a different run (suite_hash changed)" in resumed.output


def test_repeats_get_their_own_seed_and_cache_entries(
    echo_server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    suite, out = cases_file(tmp_path, 2), tmp_path / "run.json"
    args = run_command(suite, echo_server, "--out", str(out), "--repeats", "3")
    args.remove("--no-cache")
    assert invoke(args, tmp_path, monkeypatch).exit_code == 0
    run = EvalRun.model_validate_json(out.read_text(encoding="utf-8"))
    assert [(r.case_id, r.repeat, r.seed) for r in run.results] == [
        ("case-1", 0, 7), ("case-1", 1, 1007), ("case-1", 2, 2007),
        ("case-2", 0, 7), ("case-2", 1, 1007), ("case-2", 2, 2007),
    ]  # fmt: skip
    assert run.meta.repeat_seed_step == 1000 and not any(r.cached for r in run.results)
    entries = list((tmp_path / "cache" / "eval").rglob("*.json"))
    assert len(entries) == sum(r.usage.requests for r in run.results)  # one entry per request, none shared
    rerun = invoke(args, tmp_path, monkeypatch)
    assert rerun.exit_code == 0 and "(6 result(s) from the cache, no request sent for them)" in rerun.output
    again = EvalRun.model_validate_json(out.read_text(encoding="utf-8"))
    assert all(r.cached for r in again.results) and [r.reply for r in again.results] == [
        r.reply for r in run.results
    ]


def test_the_plain_anchor_asks_once_per_case_and_is_compared_like_any_run(
    echo_server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    suite, plain, ours = cases_file(tmp_path, 2), tmp_path / "plain.json", tmp_path / "ours.json"
    made = invoke(
        run_command(suite, echo_server, "--out", str(plain), "--pipeline", "plain"), tmp_path, monkeypatch
    )
    assert (
        made.exit_code == 0
        and invoke(run_command(suite, echo_server, "--out", str(ours)), tmp_path, monkeypatch).exit_code == 0
    )
    anchor = EvalRun.model_validate_json(plain.read_text(encoding="utf-8"))
    assert anchor.meta.pipeline == "plain" and [r.usage.requests for r in anchor.results] == [1, 1]
    assert all(r.reply and r.reply.startswith("Hello,") for r in anchor.results)  # laid out like ours
    compared = invoke(
        [sys.executable, "-m", "rewriter", "eval", "compare", str(plain), str(ours)], tmp_path, monkeypatch
    )
    assert compared.exit_code == 0 and "## rewriter eval compare" in compared.stdout
