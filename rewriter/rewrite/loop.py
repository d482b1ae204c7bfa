"""The rewrite loop: prompt, ask, assemble, check, revise, mend; the best attempt wins.

Small models drop and invent facts; the loop exists to catch that and send one
targeted revision request naming the exact problems, a bounded number of times, and
then return the best attempt with its report. The draft is never lost: it travels
with every result and every error raised after it was accepted.
"""

from __future__ import annotations

import asyncio
from typing import Any

from rewriter.backend import Backend, resolve_backend
from rewriter.check import Guidance, check_reply, judge, load_guidance, resolve_language, with_judge
from rewriter.config import Settings
from rewriter.errors import ModelOutputError, RewriterError
from rewriter.llm import ChatClient, DeltaCallback
from rewriter.models import CheckReport, RewriteRequest, RewriteResult, Usage
from rewriter.prompts import prompt_version
from rewriter.rewrite.ask import ask_for_parts
from rewriter.rewrite.changes import describe_changes
from rewriter.rewrite.compose import (
    ReplyParts,
    assemble,
    channel_style,
    greeting_name,
    signature_name,
    step_texts,
)
from rewriter.rewrite.draft_reply import held_for_review, rewrite_draft_first
from rewriter.rewrite.mend import (
    REPEATED,
    STOCK_LINE,
    add_follow_up,
    drop_copy,
    drop_invented,
    drop_repeats,
    drop_salutations,
    drop_sentence,
    drop_stock_lines,
    firm_up,
    flagged_copies,
    reinstate_dropped,
    repeated,
    repeats,
    restore_escaped,
    restore_reworded,
    stock_holders,
)
from rewriter.rewrite.outcome import badness as _badness
from rewriter.rewrite.outcome import key as _key
from rewriter.rewrite.outcome import status as _status
from rewriter.rewrite.prompt import first_messages, revision_messages
from rewriter.tokens import (
    ModelInfo,
    count_message_tokens,
    ensure_fits,
    estimate_cost,
    fits,
    get_encoding,
    info_for,
    load_model_table,
)
from rewriter.turns import WaitCallback


