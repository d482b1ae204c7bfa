"""The LLM judge, replayed from cassettes recorded on real model servers."""

from __future__ import annotations

from typing import Any

import pytest

from rewriter.check import load_guidance
from rewriter.check.judge import (
    JudgeAnswer,
    JudgeVerdict,
    _vote,
    judge,
    judge_messages,
    judged_rules,
    locate,
    parse_answer,
)
from rewriter.config import resolve_settings
from rewriter.llm import ChatClient
from rewriter.models import Channel, Verdict

SORRY = "We are so sorry for the trouble. Apologies again, we really regret this."


def client(backend: dict[str, Any], **extra: Any) -> ChatClient:
    settings, _ = resolve_settings({**backend, **extra}, {})
    return ChatClient(settings)


@pytest.mark.vcr
def test_judge_gives_verdicts_with_verbatim_evidence(backend: dict[str, Any]) -> None:
    # Instructed JSON, as the embedded backend asks for it: the judge quotes before it
    # decides. (Under a json_object grammar this model leaves the optional quote out.)
    guidance = load_guidance()
    result = judge(
        client(backend, response_format="text"), guidance, SORRY,
        customer_message="My files are gone after the update!",
    )  # fmt: skip
    rules = [r.id for r in judged_rules(guidance, Channel.EMAIL, customer_message=True)]
    assert [f.rule_id for f in result.findings] == rules
    assert result.unparseable == 0 and result.usage.requests == 1 and result.usage.completion_tokens > 0
    quoted = [ev for finding in result.findings for ev in finding.evidence]
    assert quoted, "the recorded judge quoted nothing"
    for ev in quoted:
        assert ev.source == "reply" and SORRY[ev.start : ev.end] == ev.text
    # The recording also shows why grounding matters: for these rules the model quoted
    # sentences the reply does not contain, and those verdicts were set aside.
    by_rule = {f.rule_id: f for f in result.findings}
    for rule in ("empathy.paraphrase", "assertive.next-step"):
        assert by_rule[rule].verdict is Verdict.UNSCORED
        assert "not in the reply" in by_rule[rule].message


@pytest.mark.vcr
def test_unparseable_judge_answer_is_unscored_never_a_fail(small_backend: dict[str, Any]) -> None:
    # The weak model answers in prose; every judged rule must come back unscored.
    result = judge(client(small_backend, response_format="text"), load_guidance(), SORRY)
    assert result.unparseable == 1
    assert {f.verdict for f in result.findings} == {Verdict.UNSCORED}
    assert all("could not be parsed" in f.message for f in result.findings)


def answer(*verdicts: tuple[str, str]) -> JudgeAnswer:
    return JudgeAnswer(
        verdicts=[JudgeVerdict(rule_id="tone.calm", verdict=v, evidence=e) for v, e in verdicts]  # type: ignore[arg-type]
    )


def test_majority_vote_and_split() -> None:
    rule = load_guidance().get("tone.calm")
    reply = "I can see this is stressful."
    won = _vote(rule, [answer(("pass", "I can see")), answer(("pass", "")), answer(("fail", ""))], reply, 0)
    assert won.verdict is Verdict.PASS and "2/3 votes" in won.message
    assert [(e.text, e.start) for e in won.evidence] == [("I can see", 0)]
    split = _vote(rule, [answer(("pass", "")), answer(("fail", ""))], reply, 0)
    assert split.verdict is Verdict.UNSCORED and "split vote" in split.message
    assert _vote(rule, [], reply, 1).verdict is Verdict.UNSCORED


def test_a_verdict_quoting_words_not_in_the_reply_is_set_aside() -> None:
    rule = load_guidance().get("tone.calm")
    reply = "I can see this is stressful."
    # Quoting the customer's message (or a tag) grounds nothing: unscored, not pass.
    ungrounded = _vote(rule, [answer(("pass", "<customer_message>"))], reply, 0)
    assert ungrounded.verdict is Verdict.UNSCORED and "not in the reply" in ungrounded.message
    # One answer, one vote: a rule judged twice counts once, by its first grounded verdict.
    twice = _vote(rule, [answer(("pass", "my files are gone"), ("fail", "is stressful"))], reply, 0)
    assert twice.verdict is Verdict.FAIL and "1/1 votes" in twice.message
    assert [(e.text, e.start, e.end) for e in twice.evidence] == [("is stressful", 15, 27)]


def test_a_verdict_without_even_confidence_is_no_verdict() -> None:
    rule = load_guidance().get("tone.calm")
    unsure = JudgeAnswer(verdicts=[JudgeVerdict(rule_id="tone.calm", verdict="fail", confidence=0.0)])
    finding = _vote(rule, [unsure], "I can see this is stressful.", 0)
    assert finding.verdict is Verdict.UNSCORED and "less than 50% confidence" in finding.message
    sure = JudgeAnswer(verdicts=[JudgeVerdict(rule_id="tone.calm", verdict="fail", confidence=0.5)])
    assert _vote(rule, [unsure, sure], "I can see this is stressful.", 0).verdict is Verdict.FAIL


def test_locate_ignores_case_spacing_and_wrapping_quotes() -> None:
    reply = "Hi Dana,\n\nI can  see this is\nstressful."
    span = locate('"i can see this is stressful"', reply)
    assert span is not None and reply[span[0] : span[1]] == "I can  see this is\nstressful"
    assert locate("calm down", reply) is None
    assert locate("  ", reply) is None


def test_rules_that_need_the_draft_or_message_are_judged_only_with_it() -> None:
    guidance = load_guidance()
    blind = {r.id for r in judged_rules(guidance, Channel.EMAIL)}
    assert {
        "faithfulness.no-new-promises",
        "faithfulness.customer-language",
        "empathy.paraphrase",
    }.isdisjoint(blind)
    full = {r.id for r in judged_rules(guidance, Channel.EMAIL, draft=True, customer_message=True)}
    assert full - blind == {
        "faithfulness.no-new-promises",
        "faithfulness.customer-language",
        "empathy.paraphrase",
    }
    user = judge_messages([], "the reply", Channel.EMAIL, None, draft="the draft")[1]["content"]
    assert "the draft" in user and "(not given)" in user


def test_parse_answer_tolerates_chatter_but_not_nonsense() -> None:
    assert parse_answer('Sure! {"verdicts": [{"rule_id": "tone.calm", "verdict": "pass"}]} done') is not None
    assert parse_answer("The reply is fine.") is None
    assert parse_answer('{"verdicts": [{"rule_id": "tone.calm", "verdict": "maybe"}]}') is None


@pytest.mark.block_network(allowed_hosts=["127.0.0.1"])
def test_the_judges_retried_requests_are_counted(fault_server: Any) -> None:
    fault_server.fail(503, "loading")  # the first try fails; the retry is answered
    settings, _ = resolve_settings(
        {"base_url": fault_server.base_url, "model": "local", "max_retries": 2, "max_retry_wait": 0,
         "response_format": "text"}, {},
    )  # fmt: skip
    result = judge(ChatClient(settings), load_guidance(), "Restore them from Settings > Backups.")
    assert len(fault_server.completions) == 2 and result.usage.requests == 2
