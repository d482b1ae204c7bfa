"""Replies a support lead would not send: each check fails on the defect and passes the fix."""

from __future__ import annotations

import pytest

from rewriter.check import check_reply
from rewriter.models import Channel, Finding, Verdict

CUSTOMER = (
    "Your service has been down for THREE HOURS. My team of 40 is sitting idle. I want an ETA and "
    "I want to know what you are going to do about the money we are losing."
)
DRAFT = "We're sorry. Sign-in is down in the US region; updates are at https://status.example.com."


def verdict(reply: str, rule: str, **kw: object) -> Finding:
    args: dict[str, object] = {"draft": DRAFT, "customer_message": CUSTOMER, "customer_name": "Connor"}
    args.update(kw)
    report = check_reply(reply, **args)  # type: ignore[arg-type]
    return next(f for f in report.findings if f.rule_id == rule)


def test_an_echoed_message_fails_and_a_paraphrase_passes() -> None:
    echo = "Hi Connor,\n\nMy team of 40 is sitting idle. I want an ETA and I want to know what you will do."
    found = verdict(echo, "tone.no-echo")
    assert found.verdict is Verdict.FAIL and found.severity.value == "must"
    assert [e.text for e in found.evidence] == [
        "My team of 40 is sitting idle. I want an ETA and I want to know what you"
    ]
    assert all(echo[e.start : e.end] == e.text for e in found.evidence)
    own = "Hi Connor,\n\nThree hours without sign-in, with forty people waiting, is a serious loss."
    assert verdict(own, "tone.no-echo").verdict is Verdict.PASS


def test_an_echo_the_draft_itself_quotes_is_allowed() -> None:
    draft = 'You wrote "my team of 40 is sitting idle": sign-in is down in the US region.'
    reply = "Hi Connor, my team of 40 is sitting idle, you said: sign-in is down in the US region."
    assert verdict(reply, "tone.no-echo", draft=draft).verdict is Verdict.PASS


@pytest.mark.parametrize(
    ("reply", "ok"),
    [
        ("Hi Ravi,\n\nRavi bought the course on 2 September.", False),
        ("Hi Ravi,\n\nRavi's refund window has passed.", False),
        ("Hi Ravi,\n\nThe customer bought the course on 2 September.", False),
        ("Hi Ravi,\n\nYou bought the course on 2 September. Thanks, Ravi.", True),
        ("Ravi, you bought the course on 2 September.", True),
    ],
)
def test_the_customer_is_spoken_to_not_about(reply: str, ok: bool) -> None:
    found = verdict(
        reply, "tone.second-person", customer_name="Ravi", draft="The course was bought on 2 September."
    )
    assert (found.verdict is Verdict.PASS) is ok, found.message


def test_a_step_that_repeats_the_answer_fails_with_both_spans() -> None:
    reply = (
        "Hi Connor,\n\nOpen Settings > Security > Two-step sign-in to add your new phone.\n\n"
        "1. Open Settings > Security > Two-step sign-in to add your new phone.\n2. Reply here if it fails."
    )
    found = verdict(reply, "tone.no-repetition")
    assert found.verdict is Verdict.FAIL and len(found.evidence) == 2
    once = "Hi Connor,\n\n1. Open Settings > Security > Two-step sign-in.\n2. Add your new phone."
    assert verdict(once, "tone.no-repetition").verdict is Verdict.PASS


@pytest.mark.parametrize(
    "leak",
    [
        "The answer before this one was not usable.",  # the revision note
        "Having the kiosk swallow your token twice in one week is annoying.",  # the prompt's example
        "Copy every fact from the draft exactly, character for character.",  # the instructions
    ],
)
def test_text_of_the_instructions_is_a_leak(leak: str) -> None:
    found = verdict(f"Hi Connor,\n\n{leak} Sign-in is down in the US region.", "tone.no-instruction-leak")
    assert found.verdict is Verdict.FAIL, leak
    clean = "Hi Connor,\n\nSign-in is down in the US region; follow https://status.example.com for updates."
    assert verdict(clean, "tone.no-instruction-leak").verdict is Verdict.PASS


@pytest.mark.parametrize("blank", ["[customer service number]", "<link>", "{ticket_id}", "XXX", "TBD"])
def test_a_blank_left_to_fill_fails(blank: str) -> None:
    found = verdict(f"Hi Connor,\n\nCall us on {blank} for an update.", "tone.no-placeholder")
    assert found.verdict is Verdict.FAIL and found.evidence[0].text == blank


def test_a_markdown_link_or_a_footnote_is_not_a_blank() -> None:
    reply = "Hi Connor,\n\nSee [the status page](https://status.example.com) [1]."
    assert verdict(reply, "tone.no-placeholder").verdict is Verdict.PASS


