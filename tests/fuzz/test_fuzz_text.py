"""Fuzz the shared text primitives: they never crash and always agree with their offsets."""

from __future__ import annotations

import pytest
from fuzz_strategies import texts, two_tiers
from hypothesis import settings
from hypothesis import strategies as st

from rewriter.text import NoJSONError, extract_json_object, sentences, unwrap

FAST = settings(max_examples=25, deadline=None)
LONG = settings(max_examples=3000, deadline=None)

json_like = st.one_of(
    texts,
    st.recursive(
        st.sampled_from(["1", '"a"', "null", r'"C:\Users"', '"\\u12"', "{", "}", "[", "]"]),
        lambda inner: (
            st.builds(lambda xs: "{" + ",".join(f'"k": {x}' for x in xs) + "}", st.lists(inner))
            | st.builds(lambda xs: "[" + ",".join(xs) + "]", st.lists(inner))
        ),
        max_leaves=20,
    ).map(lambda s: f"```json\n{s}\n```"),
    # Deep nesting: a model that loops on "[" must not exhaust the parser's stack.
    st.builds(lambda n, o: '{"a": ' + o * n + "}", st.integers(0, 5000), st.sampled_from(["[", '{"b": '])),
)


def _text_invariants(text: str) -> None:
    spans = sentences(text)
    assert spans == sentences(text)
    for span in spans:
        assert text[span.start : span.end] == span.text
    assert unwrap(text) == unwrap(text)


def _json_invariants(text: str) -> None:
    try:
        first = extract_json_object(text)
    except NoJSONError:
        with pytest.raises(NoJSONError):
            extract_json_object(text)
    else:
        assert extract_json_object(text) == first


test_text, test_text_long = two_tiers(_text_invariants, texts, fast=FAST, long=LONG)
test_json, test_json_long = two_tiers(_json_invariants, json_like, fast=FAST, long=LONG)
