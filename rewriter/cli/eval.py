"""``rewriter eval run|report|compare|schema``: score rewrites on golden cases and gate changes."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from rewriter.backend import resolve_backend
from rewriter.cli.console import cli_errors, stderr
from rewriter.cli.options import BaseUrlOption, ModelOption
from rewriter.cli.review import review, review_results
from rewriter.config import Settings
from rewriter.errors import ExitCode, InputError
from rewriter.eval import report
from rewriter.eval.cases import load_suite, schema_text
from rewriter.eval.compare import compare_runs
from rewriter.eval.grades import load_reviews
from rewriter.eval.redact import enabled as redaction_enabled
from rewriter.eval.replay import RecordMode, replay_settings, save_replay_settings
from rewriter.eval.results import CaseResult, load_run
from rewriter.eval.runner import OnResult, RunOptions, rescore, run_suite
from rewriter.eval.scorers import load_scoring
from rewriter.files import write_atomic
from rewriter.local.model import cache_dir

eval_app = typer.Typer(
    help="Score rewrites on golden cases, report them, compare runs, and have them reviewed blind.",
    no_args_is_help=True,
)
eval_app.command("review")(review)
eval_app.command("review-results")(review_results)

DEFAULT_SCHEMA = Path("evals/schema.json")


@eval_app.command("run")
def eval_run(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(help="Golden files or folders (default: evals/), or *.jsonl files of real pairs."),
    ] = None,
    out: Annotated[Path, typer.Option("--out", help="Where to write the run file.")] = Path("eval-run.json"),
    resume: Annotated[
        Path | None,
        typer.Option("--resume", help="Continue this interrupted run (its journal), then finish it."),
    ] = None,
    model: ModelOption = None,
    base_url: BaseUrlOption = None,
    repeats: Annotated[
        int, typer.Option("--repeats", min=1, max=20, help="Runs per case, each its own seed.")
    ] = 1,
    repeat_sample: Annotated[
        int | None,
        typer.Option("--repeat-sample", min=1, help="Repeat only this many cases (a fixed sample)."),
    ] = None,
    concurrency: Annotated[
        int, typer.Option("--concurrency", min=1, max=32, help="Cases in flight at once.")
    ] = 1,
    judge_model: Annotated[
        str | None, typer.Option("--judge-model", help="Also judge each reply with this model.")
    ] = None,
    judge_base_url: Annotated[
        str | None, typer.Option("--judge-base-url", help="The judge's endpoint (default: the rewrite's).")
    ] = None,
    use_judge: Annotated[bool, typer.Option("--judge", help="Judge with the rewrite's own backend.")] = False,
    cassettes: Annotated[
        Path | None, typer.Option("--cassettes", help="Record to or replay from cassettes in this folder.")
    ] = None,
    record_mode: Annotated[
        str,
        typer.Option("--record-mode", help="With --cassettes: none (offline replay), new_episodes or all."),
    ] = "none",
    scoring_file: Annotated[Path, typer.Option("--scoring", help="Weights and thresholds.")] = Path(
        "evals/scoring.yaml"
    ),
    no_cache: Annotated[
        bool, typer.Option("--no-cache", help="Ask the model even for requests seen before.")
    ] = False,
    pipeline: Annotated[
        str,
        typer.Option(
            "--pipeline",
            help="rewriter (default), or plain: the plain-prompt anchor, one request per case.",
        ),
    ] = "rewriter",
    sample: Annotated[
        int | None,
        typer.Option("--sample", min=1, help="From each *.jsonl file of real pairs, a fixed sample of N."),
    ] = None,
    no_redact: Annotated[
        bool,
        typer.Option(
            "--no-redact",
            help="Record the customer's emails, phone and card numbers unmasked (also: REWRITER_REDACT=0).",
        ),
    ] = False,
) -> None:
    """Rewrite every golden case, score it, and write a run file (journalled as it goes)."""
    if record_mode not in ("none", "new_episodes", "all"):
        raise typer.BadParameter("--record-mode is one of: none, new_episodes, all")
    mode: RecordMode = record_mode  # type: ignore[assignment]
    if pipeline not in ("rewriter", "plain"):
        raise typer.BadParameter("--pipeline is one of: rewriter, plain")
    with cli_errors():
        suite = load_suite(paths or [Path("evals")], sample=sample)
        scoring = load_scoring(scoring_file)
        settings = _settings(model, base_url, cassettes, mode)
        judge = None
        if use_judge or judge_model or judge_base_url:
            overrides = {"model": judge_model or model, "base_url": judge_base_url or base_url}
            judge = settings if not (judge_model or judge_base_url) else resolve_backend(overrides).settings
        options = RunOptions(
            settings=settings, repeats=repeats, repeat_sample=repeat_sample, concurrency=concurrency,
            cache_dir=None if no_cache else cache_dir() / "eval",
            judge_settings=judge, cassettes=cassettes, record_mode=mode, pipeline=pipeline,
            redact=not no_redact and redaction_enabled(),
        )  # fmt: skip
        if cassettes is not None and mode != "none":
            save_replay_settings(cassettes, settings)
        target = resume or out
        with _progress() as on_result:
            run = run_suite(
                suite, options, scoring, out=target, resume=resume is not None, on_result=on_result
            )
    s = run.summary
    stderr().print(
        f"{s.results} result(s) over {s.cases} case(s): {s.passed} passed, {s.results - s.passed} failed "
        f"({s.errors} error(s)), {s.unscored} unscored check(s); mean score "
        f"{'-' if s.mean_score is None else f'{s.mean_score:.3f}'}; {s.usage.total_tokens} tokens, "
        f"${s.cost_usd:.4f}{_from_cache(s.cached)}, {run.wall_s:.0f} s; written to {target}",
        soft_wrap=True,
    )


def _settings(model: str | None, base_url: str | None, cassettes: Path | None, mode: RecordMode) -> Settings:
    """The backend: by the documented rule, or, replaying offline, the recorded settings."""
    if cassettes is not None and mode == "none" and not (model or base_url):
        return replay_settings(cassettes)
    return resolve_backend({"model": model, "base_url": base_url}).settings


def _from_cache(cached: int) -> str:
    """Tokens and cost are what the answers cost when made; say when none was paid now."""
    return f" ({cached} result(s) from the cache, no request sent for them)" if cached else ""


@contextlib.contextmanager
def _progress() -> Iterator[OnResult | None]:
    """A progress bar on stderr while stdout is a terminal; nothing otherwise."""
    if not sys.stdout.isatty():
        yield None
        return
    columns = (TextColumn("[bold]eval"), BarColumn(), MofNCompleteColumn(),
               TextColumn("{task.fields[failed]} failed"), TimeElapsedColumn())  # fmt: skip
    failed = 0
    with Progress(*columns, console=stderr()) as bar:
        task = bar.add_task("eval", total=None, failed=0)

        def on_result(result: CaseResult, done: int, total: int) -> None:
            nonlocal failed
            failed += not result.passed
            bar.update(task, completed=done, total=total, failed=failed)

        yield on_result


@eval_app.command("rescore")
def eval_rescore(
    run_file: Annotated[Path, typer.Argument(help="A run file from `rewriter eval run`.")],
    out: Annotated[Path | None, typer.Option("--out", help="Where to write it (default: in place).")] = None,
    scoring_file: Annotated[Path, typer.Option("--scoring", help="Weights and thresholds.")] = Path(
        "evals/scoring.yaml"
    ),
) -> None:
    """Score a run's replies again with the current checks and scoring file, without a model call."""
    with cli_errors():
        run = rescore(load_run(run_file), load_scoring(scoring_file))
        target = out or run_file
        write_atomic(target, run.model_dump_json(indent=1) + "\n", private=False)
    s = run.summary
    stderr().print(f"{s.passed} of {s.results} passed, mean score {s.mean_score}; written to {target}")


