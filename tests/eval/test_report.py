"""Reports: every format is built from the run file alone, and says what the run says."""

from __future__ import annotations

import json
import re
from types import SimpleNamespace
from xml.etree import ElementTree as ET

from rewriter.eval import report
from rewriter.eval.results import EvalRun


def two_cases(runs: SimpleNamespace) -> EvalRun:
    run: EvalRun = runs.run([runs.result(1, blame=True), runs.result(2, blame=False)], 2)
    return run


def test_markdown_has_the_headline_the_scorers_and_the_failing_case(runs: SimpleNamespace) -> None:
    text = report.markdown(two_cases(runs))
    assert "| passed | 1 (50%) |" in text and "| errors / unscored checks | 0 / 2 |" in text
    assert "| `rule:tone.no-blame` | 50% | 1 | 1 | 0 |" in text
    assert "- **case-1** (repeat 0, score 0.500): `rule:tone.no-blame`: blaming" in text
    assert "case-2" not in text.split("### Failing results")[1]


def test_junit_lists_each_case_and_fails_the_failing_one(runs: SimpleNamespace) -> None:
    root = ET.fromstring(report.junit(two_cases(runs)))
    assert root.get("tests") == "2" and root.get("failures") == "1" and root.get("errors") == "0"
    cases = {c.get("name"): c for c in root.iter("testcase")}
    assert set(cases) == {"case-1[0]", "case-2[0]"}
    failure = cases["case-1[0]"].find("failure")
    assert failure is not None and "rule:tone.no-blame: blaming" in (failure.get("message") or "")
    assert cases["case-2[0]"].find("failure") is None
    assert {p.get("name") for p in root.iter("property")} >= {"model", "prompt_version", "suite_hash"}


def test_json_is_one_row_per_result(runs: SimpleNamespace) -> None:
    data = json.loads(report.as_json(two_cases(runs)))
    assert [(r["case_id"], r["passed"], r["failing"]) for r in data["results"]] == [
        ("case-1", False, ["rule:tone.no-blame"]),
        ("case-2", True, []),
    ]
    assert data["summary"]["unscored"] == 2


def test_html_is_self_contained_escaped_and_drills_down(runs: SimpleNamespace) -> None:
    page = report.html_report(two_cases(runs))
    assert not re.search(r"<(script|link|img)\b|https?://", page)  # nothing fetched, nothing run
    assert "<b>#1</b>" not in page and "&lt;b&gt;#1&lt;/b&gt;" in page  # customer text is escaped
    assert page.count("<details") == 2
    assert "<pre><mark>As I said</mark>, the charge" in page  # the failing verdict's words, marked
    assert "<del>As I said,</del>" not in page  # case-1 kept the blame: no removal shown for it


def test_word_diff_marks_removed_and_added_words() -> None:
    assert report.word_diff("As I said, restart it", "Please restart it") == (
        "<del>As I said,</del> <ins>Please</ins> restart it"
    )


def test_reports_mask_the_customers_data_but_not_the_drafts_facts(runs: SimpleNamespace) -> None:
    run = two_cases(runs)
    customer = "Reach me at dana.k@mailbox.test or +44 20 7946 0958; card 4111-1111-1111-1111."
    cases = [c.model_copy(update={"customer": customer, "draft": c.draft + " Ask billing@example.com."})
             for c in run.cases]  # fmt: skip
    results = [
        r.model_copy(update={"reply": f"{r.reply} We reply to dana.k@mailbox.test."}) for r in run.results
    ]
    run = run.model_copy(update={"cases": cases, "results": results})
    for text in (report.html_report(run), report.junit(run), report.markdown(run)):
        assert "dana.k@mailbox.test" not in text and "7946 0958" not in text and "4111-1111" not in text
    page = report.html_report(run)
    assert "&lt;email:1&gt;" in page and "&lt;card:1&gt;" in page and "billing@example.com" in page
    assert "dana.k@mailbox.test" in report.html_report(run, redact=False)
