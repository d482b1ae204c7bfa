"""Check a reply against the guidance: the deterministic checks plus, with a draft, the guard.

Severity comes from the rule set (``prompts/guidance.yaml``), so a team that raises a
rule to ``must`` changes what fails without touching code. (The LLM judge for the
rules code cannot see is the next step; rules checked only by the judge are not
reported here yet.)
"""

from __future__ import annotations

from collections.abc import Sequence

from rewriter.checks import CHECKS, CheckContext
from rewriter.guard import check_faithfulness
from rewriter.guidance import load_guidance
from rewriter.models import Channel, CheckReport


def check_reply(
    reply: str,
    *,
    channel: Channel = Channel.EMAIL,
    customer_name: str | None = None,
    draft: str | None = None,
    context: Sequence[str] = (),
    language: str = "en",
) -> CheckReport:
    """Run every deterministic check that applies to the channel, and the guard if a draft is given."""
    rules = load_guidance().for_channel(channel)
    ctx = CheckContext(
        reply=reply,
        channel=channel,
        customer_name=customer_name,
        draft=draft,
        language=language,
        severity={r.id: r.severity for r in rules},
    )
    findings = [CHECKS[r.id](ctx) for r in rules if r.id in CHECKS]
    facts: list[str] = []
    if draft is not None:
        faithful = check_faithfulness(draft, reply, context)
        findings.extend(faithful.findings)
        facts = faithful.facts_checked
    return CheckReport(findings=findings, facts_checked=facts)
