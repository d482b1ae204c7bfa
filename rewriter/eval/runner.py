"""Run a suite: every case (and repeat) through the real rewrite loop, scored, journalled.

Repeats are independent samples: repeat ``r`` of a case runs with seed
``seed + r * REPEAT_SEED_STEP`` (recorded in the run file), so repeats differ, yet a
recorded run replays exactly, and the cache key holds the repeat index too. Cases run
``concurrency`` at a time on threads over the one synchronous rewrite loop; with
cassettes they go one at a time, since vcrpy patches the HTTP client process-wide.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.metadata
import random
import subprocess
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlparse

from pydantic import BaseModel, ConfigDict

from rewriter.check import Guidance, check_reply, judge, load_guidance, with_judge
from rewriter.config import Settings
from rewriter.errors import ConfigError, InputError, RewriterError
from rewriter.eval.anchor import plain_rewrite
from rewriter.eval.cache import CachedClient
from rewriter.eval.cases import GoldenCase, Suite
from rewriter.eval.journal import Journal, journal_path, read_journal
from rewriter.eval.redact import Redactor
from rewriter.eval.replay import RecordMode, cassette, not_recorded
from rewriter.eval.results import CaseResult, EvalRun, RunMeta, summarise
from rewriter.eval.scorers import Score, Scored, Scoring, case_score, score_reply
from rewriter.files import write_atomic
from rewriter.llm import ChatClient
from rewriter.models import CheckReport, RewriteResult, RewriteStatus, Usage
from rewriter.prompts import prompt_version
from rewriter.rewrite import Rewriter
from rewriter.tokens import estimate_cost, info_for

REPEAT_SEED_STEP = 1000  # revisions use seed + attempt (attempts < 10), so repeats never collide


class RunOptions(BaseModel):
    """How to run a suite."""

    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)

    settings: Settings
    repeats: int = 1
    repeat_sample: int | None = None
    concurrency: int = 1
    cache_dir: Path | None = None
    judge_settings: Settings | None = None
    cassettes: Path | None = None
    record_mode: RecordMode = "none"
    # Mask the customer's personal data in what is recorded (rewriter.eval.redact).
    redact: bool = True
    # "plain": the plain-prompt anchor (rewriter.eval.anchor) instead of the rewriter.
    pipeline: Literal["rewriter", "plain"] = "rewriter"


OnResult = Callable[[CaseResult, int, int], None]


def run_suite(
    suite: Suite,
    options: RunOptions,
    scoring: Scoring,
    *,
    out: Path | None = None,
    resume: bool = False,
    guidance: Guidance | None = None,
    on_result: OnResult | None = None,
) -> EvalRun:
    """Run every case of ``suite`` and score it; the finished run is also written to ``out``.

    Args:
        suite: The golden cases.
        options: Backend settings, repeats, concurrency, cache, judge and cassettes.
        scoring: Weights and thresholds.
        out: The run file; its journal (``out`` + ``.journal``) records each result as
            it finishes, and is removed once the run file is written.
        resume: Continue the journal of ``out`` instead of starting again; finished
            results are kept, never redone.
        guidance: The rule set (default: the packaged one).
        on_result: Called after each result with (result, done, total), for progress.

    Raises:
        ConfigError: The backend is unreachable or rejects the requests (the run stops;
            what finished is in the journal, and ``resume`` continues it).
        InputError: ``resume`` without a journal, or with one from a different run.
    """
    guidance = guidance or load_guidance()
    meta = _meta(suite, options, scoring, guidance)
    jobs = [(case, r) for case in suite.cases for r in range(_repeats(case, suite, options))]
    done: dict[tuple[str, int], CaseResult] = {}
    journal = None
    if out is not None:
        path = journal_path(out)
        if resume:
            before, results = read_journal(path)
            _same_run(before, meta, path)
            meta = before
            done = {(r.case_id, r.repeat): r for r in results}
        journal = Journal(path, meta, fresh=not resume)
    started = time.perf_counter()
    try:
        _run_jobs([j for j in jobs if (j[0].id, j[1]) not in done], options, scoring, guidance, meta,
                  done, journal, on_result, len(jobs))  # fmt: skip
    finally:
        if journal is not None:
            journal.close()
    results = [done[(case.id, r)] for case, r in jobs]
    run = EvalRun(
        meta=meta, cases=suite.cases, results=results, summary=summarise(suite.cases, results),
        wall_s=round(time.perf_counter() - started, 2),
    )  # fmt: skip
    if out is not None:
        write_atomic(out, run.model_dump_json(indent=1) + "\n", private=False)
        journal_path(out).unlink(missing_ok=True)
    return run


def _run_jobs(
    jobs: list[tuple[GoldenCase, int]],
    options: RunOptions,
    scoring: Scoring,
    guidance: Guidance,
    meta: RunMeta,
    done: dict[tuple[str, int], CaseResult],
    journal: Journal | None,
    on_result: OnResult | None,
    total: int,
) -> None:
    def finish(result: CaseResult) -> None:
        if journal is not None:
            journal.add(result)
        done[(result.case_id, result.repeat)] = result
        if on_result is not None:
            on_result(result, len(done), total)

    workers = 1 if options.cassettes is not None else max(1, options.concurrency)
    if workers == 1:
        for case, r in jobs:
            finish(run_case(case, r, options, scoring, guidance, meta))
        return
    with ThreadPoolExecutor(max_workers=workers) as pool:
        pending: set[Future[CaseResult]] = set()
        queue = list(jobs)
        while queue or pending:
            while queue and len(pending) < workers:
                case, r = queue.pop(0)
                pending.add(pool.submit(run_case, case, r, options, scoring, guidance, meta))
            finished, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in finished:
                finish(future.result())  # a ConfigError stops the run here; the journal keeps the rest


def run_case(
    case: GoldenCase, repeat: int, options: RunOptions, scoring: Scoring, guidance: Guidance, meta: RunMeta
) -> CaseResult:
    """One repeat of one case: rewrite, check in the case's language, judge if asked, score.

    A rewrite that fails (unusable model output, a prompt too long) is an ``error``
    result, which never passes; a backend that cannot be reached stops the run.
    """
    seed = None if options.settings.seed is None else options.settings.seed + repeat * REPEAT_SEED_STEP
    settings = options.settings.model_copy(update={"seed": seed})
    client = _client(settings, options, repeat)
    rewriter = Rewriter(settings, client=client, guidance=guidance)
    started = time.perf_counter()
    usage = Usage()
    try:
        with _recording(case, repeat, options):
            if options.pipeline == "plain":
                result = _plain(client, case)
            else:
                result = rewriter.rewrite(case.request())
            usage.merge(result.usage)
            report = check_case(case, result.reply, guidance)
            cost = result.cost_usd
            if options.judge_settings is not None:
                judge_client = _client(options.judge_settings, options, repeat)
                verdicts = judge(
                    judge_client, guidance, result.reply, channel=case.channel,
                    customer_message=case.customer, draft=case.draft, seed=seed if seed is not None else 7,
                )  # fmt: skip
                report = with_judge(report, verdicts.findings)
                usage.merge(verdicts.usage)
                info = info_for(judge_client.model_name(), options.judge_settings)
                cost += estimate_cost(info, verdicts.usage.prompt_tokens, verdicts.usage.completion_tokens)
    except Exception as exc:
        if not_recorded(exc):
            raise ConfigError(
                f"case {case.id!r} repeat {repeat}: the request is not in the cassette "
                f"{_cassette_path(case, repeat, options)}; record it with --record-mode new_episodes"
            ) from exc
        if isinstance(exc, ConfigError) or not isinstance(exc, RewriterError):
            raise
        return CaseResult(
            case_id=case.id, repeat=repeat, seed=seed, status="error", usage=usage,
            error=f"{type(exc).__name__}: {exc.message}", latency_s=round(time.perf_counter() - started, 3),
        )  # fmt: skip
    scores, value, passed = _scored(case, result.reply, report, scoring)
    return CaseResult(
        case_id=case.id, repeat=repeat, seed=seed, status=result.status.value, reply=result.reply,
        scores=scores, case_score=value, passed=passed and result.status.value != "error",
        attempts=result.attempts, latency_s=round(time.perf_counter() - started, 3), usage=usage,
        cost_usd=round(cost, 6), cached=isinstance(client, CachedClient) and client.misses == 0,
    )  # fmt: skip


def _plain(client: ChatClient, case: GoldenCase) -> RewriteResult:
    """The anchor's reply, in a result like the rewriter's, so it is scored the same way."""
    request = case.request()
    reply, usage = plain_rewrite(client, request)
    info = info_for(client.model_name(), client.settings)
    return RewriteResult(
        status=RewriteStatus.REWRITTEN, reply=reply, next_steps=[], changes=[], report=CheckReport(),
        attempts=1, usage=usage, cost_usd=estimate_cost(info, usage.prompt_tokens, usage.completion_tokens),
        model=info.name, prompt_version=prompt_version(), response_format="", draft=request.draft,
        channel=request.channel,
    )  # fmt: skip


def check_case(case: GoldenCase, reply: str, guidance: Guidance) -> CheckReport:
    """The checker's report on a reply, in the case's language, against its draft and context."""
    return check_reply(
        reply, channel=case.channel, customer_name=case.customer_name, draft=case.draft,
        customer_message=case.customer, policy=case.policy, language=case.language, guidance=guidance,
    )  # fmt: skip


def _scored(
    case: GoldenCase, reply: str, report: CheckReport, scoring: Scoring
) -> tuple[list[Score], float | None, bool]:
    scores = score_reply(Scored(case=case, reply=reply, report=report), scoring)
    value, passed = case_score(scores, scoring)
    return scores, value, passed


def rescore(run: EvalRun, scoring: Scoring, *, guidance: Guidance | None = None) -> EvalRun:
    """The same replies scored again with the current checker and ``scoring``: no model call.

    For a changed scorer, threshold or check, this keeps the replies, latencies and
    costs of the original run and recomputes everything that is judged from them.

    Raises:
        InputError: The run was judged by an LLM, whose verdicts cannot be recomputed.
    """
    if run.meta.judge_model is not None:
        raise InputError("a judged run cannot be rescored without its judge; run it again instead")
    guidance = guidance or load_guidance()
    cases = {case.id: case for case in run.cases}
    results = []
    for result in run.results:
        if result.reply is None:
            results.append(result)
            continue
        case = cases[result.case_id]
        scores, value, passed = _scored(case, result.reply, check_case(case, result.reply, guidance), scoring)
        results.append(result.model_copy(update={"scores": scores, "case_score": value, "passed": passed}))
    meta = run.meta.model_copy(update={"scoring_hash": scoring.hash})
    return run.model_copy(update={"meta": meta, "results": results, "summary": summarise(run.cases, results)})


def _client(settings: Settings, options: RunOptions, repeat: int) -> ChatClient:
    # Cassettes are the source of truth when they are used: a cache hit would leave a
    # recording without its request, and a replay needs no cache.
    if options.cache_dir is not None and options.cassettes is None:
        return CachedClient(settings, options.cache_dir, repeat=repeat)
    return ChatClient(settings)


def _cassette_path(case: GoldenCase, repeat: int, options: RunOptions) -> Path:
    return (options.cassettes or Path()) / case.id / f"repeat-{repeat}.yaml"


def _recording(case: GoldenCase, repeat: int, options: RunOptions) -> contextlib.AbstractContextManager[Any]:
    if options.cassettes is None:
        return contextlib.nullcontext()
    redactor = Redactor.for_case(case.customer, [case.draft, *case.policy])
    path = _cassette_path(case, repeat, options)
    return cassette(path, options.record_mode, redactor, redact=options.redact)


def _repeats(case: GoldenCase, suite: Suite, options: RunOptions) -> int:
    """How many times a case runs: all of them, or only a fixed random sample, repeated."""
    if options.repeat_sample is None or options.repeats == 1:
        return options.repeats
    ids = sorted(c.id for c in suite.cases)
    sample = set(random.Random(suite.hash).sample(ids, min(options.repeat_sample, len(ids))))
    return options.repeats if case.id in sample else 1


def _meta(suite: Suite, options: RunOptions, scoring: Scoring, guidance: Guidance) -> RunMeta:
    s = options.settings
    url = s.base_url or "https://api.openai.com/v1"
    parsed = urlparse(url)
    rules = hashlib.sha256(guidance.model_dump_json().encode()).hexdigest()[:12]
    return RunMeta(
        model=s.model or "(server default)",
        endpoint_host=f"{parsed.hostname}{f':{parsed.port}' if parsed.port else ''}",
        temperature=s.temperature,
        seed=s.seed,
        response_format=s.response_format.value,
        max_tokens=s.max_tokens,
        repeats=options.repeats,
        repeat_sample=options.repeat_sample,
        repeat_seed_step=REPEAT_SEED_STEP,
        judge_model=options.judge_settings.model if options.judge_settings else None,
        prompt_version=prompt_version(),
        rules_version=f"{guidance.version}-{rules}",
        package_version=importlib.metadata.version("rewriter"),
        git_commit=_git_commit(),
        suite_hash=suite.hash,
        scoring_hash=scoring.hash,
        started_at=datetime.now(UTC).isoformat(timespec="seconds"),
        cassettes=str(options.cassettes) if options.cassettes else None,
        pipeline=options.pipeline,
    )


def _same_run(before: RunMeta, now: RunMeta, path: Path) -> None:
    fields = ("model", "temperature", "seed", "repeats", "repeat_sample", "prompt_version", "rules_version",
              "suite_hash", "scoring_hash", "judge_model", "pipeline")  # fmt: skip
    changed = [f for f in fields if getattr(before, f) != getattr(now, f)]
    if changed:
        raise InputError(
            f"{path}: the journal is of a different run ({', '.join(changed)} changed); "
            "start a new run without --resume, or restore what changed"
        )


def _git_commit() -> str | None:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"], capture_output=True, text=True, timeout=5, check=True
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None
