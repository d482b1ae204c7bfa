"""``rewriter calibrate``: how far the detectors and the judge agree with people."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from rewriter.calibrate import Metric
from rewriter.cli_options import BaseUrlOption, ModelOption, RepeatsOption, print_error
from rewriter.errors import RewriterError


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
    from rewriter.calibrate import calibrate as run_calibration

    err = Console(stderr=True)
    try:
        figures = run_calibration(data)
        if use_judge:
            figures += _judge_figures(data, sample, seed, rule, repeats, rows_out, model, base_url, err)
    except (RewriterError, KeyError) as exc:
        if os.environ.get("REWRITER_DEBUG"):
            raise
        message = exc.message if isinstance(exc, RewriterError) else str(exc.args[0])
        print_error(message)
        code = int(exc.exit_code) if isinstance(exc, RewriterError) else 2
        raise typer.Exit(code) from exc
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
    rule: str,
    repeats: int,
    rows_out: Path | None,
    model: str | None,
    base_url: str | None,
    err: Console,
) -> list[Metric]:
    from rewriter.calibrate_judge import JudgedRow, calibrate_judge, row_line
    from rewriter.rewrite import Rewriter
    from rewriter.tokens import estimate_cost

    rewriter = Rewriter(model=model, base_url=base_url)
    rewriter.guidance.get(rule)  # an unknown rule fails before any model call
    saved = rows_out.open("w", encoding="utf-8") if rows_out else None

    def progress(done: int, total: int, row: JudgedRow) -> None:
        if saved is not None:
            saved.write(row_line(row) + "\n")
            saved.flush()  # a long run stopped half-way keeps what it judged
        err.print(
            f"judge {done}/{total}: ER {row.gold}, {row.verdict.value} ({row.seconds:.1f} s)", style="dim"
        )

    try:
        run = calibrate_judge(
            rewriter.client, data, rule_id=rule, sample=sample, seed=seed, repeats=repeats,
            guidance=rewriter.guidance, on_row=progress,
        )  # fmt: skip
    finally:
        if saved is not None:
            saved.close()
    u = run.usage
    cost = estimate_cost(rewriter.model_info(), u.prompt_tokens, u.completion_tokens)
    err.print(
        f"judge: {run.sample} rows (seed {run.seed}) in {run.seconds:.0f} s, {u.requests} request(s), "
        f"{u.total_tokens} tokens, ${cost:.4f}, model {rewriter.settings.model}",
        style="dim",
    )
    return run.figures