def test_stock_lines_are_named_and_the_draft_may_keep_its_own() -> None:
    found = verdict("Hi Connor,\n\nI understand your frustration. I hope this helps!", "tone.no-stock-lines")
    assert found.verdict is Verdict.FAIL and found.severity.value == "should"
    assert [e.text for e in found.evidence] == ["I understand your frustration", "I hope this helps"]
    own = verdict("Hi Connor, I hope this helps.", "tone.no-stock-lines", draft="I hope this helps.")
    assert own.verdict is Verdict.PASS


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
    ("language", "reply", "rule", "phrase"),
    [
        ("es", "Hola Ana, quizás funcione si reinicia la app.", "assertive.confident-language", "quizás"),
        ("es", "Hola Ana, como ya le dije, reinicie la app.", "tone.no-blame", "como ya le dije"),
        (
            "de",
            "Hallo Anna, vielleicht hilft ein Neustart der App.",
            "assertive.confident-language",
            "vielleicht",
        ),
        (
            "de",
            "Hallo Anna, wie bereits erwähnt, starten Sie die App neu.",
            "tone.no-blame",
            "wie bereits erwähnt",
        ),
        (
            "fr",
            "Bonjour Anne, peut-être qu'un redémarrage aidera.",
            "assertive.confident-language",
            "peut-être",
        ),
        (
            "fr",
            "Bonjour Anne, comme je vous l'ai dit, redémarrez.",
            "tone.no-blame",
            "comme je vous l'ai dit",
        ),
        ("es", "Hola Ana, gracias por su paciencia.", "tone.no-stock-lines", "gracias por su paciencia"),
    ],
)
def test_hedges_blame_and_stock_lines_in_other_languages(
    language: str, reply: str, rule: str, phrase: str
) -> None:
    report = check_reply(reply, language=language, channel=Channel.CHAT)
    found = next(f for f in report.findings if f.rule_id == rule)
    assert found.verdict is Verdict.FAIL and phrase in [e.text.lower() for e in found.evidence]


def test_a_short_sentence_in_the_customers_voice_copied_whole_is_an_echo() -> None:
    customer = "Someone logged in from abroad. I'm scared. What now?"
    copied = check_reply("Hi Gloria,\n\nI'm scared.\n\nWe revoked all sessions.", customer_message=customer,
                         draft="We revoked all sessions.")  # fmt: skip
    assert _verdict(copied, "tone.no-echo") == "fail"
    own = check_reply("Hi Gloria,\n\nA login you did not make is frightening.\n\nWe revoked all sessions.",
                      customer_message=customer, draft="We revoked all sessions.")  # fmt: skip
    assert _verdict(own, "tone.no-echo") == "pass"


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


def test_the_customer_speaking_in_the_reply_is_an_echo_however_rearranged() -> None:
    customer = "The boots I bought fell apart after 6 weeks. I want a refund, not excuses."
    draft = "The boots do have a 1-year warranty from the maker."
    reply = "Hi Brianna,\n\nThe boots fell apart after 6 weeks, and I want a refund.\n\nThey have a warranty."
    found = verdict(reply, "tone.no-echo", customer_message=customer, draft=draft, customer_name="Brianna")
    assert found.verdict is Verdict.FAIL and "and I want a refund" in [e.text for e in found.evidence]
    spoken_to = "Hi Brianna,\n\nBoots that come apart in six weeks are a letdown; I see why a refund matters."
    assert verdict(spoken_to, "tone.no-echo", customer_message=customer, draft=draft).verdict is Verdict.PASS


def test_a_sentence_that_instructs_the_writer_is_a_leak() -> None:
    reply = (
        "Hi Ella, We can't see store payments here.\nExplain that the second charge is a hold.\nReply here."
    )
    found = verdict(reply, "tone.no-instruction-leak", customer_message=None)
    assert found.verdict is Verdict.FAIL
    assert [e.text for e in found.evidence] == ["Explain that the second charge is a hold."]
    fine = "Hi Ella, We can't see store payments here. The second charge is a hold.\nReply here."
    assert verdict(fine, "tone.no-instruction-leak", customer_message=None).verdict is Verdict.PASS


def test_the_name_said_again_after_the_greeting_is_third_person_but_not_inside_a_path() -> None:
    about = verdict("Hi Jonas! Jonas requested to cancel.", "tone.second-person", customer_name="Jonas")
    assert about.verdict is Verdict.FAIL
    path = "Hi Doreen,\n\nClear C:\\Users\\Doreen\\AppData\\Local\\Notely\\cache and restart."
    assert verdict(path, "tone.second-person", customer_name="Doreen").verdict is Verdict.PASS


def test_a_short_sentence_of_the_customers_copied_whole_is_an_echo() -> None:
    customer = "Where is it?? This is completely unacceptable. What's going on?"
    for copied in ("This is completely unacceptable.", "What's going on?"):
        reply = f"Hi Natalia,\n\n{copied}\n\nThe parcel is moving again."
        found = verdict(reply, "tone.no-echo", customer_message=customer, customer_name="Natalia")
        assert found.verdict is Verdict.FAIL and [e.text for e in found.evidence] == [copied]
    own = "Hi Natalia,\n\nA missed birthday is a real letdown.\n\nThe parcel is moving again."
    assert verdict(own, "tone.no-echo", customer_message=customer).verdict is Verdict.PASS


def test_a_paragraph_that_is_only_a_fact_is_no_sentence() -> None:
    reply = "Hi Gareth,\n\nI cancelled it.\n\n$24.99\n\nBest regards,\nDani"
    found = verdict(reply, "tone.whole-sentences", customer_message=None)
    assert found.verdict is Verdict.FAIL and [e.text for e in found.evidence] == ["$24.99"]
    labelled = (
        "Hi Gareth,\n\nI cancelled it.\n\nTicket #48213.\n\nhttps://status.example.com\n\nBest regards,\nDani"
    )
    assert verdict(labelled, "tone.whole-sentences", customer_message=None).verdict is Verdict.PASS


def test_telling_the_writer_what_to_tell_them_is_a_leak() -> None:
    reply = "Hi Gloria,\n\n1. Tell them they'll need to change the password\n2. Open Settings > Security"
    found = verdict(reply, "tone.no-instruction-leak", customer_message=None)
    assert [e.text for e in found.evidence] == ["Tell them they'll need to change the password"]


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
