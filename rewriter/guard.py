"""The faithfulness guard: the draft's facts must survive, and nothing may be invented.

A rewrite that reads better but drops "30 days" or adds a support address the company
does not have is worse than the draft. These checks are deterministic and point at the
exact words, so a revision request can name the problem and a person can verify it.
"""

from __future__ import annotations

from collections.abc import Sequence

from rewriter.facts import Fact, FactKind, extract_facts, occurs_in, unique_texts
from rewriter.models import CheckReport, Evidence, Finding, Severity, Verdict

KEEP_FACTS = "faithfulness.keep-facts"
NO_INVENTED = "faithfulness.no-invented-facts"

# Facts a reply must not introduce on its own: a customer could act on any of them.
_INVENTABLE = frozenset({FactKind.URL, FactKind.EMAIL, FactKind.PHONE, FactKind.MONEY})


def draft_facts(draft: str) -> list[Fact]:
    """The distinct facts of a draft, in the order they appear."""
    return unique_texts(extract_facts(draft))


def check_faithfulness(draft: str, reply: str, context: Sequence[str] = ()) -> CheckReport:
    """Compare a reply with its draft.

    Args:
        draft: The agent's draft, the source of truth.
        reply: The rewrite to check.
        context: Other texts a fact may legitimately come from (the customer's message,
            policy notes).

    Returns:
        A report with one finding per dropped or invented fact, plus one passing finding
        per rule when nothing is wrong, so the report always says what was checked.
    """
    facts = draft_facts(draft)
    findings: list[Finding] = []
    for fact in facts:
        if not occurs_in(fact.text, reply):
            findings.append(
                Finding(
                    rule_id=KEEP_FACTS,
                    verdict=Verdict.FAIL,
                    severity=Severity.MUST,
                    message=f'dropped {fact.kind.value} "{fact.text}" from the draft',
                    evidence=[Evidence(text=fact.text, start=fact.start, end=fact.end, source="draft")],
                    hint=f'include "{fact.text}" exactly as the draft writes it',
                )
            )
    sources = [draft, *context]
    for fact in unique_texts(extract_facts(reply)):
        if fact.kind in _INVENTABLE and not any(occurs_in(fact.text, s) for s in sources):
            findings.append(
                Finding(
                    rule_id=NO_INVENTED,
                    verdict=Verdict.FAIL,
                    severity=Severity.MUST,
                    message=f'added {fact.kind.value} "{fact.text}" that is not in the draft or context',
                    evidence=[Evidence(text=fact.text, start=fact.start, end=fact.end, source="reply")],
                    hint=f'remove "{fact.text}"; only the draft, customer message or policy may supply it',
                )
            )
    for rule, message in (
        (KEEP_FACTS, f"kept all {len(facts)} facts of the draft"),
        (NO_INVENTED, "added no link, address, phone number or amount"),
    ):
        if not any(f.rule_id == rule for f in findings):
            findings.append(Finding(rule_id=rule, verdict=Verdict.PASS, message=message))
    return CheckReport(findings=findings, facts_checked=[f.text for f in facts])


def describe_problems(report: CheckReport) -> list[str]:
    """One line per failure, worded as an instruction a model can follow."""
    return [f"- {f.message}: {f.hint}" if f.hint else f"- {f.message}" for f in report.failures]
