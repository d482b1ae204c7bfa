"""Jargon in plain words: one sentence restated by the model, checked against the sentence it came from."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from rewriter.check import check_reply
from rewriter.config import Settings
from rewriter.llm import ChatClient
from rewriter.models import Channel, CheckReport, RewriteRequest, RewriteResult, RewriteStatus, Usage, Verdict
from rewriter.rewrite.draft_reply import rewrite_draft_first
from rewriter.rewrite.plain_words import (
    MOST,
    PLAIN_WORDS,
    masked,
    restate,
    speaks_plainly,
    technical,
    unfit,
    unmasked,
)
from rewriter.tokens import ModelInfo

pytestmark = pytest.mark.block_network(allowed_hosts=["127.0.0.1"])
PLAIN = "My booking calendar stopped showing appointments. I'm not technical at all."
SENTENCE = "The second $89.00 is an auth hold that your issuer releases in 5 to 7 days."


def test_facts_go_to_the_model_as_slots_and_come_back_as_written() -> None:
    sentence = "Push an OTA update via Settings > Firmware on a 2.4GHz SSID by 03:12 UTC (or reboot)."
    slotted, facts = masked(sentence)
    assert facts == ["Settings > Firmware", "2.4GHz", "03:12 UTC", "(or reboot)"]
    assert slotted == "Push an OTA update via [1] on a [2] SSID by [3] [4]."
    assert unmasked("Update it via [1] on your [2] Wi-Fi by [3] [4].", facts) == (
        "Update it via Settings > Firmware on your 2.4GHz Wi-Fi by 03:12 UTC (or reboot)."
    )


@pytest.mark.parametrize(
    "answer",
    [
        "Update it via [1] by [3].",
        "Update it via [1] and [1] on [2] by [3].",
        "Update it via [1] [2] [3] [4].",
    ],
)
def test_an_answer_with_a_slot_lost_repeated_or_unknown_is_refused(answer: str) -> None:
    assert unmasked(answer, ["Settings > Firmware", "2.4GHz", "03:12 UTC"]) is None


def test_a_faithful_restatement_is_fit() -> None:
    plain = "The second $89.00 is a temporary hold that your bank releases in 5 to 7 days."
    assert unfit(plain, SENTENCE, PLAIN, "en") is None


@pytest.mark.parametrize(
    ("plain", "why"),
    [
        ("The second charge is a temporary hold that your bank releases in 5 to 7 days.", "lost '$89.00'"),
        (
            "The second $89.00 is a temporary hold that your bank releases in 5 to 10 days.",
            "lost '5 to 7 days'",
        ),
        ("The second $89.00 is an auth hold that your bank releases in 5 to 7 days.", "technical terms left"),
        ("The second $89.00 might be a hold that your bank releases in 5 to 7 days.", "added likelihood"),
        ("The second $89.00 was a hold and it has been refunded in 5 to 7 days.", "added promises"),
        ("Call your bank to release the second $89.00 hold in 5 to 7 days.", "made a statement an order"),
        ("The second $89.00 is a hold your bank releases in 5 to 7 days", "not a whole sentence"),
        (SENTENCE, "empty, or the sentence itself"),
    ],
)
def test_a_restatement_that_changes_the_sentence_is_unfit(plain: str, why: str) -> None:
    assert unfit(plain, SENTENCE, PLAIN, "en") == why


@pytest.mark.parametrize(
    ("sentence", "plain", "why"),
    [
        ("I've revoked all refresh tokens, so nobody is signed in.",
         "All sign-ins were stopped, so nobody is signed in.", "lost its first person"),
        ("The webhook does not re-register on its own.", "The link between the apps comes back on its own.",
         "lost its negation"),
        ("The patch is queued for the 6.1.1 release train.", "The bug was fixed in 6.1.1.", "added finished"),
        ("Go to the site settings and clear the DNS cache.", "The site settings keep an old address.",
         "lost its order"),
        ("The webhook re-registers in 24 hours.", "Imagine a doorbell: it rings again in 24 hours.",
         "added analogy"),
    ],
)  # fmt: skip
def test_who_acts_every_not_the_status_and_the_order_are_kept(sentence: str, plain: str, why: str) -> None:
    assert unfit(plain, sentence, PLAIN, "en") == why


@pytest.mark.parametrize(
    ("customer", "plain"),
    [
        (PLAIN, True),
        ("You charged my card TWICE for the same order.", True),  # shouted, not an acronym
        ("Our integration fails with HTTP 429 on every call.", False),
        ("The OAuth refresh token keeps expiring after an hour.", False),
        ("", False),
    ],
)
def test_only_a_customer_who_writes_plainly_gets_plain_words(customer: str, plain: bool) -> None:
    assert speaks_plainly(customer, "en") is plain


def test_the_sentences_to_restate_hold_a_term_are_whole_and_few() -> None:
    blocks = [
        "Per GDPR Art. 17 we logged it. Thanks for waiting.",
        "1. Flush your DNS cache now.\n2. Reload the page.",
        *[f"The webhook number {n} re-registers tonight." for n in range(MOST + 2)],
    ]
    lone = (
        "Rebuild the search index and let it run for about two hours on a vault of this size, "
        "while CPU usage spikes."
    )
    found = technical([lone, *blocks], PLAIN, "en")
    assert all(text != lone for _, text in found)  # one term in a long sentence: not worth retelling
    found = technical(blocks, PLAIN, "en")
    assert found[0] == (1, "Flush your DNS cache now.")  # the step's text, without its number
    assert all(text != "Per GDPR Art." for _, text in found)  # cut at an abbreviation: no sentence
    assert len(found) == MOST


def _client(fault_server: Any) -> ChatClient:
    return ChatClient(Settings(base_url=fault_server.base_url, model="local", response_format="text",
                               max_retries=0))  # fmt: skip


def test_a_failed_answer_is_sampled_again_and_the_first_fit_one_is_used(fault_server: Any) -> None:
    fault_server.answer(json.dumps({"plain": "The second [1] is an auth hold your issuer releases in [2]."}))
    fault_server.answer(
        json.dumps({"plain": "The second [1] is a temporary hold your bank releases in [2]."})
    )
    usage = Usage()
    plain = restate(_client(fault_server), SENTENCE, PLAIN, "en", usage)
    assert plain == "The second $89.00 is a temporary hold your bank releases in 5 to 7 days."
    assert usage.requests == 2
    sent = fault_server.completions[0].body["messages"][1]["content"]
    assert "[1] is an auth hold that your issuer releases in [2]" in sent and '"auth hold"' in sent


def test_no_fit_answer_keeps_the_drafts_sentence(fault_server: Any) -> None:
    fault_server.answer("not JSON")
    fault_server.answer(json.dumps({"plain": "It is a hold."}))  # lost both slots
    fault_server.answer(json.dumps({"plain": "The second [1] may be a hold released in [2]."}))
    usage = Usage()
    assert restate(_client(fault_server), SENTENCE, PLAIN, "en", usage) is None
    assert usage.requests == 3


def _checker(draft: str) -> Callable[[str], CheckReport]:
    def check(reply: str) -> CheckReport:
        return check_reply(reply, channel=Channel.EMAIL, customer_name="Deborah", draft=draft,
                           customer_message=PLAIN)  # fmt: skip

    return check


def _rewritten(fault_server: Any, draft: str, plain: str) -> RewriteResult:
    """The draft-first reply to ``draft`` when the model sees no situation and restates as ``plain``."""
    request = RewriteRequest(draft=draft, customer_message=PLAIN, customer_name="Deborah", agent_name="Sam")
    fault_server.answer(json.dumps({"situations": ["none"], "at_stake": ""}))
    fault_server.answer(json.dumps({"plain": plain}))
    return rewrite_draft_first(_client(fault_server), request, check=_checker(draft), language="en",
                               customer_name="Deborah", agent_name="Sam",
                               info=ModelInfo(name="local", context_window=4096))  # fmt: skip


def test_the_reply_says_it_plainly_lists_the_change_and_is_held_for_the_agent(fault_server: Any) -> None:
    draft = f"Hi Deborah,\n\nOnly one charge was captured. {SENTENCE}\n\nSam"
    result = _rewritten(fault_server, draft, "The second [1] is a temporary hold your bank releases in [2].")
    plain = "The second $89.00 is a temporary hold your bank releases in 5 to 7 days."
    assert plain in result.reply and "auth hold" not in result.reply
    assert any(c.change == f'said in plain words: "{plain}"' for c in result.changes)
    held = next(f for f in result.report.failures if f.rule_id == PLAIN_WORDS)
    assert held.verdict is Verdict.FAIL and [e.text for e in held.evidence] == [plain]
    assert SENTENCE in held.message  # the draft's sentence beside it, for the agent to compare
    assert result.status is RewriteStatus.NEEDS_REVIEW
    assert result.usage.requests == 2


def test_a_doubt_said_in_other_words_is_a_new_doubt() -> None:
    sentence = "The session at 03:12 UTC came from an ASN we don't know, likely credential stuffing."
    plain = "The sign-in at 03:12 UTC came from a network we don't know, which could be a stolen password."
    assert unfit(plain, sentence, PLAIN, "en") == "added likelihood"


def test_a_term_restated_away_is_no_reason_to_refuse_the_restatement(fault_server: Any) -> None:
    draft = "Hi Deborah,\n\nThis is a regression in 6.1.0: the WebView bridge crashes on start.\n\nSam"
    without = _checker(draft)(draft.replace("WebView ", "")).failures
    assert any(f.rule_id == "faithfulness.possibly-lost" for f in without)
    result = _rewritten(
        fault_server, draft, "This is a bug in [1]: the part that shows your pages crashes on start."
    )
    assert "This is a bug in 6.1.0: the part that shows your pages crashes on start." in result.reply
    lost = [f for f in result.report.failures if f.rule_id == "faithfulness.possibly-lost"]
    assert [e.text for f in lost for e in f.evidence] == ["WebView"]  # still reported, for the agent


def test_a_backend_failure_while_restating_keeps_the_drafts_sentence(fault_server: Any) -> None:
    draft = f"Hi Deborah,\n\nOnly one charge was captured. {SENTENCE}\n\nSam"
    request = RewriteRequest(draft=draft, customer_message=PLAIN, customer_name="Deborah", agent_name="Sam")
    fault_server.answer(json.dumps({"situations": ["none"], "at_stake": ""}))
    fault_server.fail(500, "the server fell over")
    result = rewrite_draft_first(_client(fault_server), request, check=_checker(draft), language="en",
                                 customer_name="Deborah", agent_name="Sam",
                                 info=ModelInfo(name="local", context_window=4096))  # fmt: skip
    assert SENTENCE in result.reply
    jargon = [f for f in result.report.findings if f.rule_id == "tone.jargon"]
    assert jargon and jargon[0].verdict is Verdict.FAIL  # still there, and said so


def test_a_restatement_in_another_language_is_unfit() -> None:
    sentence = "Der Webhook registriert sich in 24 Stunden automatisch neu, ohne dass Sie etwas tun müssen."
    plain = (
        "The connection between the apps comes back by itself within 24 hours, without you doing anything."
    )
    assert (
        unfit(plain, sentence, "Mein Kalender zeigt keine Termine mehr an.", "de") == "written in en, not de"
    )
