"""Replies checked the way code is checked: an assertion for a team's own tests.

Teams keep canned replies and macros in repositories and want a failing test to say
what is wrong and where, not "assert False". :func:`assert_meets_guidance` runs the
same checker as ``rewriter check`` and, when a rule fails, raises an
``AssertionError`` that lists each failing rule with the words it rests on and the
fix its rule suggests. The pytest plugin (:mod:`rewriter.pytest_plugin`) hands it to
tests as the ``meets_guidance`` fixture.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from rewriter.check import Guidance, check_reply
from rewriter.check.guidance import load_guidance
from rewriter.models import Channel, CheckReport, Finding, Severity, Verdict

__all__ = ["assert_meets_guidance", "failure_message"]


def assert_meets_guidance(
    reply: str,
    *,
    channel: Channel | str = Channel.EMAIL,
    draft: str | None = None,
    customer_name: str | None = None,
    customer_message: str | None = None,
    policy: Sequence[str] = (),
    guidance: Guidance | str | Path | None = None,
    language: str | None = None,
    include_should: bool = False,
) -> CheckReport:
    """Check ``reply`` and raise ``AssertionError`` naming every failing rule; return the report if none.

    Args:
        reply: The reply, macro or canned answer under test.
        channel: ``email``, ``chat`` or ``social``: only that channel's rules run.
        draft: The draft it rewrites, if any: adds the faithfulness checks.
        customer_name: The customer's name, for the greeting checks.
        customer_message: What the customer wrote: adds the echo check.
        policy: Policy notes facts may also come from.
        guidance: A loaded rule set, or the path of a team's rules file layered on
            the packaged one (as ``rewriter check --guidance``).
        language: The reply's language; detected when omitted.
        include_should: Also fail on ``should`` rules, not only ``must`` ones.

    Raises:
        AssertionError: A rule failed; the message lists each with its evidence and fix.
    """
    rules = guidance if isinstance(guidance, Guidance) or guidance is None else load_guidance(Path(guidance))
    report = check_reply(
        reply, channel=Channel(channel), customer_name=customer_name, draft=draft,
        customer_message=customer_message, policy=policy, language=language, guidance=rules,
    )  # fmt: skip
    failing = [
        f
        for f in report.findings
        if f.verdict is Verdict.FAIL and (include_should or f.severity is Severity.MUST)
    ]
    if failing:
        raise AssertionError(failure_message(failing))
    return report


def failure_message(failing: Sequence[Finding]) -> str:
    """Each failing rule on its own lines: id and severity, what is wrong, the words, the fix."""
    lines = [f"the reply does not meet the guidance: {len(failing)} rule(s) failed"]
    for finding in failing:
        lines.append(f"- {finding.rule_id} ({finding.severity.value}): {finding.message}")
        for evidence in finding.evidence:
            where = f"{evidence.source}, characters {evidence.start}-{evidence.end}"
            lines.append(f'    evidence: "{evidence.text}" ({where})')
        if finding.hint:
            lines.append(f"    fix: {finding.hint}")
    return "\n".join(lines)
