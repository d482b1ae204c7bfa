"""``rewriter rewrite``: a draft in, the rewrite on stdout, the report on stderr."""

from __future__ import annotations

import difflib
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from rewriter.check import load_guidance
from rewriter.cli.console import cli_errors, stderr
from rewriter.cli.options import (
    BaseUrlOption,
    ChannelOption,
    CustomerOption,
    GuidanceOption,
    LanguageOption,
    ModelOption,
)
from rewriter.errors import ExitCode, InputError
from rewriter.inputs import read_text
from rewriter.models import Channel, Length, RewriteRequest, RewriteResult, RewriteStatus, Tone, Verdict

EXIT_CODES_HELP = (
    "Exit status: 0 rewritten; 2 bad input or usage; 3 no usable backend (configuration: key rejected, "
    "unknown model, nothing listening); 4 model output unusable (cut off, empty, refused, not JSON); "
    "5 input too long; 6 reply still unfaithful to the draft after revisions; "
    "7 another must rule (blame, no next step, private data in public) still fails; "
    "9 the backend failed to answer (rate limit, server error, timeout, connection dropped): try again "
    "later; "
    "10 the embedded engine crashed (the message says how to rebuild it)."
)


def rewrite(
    file: Annotated[
        str | None, typer.Argument(help="Draft reply file, or - for stdin (default when piped).")
    ] = None,
    customer: CustomerOption = None,
    customer_file: Annotated[
        Path | None, typer.Option("--customer-file", help="File holding the customer's message.")
    ] = None,
    name: Annotated[str | None, typer.Option("--name", help="The customer's name, for the greeting.")] = None,
    agent: Annotated[str | None, typer.Option("--agent", help="Your name, for the sign-off.")] = None,
    channel: ChannelOption = Channel.EMAIL,
    policy: Annotated[
        list[str] | None, typer.Option("--policy", help="A policy note the reply may rely on (repeatable).")
    ] = None,
    tone: Annotated[Tone, typer.Option("--tone", help="How warm or formal to sound.")] = Tone.WARM,
    length: Annotated[Length, typer.Option("--length", help="How long the reply may be.")] = Length.STANDARD,
    language: LanguageOption = None,
    model: ModelOption = None,
    base_url: BaseUrlOption = None,
    max_revisions: Annotated[
        int | None,
        typer.Option("--max-revisions", min=0, max=5, help="Revision requests after a failed check (parts)."),
    ] = None,
    strategy: Annotated[
        str | None,
        typer.Option(
            "--strategy",
            help="draft-first (default): the draft's sentences, cleaned, and a chosen acknowledgement; "
            "parts: the model writes every part, then it is checked, revised and mended.",
        ),
    ] = None,
    guidance_file: GuidanceOption = None,
    use_judge: Annotated[
        bool,
        typer.Option(
            "--judge/--no-judge",
            help="Also ask the LLM judge about each attempt; a failed must verdict triggers a revision.",
        ),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the full result as JSON.")] = False,
    diff: Annotated[
        bool, typer.Option("--diff", help="Print a diff of draft vs reply instead of the reply.")
    ] = False,
    stream: Annotated[
        bool, typer.Option("--stream", help="Show the model's output on stderr as it arrives.")
    ] = False,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Print only the reply; no diagnostics.")
    ] = False,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Say which backend is used and why.")
    ] = False,
) -> None:
    """Rewrite a draft reply: warmer, clearer next steps, every fact kept.

    The reply goes to stdout; a short report (facts kept, revisions, tokens) to stderr.
    """
    from rewriter.rewrite import Rewriter  # deferred: keeps `--help` fast

    if customer and customer_file:
        raise typer.BadParameter("use --customer or --customer-file, not both")
    if as_json and diff:
        raise typer.BadParameter("use --json or --diff, not both")
    source = file or ("-" if not sys.stdin.isatty() else None)
    if source is None:
        raise typer.BadParameter("give a draft file, or - to read the draft from standard input")
    err = stderr(quiet)
    with cli_errors(as_json=as_json, quiet=quiet, keep_draft=True) as scope:
        draft = scope.draft = read_text(source)
        message = read_text(str(customer_file)) if customer_file else customer
        try:
            request = RewriteRequest(
                draft=draft,
                customer_message=message,
                customer_name=name,
                agent_name=agent,
                channel=channel,
                policy=policy or [],
                tone=tone,
                length=length,
                language=language,
            )
        except ValueError as exc:
            raise InputError(str(exc)) from exc
        guidance = load_guidance(guidance_file)
        rewriter = Rewriter(
            model=model, base_url=base_url, max_revisions=max_revisions, strategy=strategy, guidance=guidance,
            judge=use_judge,
            on_wait=lambda ahead: err.print(f"waiting for the embedded model ({ahead} ahead)", style="dim"),
        )  # fmt: skip
        if verbose and rewriter.backend is not None:
            where = rewriter.settings.base_url or "OpenAI"
            err.print(f"backend: {rewriter.backend.kind} at {escape(where)}", style="dim")
        on_delta = (lambda text: err.out(text, end="", style="dim", highlight=False)) if stream else None
        try:
            result = rewriter.rewrite(request, on_delta=on_delta)
        finally:
            if stream:
                err.print()  # the streamed text ends mid-line, before the report or the error
    _print_result(result, as_json=as_json, diff=diff, err=err)
    if result.status is RewriteStatus.UNFAITHFUL:
        raise typer.Exit(int(ExitCode.UNFAITHFUL))
    if result.status is RewriteStatus.NEEDS_REVIEW:
        raise typer.Exit(int(ExitCode.CHECK_FAILED))


def _print_result(result: RewriteResult, *, as_json: bool, diff: bool, err: Console) -> None:
    if as_json:
        typer.echo(result.model_dump_json(indent=2))
    elif diff:
        lines = difflib.unified_diff(
            result.draft.splitlines(), result.reply.splitlines(), "draft", "reply", lineterm=""
        )
        typer.echo("\n".join(lines))
    else:
        typer.echo(result.reply)
    report = result.report
    unscored = [f for f in report.findings if f.verdict is Verdict.UNSCORED]
    if report.passed:
        err.print(
            f"[green]ok[/]: kept all {len(report.facts_checked)} facts of the draft; nothing invented; "
            "no must rule failed"
        )
    else:
        err.print("[bold yellow]warning[/]: the best attempt still fails these must rules:")
        for finding in report.failures:
            err.print(f"  - {escape(finding.message)}", soft_wrap=True)
        err.print("Review it before sending; your draft is in the --json output unchanged.")
    if unscored:
        names = ", ".join(sorted({f.rule_id for f in unscored}))
        err.print(f"[yellow]not checked[/] (could not decide): {escape(names)}", soft_wrap=True)
    for change in result.changes:
        err.print(
            f"  changed: {escape(change.change)} ({escape(change.reason)})", soft_wrap=True, style="dim"
        )
    u = result.usage
    err.print(
        f"{result.model}, {result.attempts} attempt(s), {u.requests} request(s), {u.total_tokens} tokens, "
        f"${result.cost_usd:.4f}, prompts {result.prompt_version}",
        style="dim",
    )
