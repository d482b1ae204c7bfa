"""``rewriter eval review`` and ``review-results``: blind packets for support leads, and their verdicts."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from rewriter.cli.console import cli_errors, stderr
from rewriter.eval.grades import Grade, load_brief, load_grades
from rewriter.eval.results import load_run
from rewriter.eval.review import ReviewOptions, build_packet, load_key, run_names, write_packet
from rewriter.eval.review_results import markdown, report, unblind
from rewriter.files import write_atomic

DEFAULT_BRIEF = Path("evals/reviews/brief.yaml")


def review(
    runs: Annotated[list[Path], typer.Argument(help="Run files of `rewriter eval run`: a candidate each.")],
    out: Annotated[Path, typer.Option("--out", help="Folder for the packet (HTML, Markdown, JSON).")],
    key: Annotated[
        Path | None,
        typer.Option("--key", help="Where the key goes (default: <out>-key.json, beside the folder)."),
    ] = None,
    include_draft: Annotated[
        bool, typer.Option("--include-draft", help="Add the agent's draft itself as a candidate.")
    ] = False,
    sample: Annotated[
        int | None, typer.Option("--sample", min=1, help="Review this many cases, picked with the seed.")
    ] = None,
    cases: Annotated[
        str | None, typer.Option("--cases", help="Comma-separated case ids to review (default: all).")
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="Seeds the shuffle of candidates and the sample.")] = 7,
    brief_file: Annotated[Path, typer.Option("--brief", help="The reviewers' brief.")] = DEFAULT_BRIEF,
) -> None:
    """Write a blind review packet: each case's candidates shuffled and labelled A, B, C; the key apart."""
    with cli_errors():
        loaded = [(name, path, load_run(path)) for name, path in zip(run_names(runs), runs, strict=True)]
        options = ReviewOptions(
            seed=seed, include_draft=include_draft, sample=sample,
            cases=[c.strip() for c in (cases or "").split(",") if c.strip()],
        )  # fmt: skip
        packet, key_data, left_out = build_packet(loaded, load_brief(brief_file), options)
        key_path = key or out.with_name(out.name + "-key.json")
        write_packet(packet, key_data, out, key_path)
    if left_out:
        stderr().print(f"left out {len(left_out)} case(s) a run has no reply for: {', '.join(left_out)}")
    per_case = len(packet.cases[0].candidates) if packet.cases else 0
    stderr().print(
        f"packet {packet.packet}: {len(packet.cases)} cases, {per_case} candidates each, in {out}/ "
        f"(packet.html, packet.md, grades-template.jsonl); the key is {key_path}: keep it from the reviewers"
    )


def review_results(
    key_file: Annotated[Path, typer.Argument(help="The packet's key (from `rewriter eval review`).")],
    grades: Annotated[list[Path], typer.Argument(help="Grades: the page's JSON export, or JSON Lines.")],
    run: Annotated[
        list[Path] | None,
        typer.Option(
            "--run",
            help="A run file of the packet: adds the replies the checker passed but a "
            "reviewer would not send, and the checker's recall per tag (default: the key's paths).",
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Also write report.md, report.json and the unblinded grades.jsonl here."),
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="md or json, on stdout.")] = "md",
    brief_file: Annotated[Path, typer.Option("--brief", help="The reviewers' brief.")] = DEFAULT_BRIEF,
) -> None:
    """Unblind the grades and report per run, between reviewers, and against the checker."""
    if fmt not in ("md", "json"):
        raise typer.BadParameter("--format is one of: md, json")
    with cli_errors():
        key = load_key(key_file)
        graded = unblind(key, [(path, grade) for path in grades for grade in load_grades(path, Grade)])
        runs = {}
        for ref in key.runs:
            paths = [p for p in run or [] if p.stem == ref.name] or ([] if run else [Path(ref.path)])
            if paths and paths[0].exists():
                runs[ref.name] = load_run(paths[0])
        result = report(key, graded, load_brief(brief_file), runs)
        text = markdown(result)
        data = result.model_dump_json(indent=2) + "\n"
        if out is not None:
            write_atomic(out / "report.md", text, private=False)
            write_atomic(out / "report.json", data, private=False)
            lines = "".join(g.model_dump_json() + "\n" for g in graded)
            write_atomic(out / "grades.jsonl", lines, private=False)
            stderr().print(f"wrote {out}/report.md, report.json and grades.jsonl ({len(graded)} grades)")
    typer.echo(text if fmt == "md" else data, nl=False)