class Rewriter:
    """Rewrites drafts on one configured backend.

    Args:
        settings: Fully resolved settings, used as given. When omitted the backend is
            chosen from ``overrides`` and the environment by the documented rule (see
            :mod:`rewriter.backend`), starting the embedded model server if that is it.
        client: A ready client, mainly for tests and for sharing one connection.
        guidance: The rules replies are checked against (default: the packaged set;
            ``load_guidance(team_file)`` layers a team's file on it).
        judge: Also ask the LLM judge about each attempt that passes the code checks;
            a failed ``must`` verdict then triggers a revision like any other. Off by
            default: it costs a request per attempt, and a small model judges poorly
            (see ``rewriter calibrate --judge``).
        on_wait: Told how many requests are ahead while one waits its turn at the
            embedded server, which answers one at a time, for a progress note.
        **overrides: Individual settings such as ``base_url=``, ``model=``, ``seed=``.

    Example:
        >>> rw = Rewriter(base_url="http://127.0.0.1:8080/v1")  # doctest: +SKIP
        >>> rw.rewrite(RewriteRequest(draft="Restore from Settings > Backups.")).reply  # doctest: +SKIP
    """

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        client: ChatClient | None = None,
        guidance: Guidance | None = None,
        judge: bool = False,
        on_wait: WaitCallback | None = None,
        **overrides: Any,
    ) -> None:
        if settings is None:
            self.backend: Backend | None = resolve_backend(overrides)
            settings = self.backend.settings
        else:
            self.backend = None
        self.settings = settings
        self.guidance = guidance or load_guidance()
        self.use_judge = judge
        self._client = client or ChatClient(self.settings, on_wait=on_wait)
        self._models = load_model_table(self.settings.models_file)

    @property
    def client(self) -> ChatClient:
        """The backend client, shared by rewrites and the judge."""
        return self._client

    def model_info(self) -> ModelInfo:
        """Context window and prices of the model in use."""
        return info_for(self._client.model_name(), self.settings, self._models)

    def rewrite(self, request: RewriteRequest, *, on_delta: DeltaCallback | None = None) -> RewriteResult:
        """Rewrite one draft and check it against the draft.

        Args:
            request: The draft and its context.
            on_delta: Called with each piece of model text as it streams in, for live
                progress; the result is the same with or without it.

        Returns:
            The best attempt: ``status`` is ``unfaithful`` when even that one still
            fails the guard; ``report`` names each problem.

        Raises:
            InputTooLongError: The prompt cannot fit the model's context window.
            ModelOutputError: The model's answer stayed unusable after a repair request.
            ConfigError: No backend reachable, or the backend rejects the key or model.
        """
        try:
            return self._rewrite(request, on_delta)
        except RewriterError as exc:
            exc.draft = request.draft
            raise

    async def arewrite(
        self, request: RewriteRequest, *, on_delta: DeltaCallback | None = None
    ) -> RewriteResult:
        """:meth:`rewrite` for async callers, such as a help-desk web app: awaits, never blocks.

        The one rewrite loop runs on a worker thread rather than as a second, async copy
        of it: ``bench/concurrency.py`` shows threads keep a backend as busy as the async
        openai client does, and one loop cannot drift from another. ``on_delta`` is
        called on that worker thread. Arguments, result and errors are :meth:`rewrite`'s.
        """
        return await asyncio.to_thread(self.rewrite, request, on_delta=on_delta)

    def _rewrite(self, request: RewriteRequest, on_delta: DeltaCallback | None) -> RewriteResult:
        info = self.model_info()
        if self.settings.strategy == "draft-first":
            held = held_for_review(self.guidance)
            return rewrite_draft_first(
                self._client, request, check=lambda reply: self._check(request, reply, held),
                language=self._language(request), customer_name=self._customer_name(request),
                agent_name=self._agent_name(request), info=info,
            )  # fmt: skip
        encoding = get_encoding(info.encoding)
        base = first_messages(request)
        ensure_fits(count_message_tokens(base, encoding), self.settings.max_tokens, info)
        usage = Usage()
        messages = base
        tried: list[tuple[ReplyParts, str, CheckReport]] = []
        fmt = ""
        attempts = 0
        for attempt in range(self.settings.max_revisions + 1):
            attempts += 1
            try:
                parts, fmt = ask_for_parts(
                    self._client, self.settings, messages, usage, encoding, attempt, on_delta
                )
            except ModelOutputError:
                if not tried:
                    raise
                break  # an unusable revision never costs the usable attempt we have
            parts, reply, report = self._assemble_and_check(parts, request)
            report = self._judged(reply, request, report, usage)
            tried.append((parts, reply, report))
            if report.passed:
                break
            messages = revision_messages(base, report)
            if not fits(count_message_tokens(messages, encoding), self.settings.max_tokens, info):
                break
        if not tried[-1][2].passed:
            # Every attempt gets the last-resort mending, not only the least bad one: an
            # attempt that lost one fact often mends into a better reply than one that
            # kept every fact but copied the example.
            for attempt_parts, _, _ in list(tried):
                mended, mended_reply, mended_report = self._assemble_and_check(
                    attempt_parts, request, last_resort=True
                )
                if mended is not attempt_parts:
                    mended_report = self._judged(mended_reply, request, mended_report, usage)
                    tried.append((mended, mended_reply, mended_report))
        parts, reply, report = min(tried, key=lambda t: _badness(t[2]))  # the earliest of the least bad
        return RewriteResult(
            status=_status(report),
            reply=reply,
            next_steps=step_texts(parts.steps),
            changes=[*describe_changes(request, parts, reply), *parts.mended],
            report=report,
            attempts=attempts,
            usage=usage,
            cost_usd=estimate_cost(info, usage.prompt_tokens, usage.completion_tokens),
            model=info.name,
            prompt_version=prompt_version(),
            response_format=fmt,
            draft=request.draft,
            channel=request.channel,
        )

    def _check(self, request: RewriteRequest, reply: str, guidance: Guidance | None = None) -> CheckReport:
        # The same checker as `rewriter check`: faithfulness plus the deterministic
        # rules of the channel; a failed `must` rule triggers the targeted revision.
        return check_reply(
            reply,
            channel=request.channel,
            customer_name=self._customer_name(request),
            draft=request.draft,
            customer_message=request.customer_message,
            policy=request.policy,
            language=request.language,
            guidance=guidance or self.guidance,
        )

    def _judged(self, reply: str, request: RewriteRequest, report: CheckReport, usage: Usage) -> CheckReport:
        """The report with the judge's verdicts, when the judge is on and the code passed.

        An attempt that fails a code check is revised anyway, so judging it would only
        cost a request; the judge's tokens count in the rewrite's usage.
        """
        if not (self.use_judge and report.passed):
            return report
        result = judge(
            self._client, self.guidance, reply, channel=request.channel,
            customer_message=request.customer_message, draft=request.draft,
            seed=7 if self.settings.seed is None else self.settings.seed,
        )  # fmt: skip
        usage.merge(result.usage)
        return with_judge(report, result.findings)

    def _assemble_and_check(
        self, parts: ReplyParts, request: RewriteRequest, *, last_resort: bool = False
    ) -> tuple[ReplyParts, str, CheckReport]:
        """Build the reply and check it, mending what can be mended without a model.

        On every attempt: reworded facts ("May 14" for "14 May") are put back as the
        draft wrote them; repeats and stock lines go; listed hedges and blaming phrases
        are reworded; sentences that copy the customer's message or our instructions,
        leave a blank or speak of the customer in the third person go; a reply left
        with no way back gets the channel's follow-up line. As a last resort, after the
        revisions, the draft sentence carrying a lost fact is put back and sentences
        carrying an invented fact are taken out. Each mend is kept only if it leaves no
        more failed ``must`` rules than before, so one bad mend never costs the others.
        """
        language = self._language(request)
        reply = self._assemble(parts, request)
        report = self._check(request, reply)

        def keep_if_better(mended: ReplyParts, *, strictly: bool = False) -> None:
            nonlocal parts, reply, report
            if mended is parts:
                return
            mended_reply = self._assemble(mended, request)
            mended_report = self._check(request, mended_reply)
            better = _badness(mended_report) < _badness(report)
            if better or (not strictly and _badness(mended_report) == _badness(report)):
                parts, reply, report = mended, mended_reply, mended_report

        keep_if_better(restore_escaped(restore_reworded(parts, report), request.draft))
        keep_if_better(drop_salutations(parts, language, self._agent_name(request)))
        if last_resort:  # first, so that what they put back is mended like the rest
            keep_if_better(reinstate_dropped(parts, request.draft, report))
            keep_if_better(drop_invented(parts, report))

        follow_up = channel_style(request.channel, language).follow_up

        def drop(dropped: ReplyParts) -> None:
            # A dropped sentence may have carried a fact too ("Your order #D9-10377 was
            # due..." echoed back), or been the only way back to us: the draft's sentence
            # for each fact it took goes back, and the channel's follow-up line goes in.
            # What comes back from the draft must leave the reply better, not only no
            # worse: the draft's sentence often holds the very blame the drop removed.
            if dropped is parts:
                return
            before = {_key(f) for f in report.failures}
            after = self._check(request, self._assemble(dropped, request))
            lost = after.model_copy(update={"findings": [f for f in after.failures if _key(f) not in before]})
            restored = reinstate_dropped(dropped, request.draft, lost)
            keep_if_better(add_follow_up(restored, after, follow_up), strictly=restored is not dropped)

        keep_if_better(drop_repeats(parts))
        for repeat in repeats(parts):  # what could not go at once may go alone
            drop(drop_repeats(parts, only=repeat))
        for sentence in repeated(report):  # a step that says less than the prose it repeats goes
            if sentence in repeated(report):  # still one of a pair: its twin may have gone already
                drop(drop_sentence(parts, sentence, REPEATED))
        drop(drop_stock_lines(parts, language))
        for stock in stock_holders(parts, language):  # one at a time: a lost action stops only that one
            drop(drop_copy(parts, stock, STOCK_LINE))
        keep_if_better(firm_up(parts, language))
        for copied, reason in flagged_copies(report):  # one at a time: each is judged alone
            drop(drop_copy(parts, copied, reason))
        keep_if_better(add_follow_up(parts, report, follow_up))
        return parts, reply, report

    def _assemble(self, parts: ReplyParts, request: RewriteRequest) -> str:
        language = self._language(request)
        return assemble(
            parts, request.channel, self._customer_name(request), self._agent_name(request), language
        )

    def _agent_name(self, request: RewriteRequest) -> str | None:
        return request.agent_name or signature_name(request.draft, self._language(request))

    def _customer_name(self, request: RewriteRequest) -> str | None:
        # Not given, the name is the one the draft greets: the reply greets the same person.
        return request.customer_name or greeting_name(request.draft, self._language(request))

    def _language(self, request: RewriteRequest) -> str:
        return resolve_language(request.language, request.draft)[0]
