"""Blind packets: the same every time, shuffled per case, and nothing in them names a run."""

from __future__ import annotations

import json
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from typer.testing import CliRunner

from rewriter.cli import app
from rewriter.errors import InputError
from rewriter.eval.grades import DRAFT, Grade, load_brief, load_grades
from rewriter.eval.results import EvalRun
from rewriter.eval.review import ReviewOptions, build_packet, grade_template, run_names, write_packet

ROOT = Path(__file__).resolve().parents[2]
BRIEF = load_brief(ROOT / "evals" / "reviews" / "brief.yaml")
runner = CliRunner()


def two_runs(runs: SimpleNamespace, count: int = 8) -> list[tuple[str, Path, EvalRun]]:
    alpha = runs.run([runs.result(i, blame=i % 2 == 0) for i in range(1, count + 1)], count,
                     model="model-zeta", prompt_version="pv-alpha-7")  # fmt: skip
    beta = runs.run([runs.result(i, blame=False) for i in range(1, count + 1)], count,
                    model="model-omega", prompt_version="pv-beta-9", pipeline="plain")  # fmt: skip
    for r in beta.results:  # a status the packet must not leak
        r.status = "needs_review"
    return [("alpha-run", Path("alpha-run.json"), alpha), ("beta-run", Path("beta-run.json"), beta)]


def test_packet_files_are_deterministic_and_name_no_run_model_status_or_score(
    runs: SimpleNamespace, tmp_path: Path
) -> None:
    loaded = two_runs(runs)
    texts = []
    for attempt in range(2):
        packet, key, left_out = build_packet(loaded, BRIEF, ReviewOptions(include_draft=True))
        out = tmp_path / f"packet{attempt}"
        written = write_packet(packet, key, out, tmp_path / f"key{attempt}.json")
        texts.append({p.name: p.read_text(encoding="utf-8") for p in written if p.parent == out})
    assert texts[0] == texts[1] and left_out == []
    assert set(texts[0]) == {"packet.html", "packet.md", "grades-template.jsonl", "packet.json"}
    secrets = ["alpha-run", "beta-run", "model-zeta", "model-omega", "pv-alpha", "pv-beta", "rewritten",
               "needs_review", "case_score", "plain", "pipeline", "tone.no-blame", "checked_by\": [\"",
               "\"source\"", "\"status\""]  # fmt: skip
    for name, text in texts[0].items():
        for secret in secrets:
            pattern = rf"\b{re.escape(secret)}\b" if secret[0].isalpha() else re.escape(secret)
            assert not re.search(pattern, text), (name, secret)
    # The key, apart, says which label is which.
    key_data = json.loads((tmp_path / "key0.json").read_text(encoding="utf-8"))
    assert {e["source"] for e in key_data["entries"]} == {"alpha-run", "beta-run", DRAFT}


def test_candidates_are_shuffled_per_case_with_the_seed(runs: SimpleNamespace) -> None:
    loaded = two_runs(runs)
    _, key, _ = build_packet(loaded, BRIEF, ReviewOptions(include_draft=True, seed=7))
    orders = {
        tuple(e.source for e in key.entries if e.case_id == c) for c in {e.case_id for e in key.entries}
    }
    assert len(orders) > 1  # not the same order in every case
    _, again, _ = build_packet(loaded, BRIEF, ReviewOptions(include_draft=True, seed=7))
    _, other, _ = build_packet(loaded, BRIEF, ReviewOptions(include_draft=True, seed=8))
    assert again == key and [e.source for e in other.entries] != [e.source for e in key.entries]
    # The draft is offered as it is, and each candidate carries the hash of its text.
    packet, _, _ = build_packet(loaded, BRIEF, ReviewOptions(include_draft=True))
    first = packet.cases[0]
    assert first.draft in [c.text for c in first.candidates]


def test_sample_and_cases_pick_cases_and_a_run_without_a_reply_leaves_its_case_out(
    runs: SimpleNamespace,
) -> None:
    loaded = two_runs(runs)
    packet, _, _ = build_packet(loaded, BRIEF, ReviewOptions(sample=3))
    assert len(packet.cases) == 3
    packet, _, _ = build_packet(loaded, BRIEF, ReviewOptions(cases=["case-5", "case-2"]))
    assert [c.case_id for c in packet.cases] == ["case-2", "case-5"]  # the suite's order
    with pytest.raises(InputError, match="no case 'case-99'"):
        build_packet(loaded, BRIEF, ReviewOptions(cases=["case-99"]))
    loaded[1][2].results[3].reply = None
    loaded[1][2].results[3].status = "error"
    packet, key, left_out = build_packet(loaded, BRIEF, ReviewOptions())
    assert left_out == ["case-4"] and "case-4" not in {c.case_id for c in packet.cases}
    with pytest.raises(InputError, match="two candidates"):
        build_packet(loaded[:1], BRIEF, ReviewOptions())


def test_the_key_may_not_go_inside_the_packet_folder(runs: SimpleNamespace, tmp_path: Path) -> None:
    packet, key, _ = build_packet(two_runs(runs), BRIEF, ReviewOptions())
    with pytest.raises(InputError, match="must not go inside the packet folder"):
        write_packet(packet, key, tmp_path / "p", tmp_path / "p" / "key.json")


def test_run_names_are_stems_made_unique() -> None:
    assert run_names([Path("a/local.json"), Path("b/local.json"), Path("draft.json")]) == [
        "local", "local-2", "draft-2",
    ]  # fmt: skip


def test_the_template_fills_in_to_valid_grades(runs: SimpleNamespace, tmp_path: Path) -> None:
    packet, _, _ = build_packet(two_runs(runs), BRIEF, ReviewOptions(include_draft=True))
    rows = [json.loads(line) for line in grade_template(packet).splitlines()]
    assert len(rows) == 8 * 3 and all(len(r["reply_sha256"]) == 64 for r in rows)
    for row in rows:
        row.update(reviewer="lead-1", send="light_edit", vs_draft="same", empathy=1, next_steps=2,
                   rank=ord(row["label"]) - 64)  # fmt: skip
    path = tmp_path / "grades.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    assert len(load_grades(path, Grade)) == 24
    rows[2]["send"] = "maybe"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match=re.escape(f"{path}: line 3: field 'send'")):
        load_grades(path, Grade)


def test_the_markdown_packet_shows_the_brief_and_every_case(runs: SimpleNamespace, tmp_path: Path) -> None:
    packet, _, _ = build_packet(two_runs(runs), BRIEF, ReviewOptions(include_draft=True))
    from rewriter.eval.review import render_markdown

    text = render_markdown(packet)
    assert text.startswith(f"# {BRIEF.title}") and "`statement_as_step` (Statement as a step)" in text
    assert text.count("### Candidate ") == 24 and text.count("## Case `") == 8


def test_the_cli_writes_the_packet_and_the_key_beside_it(runs: SimpleNamespace, tmp_path: Path) -> None:
    paths = []
    for name, _, run in two_runs(runs):
        path = tmp_path / f"{name}.json"
        path.write_text(run.model_dump_json(), encoding="utf-8")
        paths.append(str(path))
    out = tmp_path / "packet"
    args = ["eval", "review", *paths, "--out", str(out), "--include-draft", "--sample", "4",
            "--brief", str(ROOT / "evals" / "reviews" / "brief.yaml")]  # fmt: skip
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "packet-key.json").exists() and (out / "packet.html").exists()
    assert "4 cases, 3 candidates each" in result.stderr and "keep it from the reviewers" in result.stderr
