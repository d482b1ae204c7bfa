"""How good an attempt is, and the status its final report earns: one rule for every way of rewriting."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from rewriter.check.guard import KEEP_FACTS, NO_INVENTED, POSSIBLY_LOST
from rewriter.check.language import SAME_LANGUAGE
from rewriter.check.meaning import KEEP_ACTIONS
from rewriter.models import CheckReport, Evidence, Finding, RewriteStatus, Severity, Verdict

# A reply that drops or invents a fact is unfaithful; one that may have lost a token of
# unknown kind, or changed an action or the language, needs a person's look.
_UNFAITHFUL = {KEEP_FACTS, NO_INVENTED}
# The rules about what the reply says, as opposed to how it says it.
_FAITHFUL = {*_UNFAITHFUL, POSSIBLY_LOST, KEEP_ACTIONS, SAME_LANGUAGE}


def key(finding: Finding) -> tuple[str, str]:
    """A finding's rule and the first words it quotes: the same problem, found again."""
    return finding.rule_id, finding.evidence[0].text if finding.evidence else ""


def badness(report: CheckReport) -> tuple[int, int]:
    """How bad an attempt is: its failed faithfulness rules first, then all its failed ``must`` rules.

    Dropping a sentence can fix a tone problem and lose a fact at once; a count alone
    would call that even, but a lost fact is worse than any number of tone problems.
    """
    failures = report.failures
    return sum(f.rule_id in _FAITHFUL for f in failures), len(failures)


def status(report: CheckReport) -> RewriteStatus:
    """Rewritten only when every ``must`` rule passed; unfaithful when a fact went or came."""
    if report.passed:
        return RewriteStatus.REWRITTEN
    if any(f.rule_id in _UNFAITHFUL for f in report.failures):
        return RewriteStatus.UNFAITHFUL
    return RewriteStatus.NEEDS_REVIEW


class Held(BaseModel):
    """Sentences of the reply the agent did not write, to be confirmed before it is sent."""

    model_config = ConfigDict(frozen=True)

    rule_id: str
    lines: list[str]
    message: str
    hint: str


def to_confirm(reply: str, held: list[Held]) -> list[Finding]:
    """A failed ``must`` finding per kind of held sentence, quoting each: no "ok" until they are confirmed.

    Policy lines and restated jargon are true to their sources as far as the checks can
    tell, but the agent wrote neither; a reply that holds them is theirs to confirm.
    """
    return [
        Finding(
            rule_id=h.rule_id,
            verdict=Verdict.FAIL,
            severity=Severity.MUST,
            message=h.message,
            evidence=[
                Evidence(text=line, start=at, end=at + len(line), source="reply")
                for line in h.lines
                if (at := reply.find(line)) >= 0
            ],
            hint=h.hint,
        )
        for h in held
    ]