@eval_app.command("schema")
def eval_schema(
    out: Annotated[Path, typer.Option("--out", help="Where the schema goes.")] = DEFAULT_SCHEMA,
    check: Annotated[
        bool, typer.Option("--check", help="Only say whether the file is current (exit 1 if not).")
    ] = False,
) -> None:
    """Write the JSON Schema of golden files (from the case model), for editors and review."""
    text = schema_text()
    if check:
        current = out.read_text(encoding="utf-8") if out.exists() else ""
        if current != text:
            stderr().print(f"{out} is stale; run: rewriter eval schema --out {out}")
            raise typer.Exit(int(ExitCode.ERROR))
        stderr().print(f"{out} is current")
        return
    with cli_errors():
        _emit(text, out)


@eval_app.command("report")
def eval_report(
    run_file: Annotated[Path, typer.Argument(help="A run file from `rewriter eval run`.")],
    fmt: Annotated[str, typer.Option("--format", help="md, html, json or junit.")] = "md",
    out: Annotated[Path | None, typer.Option("--out", help="Write here instead of stdout.")] = None,
    no_redact: Annotated[
        bool,
        typer.Option(
            "--no-redact", help="Show the customer's emails, phone and card numbers (or REWRITER_REDACT=0)."
        ),
    ] = False,
) -> None:
    """Report a run: Markdown for a pull request, HTML to read, JSON for tools, JUnit XML for CI."""
    writers = {
        "md": report.markdown,
        "html": report.html_report,
        "json": report.as_json,
        "junit": report.junit,
    }
    if fmt not in writers:
        raise typer.BadParameter(f"--format is one of: {', '.join(writers)}")
    with cli_errors():
        text = writers[fmt](load_run(run_file), redact=not no_redact and redaction_enabled())
        _emit(text, out)


