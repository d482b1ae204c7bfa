"""``rewriter calibrate``: how far the detectors and the judge agree with people."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from rewriter.backend import open_client
from rewriter.calibrate import JudgedRow, Metric, calibrate_detectors, calibrate_judge
from rewriter.calibrate.judge import row_line
from rewriter.check import Guidance, load_guidance
from rewriter.cli.console import cli_errors, stderr
from rewriter.cli.options import BaseUrlOption, ModelOption, RepeatsOption
from rewriter.errors import InputError
from rewriter.tokens import estimate_cost, info_for


def calibrate(
    data: Annotated[
        Path, typer.Option("--data", help="Folder with epitome-dev.jsonl and politeness-dev.jsonl.")
    ] = Path("../shared/data"),
    use_judge: Annotated[
        bool,
        typer.Option(
            "--judge/--no-judge",
            help="Also measure the LLM judge on a fixed sample of EPITOME rows (seconds per row).",
        ),
    ] = False,
    sample: Annotated[int, typer.Option("--sample", min=1, help="Rows the judge reads.")] = 100,
    seed: Annotated[int, typer.Option("--seed", help="Picks the sample; same seed, same rows.")] = 7,
    rule: Annotated[
        str, typer.Option("--rule", help="The rule the judge decides for each row.")
    ] = "empathy.specific-acknowledgement",
    repeats: RepeatsOption = 1,
    rows_out: Annotated[
        Path | None,
        typer.Option(
            "--rows-out", help="Save each judged row (ids, labels, verdicts; no text) as JSON lines."
        ),
    ] = None,
    model: ModelOption = None,
    base_url: BaseUrlOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the figures as JSON.")] = False,
) -> None:
    """Measure the detectors (and, with --judge, the LLM judge) against human labels.

    Labels: EPITOME empathy levels and Stanford politeness scores. The judge runs on the
    same backend as `rewrite` and reports its coverage, kappa and two reference points.
    """
    with cli_errors():
        guidance = load_guidance()
        if use_judge:
            guidance.get(rule)  # an unknown rule fails before anything runs
        figures = calibrate_detectors(data)
        if use_judge:
            figures += _judge_figures(data, sample, seed, guidance, rule, repeats, rows_out, model, base_url)
    if as_json:
        typer.echo(json.dumps([f.model_dump() for f in figures], indent=2))
        return
    width = max(len(f.detector) for f in figures)
    for f in figures:
        typer.echo(f"{f.detector:{width}}  {f.labels:26} {f.metric:24} {f.value:6.3f}  rows={f.rows}")


def _judge_figures(
    data: Path,
    sample: int,
    seed: int,
    guidance: Guidance,
    rule: str,
    repeats: int,
    rows_out: Path | None,
    model: str | None,
    base_url: str | None,
) -> list[Metric]:
    try:
        saved = rows_out.open("w", encoding="utf-8") if rows_out else None
    except OSError as exc:
        raise InputError(
            f"--rows-out {rows_out}: cannot write there ({exc.strerror}); pick a writable path"
        ) from exc
    err = stderr()

    def progress(done: int, total: int, row: JudgedRow) -> None:
        if saved is not None:
            saved.write(row_line(row) + "\n")
            saved.flush()  # a long run stopped half-way keeps what it judged
        err.print(
            f"judge {done}/{total}: ER {row.gold}, {row.verdict.value} ({row.seconds:.1f} s)", style="dim"
        )

    try:
        client = open_client({"model": model, "base_url": base_url})
        run = calibrate_judge(
            client, data, rule_id=rule, sample=sample, seed=seed, repeats=repeats,
            guidance=guidance, on_row=progress,
        )  # fmt: skip
    finally:
        if saved is not None:
            saved.close()
    u = run.usage
    cost = estimate_cost(info_for(client.model_name(), client.settings), u.prompt_tokens, u.completion_tokens)
    err.print(
        f"judge: {run.sample} rows (seed {run.seed}) in {run.seconds:.0f} s, {u.requests} request(s), "
        f"{u.total_tokens} tokens, ${cost:.4f}, model {client.model_name()}",
        style="dim",
    )
    return run.figures
