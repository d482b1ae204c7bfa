"""``rewriter serve``: the HTTP service (:mod:`rewriter.service`), started from the command line."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Annotated

import typer

from rewriter.cli.console import cli_errors, stderr
from rewriter.cli.options import BaseUrlOption, ModelOption
from rewriter.errors import ConfigError, InputError

TOKEN_ENV = "REWRITER_SERVE_TOKEN"


def serve(
    host: Annotated[
        str, typer.Option("--host", help="Address to listen on; beyond loopback a token is required.")
    ] = ("127.0.0.1"),
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="Port to listen on.")] = 8000,
    token_file: Annotated[
        Path | None,
        typer.Option("--token-file", help=f"A file holding the bearer token (also {TOKEN_ENV})."),
    ] = None,
    concurrency: Annotated[int, typer.Option("--concurrency", min=1, help="Rewrites at once.")] = 2,
    queue: Annotated[
        int, typer.Option("--queue", min=0, help="Rewrites waiting beyond those; more get 503.")
    ] = 16,
    max_body_kb: Annotated[
        int, typer.Option("--max-body-kb", min=1, help="Largest request body, in kB.")
    ] = 256,
    model: ModelOption = None,
    base_url: BaseUrlOption = None,
) -> None:
    """Serve rewrite and check over HTTP: POST /v1/rewrite, POST /v1/check, GET /healthz, GET /openapi.json.

    Bodies are the library's own models as JSON. Needs the serve extra:
    pip install 'rewriter[serve]'.
    """
    with cli_errors():
        try:
            import uvicorn

            from rewriter.service import Limits, create_app, require_token_off_loopback
        except ImportError as exc:
            raise ConfigError("rewriter serve needs the serve extra: pip install 'rewriter[serve]'") from exc
        from rewriter.rewrite import Rewriter

        token = os.environ.get(TOKEN_ENV) or None
        if token_file is not None:
            try:
                token = token_file.read_text(encoding="utf-8").strip() or None
            except OSError as exc:
                raise InputError(f"{token_file}: cannot read the token file ({exc.strerror})") from exc
        require_token_off_loopback(host, token)
        rewriter = Rewriter(model=model, base_url=base_url)
        limits = Limits(concurrency=concurrency, queue=queue, max_body_bytes=max_body_kb * 1000)
        app = create_app(rewriter, token=token, limits=limits)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    stderr().print(f"rewriter serve on http://{host}:{port} (OpenAPI at /openapi.json)", style="dim")
    uvicorn.run(app, host=host, port=port, access_log=False, log_level="warning")
