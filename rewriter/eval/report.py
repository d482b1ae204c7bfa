"""Reports of a run file: Markdown for a pull request, JUnit XML for CI, JSON, and one HTML file.

Each is a pure function of the run file, so a report can be rebuilt at any time and
two people looking at the same run see the same numbers. The HTML report is a single
self-contained file (inline style, no scripts or assets fetched), readable from disk.
By default a report masks the customer's emails, phone and card numbers that the draft
and policy do not hold (``rewriter.eval.redact``); the draft's facts are shown verbatim.
"""

from __future__ import annotations

import difflib
import html
import json
import re
from collections import defaultdict
from xml.etree import ElementTree as ET

from rewriter.eval.cases import GoldenCase
from rewriter.eval.compare import Comparison, Delta
from rewriter.eval.redact import Redactor
from rewriter.eval.results import CaseResult, EvalRun, ScorerSummary
from rewriter.eval.scorers import Outcome, Score


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def _num(value: float | None, digits: int = 3) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def redactor(run: EvalRun) -> Redactor:
    """What a report of ``run`` masks: each case's customer data that its draft and policy lack."""
    return Redactor.merged(Redactor.for_case(c.customer, [c.draft, *c.policy]) for c in run.cases)


def _failing(result: CaseResult) -> list[Score]:
    return [s for s in result.scores if s.outcome is Outcome.FAIL]


def _headline(run: EvalRun) -> list[tuple[str, str]]:
    s, m = run.summary, run.meta
    pass_k = ", ".join(f"pass^{k} {_pct(v)}" for k, v in s.pass_hat_k.items()) or "-"
    return [
        ("cases / results", f"{s.cases} / {s.results}"),
        ("passed", f"{s.passed} ({_pct(s.pass_rate)})"),
        ("mean case score", _num(s.mean_score)),
        ("repeats", f"{pass_k}; score spread {_num(s.score_spread)}"),
        ("errors / unscored checks", f"{s.errors} / {s.unscored}"),
        ("tokens / cost", f"{s.usage.total_tokens:,} / ${s.cost_usd:.4f}"),
        ("latency median / p90", f"{_num(s.latency_median_s, 1)} s / {_num(s.latency_p90_s, 1)} s"),
        ("model", f"{m.model} at {m.endpoint_host} (T={m.temperature:g}, seed {m.seed})"),
        (
            "versions",
            f"prompts {m.prompt_version}, rules {m.rules_version}, suite {m.suite_hash}, "
            f"scoring {m.scoring_hash}",
        ),
    ]


def markdown(run: EvalRun, *, failures: int = 20, redact: bool = True) -> str:
    """A summary fit for a pull-request comment: headline, per-scorer rates, failing cases."""
    lines = ["## rewriter eval", "", "| | |", "|---|---|"]
    lines += [f"| {k} | {v} |" for k, v in _headline(run)]
    lines += ["", "| scorer | pass rate | passed | failed | unscored |", "|---|---|---|---|---|"]
    for name, entry in sorted(run.summary.scorers.items(), key=lambda kv: (kv[1].pass_rate or 0.0, kv[0])):
        lines.append(
            f"| `{name}` | {_pct(entry.pass_rate)} | {entry.passed} | {entry.failed} | {entry.unscored} |"
        )
    failed = [r for r in run.results if not r.passed]
    lines += ["", f"### Failing results ({len(failed)})", ""]
    for result in failed[:failures]:
        why = (
            result.error
            or "; ".join(f"`{s.scorer}`: {s.reason}" for s in _failing(result))
            or "a must rule failed"
        )
        lines.append(
            f"- **{result.case_id}** (repeat {result.repeat}, score {_num(result.case_score)}): {why}"
        )
    if len(failed) > failures:
        lines.append(f"- ... and {len(failed) - failures} more (see the HTML report)")
    text = "\n".join(lines).replace("\r", "") + "\n"
    return redactor(run).text(text) if redact else text


