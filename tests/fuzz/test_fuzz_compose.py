"""Fuzz the reply assembly: any parts, names and language lay out without a crash, the same way twice."""

from __future__ import annotations

from fuzz_strategies import GREETINGS, ODD, texts, two_tiers
from hypothesis import assume, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from rewriter.models import Channel
from rewriter.rewrite.compose import ReplyParts, assemble

FAST = settings(max_examples=25, deadline=None)
LONG = settings(max_examples=3000, deadline=None)

names = st.one_of(
    st.none(), st.sampled_from(["Sam", "^AL", "Best,", "$agent", "${name}", *ODD, *GREETINGS]), texts
)
parts_args = st.fixed_dictionaries(
    {"acknowledgement": texts, "answer": texts, "steps": st.lists(texts, max_size=4), "closing": texts}
)
args = st.tuples(
    parts_args,
    st.sampled_from(list(Channel)),
    names,
    names,
    st.one_of(st.sampled_from(["en", "es", "de", "fr", "ja"]), st.text(max_size=3)),
)


def _assemble_invariants(given_args: tuple[dict[str, object], Channel, str | None, str | None, str]) -> None:
    raw, channel, customer_name, agent_name, language = given_args
    try:
        parts = ReplyParts.model_validate(raw)
    except ValidationError:  # an answer with no text at all: refused on purpose
        assume(False)
    reply = assemble(parts, channel, customer_name, agent_name, language)
    assert isinstance(reply, str)
    assert assemble(parts, channel, customer_name, agent_name, language) == reply


test_assemble, test_assemble_long = two_tiers(_assemble_invariants, args, fast=FAST, long=LONG)
