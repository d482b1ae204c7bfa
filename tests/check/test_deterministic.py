from __future__ import annotations

import pytest
from typer.testing import CliRunner

from rewriter.check import check_reply
from rewriter.cli import app
from rewriter.errors import ExitCode
from rewriter.models import Channel, Severity, Verdict


def verdicts(reply: str, **kw: object) -> dict[str, Verdict]:
    return {f.rule_id: f.verdict for f in check_reply(reply, **kw).findings}  # type: ignore[arg-type]


def test_blame_is_quoted_with_offsets() -> None:
    reply = "As I said before, you should have backed up your files. Restore from Settings > Backups."
    report = check_reply(reply)
    [blame] = [f for f in report.findings if f.rule_id == "tone.no-blame"]
    assert blame.verdict is Verdict.FAIL and blame.severity is Severity.MUST
    assert [(e.text, e.start, e.end) for e in blame.evidence] == [
        ("As I said before", 0, 16),
        ("you should have", 18, 33),
    ]
    assert all(reply[e.start : e.end] == e.text for e in blame.evidence)
    assert not report.passed


def test_apology_with_nothing_to_do_fails_next_step() -> None:
    reply = "We are so sorry for the trouble. Apologies again, we really regret this."
    report = check_reply(reply)
    found = {f.rule_id: f for f in report.findings}
    assert found["assertive.next-step"].verdict is Verdict.FAIL
    assert found["assertive.next-step"].severity is Severity.MUST
    assert found["empathy.no-hollow-apology"].verdict is Verdict.FAIL
    assert [e.text for e in found["empathy.no-hollow-apology"].evidence] == ["sorry", "Apologies"]


def test_a_numbered_step_as_next_step_is_quoted_without_its_spaces() -> None:
    reply = "Hi Sam,\n\nHere is how:\n  1. Open Settings > Backups.\n\nBest,\nAlex"
    [step] = [f for f in check_reply(reply).findings if f.rule_id == "assertive.next-step"]
    assert step.verdict is Verdict.PASS
    assert [(e.text, reply[e.start : e.end]) for e in step.evidence] == [("1.", "1.")]


def test_social_reply_asking_for_card_number_in_public_fails() -> None:
    reply = "Hi Sam, reply here with your card number and we'll refund it."
    found = {f.rule_id: f for f in check_reply(reply, channel=Channel.SOCIAL, customer_name="Sam").findings}
    privacy = found["channel.social-privacy"]
    assert privacy.verdict is Verdict.FAIL and privacy.evidence[0].text == "card number"
    moved = "Hi Sam, please DM us your card number and we'll refund it."
    assert verdicts(moved, channel=Channel.SOCIAL)["channel.social-privacy"] is Verdict.PASS
    assert "channel.social-privacy" not in verdicts(reply, channel=Channel.EMAIL)
    email = "Hi Sam, reply with your account email and we'll look."  # an account's email is private too
    assert verdicts(email, channel=Channel.SOCIAL)["channel.social-privacy"] is Verdict.FAIL


@pytest.mark.parametrize(
    ("reply", "rule", "verdict"),
    [
        ("Hopefully switching plans might be able to help.", "assertive.confident-language", Verdict.FAIL),
        ("Switching plans stops the renewal.", "assertive.confident-language", Verdict.PASS),
        ("No worries! Have an awesome day!", "tone.no-toxic-positivity", Verdict.FAIL),
        ("Simplystated, the file is safe.", "tone.no-blame", Verdict.PASS),
    ],
)
def test_lexicon_rules(reply: str, rule: str, verdict: Verdict) -> None:
    assert verdicts(reply)[rule] is verdict


def test_name_rule() -> None:
    assert verdicts("Hi Dana, restore it.", customer_name="Dana")["empathy.use-name"] is Verdict.PASS
    assert verdicts("Hello, restore it.", customer_name="Dana")["empathy.use-name"] is Verdict.FAIL
    assert verdicts("Hello, restore it.")["empathy.use-name"] is Verdict.NOT_APPLICABLE


def test_with_a_draft_the_guard_joins_the_report() -> None:
    report = check_reply(
        "Restore from Settings > Backups.", draft="Restore from Settings > Backups within 30 days."
    )
    assert any(f.rule_id == "faithfulness.keep-facts" and f.verdict is Verdict.FAIL for f in report.findings)


def test_cli_check_exit_codes(tmp_path: object) -> None:
    runner = CliRunner()
    bad = runner.invoke(app, ["check", "-"], input="As I said before, you should have backed up your files.")
    assert bad.exit_code == ExitCode.CHECK_FAILED
    assert '"As I said before" @0-16' in bad.stdout
    good = runner.invoke(app, ["check", "-", "--json"], input="Restore your files from Settings > Backups.")
    assert good.exit_code == 0 and '"tone.no-blame"' in good.stdout


