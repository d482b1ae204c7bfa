"""Fuzz the deterministic checker, the fact extractor and the faithfulness guard.

For any input they return normally or raise one of the project's own errors, give the
same answer twice, and every piece of evidence points at the words it quotes.
"""

from __future__ import annotations

import pytest
from fuzz_strategies import texts, two_tiers
from hypothesis import settings
from hypothesis import strategies as st

from rewriter.check import check_faithfulness, check_reply, extract_facts
from rewriter.check.facts import fact_like_tokens
from rewriter.errors import InputError
from rewriter.models import Channel, CheckReport

FAST = settings(max_examples=15, deadline=None)
LONG = settings(max_examples=2000, deadline=None)

LANGUAGES = st.one_of(
    st.none(), st.sampled_from(["en", "es", "de", "fr", "ja", "ar", "he", "zh"]), st.text(max_size=4)
)
maybe_text = st.one_of(st.none(), texts)
check_args = st.fixed_dictionaries(
    {
        "reply": texts,
        "channel": st.sampled_from(list(Channel)),
        "customer_name": st.one_of(
            st.none(), st.sampled_from(["Sam", "Ms. López", "", "$name", "\\1"]), st.text(max_size=8)
        ),
        "draft": maybe_text,
        "customer_message": maybe_text,
        "policy": st.lists(texts, max_size=2),
        "language": LANGUAGES,
    }
)


def _points_at_its_text(report: CheckReport, args: dict[str, object]) -> None:
    sources = {
        "reply": [args["reply"]],
        "draft": [args.get("draft")],
        "customer": [args.get("customer_message")],
    }
    sources["policy"] = list(args.get("policy") or [])  # type: ignore[call-overload]
    for finding in report.findings:
        for e in finding.evidence:
            texts_ = [t for t in sources[e.source] if isinstance(t, str)]
            assert any(t[e.start : e.end] == e.text for t in texts_), (finding.rule_id, e)


def _check_invariants(args: dict[str, object]) -> None:
    try:
        report = check_reply(**args)  # type: ignore[arg-type]
    except InputError:
        with pytest.raises(InputError):
            check_reply(**args)  # type: ignore[arg-type]
        return
    assert check_reply(**args) == report  # type: ignore[arg-type]
    _points_at_its_text(report, args)


def _facts_invariants(text: str) -> None:
    facts = extract_facts(text)
    assert extract_facts(text) == facts
    tokens = fact_like_tokens(text, facts, names=True)
    assert fact_like_tokens(text, facts, names=True) == tokens
    assert fact_like_tokens(text) == fact_like_tokens(text)
    for fact in [*facts, *tokens]:
        assert text[fact.start : fact.end] == fact.text


def _guard_invariants(draft: str, reply: str, context: list[str], names: bool) -> None:
    report = check_faithfulness(draft, reply, context, names=names)
    assert check_faithfulness(draft, reply, context, names=names) == report
    _points_at_its_text(report, {"reply": reply, "draft": draft})


test_check_reply, test_check_reply_long = two_tiers(_check_invariants, check_args, fast=FAST, long=LONG)
test_facts, test_facts_long = two_tiers(_facts_invariants, texts, fast=FAST, long=LONG)
test_guard, test_guard_long = two_tiers(
    _guard_invariants, texts, texts, st.lists(texts, max_size=2), st.booleans(), fast=FAST, long=LONG
)
