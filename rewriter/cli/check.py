"""``rewriter check``: which guidance a reply misses, and the words that show it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from rewriter.backend import open_client
from rewriter.check import assess, check_reply, load_guidance
from rewriter.cli.console import cli_errors, stderr
from rewriter.cli.options import (
    BaseUrlOption,
    ChannelOption,
    CustomerOption,
    GuidanceOption,
    LanguageOption,
    ModelOption,
    RepeatsOption,
)
from rewriter.errors import ExitCode
from rewriter.inputs import read_text
from rewriter.macros import read_macro
from rewriter.models import Channel, CheckReport, Severity, Verdict

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
    language: LanguageOption = None,
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
    with cli_errors():
        reply = read_text(file)
        draft_text = read_text(str(draft)) if draft else None
        guidance = load_guidance(guidance_file)
        client = open_client({"model": model, "base_url": base_url}) if use_judge else None
        assessment = assess(
            reply, channel=channel, customer_name=name, customer_message=customer, draft=draft_text,
            language=language, guidance=guidance, judge_client=client, repeats=repeats,
        )  # fmt: skip
    report, scores, judged = assessment.report, assessment.scores, assessment.judge
    extra: dict[str, object] = {}
    if judged is not None:
        cost = assessment.judge_cost_usd or 0.0
        extra["judge"] = {**judged.model_dump(mode="json", exclude={"findings"}), "cost_usd": cost}
        u = judged.usage
        stderr().print(
            f"judge: {u.requests} request(s), {u.total_tokens} tokens, ${cost:.4f}, "
            f"{judged.unparseable} unparseable answer(s)",
            style="dim",
        )
    if as_json:
        payload = {**report.model_dump(mode="json"), "scores": scores.model_dump(mode="json"), **extra}
        typer.echo(json.dumps(payload, indent=2))
    else:
        console = Console(soft_wrap=True, width=max(120, Console().width))
        console.print(_table(report))
        shown = {k: v for k, v in scores.model_dump().items() if k != "families" and v is not None}
        console.print("scores: " + ", ".join(f"{k} {v:.2f}" for k, v in shown.items()), style="dim")
    if not report.passed:
        raise typer.Exit(int(ExitCode.CHECK_FAILED))


def _table(report: CheckReport) -> Table:
    """Every finding with its verdict, the words it rests on and the fix."""
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
        table.add_row(f.rule_id, f"[{_STYLE[f.verdict]}]{verdict}[/]", escape(evidence), escape(f.hint or ""))
    return table


def check_macros(
    files: Annotated[
        list[Path], typer.Argument(help="Macro files (Markdown or text, optional YAML front matter).")
    ],
    guidance_file: GuidanceOption = None,
) -> None:
    """Check canned replies kept in files; exit 7 with each failing file's table if a `must` rule fails.

    A file may open with front matter between '---' lines giving its channel (email,
    chat or social), the customer's name and its language. This is what the
    `rewriter-check` pre-commit hook runs on the files a commit changes.
    """
    with cli_errors():
        guidance = load_guidance(guidance_file)
        macros = [
            read_macro(path) for path in files
        ]  # every file read first: a bad one stops nothing silently
        reports = [
            (
                m,
                check_reply(
                    m.reply, channel=m.channel, customer_name=m.name, language=m.language, guidance=guidance
                ),
            )
            for m in macros
        ]
    failing = [(m, r) for m, r in reports if not r.passed]
    console = Console(soft_wrap=True, width=max(120, Console().width))
    for macro, report in failing:
        console.print(f"[bold]{escape(macro.path)}[/] ({macro.channel.value}): a must rule fails")
        console.print(_table(report))
    if failing:
        stderr().print(f"{len(failing)} of {len(macros)} macro file(s) fail a must rule")
        raise typer.Exit(int(ExitCode.CHECK_FAILED))
