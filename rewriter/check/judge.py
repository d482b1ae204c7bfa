"""The LLM judge: verdicts with evidence for what code cannot see.

Rules such as "is the acknowledgement specific to this customer?" or "is the tone
calm?" need a reader. The judge reads the rubric from the rule set, answers at
temperature 0 with a fixed seed, quotes the reply's words for each verdict, and may be
run N times with a majority vote. An answer that cannot be parsed makes every rule
**unscored**, never a fail: a broken judge must not look like a bad reply. Nor must a
careless one: a verdict resting on words the reply does not contain, or held with
less than even confidence, is set aside (see :func:`_ballot`). How far its verdicts
agree with people is measured by :mod:`rewriter.calibrate.judge`.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from rewriter.check.rules import CheckKind, Guidance, Rule
from rewriter.llm import ChatClient
from rewriter.models import Channel, Evidence, Finding, Usage, Verdict
from rewriter.prompts import describe_schema, render
from rewriter.text import NoJSONError, extract_json_object

# A verdict held with less confidence than this is no verdict: the judge itself thinks
# the other answer at least as likely.
MIN_CONFIDENCE = 0.5


class JudgeVerdict(BaseModel):
    """One rule's verdict as the judge writes it."""

    model_config = ConfigDict(extra="ignore")

    rule_id: str
    verdict: Literal["pass", "fail", "not_applicable"]
    evidence: str = ""
    confidence: float = Field(default=0.5, ge=0, le=1)


class JudgeAnswer(BaseModel):
    """The judge's whole answer."""

    model_config = ConfigDict(extra="ignore")

    verdicts: list[JudgeVerdict]


class JudgeResult(BaseModel):
    """Findings for the judged rules, with what the judge cost."""

    model_config = ConfigDict(extra="forbid")

    findings: list[Finding]
    usage: Usage
    repeats: int
    unparseable: int


def judged_rules(
    guidance: Guidance, channel: Channel, *, draft: bool = False, customer_message: bool = False
) -> list[Rule]:
    """The rules of a channel that the judge decides (alone or with code).

    A rule that needs the draft or the customer's message is left out when that text
    is not given: judged blind, it would only produce noise.
    """
    given = {"draft": draft, "customer_message": customer_message}
    return [
        r
        for r in guidance.for_channel(channel)
        if r.check in (CheckKind.JUDGE, CheckKind.BOTH) and all(given[n] for n in r.needs)
    ]


def judge_messages(
    rules: Sequence[Rule],
    reply: str,
    channel: Channel,
    customer_message: str | None,
    draft: str | None = None,
) -> list[dict[str, str]]:
    """The judge's prompt: the rubric first (stable across replies), then the data."""
    rubric = "\n".join(f"- {r.id}: {r.title}. Good: {r.good} Avoid: {r.avoid}" for r in rules)
    return [
        {"role": "system", "content": render("judge.system.md", rules=rubric)},
        {
            "role": "user",
            "content": render(
                "judge.user.md",
                channel=channel.value,
                customer_message=customer_message or "(not given)",
                draft=draft or "(not given)",
                reply=reply,
            ),
        },
    ]


def parse_answer(text: str) -> JudgeAnswer | None:
    """The judge's verdicts, or ``None`` when the answer is not usable JSON."""
    try:
        return JudgeAnswer.model_validate(extract_json_object(text))
    except (NoJSONError, ValidationError):
        return None


