"""Fuzz the acknowledgement's copies: any message and any words the model copies give a sentence or nothing.

The customer writes what they like and the model copies what it likes; neither may break
the reply (an odd spacing once raised an IndexError here).
"""

from __future__ import annotations

from fuzz_strategies import ODD, texts, two_tiers
from hypothesis import settings
from hypothesis import strategies as st

from rewriter.prompts import prompts_dir
from rewriter.rewrite.acknowledge import _situations
from rewriter.rewrite.stake import stake
from rewriter.rewrite.wanted import wanted

FAST = settings(max_examples=25, deadline=None)
LONG = settings(max_examples=2000, deadline=None)

odd_copies = ["my", "a,", "the ,", "a,family plan", "my;notes", *ODD]
copies = st.one_of(st.none(), st.integers(), st.sampled_from(odd_copies), texts)
messages = st.one_of(
    texts,
    st.builds(lambda a, b: f"I have to {a} and my {b} passed away. I sent you {a}.", texts, texts),
)
languages = st.sampled_from(["en", "es", "de", "fr"])


def _copies_give_a_sentence_or_nothing(quoted: object, message: str, refusal: str, language: str) -> None:
    said = wanted(quoted, message, refusal, language)
    assert said is None or said.strip()
    kept = stake(quoted, message, language)
    assert kept is None or kept.said.strip()
    for situation in _situations(str(prompts_dir())).values():
        reflected = situation.reflecting(language, message)
        named = situation.naming(language, quoted, message)
        assert all(sentence is None or sentence.strip() for sentence in (reflected, named))


test_copies, test_copies_long = two_tiers(
    _copies_give_a_sentence_or_nothing, copies, messages, texts, languages, fast=FAST, long=LONG
)
