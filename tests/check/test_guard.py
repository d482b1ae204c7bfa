from rewriter.check.guard import (
    KEEP_FACTS,
    NO_INVENTED,
    check_faithfulness,
    describe_problems,
    reworded_facts,
)
from rewriter.models import Verdict

DRAFT = (
    "As I said before, the update didn't delete anything. Restore from Settings > Backups, "
    "backups are kept 30 days. Ticket #48213."
)
GOOD = (
    "I'm sorry your files seemed to vanish after the update. Nothing was deleted: you can restore "
    "them from Settings > Backups, where backups are kept 30 days. Your ticket is #48213."
)


def test_faithful_reply_passes_and_lists_what_was_checked() -> None:
    report = check_faithfulness(DRAFT, GOOD)
    assert report.passed
    assert report.facts_checked == ["Settings > Backups", "30 days", "#48213"]
    assert {f.rule_id: f.verdict for f in report.findings} == {
        KEEP_FACTS: Verdict.PASS,
        NO_INVENTED: Verdict.PASS,
    }


def test_dropped_duration_is_named_with_its_draft_span() -> None:
    reply = GOOD.replace(", where backups are kept 30 days", "")
    report = check_faithfulness(DRAFT, reply)
    assert not report.passed
    [failure] = report.failures
    assert failure.rule_id == KEEP_FACTS
    assert failure.message == 'dropped quantity "30 days" from the draft'
    [evidence] = failure.evidence
    assert DRAFT[evidence.start : evidence.end] == "30 days" and evidence.source == "draft"
    assert describe_problems(report) == [
        '- dropped quantity "30 days" from the draft: include "30 days" exactly as the draft writes it'
    ]


def test_added_email_is_named_with_its_reply_span() -> None:
    reply = GOOD + " Questions? Write to support@example.com."
    report = check_faithfulness(DRAFT, reply)
    [failure] = report.failures
    assert failure.rule_id == NO_INVENTED
    assert '"support@example.com"' in failure.message
    [evidence] = failure.evidence
    assert reply[evidence.start : evidence.end] == "support@example.com" and evidence.source == "reply"


def test_contact_details_from_the_customer_or_policy_are_not_invented() -> None:
    reply = GOOD + " We will call you on +1 415 555 0100 and refund $19.99."
    assert not check_faithfulness(DRAFT, reply).passed
    assert check_faithfulness(
        DRAFT, reply, ["call me on +1 415 555 0100", "Refunds up to $19.99 are allowed."]
    ).passed


def test_an_invented_menu_path_is_named() -> None:
    # As a small model wrote it in a recording: a plausible menu the product may not have.
    reply = GOOD + " Open File > Recover to get it back."
    [failure] = check_faithfulness(DRAFT, reply).failures
    assert failure.rule_id == NO_INVENTED and '"File > Recover"' in failure.message
    assert check_faithfulness(DRAFT, reply, ["I looked in File > Recover already."]).passed


def test_reworded_fact_is_paired_with_its_draft_form() -> None:
    report = check_faithfulness(
        "It left the hub on 14 May. Order #77120.", "It left the hub on May 14. Order #77120."
    )
    assert reworded_facts(report) == [("May 14", "14 May")]
    assert 'instead of "May 14"' in (report.failures[0].hint or "")


def test_ambiguous_rewordings_are_not_paired() -> None:
    report = check_faithfulness("Between 14 May and 20 May.", "Between May 14 and May 20.")
    assert len(report.failures) == 2
    assert reworded_facts(report) == []


def test_draft_without_facts_passes_trivially() -> None:
    report = check_faithfulness(
        "Thanks for your patience, we are on it.", "Thank you for waiting; we're on it."
    )
    assert report.passed and report.facts_checked == []


def test_host_of_a_draft_link_is_not_invented() -> None:
    draft = "Log in again at https://app.example.com/login."
    assert check_faithfulness(
        draft, "Clear cookies for app.example.com, then log in at https://app.example.com/login."
    ).passed
    assert not check_faithfulness(
        draft, "Log in at https://app.example.com/login or https://evil.example.net."
    ).passed