@eval_app.command(
    "compare", epilog="Exit status: 0 no regression; 8 a regression (with --fail-on-regression)."
)
def eval_compare(
    base: Annotated[Path, typer.Argument(help="The baseline run file.")],
    candidate: Annotated[Path, typer.Argument(help="The run file to judge against it.")],
    fail_on_regression: Annotated[
        bool, typer.Option("--fail-on-regression", help="Exit 8 when a metric regressed beyond noise.")
    ] = False,
    threshold: Annotated[
        float,
        typer.Option("--threshold", min=0.0, max=1.0, help="Smallest drop that counts as a regression."),
    ] = 0.05,
    allow_suite_change: Annotated[
        bool,
        typer.Option("--allow-suite-change", help="Compare runs over different suites or scoring files."),
    ] = False,
    fmt: Annotated[str, typer.Option("--format", help="md or json.")] = "md",
    out: Annotated[Path | None, typer.Option("--out", help="Write here instead of stdout.")] = None,
    reviews: Annotated[
        Path,
        typer.Option("--reviews", help="Committed blind-review grades, shown beside the scorers' figures."),
    ] = Path("evals/reviews"),
) -> None:
    """Compare two runs per scorer and overall, name the cases that flipped, and gate on regressions."""
    if fmt not in ("md", "json"):
        raise typer.BadParameter("--format is one of: md, json")
    with cli_errors():
        result = compare_runs(
            load_run(base), load_run(candidate), threshold=threshold, allow_suite_change=allow_suite_change,
            base_label=base.stem, candidate_label=candidate.stem, reviews=load_reviews(reviews),
        )  # fmt: skip
        text = report.comparison_markdown(result) if fmt == "md" else result.model_dump_json(indent=2) + "\n"
        _emit(text, out)
    if result.regressions and fail_on_regression:
        stderr().print(f"regression: {', '.join(result.regressions)}", soft_wrap=True)
        raise typer.Exit(int(ExitCode.REGRESSION))


def _emit(text: str, out: Path | None) -> None:
    if out is None:
        typer.echo(text, nl=False)
        return
    try:
        write_atomic(out, text, private=False)
    except OSError as exc:
        raise InputError(f"{out}: cannot write it ({exc.strerror}); pick a writable path") from exc
    stderr().print(f"wrote {out}")