def junit(run: EvalRun, *, redact: bool = True) -> str:
    """JUnit XML: one test case per case and repeat, so any CI lists failing cases natively."""
    s = run.summary
    suite = ET.Element(
        "testsuite",
        name="rewriter-eval",
        tests=str(s.results),
        failures=str(s.results - s.passed - s.errors),
        errors=str(s.errors),
        skipped="0",
        time=f"{run.wall_s:.2f}",
    )
    props = ET.SubElement(suite, "properties")
    for key, value in run.meta.model_dump(mode="json").items():
        ET.SubElement(props, "property", name=key, value="" if value is None else str(value))
    for result in run.results:
        case = ET.SubElement(
            suite,
            "testcase",
            classname=f"rewriter.eval.{_scenario(run, result.case_id)}",
            name=f"{result.case_id}[{result.repeat}]",
            time=f"{result.latency_s:.3f}",
        )
        if result.status == "error":
            ET.SubElement(case, "error", message=result.error or "error").text = result.error
        elif not result.passed:
            failing = _failing(result)
            message = "; ".join(f"{x.scorer}: {x.reason}" for x in failing)[:500] or "a must rule failed"
            ET.SubElement(case, "failure", message=message).text = "\n".join(
                f"{x.scorer}: {x.reason}" for x in failing
            )
        ET.SubElement(case, "system-out").text = result.reply or ""
    ET.indent(suite)
    text = '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(suite, encoding="unicode") + "\n"
    return redactor(run).text(text) if redact else text


def _scenario(run: EvalRun, case_id: str) -> str:
    return next((c.tags.scenario for c in run.cases if c.id == case_id), "case").replace("-", "_")


def as_json(run: EvalRun, *, redact: bool = True) -> str:
    """Metadata, summary and one compact row per result, for tools (no text of a case or reply)."""
    rows = [
        {
            "case_id": r.case_id,
            "repeat": r.repeat,
            "status": r.status,
            "passed": r.passed,
            "case_score": r.case_score,
            "failing": [s.scorer for s in _failing(r)],
            "latency_s": r.latency_s,
            "tokens": r.usage.total_tokens,
            "cost_usd": r.cost_usd,
        }
        for r in run.results
    ]
    data = {
        "meta": run.meta.model_dump(mode="json"),
        "summary": run.summary.model_dump(mode="json"),
        "results": rows,
    }
    text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    return redactor(run).text(text) if redact else text


def comparison_markdown(comparison: Comparison) -> str:
    """The comparison as Markdown: overall and per-scorer deltas, flips, the verdict."""
    c = comparison

    def row(d: Delta) -> str:
        mark = (
            " **regression**" if d.metric in c.regressions else (" (beyond noise)" if d.beyond_noise else "")
        )
        return (
            f"| `{d.metric}` | {d.cases} | {_num(d.base)} | {_num(d.candidate)} | {d.delta:+.3f} | "
            f"[{d.low:+.3f}, {d.high:+.3f}]{mark} |"
        )

    head = f"| metric | cases | {c.base_label} | {c.candidate_label} | delta | 95% interval |"
    lines = [
        f"## rewriter eval compare: {c.candidate_label} vs {c.base_label}",
        "",
        head,
        "|---|---|---|---|---|---|",
    ]
    lines += [row(d) for d in c.overall]
    moved = sorted((d for d in c.scorers if d.delta != 0), key=lambda d: d.delta)
    lines += ["", "Per scorer (those that moved):", "", head, "|---|---|---|---|---|---|"]
    lines += [row(d) for d in moved] or ["| (none moved) | | | | | |"]
    for title, flips in (("pass -> fail", c.broke), ("fail -> pass", c.fixed)):
        lines += ["", f"Cases that flipped {title} ({len(flips)}):"]
        lines += [
            f"- {f.case_id} ({_pct(f.base_pass_rate)} -> {_pct(f.candidate_pass_rate)}): "
            f"{', '.join(f.failing) or '-'}"
            for f in flips
        ]
    if c.reviewed:
        where = f"the {c.reviewed[0].cases} cases whose replies are graded in both runs"
        lines += ["", f"Blind review, on {where} (shown, not gated):", "", head, "|---|---|---|---|---|---|"]
        lines += [row(d) for d in c.reviewed]
    verdict = (
        f"**Regression** beyond noise and the {c.threshold:g} threshold: {', '.join(c.regressions)}"
        if c.regressions
        else f"No regression beyond noise and the {c.threshold:g} threshold."
    )
    note = " (the suites or scoring files differ; only shared cases were compared)" if c.suite_changed else ""
    return "\n".join([*lines, "", verdict + note]) + "\n"


