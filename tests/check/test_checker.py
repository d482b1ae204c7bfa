"""Folding the judge's findings into the code's report: one verdict per rule."""

from __future__ import annotations

import json
import re

import pytest
from typer.testing import CliRunner

from rewriter.check import check_reply, with_judge
from rewriter.cli import app
from rewriter.models import Evidence, Finding, Severity, Verdict

SORRY_ONLY = (
    "Hi Dana,\n\nI'm sorry to hear that. Please restart the app and tell me if it helps.\n\nBest,\nSam"
)
JUDGE_VERDICT = re.compile(r"\(judge: (?:pass|fail|not_applicable), ")
ACK = "empathy.specific-acknowledgement"


def judged(rule_id: str, verdict: Verdict, quote: str = "") -> Finding:
    start = SORRY_ONLY.find(quote) if quote else -1
    evidence = [Evidence(text=quote, start=start, end=start + len(quote), source="reply")] if quote else []
    hint = "name what happened" if verdict is Verdict.FAIL else None
    message = f"judge: {verdict.value}"
    return Finding(
        rule_id=rule_id, verdict=verdict, severity=Severity.MUST,
        message=message, evidence=evidence, hint=hint,
    )  # fmt: skip


def by_rule(findings: list[Finding]) -> dict[str, list[Finding]]:
    out: dict[str, list[Finding]] = {}
    for f in findings:
        out.setdefault(f.rule_id, []).append(f)
    return out


def test_judge_decides_a_both_rule_the_code_passed() -> None:
    report = check_reply(SORRY_ONLY, customer_name="Dana")
    assert by_rule(report.findings)[ACK][0].verdict is Verdict.PASS  # a cue ("sorry to hear") is there
    merged = with_judge(report, [judged(ACK, Verdict.FAIL, "I'm sorry to hear that.")])
    [ack] = by_rule(merged.findings)[ACK]
    assert ack.verdict is Verdict.FAIL and ack.severity is Severity.MUST and not merged.passed
    assert "judge: fail" in ack.message and "code:" in ack.message
    assert ack.evidence[0].text == "I'm sorry to hear that."
    assert len(merged.findings) == len(report.findings)


def test_a_code_failure_stands_and_an_unscored_judge_changes_nothing() -> None:
    report = check_reply(
        "As I said before, you should have backed up your files. Restore from Settings > Backups."
    )  # fmt: skip
    blame = by_rule(report.findings)["tone.no-blame"][0]
    merged = with_judge(report, [judged("tone.no-blame", Verdict.PASS), judged(ACK, Verdict.UNSCORED)])
    rules = by_rule(merged.findings)
    assert rules["tone.no-blame"][0].verdict is Verdict.FAIL
    assert rules["tone.no-blame"][0].evidence == blame.evidence
    assert rules[ACK][0].verdict is by_rule(report.findings)[ACK][0].verdict
    assert "judge: unscored" in rules[ACK][0].message


def test_judge_only_rules_are_added() -> None:
    report = check_reply(SORRY_ONLY)
    merged = with_judge(report, [judged("tone.calm", Verdict.PASS)])
    assert [f.rule_id for f in merged.findings][-1] == "tone.calm"
    assert len(merged.findings) == len(report.findings) + 1


@pytest.mark.vcr
def test_cli_check_with_the_judge_reports_one_verdict_per_rule(backend_env: dict[str, str]) -> None:
    args = ["check", "-", "--name", "Dana", "--judge", "--json", "--customer", "The app crashes on export."]
    result = CliRunner().invoke(app, args, input=SORRY_ONLY, env=backend_env)
    # Recorded: every must rule passed (the judge set its "fail, confidence 0" aside).
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    ids = [f["rule_id"] for f in payload["findings"]]
    assert len(ids) == len(set(ids))  # code and judge merged, never two verdicts for a rule
    judged = {f["rule_id"] for f in payload["findings"] if JUDGE_VERDICT.search(f["message"])}
    assert judged >= {"tone.calm", ACK}
    unscored = {f["rule_id"] for f in payload["findings"] if f["verdict"] == "unscored"}
    assert unscored and not unscored & judged
    assert payload["judge"]["usage"]["requests"] == 1 and payload["judge"]["usage"]["completion_tokens"] > 0
    assert "judge: 1 request(s)" in result.stderr


def test_names_are_held_in_english_but_not_in_german() -> None:
    english = check_reply("Your parcel is at a sorting hub.", draft="Your parcel is at the hub in Leeds.")
    assert "faithfulness.possibly-lost" in {f.rule_id for f in english.failures}
    german = check_reply(
        "Ihr Paket liegt im Lager.", draft="Ihr Paket liegt im Verteilzentrum.", language="de"
    )
    assert "faithfulness.possibly-lost" not in {f.rule_id for f in german.failures}
