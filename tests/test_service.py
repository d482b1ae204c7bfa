"""`rewriter serve` over real HTTP: uvicorn on loopback, httpx as the help desk would call it.

The service listens on 127.0.0.2 so that vcrpy, replaying the embedded model's recorded
answers for the backend (127.0.0.1), lets the test's own requests through untouched.
"""

from __future__ import annotations

import contextlib
import json
import logging
import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx2 as httpx  # openai's own HTTP client here: the httpx API
import pytest
import uvicorn
import vcr
from typer.testing import CliRunner

from rewriter.cli import app as cli
from rewriter.config import Settings
from rewriter.errors import ConfigError
from rewriter.eval.cases import load_suite
from rewriter.eval.redact import Redactor
from rewriter.eval.replay import redacted_json_body, replay_settings, vcr_config
from rewriter.eval.results import EvalRun
from rewriter.rewrite import Rewriter
from rewriter.service import Limits, create_app, require_token_off_loopback

pytestmark = pytest.mark.block_network(allowed_hosts=["127.0.0.1", "127.0.0.2"])
ROOT = Path(__file__).resolve().parents[1]
HOST = "127.0.0.2"
SCOLDING = "Hi Sam,\n\nAs I said before, open https://example.com/reset.\n\nThanks,\nLena"


@contextlib.contextmanager
def serving(rewriter: Rewriter, **options: Any) -> Iterator[str]:
    """The service on a free port of 127.0.0.2, in a thread, for the block."""
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        port = probe.getsockname()[1]
    config = uvicorn.Config(create_app(rewriter, **options), host=HOST, port=port, log_level="warning",
                            access_log=False, lifespan="off")  # fmt: skip
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    assert server.started, "the service did not start"
    try:
        yield f"http://{HOST}:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


def fault_rewriter(fault_server: Any) -> Rewriter:
    return Rewriter(
        Settings(base_url=fault_server.base_url, model="local", response_format="text", max_retries=0)
    )


def test_health_and_the_openapi_description(fault_server: Any) -> None:
    with serving(fault_rewriter(fault_server)) as url:
        assert httpx.get(f"{url}/healthz").json() | {"version": "x"} == {
            "status": "ok",
            "version": "x",
            "running": 0,
            "waiting": 0,
        }
        spec = httpx.get(f"{url}/openapi.json").json()
    assert {"/v1/rewrite", "/v1/check", "/healthz"} <= set(spec["paths"])
    assert {"RewriteRequest", "RewriteResult", "CheckRequest", "CheckReport"} <= set(
        spec["components"]["schemas"]
    )


def test_check_answers_the_library_report_and_a_bad_body_names_the_field_not_its_value(
    fault_server: Any,
) -> None:
    with serving(fault_rewriter(fault_server)) as url:
        report = httpx.post(f"{url}/v1/check", json={"reply": SCOLDING, "customer_name": "Sam"}).json()
        bad = httpx.post(
            f"{url}/v1/check", json={"reply": "", "channel": "fax", "secret": "Dana's card 4111"}
        )
    blame = next(f for f in report["findings"] if f["rule_id"] == "tone.no-blame")
    assert blame["verdict"] == "fail" and blame["evidence"][0]["text"] == "As I said before"
    assert bad.status_code == 422 and bad.json()["error"]["type"] == "InputError"
    assert "channel" in bad.json()["error"]["message"] and "4111" not in bad.text  # never echoes the value


def test_a_rewrite_replays_the_recorded_embedded_model_plain_and_streamed() -> None:
    recording = ROOT / "evals" / "cassettes" / "draft-first"
    case = next(c for c in load_suite([ROOT / "evals"]).cases if c.id == "lockout-furious-blame")
    baseline = EvalRun.model_validate_json(
        (ROOT / "evals/baselines/draft-first.json").read_text(encoding="utf-8")
    )
    want = next(r for r in baseline.results if r.case_id == case.id)
    recorder = vcr.VCR(record_mode="none", ignore_hosts=[HOST], **vcr_config())
    recorder.register_matcher("json_body", redacted_json_body(Redactor()))
    body = case.request().model_dump(mode="json")
    with recorder.use_cassette(str(recording / case.id / "repeat-0.yaml"), allow_playback_repeats=True):
        with serving(Rewriter(replay_settings(recording))) as url:
            result = httpx.post(f"{url}/v1/rewrite", json=body, timeout=60).json()
            with httpx.stream("POST", f"{url}/v1/rewrite?stream=true", json=body, timeout=60) as streamed:
                assert streamed.headers["content-type"].startswith("text/event-stream")
                events = [line for line in streamed.iter_lines() if line.startswith(("event:", "data:"))]
    assert result["reply"] == want.reply and result["status"] == want.status
    assert "payroll" in result["reply"]  # the recorded model's choice, said in the customer's words
    assert (
        events[-2] == "event: result" and json.loads(events[-1].removeprefix("data: "))["reply"] == want.reply
    )


