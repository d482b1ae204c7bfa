"""Check a reply against the guidance: the deterministic checks plus, with a draft, the guard.

Severity comes from the rule set (``prompts/guidance.yaml``), so a team that raises a
rule to ``must`` changes what fails without touching code. The LLM judge's findings
(``rewriter.check.judge``) join the report through :func:`with_judge`, one verdict per rule.
"""

from __future__ import annotations

from collections.abc import Sequence

from rewriter.check.deterministic import CHECKS, CheckContext, banned_phrases, required_phrases
from rewriter.check.guard import check_faithfulness
from rewriter.check.guidance import load_guidance
from rewriter.check.rules import Guidance
from rewriter.models import Channel, CheckReport, Finding, Verdict


def check_reply(
    reply: str,
    *,
    channel: Channel = Channel.EMAIL,
    customer_name: str | None = None,
    draft: str | None = None,
    context: Sequence[str] = (),
    language: str = "en",
    guidance: Guidance | None = None,
) -> CheckReport:
    """Run every deterministic check that applies to the channel, and the guard if a draft is given.

    Args:
        reply: The reply to check.
        channel: Where it goes; only the rules for this channel run.
        customer_name: The customer's name, if known.
        draft: The draft it rewrites; adds the faithfulness guard.
        context: Other texts facts may come from (customer message, policy).
        language: Which phrase lists to use.
        guidance: The rule set to apply; the packaged one by default, or one with a
            team's file layered on (``load_guidance(team_file)``).
    """
    guidance = guidance or load_guidance()
    rules = guidance.for_channel(channel)
    ctx = CheckContext(
        reply=reply,
        channel=channel,
        customer_name=customer_name,
        draft=draft,
        language=language,
        severity={r.id: r.severity for r in rules},
        banned=tuple(guidance.banned_phrases),
        required=tuple(guidance.required_phrases),
    )
    findings = [CHECKS[r.id](ctx) for r in rules if r.id in CHECKS]
    findings += banned_phrases(ctx) + required_phrases(ctx)
    facts: list[str] = []
    if draft is not None:
        faithful = check_faithfulness(draft, reply, context)
        findings.extend(faithful.findings)
        facts = faithful.facts_checked
    return CheckReport(findings=findings, facts_checked=facts)


def with_judge(report: CheckReport, judged: Sequence[Finding]) -> CheckReport:
    """The report with the judge's findings folded in: one verdict per rule.

    For a rule both code and judge check, a code failure stands (it quotes words that
    are there); otherwise the judge decides, since it reads what phrasing cues cannot
    (whether an acknowledgement is specific, whether a step is clear). An unscored
    judge leaves the code's verdict alone. Either way the message keeps both views.
    """
    by_rule = {f.rule_id: f for f in judged}
    merged: list[Finding] = []
    for code in report.findings:
        judge = by_rule.pop(code.rule_id, None)
        if judge is None:
            merged.append(code)
        elif code.verdict is Verdict.FAIL or judge.verdict is Verdict.UNSCORED:
            merged.append(code.model_copy(update={"message": f"{code.message}; {judge.message}"}))
        else:
            merged.append(
                judge.model_copy(
                    update={
                        "message": f"{judge.message}; code: {code.message}",
                        "evidence": [*judge.evidence, *code.evidence],
                        "hint": judge.hint or code.hint,
                    }
                )
            )
    merged += by_rule.values()
    return report.model_copy(update={"findings": merged})