def test_two_actions_in_running_text_should_be_numbered() -> None:
    reply = "Open Settings > Backups. Then pick last night's backup. Restart the app."
    [steps] = [f for f in check_reply(reply).findings if f.rule_id == "assertive.numbered-steps"]
    assert steps.verdict is Verdict.FAIL
    assert [e.text for e in steps.evidence] == [
        "Open Settings > Backups.",
        "Then pick last night's backup.",
        "Restart the app.",
    ]
    assert all(reply[e.start : e.end] == e.text for e in steps.evidence)
    numbered = "Here is how:\n1. Open Settings > Backups.\n2. Pick last night's backup."
    assert verdicts(numbered)["assertive.numbered-steps"] is Verdict.PASS
    assert verdicts("Open Settings > Backups.")["assertive.numbered-steps"] is Verdict.NOT_APPLICABLE


@pytest.mark.parametrize(
    ("reply", "channel", "rule", "verdict"),
    [
        ("Hi Dana,\n\nRestore it.\n\nBest regards,\nLee", Channel.EMAIL, "channel.email-form", Verdict.PASS),
        ("Restore it.", Channel.EMAIL, "channel.email-form", Verdict.FAIL),
        (
            "Restore it. Reply here if anything is missing.",
            Channel.EMAIL,
            "assertive.follow-up",
            Verdict.PASS,
        ),
        ("Restore it.", Channel.EMAIL, "assertive.follow-up", Verdict.FAIL),
        ("Restart the app and tell me if it helps.", Channel.EMAIL, "assertive.follow-up", Verdict.PASS),
        ("We will keep you posted.", Channel.EMAIL, "assertive.follow-up", Verdict.PASS),
        ("word " * 100, Channel.CHAT, "channel.chat-brevity", Verdict.FAIL),
        ("Short and sweet. Reply here.", Channel.CHAT, "channel.chat-brevity", Verdict.PASS),
        ("x" * 300, Channel.SOCIAL, "channel.social-brevity", Verdict.FAIL),
        ("word " * 120, Channel.EMAIL, "tone.concise", Verdict.FAIL),
        ("Unfortunately we can't refund that.", Channel.EMAIL, "empathy.positive-framing", Verdict.FAIL),
        (
            "We can't refund that, but you can switch plans.",
            Channel.EMAIL,
            "empathy.positive-framing",
            Verdict.PASS,
        ),
    ],
)
def test_form_and_length_rules(reply: str, channel: Channel, rule: str, verdict: Verdict) -> None:
    assert verdicts(reply, channel=channel)[rule] is verdict


@pytest.mark.parametrize("language", ["es", "de", "fr"])
def test_other_languages_have_every_phrase_list(language: str) -> None:
    from rewriter.check.deterministic import _lexicon
    from rewriter.prompts import prompts_dir

    assert set(_lexicon(str(prompts_dir()), language)) == set(_lexicon(str(prompts_dir()), "en"))


@pytest.mark.parametrize(
    ("language", "reply", "quoted"),
    [
        ("es", "Como ya le dije, debería haber guardado una copia.", ["Como ya le dije", "debería haber"]),
        (
            "de",
            "Wie bereits gesagt, Sie hätten sollen speichern.",
            ["Wie bereits gesagt", "Sie hätten sollen"],
        ),
        (
            "fr",
            "Comme je vous l'ai dit, vous auriez dû sauvegarder.",
            ["Comme je vous l'ai dit", "vous auriez dû"],
        ),
    ],
)
def test_blame_in_other_languages(language: str, reply: str, quoted: list[str]) -> None:
    [blame] = [f for f in check_reply(reply, language=language).findings if f.rule_id == "tone.no-blame"]
    assert blame.verdict is Verdict.FAIL and [e.text for e in blame.evidence] == quoted


def test_unknown_language_is_a_usage_error_naming_the_known_ones() -> None:
    from rewriter.errors import InputError

    with pytest.raises(InputError, match="unknown language 'xx'; use one of: en, es, de, fr, it"):
        check_reply("hello", language="xx")


def test_a_language_without_phrase_lists_is_unscored_never_passed() -> None:
    report = check_reply(
        "Ciao Dana, il backup si trova in Impostazioni. Rispondi qui se manca.", language="it"
    )
    lexical = {f.rule_id: f for f in report.findings}
    for rule in ("tone.no-blame", "assertive.confident-language", "tone.no-stock-lines"):
        assert lexical[rule].verdict is Verdict.UNSCORED, rule
        assert lexical[rule].message == "no phrase lists for Italian; not checked"
    assert lexical["tone.no-placeholder"].verdict is Verdict.PASS  # needs no phrase list


def test_blaming_reply_without_acknowledgement_fails_both() -> None:
    reply = "As I said before, you should have backed up your files. Restore from Settings > Backups."
    found = {f.rule_id: f for f in check_reply(reply).findings}
    assert found["tone.no-blame"].verdict is Verdict.FAIL
    ack = found["empathy.specific-acknowledgement"]
    assert ack.verdict is Verdict.FAIL and ack.severity is Severity.SHOULD  # phrasing cues alone: advice
    warm = "I'm sorry your files seemed to vanish; that sounds stressful. Restore from Settings > Backups."
    assert verdicts(warm)["empathy.specific-acknowledgement"] is Verdict.PASS
