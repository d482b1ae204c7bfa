from __future__ import annotations

import pytest

from rewriter.check.guard import (
    KEEP_FACTS,
    NO_INVENTED,
    POSSIBLY_LOST,
    check_faithfulness,
    describe_problems,
    reworded_facts,
)
from rewriter.models import CheckReport, Verdict

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
        POSSIBLY_LOST: Verdict.PASS,
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


def verdicts(report: CheckReport, rule: str) -> list[Verdict]:
    return [f.verdict for f in report.findings if f.rule_id == rule]


def test_rule_ids() -> None:
    assert POSSIBLY_LOST == "faithfulness.possibly-lost"


def test_a_truncated_id_fails() -> None:
    report = check_faithfulness("Your case is AB-1234-XY.", "Your case is AB-1234.")
    assert not report.passed
    [failure] = report.failures
    assert failure.rule_id == KEEP_FACTS and '"AB-1234-XY"' in failure.message
    assert check_faithfulness("Your case is AB-1234-XY.", "We opened case AB-1234-XY for you.").passed


@pytest.mark.parametrize(
    ("draft", "reply"),
    [
        ("Case SUP-4688 is open.", "Case SUP-46 is open."),
        ("Track 1Z999AA10123456784 online.", "Track 1Z999AA1012 online."),
        ("It failed with ERR_SOMETHING_42.", "It failed with an error."),
        ("Your key sk_test_****1a2b was revoked.", "Your test key was revoked."),
        ("Write to @ShopCoHelp.", "Write to us on social media."),
        ("Open /api/v2/export.", "Open the export endpoint."),
        ('Click "Save as PDF".', "Click save."),
        ("Delete C:\\Users\\Public\\Documents\\Exports.", "Delete the exports folder."),
        ("We imported 20,000 contacts.", "We imported your contacts."),
    ],
)
def test_lost_facts_of_the_broader_kinds_fail(draft: str, reply: str) -> None:
    assert not check_faithfulness(draft, reply).passed


def test_each_missing_sweep_token_is_possibly_lost_with_draft_evidence() -> None:
    draft = "Flash firmware fw-3a9, then type 'delete' and open docs/guide/intro.md."
    reply = "Flash the new firmware, then confirm and open the guide."
    report = check_faithfulness(draft, reply)
    lost = [f for f in report.failures if f.rule_id == POSSIBLY_LOST]
    assert [f.message for f in lost] == [
        'possibly lost "fw-3a9" from the draft',
        'possibly lost "delete" from the draft',
        'possibly lost "docs/guide/intro.md" from the draft',
    ]
    for finding in lost:
        [evidence] = finding.evidence
        assert evidence.source == "draft" and draft[evidence.start : evidence.end] == evidence.text
        assert finding.severity.value == "must" and finding.verdict is Verdict.FAIL
        assert f'include "{evidence.text}" exactly as the draft writes it' in (finding.hint or "")
    assert verdicts(report, KEEP_FACTS) == [Verdict.PASS]
    assert report.facts_checked == ["fw-3a9", "delete", "docs/guide/intro.md"]


def test_a_reply_that_keeps_everything_passes_both_rules() -> None:
    draft = (
        "Case AB-1234-XY: flash fw-3a9 and type 'delete', then open File > Import > Restore from backup. "
        "Error ERR_SYNC_42 means the file in %APPDATA%\\Notely\\cache is locked; we reply within 48h."
    )
    reply = (
        "I'm sorry for the trouble with case AB-1234-XY. Please flash fw-3a9, type 'delete' and go to "
        "File > Import > Restore from backup. ERR_SYNC_42 means %APPDATA%\\Notely\\cache is locked. "
        "We will reply within 48h."
    )
    report = check_faithfulness(draft, reply)
    assert report.passed, report.failures
    assert verdicts(report, KEEP_FACTS) == [Verdict.PASS]
    assert verdicts(report, POSSIBLY_LOST) == [Verdict.PASS]
    typed = report.facts_checked[:-2]
    assert "AB-1234-XY" in typed and "ERR_SYNC_42" in typed and "48h" in typed
    assert report.facts_checked[-2:] == ["fw-3a9", "delete"]


