"""One call for a whole verdict on a reply: checks, the judge if asked, scores and cost.

``rewriter check`` and a help-desk integration want the same thing: the report with
the judge's verdicts folded in, the scores and what the judge cost. Keeping it here
means the CLI only formats, and a team gets exactly what the command prints.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from rewriter.check.checker import check_reply, with_judge
from rewriter.check.guidance import load_guidance
from rewriter.check.judge import JudgeResult, judge
from rewriter.check.rules import Guidance
from rewriter.check.scores import Scores, score
from rewriter.llm import ChatClient
from rewriter.models import Channel, CheckReport
from rewriter.tokens import estimate_cost, info_for


class Assessment(BaseModel):
    """A checked reply: one verdict per rule, its scores and, when judged, the judge's cost."""

    model_config = ConfigDict(extra="forbid")

    report: CheckReport
    scores: Scores
    judge: JudgeResult | None = None
    judge_cost_usd: float | None = None


def assess(
    reply: str,
    *,
    channel: Channel = Channel.EMAIL,
    customer_name: str | None = None,
    customer_message: str | None = None,
    draft: str | None = None,
    language: str | None = None,
    guidance: Guidance | None = None,
    judge_client: ChatClient | None = None,
    repeats: int = 1,
) -> Assessment:
    """Check a reply, judge it when a judge client is given, and score the result.

    Args:
        reply: The reply to check.
        channel: Where it goes; only that channel's rules run.
        customer_name: The customer's name, if known.
        customer_message: The customer's message: a source facts may come from, and
            what the judge compares a paraphrase with.
        draft: The draft the reply rewrites; adds the faithfulness guard.
        language: The language the reply must be in; by default the draft's, detected.
        guidance: The rule set (default: the packaged one).
        judge_client: The judge's endpoint; ``None`` runs no judge.
        repeats: Judge repeats, majority vote.
    """
    guidance = guidance or load_guidance()
    report = check_reply(
        reply, channel=channel, customer_name=customer_name, draft=draft,
        customer_message=customer_message, language=language, guidance=guidance,
    )  # fmt: skip
    if judge_client is None:
        return Assessment(report=report, scores=score(report))
    result = judge(
        judge_client, guidance, reply, channel=channel, customer_message=customer_message, draft=draft,
        repeats=repeats,
    )  # fmt: skip
    report = with_judge(report, result.findings)
    info = info_for(judge_client.model_name(), judge_client.settings)
    cost = estimate_cost(info, result.usage.prompt_tokens, result.usage.completion_tokens)
    return Assessment(report=report, scores=score(report), judge=result, judge_cost_usd=cost)
