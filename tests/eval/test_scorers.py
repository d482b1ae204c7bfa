"""Scorers: each judges what its name says, unscored is never a fail, weights come from data."""

from __future__ import annotations

from pathlib import Path

import pytest

from rewriter.check import load_guidance
from rewriter.errors import InputError
from rewriter.eval.cases import GoldenCase
from rewriter.eval.runner import check_case
from rewriter.eval.scorers import Outcome, Score, Scored, case_score, edit_ratio, load_scoring, score_reply

ROOT = Path(__file__).resolve().parents[2]
SCORING = load_scoring(ROOT / "evals" / "scoring.yaml")
CASE = GoldenCase.model_validate(
    {
        "id": "double-charge",
        "tags": {"scenario": "double-charge", "emotion": "angry", "flaws": ["blaming"]},
        "channel": "email",
        "customer_name": "Ana",
        "customer": "You charged me twice!",
        "draft": "As I said, the second charge of $49.00 drops off in 5 to 7 days. Check Account > Billing.",
        "facts": ["$49.00", "5 to 7 days"],
        "forbid": [{"regex": "(?i)\\brefund", "why": "no refund is due: the charge drops off"}],
        "expect": {"rules": ["tone.no-blame"], "numbered_steps": False},
    }
)
GOOD_REPLY = (
    "Hi Ana,\n\nBeing charged twice is alarming, I understand. The second charge of $49.00 drops off "
    "in 5 to 7 days. Check Account > Billing to see it go.\n\nReply here if it is still there.\n\n"
    "Best regards,\nSam"
)


def scores_of(reply: str, case: GoldenCase = CASE) -> dict[str, Score]:
    report = check_case(case, reply, load_guidance())
    return {s.scorer: s for s in score_reply(Scored(case=case, reply=reply, report=report), SCORING)}


def test_a_good_reply_passes_every_gate() -> None:
    scores = scores_of(GOOD_REPLY)
    for name in ("facts", "forbidden", "expect:tone.no-blame", "numbered_steps", "length", "balance"):
        assert scores[name].outcome is Outcome.PASS, (name, scores[name].reason)
    assert scores["edit_size"].outcome is Outcome.NUMBER  # not a good draft: measured, not judged
    value, passed = case_score(list(scores.values()), SCORING)
    assert passed and value is not None and value > 0.9


def test_a_lost_fact_and_a_forbidden_promise_fail_with_their_words() -> None:
    reply = GOOD_REPLY.replace("5 to 7 days", "a few days") + "\nWe will refund you today."
    scores = scores_of(reply)
    facts = scores["facts"]
    assert facts.outcome is Outcome.FAIL and facts.reason == 'lost "5 to 7 days"'
    assert [(e.text, e.source, CASE.draft[e.start : e.end]) for e in facts.evidence] == [
        ("5 to 7 days", "draft", "5 to 7 days")
    ]
    forbidden = scores["forbidden"]
    assert forbidden.outcome is Outcome.FAIL and "no refund is due" in forbidden.reason
    assert [reply[e.start : e.end] for e in forbidden.evidence] == ["refund"]
    assert not case_score(list(scores.values()), SCORING)[1]


def test_blame_kept_fails_the_expected_rule_and_the_case() -> None:
    scores = scores_of(GOOD_REPLY.replace("The second", "As I said, the second"))
    assert scores["expect:tone.no-blame"].outcome is Outcome.FAIL
    assert not case_score(list(scores.values()), SCORING)[1]


def test_numbered_steps_are_checked_both_ways() -> None:
    steps = "\n1. Check Account > Billing.\n2. Wait."
    numbered = GOOD_REPLY.replace(" Check Account > Billing to see it go.", steps)
    assert scores_of(numbered)["numbered_steps"].outcome is Outcome.FAIL  # the case wants no numbering
    wants = CASE.model_copy(update={"expect": CASE.expect.model_copy(update={"numbered_steps": True})})
    assert scores_of(numbered, wants)["numbered_steps"].outcome is Outcome.PASS


def test_a_good_draft_must_stay_close_to_itself() -> None:
    good = CASE.model_copy(update={"good_draft": True})
    assert scores_of(CASE.draft, good)["edit_size"].outcome is Outcome.PASS
    other = (
        "Hello Ana, sorry about the double charge: it goes within 5 to 7 days ($49.00). Write back any time."
    )
    rewritten = scores_of(other, good)["edit_size"]
    assert rewritten.outcome is Outcome.FAIL and rewritten.value == round(edit_ratio(CASE.draft, other), 4)
    assert edit_ratio("a b c", "a b c") == 0.0 and edit_ratio("a b", "c d") == 1.0


def test_length_fits_the_channel() -> None:
    long_reply = GOOD_REPLY + (" More words here." * 90)
    assert "over 250 for email" in scores_of(long_reply)["length"].reason


def test_unscored_counts_for_nothing() -> None:
    passed = Score(scorer="facts", outcome=Outcome.PASS, reason="ok")
    unscored = Score(scorer="expect:tone.calm", outcome=Outcome.UNSCORED, reason="the judge did not answer")
    assert case_score([passed, unscored], SCORING) == (1.0, True)
    assert case_score([unscored], SCORING) == (None, True)


def test_weights_and_gates_are_data(tmp_path: Path) -> None:
    text = (ROOT / "evals" / "scoring.yaml").read_text(encoding="utf-8")
    lighter = tmp_path / "scoring.yaml"
    lighter.write_text(text.replace("facts: 3 ", "facts: 0 ").replace("gates: [facts, ", "gates: ["), "utf-8")
    scoring = load_scoring(lighter)
    lost = Score(scorer="facts", outcome=Outcome.FAIL, reason="lost")
    ok = Score(scorer="length", outcome=Outcome.PASS, reason="ok")
    assert case_score([lost, ok], scoring) == (1.0, True)
    assert case_score([lost, ok], SCORING) == (0.25, False)
    assert scoring.hash != SCORING.hash


@pytest.mark.parametrize(
    ("change", "problem"),
    [(("edit_size_max: 0.5", "edit_size_max: 2"), "field 'thresholds.edit_size_max'"),
     (("gates: [", "gates: [tone, "), "no scorer 'tone'")],
)  # fmt: skip
def test_a_bad_scoring_file_names_the_field(tmp_path: Path, change: tuple[str, str], problem: str) -> None:
    path = tmp_path / "scoring.yaml"
    path.write_text((ROOT / "evals" / "scoring.yaml").read_text(encoding="utf-8").replace(*change), "utf-8")
    with pytest.raises(InputError, match=problem):
        load_scoring(path)
