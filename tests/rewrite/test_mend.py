from rewriter.check import check_reply
from rewriter.check.guard import check_faithfulness
from rewriter.rewrite.compose import ReplyParts
from rewriter.rewrite.mend import drop_invented, reinstate_dropped, restore_reworded, soften_blame

DRAFT = "It left the hub on 14 May.\nDirect line: 0800 123 4567 (ext. 221)"


def parts(**kw: object) -> ReplyParts:
    return ReplyParts.model_validate(
        {"acknowledgement": "Sorry for the wait.", "answer": "", "steps": [], **kw}
    )


def test_reworded_fact_is_put_back_and_noted() -> None:
    p = parts(answer="It left the hub on May 14. Direct line: 0800 123 4567 (ext. 221)")
    fixed = restore_reworded(p, check_faithfulness(DRAFT, p.answer))
    assert "14 May" in fixed.answer and "May 14" not in fixed.answer
    assert [c.change for c in fixed.mended] == ['restored "14 May" (was "May 14")']
    assert p.mended == []  # the original is untouched


def test_dropped_fact_brings_back_its_whole_draft_line() -> None:
    p = parts(answer="It left the hub on 14 May.")
    fixed = reinstate_dropped(p, DRAFT, check_faithfulness(DRAFT, p.answer))
    assert fixed.answer.endswith("Direct line: 0800 123 4567 (ext. 221)")
    assert check_faithfulness(DRAFT, fixed.answer).passed


def test_invented_contact_is_removed_with_its_sentence_and_step() -> None:
    p = parts(
        answer="It left the hub on 14 May. Write to help@example.org for news.",
        steps=["Call +1 415 555 0199.", "Wait for the parcel."],
    )
    text = p.answer + " " + " ".join(p.steps)
    fixed = drop_invented(p, check_faithfulness(DRAFT, text))
    assert fixed.answer == "It left the hub on 14 May."
    assert fixed.steps == ["Wait for the parcel."]
    assert {c.change for c in fixed.mended} == {'removed "help@example.org"', 'removed "+1 415 555 0199"'}


def test_blaming_openers_and_adverbs_are_dropped() -> None:
    p = parts(
        answer="As I said before, the update didn't delete anything.",
        steps=["Clear your cookies obviously, then log in."],
    )
    report = check_reply(p.answer + " " + p.steps[0])
    fixed = soften_blame(p, report)
    assert fixed.answer == "The update didn't delete anything."
    assert fixed.steps == ["Clear your cookies, then log in."]
    assert check_reply(fixed.answer + " " + fixed.steps[0]).passed
