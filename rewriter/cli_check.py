"""``rewriter check``: which guidance a reply misses, and the words that show it."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from rewriter.checker import check_reply, with_judge
from rewriter.cli_options import (
    BaseUrlOption,
    ChannelOption,
    CustomerOption,
    GuidanceOption,
    ModelOption,
    RepeatsOption,
    print_error,
)
from rewriter.errors import ExitCode, RewriterError
from rewriter.guidance import load_guidance
from rewriter.inputs import read_text
from rewriter.judge import JudgeResult, judge
from rewriter.models import Channel, Severity, Verdict
from rewriter.scores import score
from rewriter.tokens import estimate_cost

_STYLE = {
    Verdict.PASS: "green",
    Verdict.FAIL: "bold red",
    Verdict.NOT_APPLICABLE: "dim",
    Verdict.UNSCORED: "yellow",
}


def check(
    file: Annotated[str, typer.Argument(help="The reply to check, or - for stdin.")] = "-",
    channel: ChannelOption = Channel.EMAIL,
    name: Annotated[str | None, typer.Option("--name", help="The customer's name.")] = None,
    customer: CustomerOption = None,
    draft: Annotated[
        Path | None, typer.Option("--draft", help="The draft this reply rewrites: also check faithfulness.")
    ] = None,
    guidance_file: GuidanceOption = None,
    language: Annotated[
        str, typer.Option("--language", help="Phrase lists to use: en, es, de, fr (prompts/lexicons/).")
    ] = "en",
    use_judge: Annotated[
        bool,
        typer.Option("--judge/--no-judge", help="Also ask the LLM judge (same backend rule as rewrite)."),
    ] = False,
    repeats: RepeatsOption = 1,
    model: ModelOption = None,
    base_url: BaseUrlOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Check a reply against the guidance; exit 7 if a `must` rule fails.

    Each verdict quotes the words that caused it and gives a fix hint.
    """
    try:
        reply = read_text(file)
        draft_text = read_text(str(draft)) if draft else None
        report = check_reply(
            reply,
            channel=channel,
            customer_name=name,
            draft=draft_text,
            context=[customer] if customer else [],
            guidance=load_guidance(guidance_file),
            language=language,
        )
        judged = None
        if use_judge:
            judged = _run_judge(
                reply, channel=channel, customer=customer, draft=draft_text, guidance_file=guidance_file,
                repeats=repeats, model=model, base_url=base_url,
            )  # fmt: skip
    except RewriterError as exc:
        if os.environ.get("REWRITER_DEBUG"):
            raise
        print_error(exc.message)
        raise typer.Exit(int(exc.exit_code)) from exc
    extra: dict[str, object] = {}
    if judged is not None:
        result, cost = judged
        report = with_judge(report, result.findings)
        extra["judge"] = {**result.model_dump(mode="json", exclude={"findings"}), "cost_usd": cost}
        u = result.usage
        Console(stderr=True).print(
            f"judge: {u.requests} request(s), {u.total_tokens} tokens, ${cost:.4f}, "
            f"{result.unparseable} unparseable answer(s)",
            style="dim",
        )
    scores = score(report)
    if as_json:
        payload = {**report.model_dump(mode="json"), "scores": scores.model_dump(mode="json"), **extra}
        typer.echo(json.dumps(payload, indent=2))
    else:
        table = Table(show_lines=False)
        table.add_column("rule", no_wrap=True)
        table.add_column("verdict", no_wrap=True)
        table.add_column("evidence")
        table.add_column("hint")
        for f in report.findings:
            evidence = "; ".join(
                f'"{e.text}" @{e.start}-{e.end}' for e in f.evidence if f.verdict is Verdict.FAIL
            )
            verdict = f.verdict.value + (
                " (must)" if f.severity is Severity.MUST and f.verdict is Verdict.FAIL else ""
            )
            table.add_row(
                f.rule_id, f"[{_STYLE[f.verdict]}]{verdict}[/]", escape(evidence), escape(f.hint or "")
            )
        console = Console(soft_wrap=True, width=max(120, Console().width))
        console.print(table)
        shown = {k: v for k, v in scores.model_dump().items() if k != "families" and v is not None}
        console.print("scores: " + ", ".join(f"{k} {v:.2f}" for k, v in shown.items()), style="dim")
    if not report.passed:
        raise typer.Exit(int(ExitCode.CHECK_FAILED))


def _run_judge(
    reply: str,
    *,
    channel: Channel,
    customer: str | None,
    draft: str | None,
    guidance_file: Path | None,
    repeats: int,
    model: str | None,
    base_url: str | None,
) -> tuple[JudgeResult, float]:
    from rewriter.rewrite import Rewriter

    rewriter = Rewriter(model=model, base_url=base_url, guidance=load_guidance(guidance_file))
    result = judge(
        rewriter.client, rewriter.guidance, reply, channel=channel, customer_message=customer, draft=draft,
        repeats=repeats,
    )  # fmt: skip
    cost = estimate_cost(rewriter.model_info(), result.usage.prompt_tokens, result.usage.completion_tokens)
    return result, cost
