"""``rewriter guidance list|show``: read the rule set from the terminal."""

from __future__ import annotations

from typing import Annotated

import typer

from rewriter.check import Family, load_guidance
from rewriter.cli.console import cli_errors

guidance_app = typer.Typer(help="Read the guidance rules replies are checked against.", no_args_is_help=True)


@guidance_app.command("list")
def guidance_list(
    family: Annotated[Family | None, typer.Option("--family", help="Only this family.")] = None,
) -> None:
    """List every rule: id, family, severity, how it is checked, and its title."""
    with cli_errors():
        guidance = load_guidance()
    # Plain aligned columns: readable in a terminal and easy to grep or cut in a pipe.
    width = max(len(r.id) for r in guidance.rules)
    for rule in guidance.rules:
        if family is None or rule.family is family:
            typer.echo(f"{rule.id:{width}}  {rule.severity.value:6}  {rule.check.value:13}  {rule.title}")


@guidance_app.command("show")
def guidance_show(rule_id: Annotated[str, typer.Argument(help="A rule id, e.g. tone.no-blame.")]) -> None:
    """Show one rule in full, with its examples and sources."""
    with cli_errors():
        rule = load_guidance().get(rule_id)
    lines = [
        f"{rule.id}  ({rule.family.value}, {rule.severity.value}, checked by {rule.check.value})",
        rule.title,
        f"good:    {rule.good}",
        f"avoid:   {rule.avoid}",
        f"example: {rule.example_good}",
        f"not:     {rule.example_bad}",
        f"channels: {', '.join(c.value for c in rule.channels)}",
        *(f"source:  {s.file}, {s.section}" for s in rule.sources),
    ]
    typer.echo("\n".join(lines))
