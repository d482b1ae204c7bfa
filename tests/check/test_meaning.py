"""The rewrite keeps what the draft asks for: each action's verb, and each "do not"."""

from __future__ import annotations

import pytest

from rewriter.check import check_reply
from rewriter.check.meaning import draft_actions
from rewriter.models import Finding, Verdict

DRAFT = (
    "Copy that folder somewhere safe before you reinstall. Do not open the app until the copy is done. "
    "If the folder is empty, reply with ticket #48213."
)


def keep_actions(reply: str, draft: str = DRAFT, language: str = "en") -> Finding:
    report = check_reply(reply, draft=draft, language=language)
    return next(f for f in report.findings if f.rule_id == "faithfulness.keep-actions")


def test_the_draft_actions_are_found_with_their_negation() -> None:
    actions = draft_actions(DRAFT, "en")
    assert [(a.verb, a.negated) for a in actions] == [("copy", False), ("open", True)]


def test_a_changed_verb_fails_and_points_at_the_draft() -> None:
    reply = "1. Remove that folder before you reinstall.\n2. Do not open the app until it is done."
    found = keep_actions(reply)
    assert found.verdict is Verdict.FAIL and found.severity.value == "must"
    assert 'the action "copy"' in found.message
    assert found.evidence[0].source == "draft" and found.evidence[0].text.startswith("Copy that folder")


def test_a_lost_negation_fails() -> None:
    reply = "1. Copy that folder somewhere safe.\n2. Open the app once the copy is done."
    found = keep_actions(reply)
    assert found.verdict is Verdict.FAIL and 'the "not" of "open"' in found.message


def test_a_faithful_rewrite_passes_in_other_words() -> None:
    reply = "1. Copy the folder to a safe place first.\n2. Don't open the app until the copy has finished."
    assert keep_actions(reply).verdict is Verdict.PASS


@pytest.mark.parametrize(
    ("language", "draft", "bad", "good"),
    [
        ("es", "No abra la aplicación. Restaure la copia desde Ajustes.",
         "Abra la aplicación y restaure la copia.",
         "No abra la aplicación todavía. Restaure la copia desde Ajustes."),
        ("de", "Öffnen Sie die App nicht. Löschen Sie den Cache.",
         "Öffnen Sie die App. Löschen Sie den Cache.",
         "Öffnen Sie die App bitte nicht. Löschen Sie danach den Cache."),
    ],
)  # fmt: skip
def test_negations_in_other_languages(language: str, draft: str, bad: str, good: str) -> None:
    assert keep_actions(bad, draft, language).verdict is Verdict.FAIL
    assert keep_actions(good, draft, language).verdict is Verdict.PASS


def test_a_draft_that_asks_nothing_is_not_applicable() -> None:
    assert (
        keep_actions("Your refund was sent.", draft="The refund was sent today.").verdict
        is Verdict.NOT_APPLICABLE
    )


@pytest.mark.parametrize(
    ("reply", "language", "offered"),
    [
        ("The item ships in 5 days. If it does not, contact us for a refund.", "en", ["refund"]),
        ("If the issue persists, please contact our support team.", "en", ["contact our support team"]),
        ("Le colis part sous 5 jours. Nous vous offrons un geste commercial.", "fr", ["geste commercial"]),
        ("El paquete sale en 5 días; le haremos un descuento.", "es", ["descuento"]),
        ("Das Paket geht in 5 Tagen raus. Wir schicken Ihnen einen Gutschein.", "de", ["Gutschein"]),
    ],
)
def test_an_offer_the_draft_never_made_fails(reply: str, language: str, offered: list[str]) -> None:
    drafts = {
        "en": "The item ships in 5 days.",
        "fr": "Le colis part sous 5 jours.",
        "es": "El paquete sale en 5 días.",
        "de": "Das Paket geht in 5 Tagen raus.",
    }
    report = check_reply(reply, draft=drafts[language], language=language)
    found = next(f for f in report.findings if f.rule_id == "faithfulness.no-new-promises")
    assert found.verdict is Verdict.FAIL and [e.text for e in found.evidence] == offered


def test_an_offer_the_draft_or_policy_makes_passes() -> None:
    policy = ["Support may refund the difference once, after the customer agrees."]
    reply = "We can refund the difference of €12.74. Reply to agree."
    report = check_reply(reply, draft="We could give back the €12.74.", policy=policy)
    found = next(f for f in report.findings if f.rule_id == "faithfulness.no-new-promises")
    assert found.verdict is Verdict.PASS
    # The customer asking for a refund is not the draft granting one.
    report = check_reply(
        "You will get a refund.", draft="The order ships Friday.", customer_message="I want a refund now."
    )
    found = next(f for f in report.findings if f.rule_id == "faithfulness.no-new-promises")
    assert found.verdict is Verdict.FAIL
    # A draft that names a contact lets the reply send the customer to support.
    report = check_reply("Contact support at help@example.com.", draft="Write to help@example.com.")
    found = next(f for f in report.findings if f.rule_id == "faithfulness.no-new-promises")
    assert found.verdict is Verdict.PASS
