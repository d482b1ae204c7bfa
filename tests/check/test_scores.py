from rewriter.check import check_reply, score
from rewriter.models import CheckReport, Finding, Verdict


def finding(rule: str, verdict: Verdict) -> Finding:
    return Finding(rule_id=rule, verdict=verdict, message="m")


def test_balance_is_low_when_either_half_is_missing() -> None:
    caring_only = CheckReport(
        findings=[finding("empathy.a", Verdict.PASS), finding("assertive.b", Verdict.FAIL)]
    )
    both = CheckReport(findings=[finding("empathy.a", Verdict.PASS), finding("assertive.b", Verdict.PASS)])
    assert score(caring_only).balance == 0.0 and score(caring_only).empathy == 1.0
    assert score(both).balance == 1.0


def test_not_applicable_and_unscored_do_not_count() -> None:
    report = CheckReport(
        findings=[
            finding("tone.a", Verdict.PASS),
            finding("tone.b", Verdict.FAIL),
            finding("tone.c", Verdict.NOT_APPLICABLE),
            finding("empathy.d", Verdict.UNSCORED),
        ]
    )
    scores = score(report)
    assert scores.families == {"tone": 0.5} and scores.overall == 0.5
    assert scores.empathy is None and scores.balance is None


def test_all_apology_no_action_scores_below_a_balanced_reply() -> None:
    sorry = score(
        check_reply("We are so sorry. Apologies again, we really regret this.", customer_name="Dana")
    )
    good = score(
        check_reply(
            "Hi Dana,\n\nLosing your files is awful.\n\n1. Open Settings > Backups.\n2. Restore last night's "
            "backup.\n\nReply here if anything is missing.\n\nBest regards,\nLee",
            customer_name="Dana",
        )
    )
    assert sorry.balance is not None and good.balance is not None
    assert sorry.balance < good.balance