def judge(
    client: ChatClient,
    guidance: Guidance,
    reply: str,
    *,
    channel: Channel = Channel.EMAIL,
    customer_message: str | None = None,
    draft: str | None = None,
    repeats: int = 1,
    seed: int = 7,
) -> JudgeResult:
    """Judge a reply; ``repeats`` > 1 asks again with seed + i and takes the majority.

    ``draft`` is the text the reply rewrites; the faithfulness rules are judged only
    against it (see :func:`judged_rules`).
    """
    rules = judged_rules(guidance, channel, draft=draft is not None, customer_message=bool(customer_message))
    messages = judge_messages(rules, reply, channel, customer_message, draft)
    schema = describe_schema(JudgeAnswer.model_json_schema(), "judge")
    usage = Usage()
    answers: list[JudgeAnswer] = []
    unparseable = 0
    for i in range(repeats):
        # A verdict per rule needs more room than a reply; a cut-off answer is unscored.
        response = client.complete(messages, schema, temperature=0.0, seed=seed + i, max_tokens=1200)
        usage.add(response.prompt_tokens or 0, response.completion_tokens or 0, requests=response.requests)
        answer = parse_answer(response.text)
        if answer is None:
            unparseable += 1
        else:
            answers.append(answer)
    findings = [_vote(rule, answers, reply, unparseable) for rule in rules]
    return JudgeResult(findings=findings, usage=usage, repeats=repeats, unparseable=unparseable)


def locate(quote: str, reply: str) -> tuple[int, int] | None:
    """Where the judge's quote sits in the reply, ignoring case and runs of whitespace."""
    words = quote.strip().strip("\"'").split()
    if not words:
        return None
    pattern = r"\s+".join(re.escape(w) for w in words)
    match = re.search(pattern, reply, re.IGNORECASE)
    return (match.start(), match.end()) if match else None


def _ballot(rule_id: str, answer: JudgeAnswer, reply: str) -> tuple[JudgeVerdict | None, str | None]:
    """An answer's one vote on a rule, or why its verdicts on the rule were set aside.

    A verdict must rest on the reply's own words, so one whose quote is not in the reply
    (the customer's message, a tag, a description of the reply) is set aside; an empty
    quote is allowed, since "leaves out what it requires" has nothing to quote. A verdict
    the judge itself holds with less than even confidence is no verdict either (small
    models answer "fail, confidence 0" for "does not apply"). When an answer judges a
    rule twice, its first usable verdict counts: one answer, one vote.
    """
    entries = [v for v in answer.verdicts if v.rule_id == rule_id]
    grounded = [v for v in entries if not v.evidence.strip() or locate(v.evidence, reply)]
    confident = [v for v in grounded if v.confidence >= MIN_CONFIDENCE]
    if confident:
        return confident[0], None
    if grounded:
        return None, f"the judge gave its verdict less than {MIN_CONFIDENCE:.0%} confidence"
    if entries:
        return None, "the judge quoted words that are not in the reply"
    return None, None


def _vote(rule: Rule, answers: list[JudgeAnswer], reply: str, unparseable: int) -> Finding:
    ballots = [_ballot(rule.id, a, reply) for a in answers]
    votes = [v for v, _ in ballots if v is not None]
    if not votes:
        reasons = [why for _, why in ballots if why]
        if unparseable and not answers:
            why = "the judge's answer could not be parsed"
        elif reasons:
            why = reasons[0]
        else:
            why = "the judge gave no verdict for it"
        return Finding(
            rule_id=rule.id, verdict=Verdict.UNSCORED, severity=rule.severity, message=f"unscored: {why}"
        )
    counts = Counter(v.verdict for v in votes).most_common()
    if len(counts) > 1 and counts[0][1] == counts[1][1]:
        split = ", ".join(f"{k} x{n}" for k, n in counts)
        return Finding(
            rule_id=rule.id,
            verdict=Verdict.UNSCORED,
            severity=rule.severity,
            message=f"unscored: split vote ({split})",
        )
    winner, won = counts[0]
    chosen = max((v for v in votes if v.verdict == winner), key=lambda v: v.confidence)
    span = locate(chosen.evidence, reply)
    evidence = [] if span is None else [
        Evidence(text=reply[span[0] : span[1]], start=span[0], end=span[1], source="reply")
    ]  # fmt: skip
    tally = f"{won}/{len(votes)} votes, confidence {chosen.confidence:.2f}"
    return Finding(
        rule_id=rule.id,
        verdict=Verdict(winner),
        severity=rule.severity,
        message=f"{rule.title} (judge: {winner}, {tally})",
        evidence=evidence,
        hint=None if winner != "fail" else rule.good,
    )