def test_keep_facts_pass_message_only_when_keep_facts_passed() -> None:
    passing = check_faithfulness(DRAFT, GOOD)
    [message] = [f.message for f in passing.findings if f.rule_id == KEEP_FACTS]
    assert message == "kept all 3 facts of the draft"
    failing = check_faithfulness(DRAFT, GOOD.replace("#48213", "48213"))
    keep = [f for f in failing.findings if f.rule_id == KEEP_FACTS]
    assert keep and all(f.verdict is Verdict.FAIL for f in keep)
    assert not any(f.message.startswith("kept all") for f in keep)
    lost_only = check_faithfulness("Use fw-3a9 now.", "Use the new firmware now.")
    assert verdicts(lost_only, KEEP_FACTS) == [Verdict.PASS]
    assert verdicts(lost_only, POSSIBLY_LOST) == [Verdict.FAIL]


@pytest.mark.parametrize(
    ("draft", "reply"),
    [
        ("El reembolso llegará antes del 15 de mayo.", "The refund will arrive by May 15."),
        ("Tiene 30 días para devolverlo.", "You have 30 days to return it."),
        ("Wir melden uns am 12. Januar.", "We will get back to you on January 12."),
        ("Die Lieferung dauert 5 bis 7 Werktage.", "Delivery takes 5 to 7 business days."),
        ("Nous reviendrons le 2 septembre.", "We will be back on September 2."),
        ("Réponse sous 48 heures.", "Reply within 48 hours."),
    ],
)
def test_facts_in_spanish_german_french_must_survive(draft: str, reply: str) -> None:
    report = check_faithfulness(draft, reply)
    assert not report.passed
    assert any(f.rule_id == KEEP_FACTS for f in report.failures)
    assert check_faithfulness(draft, draft).passed


def test_an_invented_handle_is_named_but_a_known_one_is_not() -> None:
    draft = "Message us and we will help."
    [failure] = check_faithfulness(draft, "Message us at @ShopCoHelp and we will help.").failures
    assert failure.rule_id == NO_INVENTED and '"@ShopCoHelp"' in failure.message
    assert check_faithfulness(
        draft, "Message us at @ShopCoHelp and we will help.", ["Is @shopcohelp your account?"]
    ).passed


def test_a_path_from_a_draft_link_is_not_invented() -> None:
    draft = "Update your card at https://app.example.com/billing."
    assert check_faithfulness(draft, "Open /billing at https://app.example.com/billing to update it.").passed
    report = check_faithfulness(draft, "Open /admin/cards or https://app.example.com/billing.")
    assert [f.rule_id for f in report.failures] == [NO_INVENTED]


def test_a_lost_name_is_possibly_lost_where_the_language_capitalises_only_names() -> None:
    draft = "Your parcel is at the sorting hub in Leeds. Reply here if it has not moved by Friday."
    reply = "Your parcel is at a sorting hub. Reply here if it has not moved by Friday."
    report = check_faithfulness(draft, reply, names=True)
    assert [(f.rule_id, f.evidence[0].text) for f in report.failures] == [(POSSIBLY_LOST, "Leeds")]
    assert check_faithfulness(draft, reply).passed  # German drafts: every noun is capitalised


MARKDOWN = (
    "Run this to reset the cache:\n\n```bash\nrm -rf ~/.cache/app && app --reset --port 8443\n```\n\n"
    "Then set `MAX_RETRIES=5` in `config.toml` and restart."
)
COMMAND = "rm -rf ~/.cache/app && app --reset --port 8443"


def test_facts_inside_code_blocks_and_inline_code_are_held_verbatim() -> None:
    report = check_faithfulness(MARKDOWN, MARKDOWN)
    assert report.passed and report.facts_checked == [COMMAND, "MAX_RETRIES=5", "config.toml"]
    changed = MARKDOWN.replace("--port 8443", "--port 8080").replace("`MAX_RETRIES=5`", "`MAX_RETRIES=3`")
    messages = " ".join(f.message for f in check_faithfulness(MARKDOWN, changed).failures)
    assert f'dropped code "{COMMAND}" from the draft' in messages
    assert 'dropped code "MAX_RETRIES=5"' in messages
