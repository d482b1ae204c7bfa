"""Options several commands share, declared once so their help reads the same everywhere."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from rewriter.models import Channel

ModelOption = Annotated[str | None, typer.Option("--model", help="Model name (also REWRITER_MODEL).")]
BaseUrlOption = Annotated[
    str | None,
    typer.Option(
        "--base-url", help="OpenAI-compatible endpoint (also REWRITER_BASE_URL or OPENAI_BASE_URL)."
    ),
]
ChannelOption = Annotated[Channel, typer.Option("--channel", help="Where the reply goes.")]
CustomerOption = Annotated[str | None, typer.Option("--customer", help="The customer's message, as text.")]
GuidanceOption = Annotated[
    Path | None, typer.Option("--guidance", help="A team guidance file layered on the default rules.")
]
RepeatsOption = Annotated[int, typer.Option("--repeats", min=1, max=9, help="Judge repeats, majority vote.")]
LanguageOption = Annotated[
    str | None,
    typer.Option("--language", help="The reply's language, e.g. es (default: the draft's, detected)."),
]
