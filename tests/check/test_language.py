"""The draft's language is detected without a model, and a reply in another one fails."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from rewriter.check import check_reply
from rewriter.check.language import MIN_CONFIDENCE, MIN_WORDS, detect_language
from rewriter.models import Verdict
from rewriter.text import sentences

ROOT = Path(__file__).resolve().parents[2]
ES_DRAFT = "Hola Lucía, el reembolso de 49,00 € llegará a su tarjeta antes del 15 de mayo. Responda si no."


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Restore the folder from Settings > Backups; backups are kept for 30 days.", "en"),
        ("El reembolso llegará a su tarjeta en un plazo de 5 a 7 días hábiles.", "es"),
        ("Die Erstattung erscheint innerhalb von 5 bis 7 Werktagen auf Ihrer Karte.", "de"),
        ("Le remboursement apparaîtra sur votre carte sous 5 à 7 jours ouvrés.", "fr"),
        ("Il rimborso arriverà sulla sua carta entro cinque giorni lavorativi.", "it"),
    ],
)
def test_detects_the_language_of_a_support_sentence(text: str, language: str) -> None:
    guess = detect_language(text)
    assert guess.sure and guess.language == language


@pytest.mark.parametrize("text", ["Ticket: #77120", "ok", "https://status.example.com INC-3307", ""])
def test_a_text_with_too_few_words_is_unsure(text: str) -> None:
    assert not detect_language(text).sure


def test_the_golden_suite_sentences_are_never_surely_wrong() -> None:
    """The thresholds' calibration: no sentence of the golden drafts or messages is surely misread."""
    wrong, sure = [], 0
    for file in sorted((ROOT / "evals" / "golden").glob("*.yaml")):
        for case in yaml.safe_load(file.read_text(encoding="utf-8"))["cases"]:
            expected = case.get("language", "en")
            for text in (case["draft"], case["customer"], *(s.text for s in sentences(case["draft"]))):
                guess = detect_language(text)
                sure += guess.sure
                if guess.sure and guess.language != expected:
                    wrong.append((expected, guess.language, text))
    assert not wrong, (MIN_WORDS, MIN_CONFIDENCE, wrong[:3])
    assert sure > 250  # and most of them are sure enough to act on


def test_an_english_reply_to_a_spanish_draft_fails_with_the_sentences() -> None:
    reply = (
        "Hi Lucía,\n\nThe refund of 49,00 € will reach your card by 15 de mayo. Reply to this email if not."
    )
    report = check_reply(reply, draft=ES_DRAFT, customer_name="Lucía")
    found = next(f for f in report.findings if f.rule_id == "faithfulness.same-language")
    assert found.verdict is Verdict.FAIL and found.severity.value == "must"
    assert "Spanish" in found.message and found.evidence and found.evidence[0].source == "reply"
    good = "Hola Lucía,\n\nEl reembolso de 49,00 € llegará a su tarjeta antes del 15 de mayo. Responda si no."
    ok = next(
        f for f in check_reply(good, draft=ES_DRAFT).findings if f.rule_id == "faithfulness.same-language"
    )
    assert ok.verdict is Verdict.PASS


def test_a_draft_too_short_to_tell_leaves_the_rule_unscored() -> None:
    report = check_reply("Hi, ticket #77120 is closed.", draft="Ticket #77120: closed.")
    found = next(f for f in report.findings if f.rule_id == "faithfulness.same-language")
    assert found.verdict is Verdict.UNSCORED
