"""No API key in anything a run, a recording or a report leaves behind; each scan can fail."""

from __future__ import annotations

import json
import logging
import random
import string
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from rewriter.cli import app
from rewriter.eval import replay
from rewriter.eval.secrets import configured_keys, mask, scan_paths, scan_text

ROOT = Path(__file__).resolve().parents[2]
RECORDED = [ROOT / "cassettes", ROOT / "evals" / "cassettes", ROOT / "evals" / "baselines"]
on_loopback = pytest.mark.block_network(allowed_hosts=["127.0.0.1"])


def planted_key() -> str:
    return "sk-proj-" + "".join(random.Random(11).choices(string.ascii_letters + string.digits, k=40))


def test_every_committed_cassette_and_baseline_is_free_of_keys() -> None:
    findings = scan_paths(RECORDED, keys=[])
    assert findings == [], "\n".join(map(str, findings))


def cassette(key: str) -> str:
    request = {"method": "POST", "uri": "https://api.openai.com/v1/chat/completions", "body": "{}",
               "headers": {"Authorization": [f"Bearer {key}"]}}  # fmt: skip
    response = {"status": {"code": 200, "message": "OK"}, "headers": {}, "body": {"string": "{}"}}
    return yaml.safe_dump({"interactions": [{"request": request, "response": response}], "version": 1})


def run_file(key: str) -> str:
    return json.dumps({"results": [{"case_id": "a", "error": f"BackendError: upstream said {key}"}]})


PLANTED: dict[str, tuple[str, Callable[[str], str]]] = {
    "cassette": ("case/repeat-0.yaml", cassette),
    "run file": ("eval-run.json", run_file),
    "journal": ("eval-run.json.journal", lambda k: json.dumps({"result": {"error": f"key {k} refused"}})),
    "markdown report": ("report.md", lambda k: f"- **a** (repeat 0): BackendError: api_key={k}\n"),
    "html report": ("report.html", lambda k: f"<p class='fail'>refused header Authorization: Bearer {k}</p>"),
    "junit report": ("report.xml", lambda k: f'<testcase name="a[0]"><error message="{k}"/></testcase>'),
    "log line": ("run.log", lambda k: f"DEBUG openai._base_client: Request options: {{'api_key': '{k}'}}\n"),
}


@pytest.mark.parametrize("kind", sorted(PLANTED))
def test_a_key_planted_in_each_kind_of_file_is_found_and_shown_masked(tmp_path: Path, kind: str) -> None:
    name, write = PLANTED[kind]
    key = planted_key()
    (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / name).write_text(write(key), encoding="utf-8")
    findings = scan_paths([tmp_path], keys=[])
    assert findings and all(f.where.endswith(Path(name).name) for f in findings), findings
    assert key not in "".join(map(str, findings)) and mask(key) in str(findings[0])


def test_the_configured_key_is_found_whatever_its_shape(monkeypatch: pytest.MonkeyPatch) -> None:
    odd = "corp-" + "Zq81" * 6  # no sk- prefix, no header name before it
    assert scan_text(f"refused {odd}", keys=[]) == []
    monkeypatch.setenv("REWRITER_API_KEY", odd)
    assert configured_keys() == [odd]
    [finding] = scan_text(f"refused {odd}", keys=configured_keys())
    assert finding.kind == "configured key"


def test_ordinary_text_is_no_key() -> None:
    text = "Reset it at https://id.example.com/reset; ask-for-a-refund; authorization: pending; sk-12"
    assert scan_text(text, keys=[]) == []


