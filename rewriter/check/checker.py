"""Check a reply against the guidance: the deterministic checks plus, with a draft, the guard.

Severity comes from the rule set (``prompts/guidance.yaml``), so a team that raises a
rule to ``must`` changes what fails without touching code. The LLM judge's findings
(``rewriter.check.judge``) join the report through :func:`with_judge`, one verdict per rule.
"""

from __future__ import annotations

from collections.abc import Sequence

from rewriter.check.deterministic import (
    CHECKS,
    Check,
    CheckContext,
    NoLexiconError,
    banned_phrases,
    required_phrases,
)
from rewriter.check.framing import FRAMING_CHECKS
from rewriter.check.guard import check_faithfulness
from rewriter.check.guidance import load_guidance
from rewriter.check.language import (
    capitalises_only_names,
    detect_language,
    language_name,
    language_names,
    same_language,
)
from rewriter.check.meaning import keep_actions, no_new_promises
from rewriter.check.plain import JARGON, jargon
from rewriter.check.quality import QUALITY_CHECKS
from rewriter.check.rules import Guidance
from rewriter.errors import InputError
from rewriter.models import Channel, CheckReport, Finding, Severity, Verdict


def check_reply(
    reply: str,
    *,
    channel: Channel = Channel.EMAIL,
    customer_name: str | None = None,
    draft: str | None = None,
    customer_message: str | None = None,
    policy: Sequence[str] = (),
    context: Sequence[str] = (),
    language: str | None = None,
    guidance: Guidance | None = None,
) -> CheckReport:
    """Run every deterministic check that applies to the channel, and the guard if a draft is given.

    Args:
        reply: The reply to check.
        channel: Where it goes; only the rules for this channel run.
        customer_name: The customer's name, if known.
        draft: The draft it rewrites; adds the faithfulness guard and the meaning check.
        customer_message: What the customer wrote; adds the echo check, and facts may
            come from it.
        policy: Policy notes; facts may come from them.
        context: Other texts facts may come from.
        language: The language the reply must be in (a code from
            ``prompts/languages.yaml``); by default the draft's, detected, or the
            reply's when there is no draft. Checks that need phrase lists the language
            lacks are reported unscored.
        guidance: The rule set to apply; the packaged one by default, or one with a
            team's file layered on (``load_guidance(team_file)``).

    Raises:
        InputError: ``language`` is not a language the checker knows.
    """
    guidance = guidance or load_guidance()
    rules = guidance.for_channel(channel)
    code, sure = resolve_language(language, draft if draft is not None else reply)
    ctx = CheckContext(
        reply=reply,
        channel=channel,
        customer_name=customer_name,
        draft=draft,
        language=code,
        severity={r.id: r.severity for r in rules},
        banned=tuple(guidance.banned_phrases),
        required=tuple(guidance.required_phrases),
        customer_message=customer_message,
        policy=tuple(policy),
        language_sure=sure,
        language_from_draft=language is None and draft is not None,
    )
    checks: dict[str, Check] = {
        **CHECKS, **QUALITY_CHECKS, **FRAMING_CHECKS,
        "faithfulness.keep-actions": keep_actions, JARGON: jargon,
        "faithfulness.no-new-promises": no_new_promises,
        "faithfulness.same-language": same_language,
    }  # fmt: skip
    findings = [_run(r.id, checks[r.id], ctx) for r in rules if r.id in checks]
    findings += banned_phrases(ctx) + required_phrases(ctx)
    facts: list[str] = []
    if draft is not None:
        sources = [s for s in (customer_message, *policy, *context) if s]
        faithful = check_faithfulness(draft, reply, sources, names=capitalises_only_names(code))
        findings.extend(faithful.findings)
        facts = faithful.facts_checked
    return CheckReport(findings=findings, facts_checked=facts)


def resolve_language(language: str | None, text: str) -> tuple[str, bool]:
    """The language to check in, and whether it is known for sure (given, or surely detected).

    Raises:
        InputError: ``language`` is not a language the checker knows.
    """
    names = language_names()
    if language is not None:
        if language not in names:
            raise InputError(f"unknown language {language!r}; use one of: {', '.join(names)}")
        return language, True
    guess = detect_language(text)
    # An unsure guess checks in English, the most common case, and the language rule
    # says it could not tell rather than passing.
    return (guess.language, True) if guess.sure else ("en", False)


def _run(rule: str, check: Check, ctx: CheckContext) -> Finding:
    try:
        return check(ctx)
    except NoLexiconError:
        return Finding(
            rule_id=rule, verdict=Verdict.UNSCORED, severity=ctx.severity.get(rule, Severity.SHOULD),
            message=f"no phrase lists for {language_name(ctx.language)}; not checked",
        )  # fmt: skip


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
