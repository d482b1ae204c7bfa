"""The ``rewriter`` command: a thin shell over the library, one module per command group.

Commands parse arguments, read input, call the library and format what comes back.
The reply (or JSON) goes to stdout, everything else to stderr, and each failure has
its own documented exit status (see :class:`rewriter.errors.ExitCode`).
"""

from __future__ import annotations

import os
from typing import Annotated

import typer

from rewriter import __version__
from rewriter.cli.calibrate import calibrate
from rewriter.cli.check import check, check_macros
from rewriter.cli.console import DEBUG_ENV
from rewriter.cli.eval import eval_app
from rewriter.cli.guidance import guidance_app
from rewriter.cli.local import config, local_app
from rewriter.cli.rewrite import EXIT_CODES_HELP, rewrite
from rewriter.cli.serve import serve

app = typer.Typer(
    name="rewriter",
    help="Rewrite support replies so they balance empathy with clear next steps, checked against the draft.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
    add_completion=True,  # --install-completion and --show-completion for bash, zsh, fish
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"rewriter {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = False,
    debug: Annotated[
        bool, typer.Option("--debug", help=f"Show tracebacks instead of error messages (also {DEBUG_ENV}=1).")
    ] = False,
) -> None:
    """Rewrite support replies so they balance empathy with clear next steps."""
    if debug:
        os.environ[DEBUG_ENV] = "1"


app.command("rewrite", epilog=EXIT_CODES_HELP)(rewrite)
app.add_typer(local_app, name="local")
app.add_typer(guidance_app, name="guidance")
app.add_typer(eval_app, name="eval")
app.command("calibrate")(calibrate)
app.command("check", epilog="Exit status: 0 every must rule passes; 2 bad input; 7 a must rule fails.")(check)
app.command("serve", epilog="Exit status: 0 stopped; 2 bad input; 3 no backend, or no token off loopback.")(
    serve
)
app.command("check-macros", epilog="Exit status: 0 every file passes; 2 bad input; 7 a must rule fails.")(
    check_macros
)
app.command("config")(config)


def main() -> None:
    """Console-script entry point."""
    app()
