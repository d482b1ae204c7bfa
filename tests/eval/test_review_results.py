"""Unblinding and the review's figures: known rates and kappa on a hand-made fixture."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pytest
from typer.testing import CliRunner

from rewriter.cli import app
from rewriter.errors import InputError
from rewriter.eval.grades import DRAFT, Grade, Problem, ReviewedGrade, grades_schema, load_brief, load_grades
from rewriter.eval.review import Key, ReviewOptions, build_packet
from rewriter.eval.review_results import cohen_kappa, markdown, report, unblind

ROOT = Path(__file__).resolve().parents[2]
BRIEF = load_brief(ROOT / "evals" / "reviews" / "brief.yaml")
runner = CliRunner()

# Two reviewers, 4 cases x 3 candidates (ours, plain, the draft), in the key's order of
# (case, source). True = sendable. They differ on two of twelve: agreement 10/12, each
# says yes to 6 of 12, so chance agreement is 0.5 and kappa is (0.8333 - 0.5) / 0.5.
SENDABLE = {
    "lead-1": [True, True, False, False, True, False, True, True, False, False, True, False],
    "lead-2": [True, False, False, False, True, False, True, True, False, True, True, False],
}


def fixture(runs: SimpleNamespace) -> tuple[Key, dict[str, object], list[tuple[Path, Grade]]]:
    ours = runs.run([runs.result(i, blame=i == 1) for i in range(1, 5)], 4, prompt_version="p-ours")
    plain = runs.run([runs.result(i, blame=False) for i in range(1, 5)], 4, pipeline="plain")
    ours.results[1].status = "needs_review"  # case-2: the checker did not pass it
    loaded = [("ours", Path("ours.json"), ours), ("plain", Path("plain.json"), plain)]
    packet, key, _ = build_packet(loaded, BRIEF, ReviewOptions(include_draft=True))
    order = [(c.case_id, s) for c in packet.cases for s in ("ours", "plain", DRAFT)]
    grades: list[tuple[Path, Grade]] = []
    for reviewer, verdicts in SENDABLE.items():
        for (case_id, source), sendable in zip(order, verdicts, strict=True):
            entry = next(e for e in key.entries if e.case_id == case_id and e.source == source)
            problems = []
            if not sendable and source == "ours":
                problems = [
                    Problem(tag="garbled", quote="drops off"),
                    Problem(tag="blame_hedge", quote="As I said"),
                ]
            send = ("as_is" if source == "plain" else "light_edit") if sendable else "no"
            rank = {"ours": 1, "plain": 2, DRAFT: 3}[source]
            grades.append((Path(f"{reviewer}.jsonl"), Grade(
                packet=key.packet, reviewer=reviewer, reviewer_kind="llm", case_id=case_id, label=entry.label,
                reply_sha256=entry.reply_sha256, send=send, vs_draft="better" if sendable else "worse",
                problems=problems, empathy=2 if source == "ours" else 0, next_steps=1, rank=rank,
            )))  # fmt: skip
    return key, {"ours": ours, "plain": plain}, grades


def test_kappa_matches_the_hand_computed_value() -> None:
    assert cohen_kappa(SENDABLE["lead-1"], SENDABLE["lead-2"]) == pytest.approx(0.667, abs=1e-3)
    assert cohen_kappa([True, True], [True, True]) == 1.0
    assert cohen_kappa([True, False], [False, True]) == -1.0
    assert cohen_kappa([], []) is None


def test_rates_per_source_agreement_and_the_ok_that_lied(runs: SimpleNamespace) -> None:
    key, loaded, grades = fixture(runs)
    graded = unblind(key, grades)
    assert {g.source for g in graded} == {"ours", "plain", DRAFT}
    assert {g.prompt_version for g in graded if g.source == "ours"} == {"p-ours"}
    result = report(key, graded, BRIEF, loaded)  # type: ignore[arg-type]
    figures = {s.source: s for s in result.sources}
    # ours: lead-1 T,F,T,F ... per case order (c1..c4) = [T, F, T, F], lead-2 = [T, F, T, T]
    assert figures["ours"].grades == 8 and figures["ours"].sendable == pytest.approx(5 / 8, abs=1e-3)
    assert figures["ours"].as_is == 0 and figures["ours"].worse == 3 and figures["ours"].empathy == 2.0
    assert figures["ours"].ranked_best == 1.0 and figures["ours"].problems == {"garbled": 3, "blame_hedge": 3}
    # plain: lead-1 sends all four, lead-2 three; the plain anchor's "rewritten" is no "ok".
    assert figures["plain"].sendable == pytest.approx(7 / 8) and figures["plain"].as_is == pytest.approx(
        7 / 8
    )
    [pair] = result.agreement
    assert pair.shared == 12 and pair.send_agreement == pytest.approx(0.833, abs=1e-3)
    assert pair.send_kappa == pytest.approx(0.667, abs=1e-3) and pair.tag_agreement[
        "garbled"
    ] == pytest.approx(11 / 12, abs=1e-3)
    # ours, would not send: lead-1 on case-2 and case-4, lead-2 on case-2. Case-2 was
    # "needs_review", so only lead-1's case-4 is an "ok" that lied.
    assert result.ok_graded == 6
    assert [(m.case_id, m.reviewer) for m in result.ok_that_lied or []] == [("case-4", "lead-1")]
    miss = (result.ok_that_lied or [])[0]
    assert "tone.whole-sentences" in miss.rules_that_should_have_failed
    recall = result.recall or {}
    # Blame on case-1's reply failed tone.no-blame; the others' garble no rule failed.
    assert (recall["garbled"].flagged, recall["garbled"].caught) == (3, 0)
    assert recall["blame_hedge"].flagged == 3
    text = markdown(result)
    assert "Cohen's kappa 0.67" in text and "1 of 6 graded replies the checker passed" in text


def test_grades_for_another_packet_or_another_text_are_refused(runs: SimpleNamespace) -> None:
    key, _, grades = fixture(runs)
    path, grade = grades[0]
    with pytest.raises(InputError, match="for packet other"):
        unblind(key, [(path, grade.model_copy(update={"packet": "other"}))])
    with pytest.raises(InputError, match="reply hash is not the hash"):
        unblind(key, [(path, grade.model_copy(update={"reply_sha256": "0" * 64}))])
    with pytest.raises(InputError, match="no such candidate"):
        unblind(key, [(path, grade.model_copy(update={"label": "Z"}))])
    with pytest.raises(InputError, match="graded twice"):
        unblind(key, [(path, grade), (path, grade)])


def test_the_cli_unblinds_writes_the_committed_grades_and_they_match_the_schema(
    runs: SimpleNamespace, tmp_path: Path
) -> None:
    key, loaded, grades = fixture(runs)
    for name, run in loaded.items():
        (tmp_path / f"{name}.json").write_text(run.model_dump_json(), encoding="utf-8")  # type: ignore[attr-defined]
    key_path = tmp_path / "key.json"
    key_path.write_text(key.model_dump_json(), encoding="utf-8")
    export = tmp_path / "lead-1.json"  # the page's export: a JSON array
    export.write_text(
        json.dumps([g.model_dump() for p, g in grades if g.reviewer == "lead-1"]), encoding="utf-8"
    )
    lines = tmp_path / "lead-2.jsonl"
    lines.write_text("".join(g.model_dump_json() + "\n" for p, g in grades if g.reviewer == "lead-2"),
                     encoding="utf-8")  # fmt: skip
    out = tmp_path / "review"
    args = ["eval", "review-results", str(key_path), str(export), str(lines), "--out", str(out),
            "--run", str(tmp_path / "ours.json"), "--run", str(tmp_path / "plain.json"),
            "--brief", str(ROOT / "evals" / "reviews" / "brief.yaml")]  # fmt: skip
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "Cohen's kappa 0.67" in result.stdout and "`case-4` (ours, lead-1)" in result.stdout
    committed = load_grades(out / "grades.jsonl", ReviewedGrade)
    assert (
        len(committed) == 24
        and json.loads((out / "report.json").read_text(encoding="utf-8"))["ok_graded"] == 6
    )
    assert (ROOT / "evals" / "reviews" / "schema.json").read_text(encoding="utf-8") == grades_schema()


def test_compare_shows_the_reviewers_figures_for_replies_graded_in_both_runs(runs: SimpleNamespace) -> None:
    from rewriter.eval.compare import compare_runs
    from rewriter.eval.report import comparison_markdown

    key, loaded, grades = fixture(runs)
    graded = unblind(key, grades)
    ours, plain = loaded["ours"], loaded["plain"]
    result = compare_runs(plain, ours, reviews=graded)  # type: ignore[arg-type]
    figures = {d.metric: d for d in result.reviewed}
    # A grade follows its reply by hash, whatever candidate it was given as: in cases 2-4 ours
    # and plain wrote the same reply, and in case 1 ours is the draft word for word, so those
    # grades are pooled. Empathy per case (ours graded 2, the others 0): plain 0, 1, 1, 1
    # (mean 0.75); ours 1, 1, 1, 1 (1.0).
    empathy = figures["review: empathy (0-2)"]
    assert empathy.cases == 4
    assert empathy.base == pytest.approx(0.75) and empathy.candidate == pytest.approx(1.0)
    text = comparison_markdown(result)
    assert "Blind review, on the 4 cases whose replies are graded in both runs (shown, not gated)" in text
    assert not any(metric.startswith("review:") for metric in result.regressions)
    # A reply nobody graded has no reviewer figures: a run with other replies shows none.
    changed = ours.model_copy(
        update={"results": [r.model_copy(update={"reply": (r.reply or "") + " More."}) for r in ours.results]}
    )
    assert compare_runs(plain, changed, reviews=graded).reviewed == []  # type: ignore[arg-type]


def test_a_run_replayed_since_does_not_lend_its_new_replies_the_old_grades(runs: SimpleNamespace) -> None:
    key, loaded, grades = fixture(runs)
    graded = unblind(key, grades)
    ours = loaded["ours"]
    replayed = ours.model_copy(  # case-4's reply changed after the review
        update={"results": [r.model_copy(update={"reply": (r.reply or "") + " Now different."})
                            if r.case_id == "case-4" else r for r in ours.results]}
    )  # fmt: skip
    result = report(key, graded, BRIEF, {"ours": replayed, "plain": loaded["plain"]})  # type: ignore[dict-item]
    assert result.ok_that_lied == [] and result.ok_graded == 4  # case-4's two grades no longer apply