def test_recordings_never_keep_credentials_headers_or_key_query_parameters() -> None:
    from vcr.request import Request

    config = replay.vcr_config()
    for header in ("authorization", "api-key", "x-api-key", "openai-organization", "cookie"):
        assert header in config["filter_headers"]
    assert {"api_key", "key", "access_token"} <= set(config["filter_query_parameters"])
    headers = {"Authorization": "Bearer x", "X-Api-Key": "y", "OpenAI-Organization": "org-1", "Cookie": "c",
               "X-Stainless-Os": "Linux", "Content-Type": "application/json"}  # fmt: skip
    scrubbed = replay.scrub_request(Request("POST", "http://h/v1/chat/completions", b"{}", headers))
    assert dict(scrubbed.headers) == {"Content-Type": "application/json"}
    response = {"headers": {"Set-Cookie": ["s"], "openai-organization": ["org-1"], "x-request-id": ["r"]}}
    assert replay.scrub_response(response)["headers"] == {"x-request-id": ["r"]}


GOLDEN = """
cases:
  - id: backups-worried
    tags: {scenario: backups, emotion: worried, flaws: [none]}
    channel: email
    customer_name: Dana
    customer: My files are gone, are my backups lost?
    draft: |
      Hi Dana,

      Your backups are kept for 30 days. Restore them from Settings > Backups.

      Thanks,
      Lena
    facts: ["30 days", "Settings > Backups"]
"""


@on_loopback
def test_a_key_the_server_echoes_reaches_no_output_file_or_log(
    fault_server: Any, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    key = planted_key()
    env = {"REWRITER_API_KEY": key, "REWRITER_MAX_RETRIES": "0", "REWRITER_RESPONSE_FORMAT": "text",
           "REWRITER_TIMEOUT": "5", "REWRITER_STRATEGY": "parts"}  # fmt: skip
    echo = f"upstream refused header 'Authorization: Bearer {key}' (api_key={key})"
    (tmp_path / "golden.yaml").write_text(GOLDEN, encoding="utf-8")
    runner = CliRunner()
    outputs: list[str] = []
    caplog.set_level(logging.DEBUG)
    url = ["--base-url", fault_server.base_url, "--model", "local"]
    for as_json in ([], ["--json"]):  # the rewrite command: error message and --json
        fault_server.fail(500, echo)
        result = runner.invoke(app, ["rewrite", "-", *url, *as_json], input=fault_server.draft, env=env)
        assert result.exit_code != 0 and "***" in result.output
        outputs += [result.stdout, result.stderr]
    # An eval run whose every request fails: the result is an error, the run file is written.
    fault_server.fail(500, echo, times=10)
    run = tmp_path / "out" / "run.json"
    result = runner.invoke(app, ["eval", "run", str(tmp_path / "golden.yaml"), *url, "--out", str(run),
                                 "--no-cache"], env=env)  # fmt: skip
    assert result.exit_code == 0, result.output
    assert json.loads(run.read_text(encoding="utf-8"))["results"][0]["status"] == "error"
    outputs += [result.stdout, result.stderr]
    for fmt, suffix in (("md", "md"), ("html", "html"), ("junit", "xml"), ("json", "json")):
        result = runner.invoke(app, ["eval", "report", str(run), "--format", fmt,
                                     "--out", str(tmp_path / "out" / f"report.{suffix}")])  # fmt: skip
        assert result.exit_code == 0, result.output
    # A rejected key stops the run; the journal is kept, for --resume.
    fault_server.steps.clear()
    fault_server.fail(401, echo, times=10)
    stopped = tmp_path / "out" / "stopped.json"
    result = runner.invoke(app, ["eval", "run", str(tmp_path / "golden.yaml"), *url, "--out", str(stopped),
                                 "--no-cache"], env=env)  # fmt: skip
    assert result.exit_code != 0 and (tmp_path / "out" / "stopped.json.journal").exists()
    outputs += [result.stdout, result.stderr]
    logs = "\n".join(f"{r.name}: {r.getMessage()}" for r in caplog.records)
    (tmp_path / "out" / "captured.log").write_text("\n".join([*outputs, logs]), encoding="utf-8")
    written = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert {"run.json", "report.md", "report.html", "report.xml", "stopped.json.journal"} <= set(written)
    findings = scan_paths([tmp_path / "out"], keys=[key])
    assert findings == [], "\n".join(map(str, findings))
