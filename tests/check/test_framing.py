"""The reply's frame and sentences: one greeting, a complete sign-off, whole sentences."""

from __future__ import annotations

import pytest

from rewriter.check import check_reply
from rewriter.models import Finding, Verdict

DRAFT = "We're sorry. Sign-in is down in the US region; updates are at https://status.example.com."


def verdict(reply: str, rule: str, **kw: object) -> Finding:
    args: dict[str, object] = {"draft": DRAFT, "customer_name": "Connor"}
    args.update(kw)
    report = check_reply(reply, **args)  # type: ignore[arg-type]
    return next(f for f in report.findings if f.rule_id == rule)


@pytest.mark.parametrize(
    ("ending", "ok"),
    [
        ("Best regards,", False),
        ("Kind regards,", False),
        ("Best regards,\nLena", True),
        ("Reply here.", True),
    ],
)
def test_a_signoff_needs_a_name_under_it(ending: str, ok: bool) -> None:
    found = verdict(f"Hi Connor,\n\nSign-in is back.\n\n{ending}", "channel.complete-signoff")
    assert (found.verdict is Verdict.PASS) is ok


@pytest.mark.parametrize(
    "reply",
    [
        "Hi Amara,\n\n1. Hi Amara,\n2. Your claim is CLM-3391.\n\nReply here.\n\nBest regards,\nRaj",
        "Hi Amara,\n\nYour claim is CLM-3391.\n\nThanks, If it stalls, reply here.\n\nBest regards,\nRaj",
        "Hi Amara,\n\nYour claim is CLM-3391.\nThanks,\nRaj\n\nReply here.\n\nBest regards,\nRaj",
    ],
)
def test_a_greeting_or_signoff_inside_the_reply_fails(reply: str) -> None:
    report = check_reply(reply)
    found = next(f for f in report.findings if f.rule_id == "channel.one-greeting")
    assert found.verdict.value == "fail" and found.evidence


def test_one_greeting_and_one_signoff_pass() -> None:
    reply = "Hi Amara,\n\nThank you, I have checked your claim CLM-3391.\n\nReply here.\n\nBest regards,\nRaj"
    assert _verdict(check_reply(reply), "channel.one-greeting") == "pass"


def _verdict(report: object, rule: str) -> str:
    return next(f.verdict.value for f in report.findings if f.rule_id == rule)  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("reply", "broken"),
    [
        (
            "Hallo Katrin,\n\ndaran, und die Behebung dauert etwa 2 Stunden.",
            "daran, und die Behebung dauert etwa 2 Stunden.",
        ),
        ("Hi Deshawn, The charge is a hold. Reply here with", "Reply here with"),
        ("Hi Doreen,\n\n1. Clear C:\\Users\\Doreen\\Notely\thumbcache\n2. Restart Notely", "\t"),
        ("Hi Rafael,\n\nThe export runs daily.\n\n1. 02:00 UTC\n2. Restart Notely", "02:00 UTC"),
        ("Hi Jonah,\n\nTry the High contrast theme.\n\n1. Go to Settings > Appearance\n2. High", "High"),
    ],
)
def test_a_sentence_cut_short_or_begun_mid_way_fails(reply: str, broken: str) -> None:
    found = verdict(reply, "tone.whole-sentences", customer_message=None)
    assert found.verdict is Verdict.FAIL and found.severity.value == "must"
    assert broken in [e.text for e in found.evidence]
    assert all(reply[e.start : e.end] == e.text for e in found.evidence)


@pytest.mark.parametrize(
    "reply",
    [
        "Hi Dana, no problem: restore from Settings > Backups.",
        "Hi Ella,\n\nThe charge is a hold.\n\n1. Open https://pay.example.com/holds\n"
        "2. Tracking number: 1Z999AA1\n\nBest regards,\nLena",
        "Hi Ella, the status page is https://status.example.com ^MK",
        "Hi Ella,\n\nYour iPhone app is fixed in 6.1.1.\n\nBest regards,\nLena Park",
    ],
)
def test_whole_sentences_urls_labels_and_signatures_pass(reply: str) -> None:
    assert verdict(reply, "tone.whole-sentences", customer_message=None).verdict is Verdict.PASS


def test_a_paragraph_that_is_only_a_fact_is_no_sentence() -> None:
    reply = "Hi Gareth,\n\nI cancelled it.\n\n$24.99\n\nBest regards,\nDani"
    found = verdict(reply, "tone.whole-sentences", customer_message=None)
    assert found.verdict is Verdict.FAIL and [e.text for e in found.evidence] == ["$24.99"]
    labelled = (
        "Hi Gareth,\n\nI cancelled it.\n\nTicket #48213.\n\nhttps://status.example.com\n\nBest regards,\nDani"
    )
    assert verdict(labelled, "tone.whole-sentences", customer_message=None).verdict is Verdict.PASS


MARKDOWN_DRAFT = (
    "Hi Connor,\n\nRun this to reset the cache:\n\n"
    "```bash\nrm -rf ~/.cache/app && app --reset --port 8443\n```\n\n"
    "Then set `MAX_RETRIES=5` in `config.toml` and restart.\n\nThanks, Sam"
)


def test_lines_of_a_code_block_are_no_broken_sentences() -> None:
    found = verdict(MARKDOWN_DRAFT, "tone.whole-sentences", draft=MARKDOWN_DRAFT)
    assert found.verdict is Verdict.PASS
    broken = MARKDOWN_DRAFT.replace("```bash\n", "").replace("\n```", "")
    assert verdict(broken, "tone.whole-sentences", draft=MARKDOWN_DRAFT).verdict is Verdict.FAIL


def test_a_sentence_of_45_words_or_more_is_a_run_on() -> None:
    run_on = (
        "The engineers are looking at it, though I can't give you a time because we don't have one yet, "
        "and changes made offline will sync once the service is back, and about the money, I'm not the "
        "right person for that but your account manager can talk it through with you next week."
    )
    assert len(run_on.split()) >= 45
    found = verdict(f"Hi Connor,\n\n{run_on}\n\nThanks,\nDani", "tone.whole-sentences", customer_message=None)
    assert found.verdict is Verdict.FAIL and [e.text for e in found.evidence] == [run_on]
    # The same words as three sentences are whole.
    split = run_on.replace(", and changes", ". Changes").replace(", and about the money, I'm", ". I'm")
    fine = verdict(f"Hi Connor,\n\n{split}\n\nThanks,\nDani", "tone.whole-sentences", customer_message=None)
    assert fine.verdict is Verdict.PASS
