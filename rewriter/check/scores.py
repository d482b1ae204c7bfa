"""Scores from a check report: per family, overall, and the empathy-assertiveness balance.

Both halves of a good reply must be present, so the balance is their harmonic mean:
"all apology, no action" and "all action, no care" both score low, which an average
would hide.
"""

from __future__ import annotations

from collections import defaultdict

from pydantic import BaseModel, ConfigDict

from rewriter.models import CheckReport, Verdict


class Scores(BaseModel):
    """Shares of scored rules passed (0-1); ``None`` where nothing was scored."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    families: dict[str, float]
    overall: float | None
    empathy: float | None
    assertiveness: float | None
    balance: float | None


def score(report: CheckReport) -> Scores:
    """Score a report; not-applicable and unscored findings count for nothing."""
    passed: dict[str, int] = defaultdict(int)
    total: dict[str, int] = defaultdict(int)
    for finding in report.findings:
        if finding.verdict not in (Verdict.PASS, Verdict.FAIL):
            continue
        family = finding.rule_id.split(".", 1)[0]
        total[family] += 1
        passed[family] += finding.verdict is Verdict.PASS
    families = {f: passed[f] / total[f] for f in sorted(total)}
    overall = sum(passed.values()) / sum(total.values()) if total else None
    empathy = families.get("empathy")
    assertive = families.get("assertive")
    balance = None
    if empathy is not None and assertive is not None:
        balance = 0.0 if empathy + assertive == 0 else 2 * empathy * assertive / (empathy + assertive)
    return Scores(
        families=families, overall=overall, empathy=empathy, assertiveness=assertive, balance=balance
    )
