"""What the policy offers and the draft leaves out is said to the customer, held for the agent to confirm."""

from __future__ import annotations

import json
from typing import Any

import pytest

from rewriter.check import check_reply
from rewriter.config import Settings
from rewriter.llm import ChatClient
from rewriter.models import Channel, CheckReport, RewriteRequest, RewriteStatus, Verdict
from rewriter.rewrite.draft_reply import rewrite_draft_first
from rewriter.rewrite.policy_lines import POLICY_LINES, answers, offered
from rewriter.tokens import ModelInfo

pytestmark = pytest.mark.block_network(allowed_hosts=["127.0.0.1"])
DRAFT = "Hi Dmitri,\n\nI can't transfer you to a manager from chat. Your ticket is #90233.\n\nSam"


def test_a_note_is_said_in_second_person_with_its_verb_agreeing() -> None:
    policy = [
        "Engineering triages escalated tickets within 2 business days, and support writes to the customer "
        "after triage.",
        "If the customer thinks the order is not theirs, support can check it by direct message.",
        "Outage credits are decided by the account team, not support.",
    ]
    assert offered(policy, "Hi, I passed this on as ENG-8812.", "en") == [
        "Engineering triages escalated tickets within 2 business days, and we write to you after triage.",
        "If you think the order is not yours, we can check it by direct message.",
        "Outage credits are decided by the account team, not us.",
    ]


@pytest.mark.parametrize(
    "note",
    [
        "Never ask for a card number on any channel; the order number is enough.",  # for the agent alone
        "Take any details by direct message, never in public.",  # an order to the agent
        "Support cannot unlock accounts by hand.",  # a refusal the draft makes or leaves out on purpose
        "The lock lifts after 30 minutes.",  # the draft says it already (its number is there)
        "Accounts lock after five failed attempts for safety reasons.",  # most of its words are the draft's
        "Le mode sombre existe déjà dans l'application de bureau, sous Affichage > Apparence.",  # not English
    ],
)
def test_what_is_for_the_agent_alone_already_said_or_in_another_language_is_not(note: str) -> None:
    draft = "The account locks after five failed attempts, for safety. It lifts after 30 minutes."
    assert offered([note], draft, "en") == []


def test_a_language_without_person_rewordings_says_only_notes_that_name_no_customer() -> None:
    notes = [
        "Le mode sombre existe déjà dans l'application de bureau, sous Affichage > Apparence > Sombre.",
        "Le client peut exporter ses notes depuis Fichier > Exporter.",
    ]
    assert offered(notes, "Non, le mode sombre ne sera pas développé pour la version web.", "fr") == [
        notes[0]
    ]


def test_the_line_goes_in_its_own_paragraph_is_listed_and_holds_the_reply_for_review(
    fault_server: Any,
) -> None:
    line = "A complaint sent through Help > Contact us > Make a complaint reaches a team lead within 2 days."
    policy = [f"Chat cannot transfer to a manager. {line}"]
    message = "Get me a manager NOW."
    request = RewriteRequest(draft=DRAFT, customer_message=message, customer_name="Dmitri", agent_name="Sam",
                             policy=policy)  # fmt: skip

    def check(reply: str) -> CheckReport:
        return check_reply(reply, channel=Channel.EMAIL, customer_name="Dmitri", draft=DRAFT,
                           customer_message=message, policy=policy)  # fmt: skip

    fault_server.answer(json.dumps({"situations": ["none"], "at_stake": ""}))
    client = ChatClient(Settings(base_url=fault_server.base_url, model="local", response_format="text",
                                 max_retries=0))  # fmt: skip
    info = ModelInfo(name="local", context_window=4096)
    result = rewrite_draft_first(client, request, check=check, language="en", customer_name="Dmitri",
                                 agent_name="Sam", info=info)  # fmt: skip
    assert f"\n\n{line}\n\n" in result.reply
    assert any(
        c.change.startswith("added from the policy notes") and line in c.change for c in result.changes
    )
    held = next(f for f in result.report.failures if f.rule_id == POLICY_LINES)
    assert held.verdict is Verdict.FAIL and [e.text for e in held.evidence] == [line]
    assert result.status is RewriteStatus.NEEDS_REVIEW
    assert "Chat cannot transfer" not in result.reply  # the refusal half of the note is the draft's to make


@pytest.mark.parametrize(
    ("line", "customer", "draft", "first"),
    [
        ("After reconnecting, bookings are copied back in; none are lost.",
         "What is a token, and have I lost my bookings?", "The token expired. Reconnect it.", True),
        ("Applications are reviewed within 5 days.",  # the draft answers "discount?" itself
         "Do you offer any discount for charities?", "Non-profit discount: 50% off.", False),
        ("The Duo plan puts two accounts on one bill.",  # "plans" is the draft's "plan"
         "Any plans for a family plan?", "We don't offer family plans.", False),
        ("We can open a lost-parcel claim once a parcel has had no scan for 10 days.",  # a rule, no answer
         "My tracking hasn't moved, is my package lost?", "It's stuck at the hub in Leeds.", False),
        ("Files are kept untouched; nothing is deleted.",  # not asked: said, not a question
         "My account is suspended. I can't open my files.", "Suspended per section 9.2.", False),
    ],
)  # fmt: skip
def test_a_line_opens_the_body_only_when_it_answers_what_the_draft_leaves_unanswered(
    line: str, customer: str, draft: str, first: bool
) -> None:
    assert answers(line, customer, draft, "en") is first
