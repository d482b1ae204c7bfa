"""The acknowledgement: the model picks the customer's situation, the sentence is ours, used only if it fits.

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
from rewriter.models import (
    Channel,
    CheckReport,
    Finding,
    RewriteRequest,
    RewriteResult,
    RewriteStatus,
    Severity,
    Usage,
    Verdict,
)
from rewriter.rewrite.acknowledge import ask_options, cushioned, skip_reason, unfit
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


def rewrite(fault_server: Any, banned: str | None = None) -> RewriteResult:
    def check(reply: str) -> CheckReport:
        report = check_reply(
            reply, channel=Channel.EMAIL, customer_name="Priya", draft=DRAFT, customer_message=CUSTOMER
        )
        if banned and banned in reply:  # a failing must rule, as a team's guidance would add one
            failing = Finding(rule_id="team.banned-word", verdict=Verdict.FAIL, severity=Severity.MUST,
                              message=f"uses {banned!r}")  # fmt: skip
            report = report.model_copy(update={"findings": [*report.findings, failing]})
        return report

    info = ModelInfo(name="local", context_window=4096)
    return rewrite_draft_first(
        client(fault_server), REQUEST, check=check, language="en", customer_name="Priya", agent_name="Sam",
        info=info,
    )  # fmt: skip


def situations(*names: str) -> str:
    return json.dumps({"situations": list(names)})


LOCKED_OUT = "Being shut out when you need to get things done is frustrating."
DEADLINE = "I know this is hitting you at a time when you can least afford it."
REPEAT = "Having to chase us about the same problem again is exhausting."
# What the customer told us ("I have payroll to run by 5pm"), said back in each situation's sentence.
PAYROLL = "You have payroll to run by 5pm"
SAID_LOCKED_OUT = f"{PAYROLL}, and I can see why being shut out is so stressful."
SAID_DEADLINE = f"{PAYROLL}, so I can see why the timing makes this so stressful."
SAID_REPEAT = f"{PAYROLL}, and having to chase us again is exhausting."


def test_the_model_picks_situations_and_the_sentences_are_ours(fault_server: Any) -> None:
    fault_server.answer(situations("locked_out", "deadline"))
    usage = Usage()
    # Then what the message says outright ("THIRD time"), though the model did not pick it;
    # what the customer told us, said back, before any plain sentence (readers graded it specific).
    assert ask_options(client(fault_server), REQUEST, "en", usage) == [
        SAID_LOCKED_OUT,
        SAID_DEADLINE,
        SAID_REPEAT,
        LOCKED_OUT,
        DEADLINE,
        REPEAT,
    ]
    assert usage.requests == 1
    sent = json.dumps(fault_server.completions[0].body)
    assert "payroll to run by 5pm" in sent and "CS-20417" not in sent  # the customer's words, not the draft
    assert "- money: the customer was charged" in sent  # the list it chooses from comes from the data file
    # The same situation, in Spanish, for a Spanish message that bears it out.
    fault_server.answer(situations("locked_out"))
    locked = REQUEST.model_copy(
        update={"customer_message": "No puedo acceder a mi cuenta y tengo nóminas hoy."}
    )
    spanish = ask_options(client(fault_server), locked, "es", Usage())
    assert spanish == ["Quedarse sin acceso justo cuando lo necesita es frustrante."]


def test_the_customers_words_for_what_is_at_stake_make_the_sentence_specific(fault_server: Any) -> None:
    fault_server.answer(json.dumps({"situations": ["deadline"], "at_stake": "payroll"}))
    said = ask_options(client(fault_server), REQUEST, "en", Usage())
    # The sentence that names the stake first (readers tagged a clause said back with no
    # cue of need or effort an echo), then that clause, then the plain one in case the
    # reply cannot take either.
    named = "I know this is hitting you at a time when you can least afford it, with payroll depending on it."
    shut_out = "Being shut out of your account with payroll depending on it is stressful."
    said_back = [SAID_DEADLINE, SAID_REPEAT, SAID_LOCKED_OUT]
    assert said == [named, shut_out, *said_back, DEADLINE, REPEAT, LOCKED_OUT]
    # Words the customer never wrote, or that name the service, leave the plain sentence.
    for quoted in ("my thesis defence", "my password"):
        fault_server.answer(json.dumps({"situations": ["deadline"], "at_stake": quoted}))
        assert ask_options(client(fault_server), REQUEST, "en", Usage()) == [
            SAID_DEADLINE,
            SAID_REPEAT,
            SAID_LOCKED_OUT,
            DEADLINE,
            REPEAT,
            LOCKED_OUT,
        ]
    # A situation with no specific sentence ignores the words; one the message signals uses them.
    fault_server.answer(json.dumps({"situations": ["repeat_contact"], "at_stake": "payroll"}))
    said = ask_options(client(fault_server), REQUEST, "en", Usage())
    said_back = [SAID_REPEAT, SAID_DEADLINE, SAID_LOCKED_OUT]
    assert said == [named, shut_out, *said_back, REPEAT, DEADLINE, LOCKED_OUT]


def test_what_the_customer_said_outright_is_said_back_before_the_plain_sentence(fault_server: Any) -> None:
    money = "Seeing money leave your account that you did not expect is stressful."
    twice = REQUEST.model_copy(update={"customer_message": "You charged my card TWICE. Fix it."})
    fault_server.answer(situations("money"))
    assert ask_options(client(fault_server), twice, "en", Usage())[:2] == [
        "Seeing two charges for the same purchase is stressful.",
        money,
    ]
    once = REQUEST.model_copy(update={"customer_message": "Why was I charged $40 for a plan I never used?"})
    fault_server.answer(situations("money"))
    assert ask_options(client(fault_server), once, "en", Usage())[0] == money  # nothing said outright


def test_none_an_unknown_situation_or_an_unparsable_answer_give_nothing(fault_server: Any) -> None:
    calm = REQUEST.model_copy(update={"customer_message": "My password gets rejected. How do I reset it?"})
    fault_server.answer(situations("none", "money"))
    assert ask_options(client(fault_server), calm, "en", Usage()) == []  # a calm customer
    fault_server.answer(situations("money", "locked_out"))  # no word of money in the message
    assert ask_options(client(fault_server), calm, "en", Usage()) == [LOCKED_OUT]
    fault_server.answer(situations("ecstatic"))
    assert ask_options(client(fault_server), calm, "en", Usage()) == []
    fault_server.answer("Sure! The customer seems locked out.")
    assert ask_options(client(fault_server), calm, "en", Usage()) == []
    assert len(fault_server.completions) == 4  # no repair request for a sentence the reply can do without


def test_what_the_customer_says_outright_counts_when_the_model_answers_none(fault_server: Any) -> None:
    scared = REQUEST.model_copy(update={"customer_message": "I got a login alert. I'm scared. Was I hacked?"})
    fault_server.answer(situations("none"))
    said = ask_options(client(fault_server), scared, "en", Usage())
    assert said == [  # the specific situation before the generic worry
        "Finding signs that someone else may have been in your account is unsettling.",
        "It makes complete sense that this has you worried.",
    ]
    # A signal-only situation is never offered to the model: not in its list, not in the schema.
    sent = json.dumps(fault_server.completions[0].body)
    assert "worried" not in sent and "mistreated" not in sent
    # "unless" words rule a situation out: a parcel feared lost is not lost work.
    parcel = REQUEST.model_copy(update={"customer_message": "Tracking hasn't moved, is my package lost?"})
    fault_server.answer(situations("data_loss"))
    assert ask_options(client(fault_server), parcel, "en", Usage()) == [
        "Waiting without a clear answer is frustrating."
    ]


def test_a_deadline_stands_only_when_the_customer_says_one(fault_server: Any) -> None:
    demand = REQUEST.model_copy(update={"customer_message": "Nobody came. Bring it back tomorrow."})
    fault_server.answer(situations("deadline"))
    assert ask_options(client(fault_server), demand, "en", Usage()) == []  # a demand, not a deadline
    urgent = REQUEST.model_copy(update={"customer_message": "It's urgent, the report is due today."})
    fault_server.answer(situations("deadline"))
    assert ask_options(client(fault_server), urgent, "en", Usage()) == [DEADLINE]
    # A cue that starts a word of another sense does not bear a choice out ("exam" in "example").
    example = REQUEST.model_copy(update={"customer_message": "I saw #ExampleOutage and I feel ignored."})
    fault_server.answer(situations("money"))  # "fee" is no start of "feel"
    assert "Seeing money" not in " ".join(ask_options(client(fault_server), example, "en", Usage()))


def test_a_refusal_gets_one_sentence_before_it_and_a_numbered_step_is_left_alone() -> None:
    blocks = ["Your order ships Monday. We can't change the address now. Reply here with questions."]
    assert cushioned(blocks, "en") == [
        "Your order ships Monday. I know this isn't the answer you were hoping for. We can't change the "
        "address now. Reply here with questions."
    ]
    assert cushioned(["1. We can't do that.\n2. Try this."], "en") is None
    assert cushioned(["Nous ne pouvons pas rembourser la commande."], "fr") == [
        "Je sais que ce n'est pas la réponse que vous espériez. Nous ne pouvons pas rembourser la commande."
    ]
    assert cushioned(["Your refund is on its way."], "en") is None


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
    fault_server.answer(situations("locked_out"))
    result = rewrite(fault_server)
    assert result.reply == "\n\n".join(
        [
            "Hi Priya,",
            SAID_LOCKED_OUT,
            "The account locks after 5 failed attempts. The lock lifts on its own after 30 minutes. "
            "Your case number is CS-20417.",
            "Best regards,\nSam",
        ]
    )
    # The draft gives the customer nothing to do: said, not hidden behind a stock follow-up line.
    assert result.status is RewriteStatus.NEEDS_REVIEW and result.usage.requests == 1
    assert [f.rule_id for f in result.report.failures] == ["assertive.next-step"]
    said = [c.change for c in result.changes]
    assert "opened by acknowledging the customer's situation" in said
    assert any("as i already explained" in c.lower() for c in said)
    # Every change it lists is true of the final reply: nothing it says it removed is there.
    for change in said:
        if change.startswith("removed"):
            for quoted in change.split('"')[1::2]:
                assert quoted.lower() not in result.reply.lower()


def test_an_acknowledgement_that_would_fail_a_check_is_not_used(fault_server: Any) -> None:
    # A sentence the checker fails (here, under a team rule that bans "stressful") is not used.
    fault_server.answer(situations("locked_out"))
    result = rewrite(fault_server, banned="stressful")
    assert "stressful" not in result.reply
    assert "team.banned-word" not in [f.rule_id for f in result.report.failures]
    # The next that passes is used: the message says "THIRD time" outright.
    assert SAID_REPEAT in result.reply and SAID_LOCKED_OUT not in result.reply


def test_a_refusal_with_no_way_forward_is_held_for_review_not_called_ok(fault_server: Any) -> None:
    from rewriter.check.guidance import load_guidance
    from rewriter.rewrite.draft_reply import held_for_review

    draft = "Hi Mei,\n\nWe can't make access tokens last longer than 60 minutes. It's for security.\n\nSam"
    message = "Can you make our token never expire? I'm sick of signing in by hand every morning."
    request = RewriteRequest(draft=draft, customer_message=message, customer_name="Mei", agent_name="Sam")
    held = held_for_review(load_guidance())

    def check(reply: str) -> CheckReport:
        return check_reply(reply, channel=Channel.EMAIL, customer_name="Mei", draft=draft,
                           customer_message=message, guidance=held)  # fmt: skip

    fault_server.answer(situations("none"))
    result = rewrite_draft_first(
        client(fault_server), request, check=check, language="en", customer_name="Mei", agent_name="Sam",
        info=ModelInfo(name="local", context_window=4096),
    )  # fmt: skip
    framing = next(f for f in result.report.findings if f.rule_id == "empathy.positive-framing")
    assert framing.verdict is Verdict.FAIL and framing.severity is Severity.MUST
    assert result.status is not RewriteStatus.REWRITTEN  # the draft's dead end is the draft's: a person looks


def test_a_death_in_the_message_gets_condolences_and_nothing_else(fault_server: Any) -> None:
    widow = RewriteRequest(
        draft=DRAFT,
        customer_message=(
            "Hello, my husband Alan passed away last month. He had an account with you and I don't know "
            "his password. I'd like to close it."
        ),
    )
    fault_server.answer(situations("locked_out", "money"))  # what a small model sees in it
    assert ask_options(client(fault_server), widow, "en", Usage()) == [
        "I was so saddened to read that your husband Alan passed away last month.",
        "Please accept my deepest condolences.",
    ]
    fault_server.answer(situations("locked_out"))
    german = widow.model_copy(update={"customer_message": "Mein Mann ist im März verstorben."})
    assert ask_options(client(fault_server), german, "de", Usage()) == ["Mein aufrichtiges Beileid."]
    phone = widow.model_copy(update={"customer_message": "My phone died and now I can't log in."})
    fault_server.answer(situations("locked_out"))
    assert ask_options(client(fault_server), phone, "en", Usage()) == [LOCKED_OUT]  # no death


def test_a_draft_that_offers_condolences_already_acknowledges() -> None:
    request = RewriteRequest(draft=DRAFT, customer_message="My mother passed away in May.")
    assert skip_reason(request, "I'm so sorry for your loss. Here is how to close it.", "en") is not None
    assert skip_reason(request, "Mein aufrichtiges Beileid.", "de") is not None


def test_every_sentence_we_write_is_one_the_checker_counts_as_an_acknowledgement() -> None:
    # A sentence of ours the checker cannot see fails `empathy.specific-acknowledgement`
    # on a reply that has one (the named hope and the condolence once did).
    from rewriter.check.deterministic import lexicon
    from rewriter.prompts import load_yaml

    data = load_yaml("acknowledge.yaml")
    written: list[tuple[str, str]] = []
    for situation in data["situations"].values():
        for language in ("en", "es", "de", "fr"):
            for said in (situation.get(language), *(t.get(language) for t in situation.get("told", []))):
                if said:
                    written.append((language, said))
            for kind, slot in (("specific", "{stake}"), ("reflected", "{told}")):
                frame = situation.get(kind, {}).get(language)
                if frame:
                    written.append((language, frame.replace(slot, "your notes")))
    refusal = data["refusal"]
    for language in ("en", "es", "de", "fr"):
        written += [(language, refusal[language])] if refusal.get(language) else []
        frame = refusal.get("specific", {}).get(language)
        written += [(language, frame.replace("{asked}", "a family plan"))] if frame else []
    missed = [said for language, said in written if not lexicon(language, "acknowledgement").search(said)]
    assert not missed, missed


def test_work_feared_lost_outranks_something_that_stopped_working(fault_server: Any) -> None:
    crash = REQUEST.model_copy(
        update={"customer_message": "The app crashed while I was saving and my whole client folder is gone."}
    )
    fault_server.answer(json.dumps({"situations": ["broken", "data_loss"], "at_stake": "my client folder"}))
    said = ask_options(client(fault_server), crash, "en", Usage())
    # The model put "broken" first; the folder is what the customer fears for.
    assert said[0] == "Thinking your whole client folder might be gone is a horrible feeling.", said
    # Said back, "Your whole client folder is gone" would state the loss as ours.
    assert not any(s.startswith("Your whole client folder is") for s in said)
    assert said.index("Thinking your work might be gone is a horrible feeling.") < said.index(
        "It is frustrating when something you rely on stops working."
    )


def test_what_stopped_working_is_named_only_where_the_message_says_it_failed(fault_server: Any) -> None:
    dying = "Our nightly job keeps dying with AUTH_TOKEN_EXPIRED."
    stopped = REQUEST.model_copy(update={"customer_message": dying})
    fault_server.answer(json.dumps({"situations": ["broken"], "at_stake": "our nightly job"}))
    assert ask_options(client(fault_server), stopped, "en", Usage())[0] == (
        "It is frustrating to have your nightly job stop working."
    )
    # "the show ... and the app won't": the show is not what stopped working.
    cannot = "I can't make the Harbour Lights show and the app won't let me send my ticket."
    show = REQUEST.model_copy(update={"customer_message": cannot})
    fault_server.answer(json.dumps({"situations": ["broken"], "at_stake": "the Harbour Lights show"}))
    assert not any("Harbour" in s for s in ask_options(client(fault_server), show, "en", Usage()))
