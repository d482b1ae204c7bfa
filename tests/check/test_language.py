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


BILINGUAL = (
    "Hallo Jonas,\n\nIhre Erstattung von 40 EUR wurde am 3. März gesendet.\n\nIn English: your refund of "
    "40 EUR was sent on 3 March and should arrive within 5 business days. Reply to this email if it has "
    "not arrived by then.\n\nViele Grüße\nMia"
)
ES_WITH_A_QUOTE = (
    "Hola Ana,\n\nTu reembolso de 40 EUR se envió el 3 de marzo y llegará en 5 días hábiles. Si no llega, "
    'responde a este correo y lo revisamos juntos. El mensaje de error que ves dice "Access denied".\n\n'
    "Saludos,\nMia"
)
EN_REPLY = (
    "Hi Ana,\n\nYour refund of 40 EUR was sent on 3 March and will arrive in 5 business days. If it does "
    "not arrive, reply to this email and we will look at it together.\n\nBest,\nMia"
)


def same_language(reply: str, draft: str, language: str | None = None) -> tuple[Verdict, str]:
    found = next(f for f in check_reply(reply, draft=draft, language=language).findings
                 if f.rule_id == "faithfulness.same-language")  # fmt: skip
    return found.verdict, found.message


def test_a_draft_in_two_languages_may_be_answered_in_both() -> None:
    assert same_language(BILINGUAL, BILINGUAL) == (
        Verdict.PASS,
        "written in German and English, as the draft is",
    )


def test_a_second_language_the_draft_only_quotes_or_the_caller_ruled_out_still_fails() -> None:
    assert same_language(EN_REPLY, ES_WITH_A_QUOTE)[0] is Verdict.FAIL  # one quoted English phrase
    assert same_language(BILINGUAL, BILINGUAL, language="de")[0] is Verdict.FAIL  # asked for German
