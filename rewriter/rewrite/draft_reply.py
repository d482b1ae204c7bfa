"""The draft-first rewrite: one short request at most, and every word of the result accounted for.

The reply is the draft's own sentences, cleaned and laid out (:mod:`draft_first`), opened
by the one sentence the model is asked for (:mod:`acknowledge`). The whole reply is
checked once it is final, by the same checker as ``rewriter check``; the status, the exit
code and the change list come from that final reply and that report, never from a part
or an intermediate. What the checker still finds (a blaming sentence that carries a
fact, jargon, a draft with nothing for the customer to do) is reported, and the reply
is returned for review, not called "ok": no stock follow-up line is added to hide it
(reviewers marked that line as filler).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import partial

from rewriter.check import Guidance
from rewriter.check.guard import POSSIBLY_LOST
from rewriter.check.plain import JARGON, unexplained_terms
from rewriter.errors import LLMError
from rewriter.llm import ChatClient
from rewriter.models import (
    Change,
    Channel,
    CheckReport,
    Finding,
    RewriteRequest,
    RewriteResult,
    Severity,
    Usage,
    Verdict,
)
from rewriter.prompts import prompt_version
from rewriter.rewrite.acknowledge import ask_options, choose, cushioned, no_worse, refusing, skip_reason
from rewriter.rewrite.changes import describe_changes, event, quoted
from rewriter.rewrite.compose import ReplyParts, assemble
from rewriter.rewrite.draft_first import DraftBody, by_direct_message, draft_body
from rewriter.rewrite.outcome import Held, status, to_confirm
from rewriter.rewrite.plain_words import Restated, held_plain, restate, speaks_plainly, technical
from rewriter.rewrite.policy_lines import answers, held_policy, offered
from rewriter.rewrite.wanted import ask_wanted
from rewriter.tokens import ModelInfo, estimate_cost

Forgive = Callable[[Finding], bool]
Keep = Callable[[DraftBody, Forgive | None], bool]
_QUOTED = re.compile(r'"([^"]+)"')
# What the draft-first reply cannot mend, because it keeps the draft's words, and what
# blind reviewers would not send: such a reply is held for review rather than called "ok".
# Jargon; and a refusal with no way forward (`empathy.positive-framing`): of the two
# "ok" replies that failed it in the full blind review, readers would not send one ("a
# dead end: it never tells her about the refresh-token route") and sent the other as it
# was; held, the first is no "ok" that lies, and the second costs a look.
HELD_FOR_REVIEW = ("tone.jargon", "empathy.positive-framing")


def held_for_review(guidance: Guidance) -> Guidance:
    """The guidance the draft-first reply is checked against: :data:`HELD_FOR_REVIEW` rules are ``must``."""
    return guidance.with_severity(HELD_FOR_REVIEW, Severity.MUST)


def rewrite_draft_first(
    client: ChatClient,
    request: RewriteRequest,
    *,
    check: Callable[[str], CheckReport],
    language: str,
    customer_name: str | None,
    agent_name: str | None,
    info: ModelInfo,
) -> RewriteResult:
    """Rewrite ``request`` draft-first; ``check`` is the checker the final reply must pass.

    Raises:
        ConfigError, LLMError: The backend failed while asked for the acknowledgement.
    """
    usage = Usage()
    try:
        body = draft_body(request.draft, language, agent_name, customer_name)
    except ValueError:  # only a greeting and a sign-off: nothing to build on but the draft
        body = None
    if body is not None and request.channel is Channel.SOCIAL:
        body = by_direct_message(body, language)

    signed = False  # the draft's own sign-off (draft_body finds one only when no agent is named)

    def build(acknowledgement: str = "", laid_out: DraftBody | None = None) -> str:
        laid_out = laid_out or body
        parts = (
            laid_out.parts(acknowledgement, signed=signed) if laid_out else ReplyParts(answer=request.draft)
        )
        return assemble(parts, request.channel, customer_name, agent_name, language)

    reply = build()
    report = check(reply)
    if body is not None and body.signed and request.channel is Channel.EMAIL:
        signed = True
        with_signoff = build()
        signed_report = check(with_signoff)
        if no_worse(signed_report, report):
            reply, report = with_signoff, signed_report
        else:
            signed = False
    acknowledgement = ""
    opening = body.blocks[0] if body and body.blocks else request.draft
    if skip_reason(request, opening, language) is None:
        options = ask_options(client, request, language, usage)
        chosen = choose(options, request, language, lambda option: check(build(option)), report)
        if chosen is not None:
            acknowledgement, report = chosen
            reply = build(acknowledgement)

    def keep(trial: DraftBody, forgive: Forgive | None) -> bool:
        """Whether ``trial`` leaves the reply keeping every rule it kept; if so, it is the reply now.

        ``forgive`` names failures the change means to cause (a technical term restated is
        a token of the draft gone), which are reported but do not refuse the change.
        """
        nonlocal body, report, reply
        trial_report = check(build(acknowledgement, trial))
        if not no_worse(_without(trial_report, forgive), report):
            return False
        body, report, reply = trial, trial_report, build(acknowledgement, trial)
        return True

    held: list[Held] = []
    if body is not None and (request.customer_message or "").strip():
        # Then the sentence before the draft's "no", naming what they hoped for if it can.
        _cushion(client, request, language, usage, body, keep)
        # Then the draft's technical sentences in plain words, for a customer who writes
        # plainly; the model wrote them, so the reply is held for the agent to confirm them.
        if _fails(report, JARGON):
            held += _in_plain_words(client, request, language, usage, lambda: body, keep)
    if body is not None:
        held += _from_policy(request, language, lambda: body, keep)
    if held:
        report = report.model_copy(update={"findings": [*report.findings, *to_confirm(reply, held)]})
    steps = body.steps if body else []
    parts = ReplyParts.model_construct(acknowledgement=acknowledgement, answer="", steps=steps, closing="")
    changes = _true_of(reply, [*describe_changes(request, parts, reply), *(body.changes if body else [])])
    return RewriteResult(
        status=status(report),
        reply=reply,
        next_steps=steps,
        changes=changes,
        report=report,
        attempts=1,
        usage=usage,
        cost_usd=estimate_cost(info, usage.prompt_tokens, usage.completion_tokens),
        model=info.name,
        prompt_version=prompt_version(),
        response_format="text",
        draft=request.draft,
        channel=request.channel,
    )


def _cushion(
    client: ChatClient, request: RewriteRequest, language: str, usage: Usage, body: DraftBody, keep: Keep
) -> None:
    """The sentence before the draft's first "no": what the customer hoped for, else the plain one.

    The model is asked only when the draft says no; a backend that fails here costs only
    the naming, and the reply is whole without it.
    """
    no = refusing(body.blocks, language)
    if no is None:
        return
    try:
        hoped = ask_wanted(client, request, language, no, usage)
    except LLMError:
        hoped = None
    for said in [hoped, None] if hoped else [None]:
        softer = cushioned(body.blocks, language, said)
        if softer is not None and keep(body.model_copy(update={"blocks": softer}), None):
            return


def _in_plain_words(
    client: ChatClient,
    request: RewriteRequest,
    language: str,
    usage: Usage,
    current: Callable[[], DraftBody | None],
    keep: Keep,
) -> list[Held]:
    """Each technical sentence restated, kept where the reply stays no worse.

    The restated terms are tokens of the draft that are gone on purpose: a "possibly
    lost" for them alone is reported, and does not refuse the restatement.
    """
    customer = request.customer_message or ""
    body = current()
    if body is None or not speaks_plainly(customer, language):
        return []
    restated: list[Restated] = []
    for i, sentence in technical(body.blocks, customer, language):
        try:
            plain = restate(client, sentence, customer, language, usage)
        except LLMError:
            break  # the reply is whole with the draft's sentences; its jargon is held for review
        body = current()
        if plain is None or body is None:
            continue
        trial = body.model_copy(update={
            "blocks": [b.replace(sentence, plain, 1) if j == i else b for j, b in enumerate(body.blocks)],
            "steps": [step.replace(sentence, plain, 1) for step in body.steps],
            "changes": [*body.changes, event("plain_words", quoted=quoted([plain]))],
        })  # fmt: skip
        gone = {t.text.lower() for t in unexplained_terms(sentence, customer, language)}
        if keep(trial, partial(_only, rule_id=POSSIBLY_LOST, texts=gone)):
            restated.append(Restated(sentence=sentence, plain=plain))
    return [held_plain(restated)] if restated else []


def _from_policy(
    request: RewriteRequest,
    language: str,
    current: Callable[[], DraftBody | None],
    keep: Keep,
) -> list[Held]:
    """What the policy offers and the draft leaves out, in a paragraph of its own, line by line.

    A line that answers a question the customer asked ("have I lost my bookings?") opens
    the body, the answer first; the rest close it. Each line stays only if the reply
    still keeps every rule it kept; the agent did not write those lines, so the reply is
    held for them to confirm.
    """
    body = current()
    if body is None:
        return []
    blocks, customer = body.blocks, request.customer_message or ""
    first: list[str] = []
    last: list[str] = []
    for line in offered(request.policy, request.draft, language):
        body = current() or body
        opening = answers(line, customer, request.draft, language)
        head, tail = ([*first, line], last) if opening else (first, [*last, line])
        laid = ([" ".join(head)] if head else []) + blocks + ([" ".join(tail)] if tail else [])
        changes = [*body.changes, event("policy_added", quoted=quoted([line]))]
        if keep(body.model_copy(update={"blocks": laid, "changes": changes}), None):
            first, last = head, tail
    added = first + last
    return [held_policy(added)] if added else []


def _without(report: CheckReport, forgive: Forgive | None) -> CheckReport:
    """The report as a change is judged by: the failures it means to cause left out."""
    if forgive is None:
        return report
    return report.model_copy(update={"findings": [f for f in report.findings if not forgive(f)]})


def _only(finding: Finding, rule_id: str, texts: set[str]) -> bool:
    """A failure of ``rule_id`` whose every quote is one of ``texts``."""
    return (
        finding.rule_id == rule_id
        and finding.verdict is Verdict.FAIL
        and bool(finding.evidence)
        and all(e.text.lower() in texts for e in finding.evidence)
    )


def _fails(report: CheckReport, rule_id: str) -> bool:
    return any(f.rule_id == rule_id and f.verdict is Verdict.FAIL for f in report.findings)


def _true_of(reply: str, changes: list[Change]) -> list[Change]:
    """Each change once, and only if the reply bears it out: nothing it says was removed is still there."""
    kept: list[Change] = []
    seen: set[str] = set()
    lowered = reply.lower()
    for change in changes:
        quoted = [q.lower().strip() for q in _QUOTED.findall(change.change)]
        removal = change.change.startswith(("removed", "dropped"))
        if removal and any(q and q in lowered for q in quoted):
            continue
        fresh = [q for q in quoted if q not in seen]
        if removal and quoted and not fresh:
            continue  # said already, by the other list
        seen.update(quoted)
        if change.change.lower() not in {c.change.lower() for c in kept}:
            kept.append(change)
    return kept