# ---- HTML -----------------------------------------------------------------------------

_STYLE = """
body{font:14px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:72rem;color:#1d1d1f;padding:0 1rem}
h1{font-size:1.4rem}h2{font-size:1.15rem;margin-top:2rem}table{border-collapse:collapse;width:100%}
td,th{border-bottom:1px solid #ddd;padding:.3rem .5rem;text-align:left;vertical-align:top}
.bar{background:#e8e8ed;height:.7rem;width:10rem;display:inline-block}
.bar i{background:#2e7d32;display:block;height:100%}
.pass{color:#2e7d32}.fail{color:#c62828;font-weight:600}.unscored{color:#9a6700}.number{color:#555}
details{border:1px solid #ddd;border-radius:6px;margin:.5rem 0;padding:.4rem .8rem}
summary{cursor:pointer;font-weight:600}pre{white-space:pre-wrap;background:#f6f6f8;padding:.6rem;border-radius:4px}
mark{background:#ffe08a}del{background:#fde2e2;color:#8a1c1c}ins{background:#dff5e1;color:#135e1d;text-decoration:none}
.grid{display:grid;grid-template-columns:1fr 1fr;gap:1rem}.muted{color:#666}
"""


def html_report(run: EvalRun, *, redact: bool = True) -> str:
    """One self-contained HTML page: summary, per-scorer rates, repeats, and a drill-down per case."""
    e = html.escape
    cases = {c.id: c for c in run.cases}
    masks = redactor(run) if redact else Redactor()
    parts = [
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>rewriter eval</title>"
        f"<style>{_STYLE}</style></head><body><h1>rewriter eval</h1><table>"
    ]
    parts += [f"<tr><th>{e(k)}</th><td>{e(v)}</td></tr>" for k, v in _headline(run)]
    parts.append(
        "</table><h2>Per scorer</h2><table><tr><th>scorer</th><th>pass rate</th><th></th>"
        "<th>passed</th><th>failed</th><th>unscored</th></tr>"
    )
    for name, entry in sorted(run.summary.scorers.items(), key=lambda kv: (kv[1].pass_rate or 0.0, kv[0])):
        parts.append(_scorer_row(name, entry))
    parts.append("</table>")
    parts += _repeats_section(run)
    parts.append(
        "<h2>Cases</h2><p class='muted'>The first failing result is open; click any other to drill down.</p>"
    )
    first_failing = next((r for r in run.results if not r.passed), None)
    for result in run.results:
        parts.append(_case_html(cases[result.case_id], result, masks, opened=result is first_failing))
    parts.append("</body></html>\n")
    # What escaped the per-field masking (a value in a verdict's reason), masked as HTML text.
    return Redactor({v: html.escape(p) for v, p in masks.values.items()}).text("".join(parts))


def _scorer_row(name: str, entry: ScorerSummary) -> str:
    rate = entry.pass_rate
    width = 0 if rate is None else round(rate * 100)
    return (
        f"<tr><td><code>{html.escape(name)}</code></td><td>{_pct(rate)}</td>"
        f"<td><span class='bar'><i style='width:{width}%'></i></span></td><td>{entry.passed}</td>"
        f"<td>{entry.failed}</td><td>{entry.unscored}</td></tr>"
    )


def _repeats_section(run: EvalRun) -> list[str]:
    grouped: dict[str, list[CaseResult]] = defaultdict(list)
    for result in run.results:
        grouped[result.case_id].append(result)
    repeated = {k: v for k, v in grouped.items() if len(v) > 1}
    if not repeated:
        return []
    rows = [
        "<h2>Repeats</h2><p class='muted'>Each repeat is its own sample (its own seed). pass^k: the case "
        "passed every one of its k repeats.</p><table><tr><th>case</th><th>scores</th><th>passed</th></tr>"
    ]
    for case_id, results in repeated.items():
        scores = ", ".join(_num(r.case_score) for r in results)
        rows.append(
            f"<tr><td>{html.escape(case_id)}</td><td>{scores}</td>"
            f"<td>{sum(r.passed for r in results)}/{len(results)}</td></tr>"
        )
    return [*rows, "</table>"]


