"""How every command ends badly: one error handler, one stderr printer, one debug switch.

A :class:`~rewriter.errors.RewriterError` is something the user can fix, so it becomes
its message and its documented exit code. Anything else is a bug in rewriter: the user
gets one line saying so, and ``--debug`` (or ``REWRITER_DEBUG=1``) shows the traceback.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass

import typer
from rich.console import Console
from rich.markup import escape

from rewriter.errors import ExitCode, RewriterError

DEBUG_ENV = "REWRITER_DEBUG"


def debugging() -> bool:
    """Whether errors should surface with their traceback instead of a message."""
    return os.environ.get(DEBUG_ENV, "").strip() not in ("", "0")


def stderr(quiet: bool = False) -> Console:
    """The console for diagnostics: stderr, no syntax colouring of paths and numbers."""
    return Console(stderr=True, quiet=quiet, highlight=False)


def print_error(message: str) -> None:
    """An error on stderr, unwrapped so file names and paths stay whole for copy and grep."""
    stderr().print(f"[bold red]error:[/] {escape(message)}", soft_wrap=True)


@dataclass
class ErrorScope:
    """What a command has accepted so far, so a failure can hand it back."""

    draft: str | None = None


@contextlib.contextmanager
def cli_errors(
    *, as_json: bool = False, quiet: bool = False, keep_draft: bool = False
) -> Iterator[ErrorScope]:
    """Turn every failure inside the block into a message and an exit code.

    Args:
        as_json: Print a library error as a JSON object on stdout too (with the draft).
        quiet: Leave out the reassurance that the draft was not changed.
        keep_draft: When the rewrite failed after the draft was read and stdout is a
            pipe, write the draft there, so ``rewriter rewrite < draft > out`` never
            leaves ``out`` empty. An error whose draft is not usable (unreadable or
            malformed input) writes nothing: the input needs fixing.
    """
    scope = ErrorScope()
    try:
        yield scope
    except RewriterError as exc:
        if debugging():
            raise
        if exc.draft is None:
            exc.draft = scope.draft
        _report(exc, as_json=as_json, quiet=quiet, keep_draft=keep_draft)
        raise typer.Exit(int(exc.exit_code)) from exc
    except Exception as exc:
        if debugging() or _from_typer(exc):
            raise
        print_error(
            f"internal error ({type(exc).__name__}: {exc}). This is a bug in rewriter; "
            f"run again with --debug or {DEBUG_ENV}=1 for the traceback, and report it"
        )
        raise typer.Exit(int(ExitCode.ERROR)) from exc


def _from_typer(exc: Exception) -> bool:
    # typer's own exceptions (a usage error, a deliberate exit status) are typer's to
    # handle; typer vendors click, so they are told apart by where they come from.
    return type(exc).__module__.split(".")[0] in ("typer", "click")


def _report(exc: RewriterError, *, as_json: bool, quiet: bool, keep_draft: bool) -> None:
    if as_json:
        error = {"type": type(exc).__name__, "message": exc.message, "exit_code": int(exc.exit_code)}
        typer.echo(json.dumps({"error": error, "draft": exc.draft}, indent=2, ensure_ascii=False))
    elif keep_draft and exc.draft is not None and exc.draft_usable and not sys.stdout.isatty():
        typer.echo(exc.draft.rstrip("\n"))
    print_error(exc.message)
    if keep_draft and exc.draft is not None and not as_json and not quiet:
        stderr().print("Your draft was not changed.")
