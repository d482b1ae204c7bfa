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
    assert next(f for f in copied.findings if f.rule_id == "tone.no-echo").verdict is Verdict.FAIL
    own = check_reply("Hi Gloria,\n\nA login you did not make is frightening.\n\nWe revoked all sessions.",
                      customer_message=customer, draft="We revoked all sessions.")  # fmt: skip
    assert next(f for f in own.findings if f.rule_id == "tone.no-echo").verdict is Verdict.PASS


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


def test_telling_the_writer_what_to_tell_them_is_a_leak() -> None:
    reply = "Hi Gloria,\n\n1. Tell them they'll need to change the password\n2. Open Settings > Security"
    found = verdict(reply, "tone.no-instruction-leak", customer_message=None)
    assert [e.text for e in found.evidence] == ["Tell them they'll need to change the password"]
