"""The command line: ``rewriter rewrite``, ``check``, ``guidance``, ``calibrate``, ``local``, ``config``."""

from rewriter.cli.app import app, main

__all__ = ["app", "main"]