def _case_html(case: GoldenCase, result: CaseResult, masks: Redactor, *, opened: bool = False) -> str:
    def e(text: str) -> str:
        return html.escape(masks.text(text))

    state = "error" if result.status == "error" else ("pass" if result.passed else "fail")
    reply = result.reply or ""
    head = (
        f"<details id='{e(case.id)}-{result.repeat}'{' open' if opened else ''}><summary>"
        f"<span class='{'pass' if state == 'pass' else 'fail'}'>{state}</span> {e(case.id)} "
        f"<span class='muted'>repeat {result.repeat}, score {_num(result.case_score)}, "
        f"{e(case.channel.value)}, {e(case.language)}, {e(case.tags.scenario)}</span></summary>"
    )
    body = [
        f"<div class='grid'><div><h3>Customer</h3><pre>{e(case.customer)}</pre></div>"
        f"<div><h3>Draft</h3><pre>{e(case.draft)}</pre></div></div>",
        f"<h3>Reply</h3><pre>{_highlight(reply, result.scores, masks)}</pre>" if reply else "",
        f"<p class='fail'>{e(result.error)}</p>" if result.error else "",
        f"<h3>Draft vs reply</h3><pre>{word_diff(masks.text(case.draft), masks.text(reply))}</pre>"
        if reply
        else "",
        "<h3>Verdicts</h3><table><tr><th>scorer</th><th>outcome</th><th>reason</th><th>evidence</th></tr>",
    ]
    for s in result.scores:
        quotes = "; ".join(
            f"<mark>{e(ev.text)}</mark> <span class='muted'>{ev.source} @{ev.start}-{ev.end}</span>"
            for ev in s.evidence
        )
        value = f" ({s.value:g})" if s.value is not None else ""
        body.append(
            f"<tr><td><code>{e(s.scorer)}</code></td><td class='{s.outcome.value}'>{s.outcome.value}{value}"
            f"</td><td>{e(s.reason)}</td><td>{quotes}</td></tr>"
        )
    u = result.usage
    body.append(
        f"</table><p class='muted'>{result.attempts} attempt(s), {u.requests} request(s), "
        f"{u.total_tokens} tokens, ${result.cost_usd:.4f}, {result.latency_s:.1f} s"
        f"{', from cache' if result.cached else ''}, seed {result.seed}</p></details>"
    )
    return head + "".join(body)


def _highlight(reply: str, scores: list[Score], masks: Redactor | None = None) -> str:
    """The reply with every span a failing verdict quotes marked, masked values masked whole."""
    masks = masks or Redactor()
    masked = [(m.start(), m.end()) for v in masks.values for m in re.finditer(re.escape(v), reply)]
    spans = sorted(
        {
            (ev.start, ev.end)
            for s in scores
            if s.outcome is Outcome.FAIL
            for ev in s.evidence
            if ev.source == "reply"
        }
    )

    def e(text: str) -> str:
        return html.escape(masks.text(text))

    out, at = [], 0
    for start, end in spans:
        if start < at or end > len(reply) or reply[start:end] == "":
            continue
        if any(a < start < b or a < end < b for a, b in masked):
            continue  # a mark inside a masked value would leave part of it showing
        out += [e(reply[at:start]), f"<mark>{e(reply[start:end])}</mark>"]
        at = end
    return "".join([*out, e(reply[at:])])


def word_diff(before: str, after: str) -> str:
    """Words removed and added between two texts, as HTML ``del`` and ``ins``."""
    a, b = before.split(), after.split()
    out: list[str] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(html.escape(" ".join(a[i1:i2])))
            continue
        if i2 > i1:
            out.append(f"<del>{html.escape(' '.join(a[i1:i2]))}</del>")
        if j2 > j1:
            out.append(f"<ins>{html.escape(' '.join(b[j1:j2]))}</ins>")
    return " ".join(out)
