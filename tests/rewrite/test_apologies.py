"""One sincere apology stays; what the others say besides sorry stays with it."""

from __future__ import annotations

from rewriter.rewrite.apologies import bare_apology_to_drop, without_apology, without_stock_clause


def test_a_later_clause_that_is_only_a_stock_line_goes_and_one_that_says_what_for_stays() -> None:
    said, dropped = without_stock_clause(
        "I'm so sorry for the trouble, and I apologise for the inconvenience this has caused.", "en"
    )
    assert said == "I'm so sorry for the trouble." and len(dropped) == 1
    kept = "I'm so sorry about this, and I apologise that you've had to write in twice."
    assert without_stock_clause(kept, "en") == (kept, [])


def test_a_further_apology_keeps_its_reason_and_a_bare_first_one_goes_when_a_later_one_says_what_for() -> (
    None
):
    assert (
        without_apology("Sorry, reset emails are slow today, apologies.", "en")
        == "Reset emails are slow today."
    )
    assert without_apology("So sorry again!", "en") == ""
    said = ["I'm so sorry.", "I'm really sorry that order #A7-55213 missed the birthday."]
    assert bare_apology_to_drop(said, "en") == "I'm so sorry."
    assert bare_apology_to_drop(["I'm so sorry.", "I'm sorry again."], "en") is None  # no fact says what for
