"""Saying back what the customer told us: one clause of theirs, in the second person, or nothing."""

from __future__ import annotations

import json
from typing import Any

import pytest

from rewriter.config import Settings
from rewriter.llm import ChatClient
from rewriter.models import Channel, RewriteRequest, Usage
from rewriter.rewrite.acknowledge import ask_options
from rewriter.rewrite.reflect import clauses, told

pytestmark = pytest.mark.block_network(allowed_hosts=["127.0.0.1"])


def anywhere(sentence: str) -> bool:
    return True


def nowhere(sentence: str) -> bool:
    return False


@pytest.mark.parametrize(
    ("message", "said"),
    [
        ("The tables get cut off. I have to send this to my landlord today, this is ridiculous.",
         "you have to send this to your landlord today"),
        ("v5.0.2 crashes the second I open it and my kid's medication schedule is in there. Unreal.",
         "my kid's medication schedule is in there".replace("my", "your")),
        ("I already restarted the app AND my phone.",
         "you already restarted the app"),  # "AND" lowered, then cut before a new subject
        ("Honestly I was stuck at the depot for an hour.", "you were stuck at the depot for an hour"),
        ("Is there any update? I sent you a sample file last week.", "you sent us a sample file last week"),
        ("Our accountant says it has VAT on it even though we gave you our VAT number.",
         "you gave us your VAT number"),  # after "though": the clause the customer asserts
    ],
)  # fmt: skip
def test_a_clause_about_the_customer_comes_back_in_the_second_person(message: str, said: str) -> None:
    assert told(message, "en", anywhere) == said


@pytest.mark.parametrize(
    "message",
    [
        "Hello, I'm not very good with computers and it takes ages to open.",  # no comfort said back
        "I think I was charged twice yesterday.",  # a hedge said back doubts them
        'I was told it was "logged" every time.',  # their quotes said back read as mocking
        "It crashes if I tried to save my notes today.",  # "if": said back, a fear becomes a fact
        "I want my money back today.",  # a demand said back reads as a taunt
        "Get me a manager. NOW. I'm done with chatbots and scripts.",  # a complaint said back: parroting
        "Your update broke the app and the schedule is gone.",  # about us, not about them
        "I need you to fix this today.",  # "you": what they ask of us
        "Did I lose everything I wrote today?",  # a question
        "I tried AUTH_TOKEN_EXPIRED again and again.",  # a code
        "I have paid twice.",  # too short to say anything
        "I have been trying to reach somebody about it every single day at the start of May.",  # long
    ],
)  # fmt: skip
def test_nothing_is_said_back_that_would_turn_against_the_customer(message: str) -> None:
    assert told(message, "en", anywhere) is None


def test_a_need_must_stand_in_a_sentence_about_the_situation_but_a_feeling_needs_none() -> None:
    need = "I have to send this to my landlord today."
    assert told(need, "en", nowhere) is None
    assert told(need, "en", anywhere) == "you have to send this to your landlord today"
    assert told("I'm so worried about my photos.", "en", nowhere) == "you're so worried about your photos"


def test_clauses_are_cut_at_punctuation_and_at_a_new_subject_not_inside_a_number() -> None:
    cut = [c for c, _ in clauses("I paid $1,299 for it and I've tried three times, honestly.", "en")]
    assert cut == ["I paid $1,299 for it", "and I've tried three times", "honestly"]


def test_a_clause_with_no_cue_comes_back_only_from_a_sentence_about_the_situation() -> None:
    declined = "my card keeps getting declined on your site but it works everywhere else??"
    assert told(declined, "en", anywhere) is None  # no need, effort or feeling in it
    # Asked for it (after the sentence that names the stake), the customer's "your" is ours.
    assert told(declined, "en", anywhere, cued=False) == "your card keeps getting declined on our site"
    assert told(declined, "en", nowhere, cued=False) is None
    # A thing of theirs ("the boots I bought"), and "this is my ...", open with the customer.
    boots = "The boots I bought fell apart after 6 weeks. I want a refund, not excuses."
    assert told(boots, "en", anywhere, cued=False) == "The boots you bought fell apart after 6 weeks"
    third = "This is my third email about being charged twice."
    assert told(third, "en", anywhere, cued=False) == "This is your third email about being charged twice"
    assert told("The app I use crashed.", "en", anywhere, cued=False) == "The app you use crashed"
    assert told("The app crashed.", "en", anywhere, cued=False) is None  # not theirs
    assert told("The courier says they tried twice.", "en", anywhere, cued=False) is None  # not theirs
    # A joining word left at a clause's end goes ("... VAT on it even" before "though we ...").
    vat = "Our accountant says it has VAT on it even though the form is right."
    assert told(vat, "en", anywhere, cued=False) == "Your accountant says it has VAT on it"


def test_a_language_without_rules_says_nothing_back() -> None:
    assert told("Tengo que enviarlo hoy a mi casero.", "es", anywhere) is None


def test_the_reflected_sentence_comes_before_the_stake_and_plain_ones(fault_server: Any) -> None:
    fault_server.answer(json.dumps({"situations": ["deadline"], "at_stake": "my landlord"}))
    client = ChatClient(Settings(base_url=fault_server.base_url, model="local", response_format="text",
                                 max_retries=0))  # fmt: skip
    request = RewriteRequest(
        draft="That might be the table export bug.",
        customer_message="The tables get cut off. I have to send this to my landlord today, this is silly.",
        channel=Channel.CHAT,
    )
    said = ask_options(client, request, "en", Usage())
    assert said[0] == (
        "You have to send this to your landlord today, so I can see why the timing makes this so stressful."
    )
    assert said[1:3] == [  # then the stake in the model's words, then the plain sentence
        "I know this is hitting you at a time when you can least afford it, "
        "with your landlord depending on it.",
        "I know this is hitting you at a time when you can least afford it.",
    ]
