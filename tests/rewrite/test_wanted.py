"""What the customer hoped for: copied by the model, checked, and named before the draft's "no"."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from rewriter.check import check_reply
from rewriter.config import Settings
from rewriter.llm import ChatClient
from rewriter.models import Channel, CheckReport, RewriteRequest, RewriteResult, Usage
from rewriter.rewrite.draft_reply import rewrite_draft_first
from rewriter.rewrite.wanted import ask_wanted, wanted
from rewriter.tokens import ModelInfo

pytestmark = pytest.mark.block_network(allowed_hosts=["127.0.0.1"])
FAMILY = "@ExampleHelp any plans for a family plan? Paying for 3 separate accounts in one house feels silly."
NO = "We don't offer family plans and there are no plans to add one."
DRAFT = f"Hi Ana,\n\n{NO} Logged your feedback as FR-3318.\n\nSam"


@pytest.mark.parametrize(
    ("quoted", "message", "refusal", "said"),
    [
        ("a family plan", FAMILY, NO, "a family plan"),
        ("two-way sync with Google Sheets", "Hi, does Notely have two-way sync with Google Sheets? Regards",
         "Syncing both ways with Google Sheets is not possible.", "two-way sync with Google Sheets"),
        ("a dark mode", "no dark mode in 2024?? My eyes are burning", "Dark mode isn't on the roadmap.",
         "dark mode"),  # the model's "a" is not the message's
        ("a mode sombre", "Est-ce que vous prévoyez un mode sombre pour la version web ?",
         "Le mode sombre ne sera pas développé.", "un mode sombre"),  # the message's own article
        ("my refund", "I want my refund for the course.", "We can't refund the course.", "your refund"),
        ("a manager", "Get me a MANAGER.", "We can't connect you with a manager here.", "a manager"),
    ],
)  # fmt: skip
def test_the_copy_is_said_as_the_message_says_it(quoted: str, message: str, refusal: str, said: str) -> None:
    language = "fr" if "mode sombre" in quoted else "en"
    assert wanted(quoted, message, refusal, language) == said


@pytest.mark.parametrize(
    ("quoted", "message", "refusal"),
    [
        ("a scam", "Your WELCOME-10 code is a scam.", "Nothing we can do."),  # not what the draft refuses
        ("a refund", "Refund it. Now.", "We can't refund it."),  # not the customer's words
        ("refund", "Refund it. Now.", "We can't refund it."),  # one word, no article: maybe a verb
        ("a code", "What's the point of a code that doesn't work?", "Codes can't be added after checkout."),
        ("our token never expire", "Can you make our token never expire?", "We can't make tokens last."),
        ("the 60 minute token", "Can the 60 minute token last longer?", "We can't make tokens last longer."),
        ("a family plan for my whole house please", FAMILY, NO),  # too long, and not theirs
        ("two-way sync with Google Sheets", "Does it have two-way sync with Google Sheets?",
         "Two-way sync with Google Sheets is not possible."),  # the "no" says it again, right after
        (None, FAMILY, NO),
    ],
)  # fmt: skip
def test_a_copy_that_cannot_be_used_gives_nothing(quoted: object, message: str, refusal: str) -> None:
    assert wanted(quoted, message, refusal, "en") is None


def _client(fault_server: Any) -> ChatClient:
    return ChatClient(Settings(base_url=fault_server.base_url, model="local", response_format="text",
                               max_retries=0))  # fmt: skip


def test_the_model_only_copies_and_its_answer_is_checked(fault_server: Any) -> None:
    request = RewriteRequest(draft=DRAFT, customer_message=FAMILY, channel=Channel.SOCIAL)
    fault_server.answer('```json\n{"asked_for": "a family plan"}\n```')
    usage = Usage()
    assert ask_wanted(_client(fault_server), request, "en", NO, usage) == "a family plan"
    assert usage.requests == 1
    sent = json.dumps(fault_server.completions[0].body)
    assert "any plans for a family plan?" in sent and "Copy, word for word" in sent
    fault_server.answer("The customer wants a family plan.")  # no JSON: nothing, and no repair request
    assert ask_wanted(_client(fault_server), request, "en", NO, Usage()) is None
    assert len(fault_server.completions) == 2


def _checker(draft: str) -> Callable[[str], CheckReport]:
    def check(reply: str) -> CheckReport:
        return check_reply(reply, channel=Channel.SOCIAL, customer_name="Ana", draft=draft,
                           customer_message=FAMILY)  # fmt: skip

    return check


def _rewritten(fault_server: Any) -> RewriteResult:
    request = RewriteRequest(draft=DRAFT, customer_message=FAMILY, channel=Channel.SOCIAL,
                             customer_name="Ana", agent_name="Sam")  # fmt: skip
    return rewrite_draft_first(_client(fault_server), request, check=_checker(DRAFT), language="en",
                               customer_name="Ana", agent_name="Sam",
                               info=ModelInfo(name="local", context_window=4096))  # fmt: skip


def test_the_sentence_before_the_no_names_what_they_hoped_for(fault_server: Any) -> None:
    fault_server.answer(json.dumps({"situations": ["none"], "at_stake": ""}))
    fault_server.answer(json.dumps({"asked_for": "a family plan"}))
    result = _rewritten(fault_server)
    assert f"I know you were hoping for a family plan. {NO}" in result.reply
    assert result.usage.requests == 2


def test_a_backend_failure_or_an_unusable_copy_keeps_the_plain_sentence(fault_server: Any) -> None:
    fault_server.answer(json.dumps({"situations": ["none"], "at_stake": ""}))
    fault_server.fail(500, "the server fell over")
    assert f"I know this isn't the answer you were hoping for. {NO}" in _rewritten(fault_server).reply
    fault_server.answer(json.dumps({"situations": ["none"], "at_stake": ""}))
    fault_server.answer(json.dumps({"asked_for": "3 separate accounts"}))
    assert f"I know this isn't the answer you were hoping for. {NO}" in _rewritten(fault_server).reply


def test_a_copy_with_odd_spacing_or_only_an_article_does_not_break_the_reply() -> None:
    assert wanted("a,family plan", FAMILY, NO, "en") == "a family plan"
    assert wanted("a,", FAMILY, NO, "en") is None
    assert wanted("a  ", FAMILY, NO, "en") is None