def test_a_backend_fault_is_the_library_error_as_json_with_a_status(fault_server: Any) -> None:
    fault_server.fail(401, "Incorrect API key provided", times=3)
    body = {"draft": "Restore from Settings > Backups.", "customer_message": "My files are gone!"}
    with serving(fault_rewriter(fault_server)) as url:
        answer = httpx.post(f"{url}/v1/rewrite", json=body, timeout=30)
        fault_server.fail(401, "Incorrect API key provided", times=3)
        with httpx.stream("POST", f"{url}/v1/rewrite?stream=true", json=body, timeout=30) as streamed:
            events = [line for line in streamed.iter_lines() if line.startswith(("event:", "data:"))]
    assert answer.status_code == 503, answer.text
    error = answer.json()["error"]
    assert error["type"] == "KeyRejectedError" and error["exit_code"] == 3 and "key" in error["message"]
    assert (
        events[-2] == "event: error"
        and json.loads(events[-1].removeprefix("data: "))["type"] == "KeyRejectedError"
    )


def test_a_token_guards_everything_but_health(fault_server: Any) -> None:
    with serving(fault_rewriter(fault_server), token="s3cret") as url:
        check = {"reply": SCOLDING}
        assert httpx.get(f"{url}/healthz").status_code == 200
        missing = httpx.post(f"{url}/v1/check", json=check)
        wrong = httpx.post(f"{url}/v1/check", json=check, headers={"Authorization": "Bearer nope"})
        right = httpx.post(f"{url}/v1/check", json=check, headers={"Authorization": "Bearer s3cret"})
    assert missing.status_code == wrong.status_code == 401 and missing.headers["www-authenticate"] == "Bearer"
    assert missing.json()["error"]["type"] == "Unauthorized" and right.status_code == 200


def test_beyond_loopback_it_will_not_start_without_a_token() -> None:
    with pytest.raises(ConfigError, match="without a bearer token"):
        require_token_off_loopback("0.0.0.0", None)
    require_token_off_loopback("0.0.0.0", "s3cret")
    require_token_off_loopback("::1", None)
    result = CliRunner().invoke(cli, ["serve", "--host", "0.0.0.0"], env={"REWRITER_SERVE_TOKEN": ""})
    assert result.exit_code == 3 and "without a bearer token" in result.stderr


def test_an_oversized_body_is_turned_away_before_it_is_read(fault_server: Any) -> None:
    huge = {"reply": "x" * 5000}
    with serving(fault_rewriter(fault_server), limits=Limits(max_body_bytes=2048)) as url:
        declared = httpx.post(f"{url}/v1/check", json=huge)
        chunked = httpx.post(f"{url}/v1/check", content=iter([json.dumps(huge).encode()]),
                             headers={"content-type": "application/json"})  # fmt: skip
        small = httpx.post(f"{url}/v1/check", content=iter([json.dumps({"reply": SCOLDING}).encode()]),
                           headers={"content-type": "application/json"})  # fmt: skip
    for answer in (declared, chunked):
        assert answer.status_code == 413 and answer.json()["error"]["type"] == "InputTooLongError"
    assert small.status_code == 200


def test_concurrent_rewrites_share_one_backend_within_the_limits(
    fault_server: Any, caplog: pytest.LogCaptureFixture
) -> None:
    fault_server.one_at_a_time = True
    fault_server.slow(0.4, times=8)
    body = {"draft": "Restore from Settings > Backups.", "customer_message": "Dana here, my files are gone!"}
    caplog.set_level(logging.INFO, logger="rewriter.service")
    with serving(fault_rewriter(fault_server), limits=Limits(concurrency=1, queue=1)) as url:
        with ThreadPoolExecutor(5) as pool:
            answers = list(
                pool.map(lambda _: httpx.post(f"{url}/v1/rewrite", json=body, timeout=60), range(5))
            )
    codes = sorted(a.status_code for a in answers)
    assert codes.count(200) >= 2 and set(codes) <= {200, 503}, (
        codes
    )  # one at work, one waiting, the rest away
    busy = [a for a in answers if a.status_code == 503]
    assert busy and all(a.headers["retry-after"] == "1" and a.json()["error"]["type"] == "Busy" for a in busy)
    assert fault_server.most_at_once == 1
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "POST /v1/rewrite 200" in logged and "Dana" not in logged and "Backups" not in logged


def test_a_streamed_rewrite_sends_the_model_text_as_it_arrives(fault_server: Any) -> None:
    settings = Settings(base_url=fault_server.base_url, model="local", response_format="text", max_retries=0,
                        strategy="parts")  # fmt: skip  # the model writes the reply: its text streams
    body = {"draft": fault_server.draft, "customer_message": "My files are gone!", "customer_name": "Dana"}
    with serving(Rewriter(settings)) as url:
        with httpx.stream("POST", f"{url}/v1/rewrite?stream=true", json=body, timeout=60) as streamed:
            events = [line for line in streamed.iter_lines() if line.startswith(("event:", "data:"))]
    names = [e.removeprefix("event: ") for e in events if e.startswith("event:")]
    assert names[-1] == "result" and names.count("delta") >= 2, names
    datas = [json.loads(e.removeprefix("data: ")) for e in events if e.startswith("data:")]
    pieces = "".join(d["text"] for d, n in zip(datas, names, strict=True) if n == "delta")
    assert json.loads(pieces) == json.loads(json.dumps(fault_server.parts))  # the answer, piece by piece
    assert datas[-1]["status"] == "rewritten" and datas[-1]["reply"]
