"""The acknowledgement: asked for alone, said in the language's sentence, and used only when it is fit.

Answers come from the fault server, a real OpenAI-compatible HTTP server on loopback
that answers what a test tells it; what a real model writes is in the recorded runs.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from rewriter.check import check_reply
from rewriter.config import Settings
from rewriter.llm import ChatClient
from rewriter.models import Channel, CheckReport, RewriteRequest, RewriteResult, RewriteStatus, Usage
from rewriter.rewrite.acknowledge import ask_options, skip_reason, unfit
from rewriter.rewrite.draft_reply import rewrite_draft_first
from rewriter.tokens import ModelInfo

pytestmark = pytest.mark.block_network(allowed_hosts=["127.0.0.1"])
CUSTOMER = (
    "This is the THIRD time I'm locked out this week. I have payroll to run by 5pm and your system keeps "
    "telling me my password is wrong."
)
DRAFT = (
    "Hi Priya,\n\nAs I already explained, the account locks after 5 failed attempts, so you must have typed "
    "it wrong. The lock lifts on its own after 30 minutes. Your case number is CS-20417.\n\nThanks,\nSam"
)
REQUEST = RewriteRequest(draft=DRAFT, customer_message=CUSTOMER, customer_name="Priya", agent_name="Sam")


def client(fault_server: Any) -> ChatClient:
    return ChatClient(Settings(base_url=fault_server.base_url, model="local", response_format="text",
                               max_retries=0))  # fmt: skip


def rewrite(fault_server: Any) -> RewriteResult:
    def check(reply: str) -> CheckReport:
        return check_reply(
            reply, channel=Channel.EMAIL, customer_name="Priya", draft=DRAFT, customer_message=CUSTOMER
        )

    info = ModelInfo(name="local", context_window=4096)
    return rewrite_draft_first(
        client(fault_server), REQUEST, check=check, language="en", customer_name="Priya", agent_name="Sam",
        info=info,
    )  # fmt: skip


def options(*pairs: tuple[str, str]) -> str:
    return json.dumps({"options": [{"situation": s, "feeling": f} for s, f in pairs]})


def test_situations_are_said_in_the_sentence_and_the_unfit_ones_are_left_out(fault_server: Any) -> None:
    fault_server.answer(options(
        ("Being locked out for the third time this week with payroll due", "frustrating"),
        ("My account keeps locking me out", "frustrating"),  # the customer's voice
        ("The customer has been locked out", "stressful"),  # about them, not to them
        ("Your accountant is being unprofessional about it all", "upsetting"),  # nobody said so
        ("Locked out", "ecstatic"),  # not a feeling we offer
    ))  # fmt: skip
    usage = Usage()
    said = ask_options(client(fault_server), REQUEST, "en", usage)
    situation = "Being locked out for the third time this week with payroll due"
    assert said == [f"{situation}: I can see how frustrating that is for you."]
    assert usage.requests == 1
    sent = fault_server.completions[0].body
    assert "payroll to run by 5pm" in json.dumps(sent) and "CS-20417" not in json.dumps(
        sent
    )  # the draft stays out


def test_an_answer_that_does_not_parse_costs_no_repair_and_gives_nothing(fault_server: Any) -> None:
    fault_server.answer("Sure! Here are some options: being locked out")
    assert ask_options(client(fault_server), REQUEST, "en", Usage()) == []
    assert len(fault_server.completions) == 1


def test_what_an_acknowledgement_may_not_hold() -> None:
    assert unfit("Sorry about the lockout: I can see how frustrating that is for you.", REQUEST, "en")
    assert unfit("A lockout with order 55821: I can see how frustrating that is for you.", REQUEST, "en")
    assert (
        unfit("Locked out before payroll: I can see how frustrating that is for you.", REQUEST, "en") is None
    )
    assert (
        skip_reason(REQUEST.model_copy(update={"customer_message": None}), "x", "en") == "no customer message"
    )
    assert skip_reason(REQUEST, "I can see why that's worrying.", "en") is not None
    assert skip_reason(REQUEST, "The account locks.", "xx") is not None


def test_the_reply_is_the_draft_s_own_sentences_opened_by_a_checked_acknowledgement(
    fault_server: Any,
) -> None:
    fault_server.answer(options(("Being locked out again with payroll due this afternoon", "frustrating")))
    result = rewrite(fault_server)
    assert result.reply == "\n\n".join([
        "Hi Priya,",
        "Being locked out again with payroll due this afternoon: I can see how frustrating that is for you.",
        "The account locks after 5 failed attempts. The lock lifts on its own after 30 minutes. "
        "Your case number is CS-20417.",
        "If anything here does not work as described, reply to this email and tell me what you see.",
        "Best regards,\nSam",
    ])  # the draft gave nothing to do and no way back: the channel's follow-up line closes it
    assert result.status is RewriteStatus.REWRITTEN and result.report.passed and result.usage.requests == 1
    said = [c.change for c in result.changes]
    assert "opened by acknowledging the customer's situation" in said
    assert any("as i already explained" in c.lower() for c in said)
    # Every change it lists is true of the final reply: nothing it says it removed is there.
    for change in said:
        if change.startswith("removed"):
            for quoted in change.split('"')[1::2]:
                assert quoted.lower() not in result.reply.lower()


def test_an_acknowledgement_that_would_fail_a_check_is_not_used(fault_server: Any) -> None:
    # "refund" is an offer neither the draft nor the policy makes: the checker fails it.
    fault_server.answer(options(("Waiting on a refund while you are locked out", "frustrating")))
    result = rewrite(fault_server)
    assert "refund" not in result.reply and result.report.passed
    assert "opened by acknowledging the customer's situation" not in [c.change for c in result.changes]
