"""Options several commands share, declared once so their help reads the same everywhere."""

from __future__ import annotations

from typing import Annotated

import typer

ModelOption = Annotated[str | None, typer.Option("--model", help="Model name [env: REWRITER_MODEL].")]
BaseUrlOption = Annotated[
    str | None,
    typer.Option("--base-url", help="OpenAI-compatible endpoint [env: REWRITER_BASE_URL, OPENAI_BASE_URL]."),
]
RepeatsOption = Annotated[int, typer.Option("--repeats", min=1, max=9, help="Judge repeats, majority vote.")]
