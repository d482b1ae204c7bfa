"""The draft-first body: every kept sentence is the draft's, with only the edits that cannot change it."""

from __future__ import annotations

import pytest

from rewriter.rewrite.draft_first import draft_body


def body(draft: str, language: str = "en", agent: str | None = None) -> str:
    return "\n\n".join(draft_body(draft, language, agent).blocks)


def test_blame_goes_with_its_adjunct_and_its_clause_but_never_a_fact() -> None:
    draft = (
        "Hi Priya,\n\nAs I said in the chat, you obviously hit Pay twice, which is why two lines show up for "
        "order #B4-70921. The account locks after 5 failed attempts, so you must have typed it wrong. "
        "You should have read the terms.\n\nThanks,\nJo"
    )
    text = body(draft, agent="Jo")
    assert text.startswith("You hit Pay twice, which is why two lines show up for order #B4-70921.")
    assert "The account locks after 5 failed attempts." in text
    assert "must have" not in text and "read the terms" not in text and "in the chat" not in text
    assert "Hi Priya" not in text and "Thanks" not in text and not text.endswith("Jo")
    # A blaming clause that carries the only copy of a fact stays, for the checker to flag.
    kept = body("You should have entered SPRING25 before paying, codes can't be added after checkout.")
    assert "SPRING25" in kept and kept.startswith("You should have entered SPRING25")


def test_a_hope_with_no_fact_goes_and_a_sound_that_says_nothing_goes() -> None:
    text = body(
        "Hmm, the export bug is in version 3.18. Hopefully that keeps the tables whole. "
        "Not sure when it'll move, hopefully soon. Please update and hopefully that sorts it."
    )
    # Said as "that should keep", blind reviewers read the wish as a claim the draft never made.
    assert text == "The export bug is in version 3.18. Not sure when it'll move. Please update."
    # One the next sentence points back at stays: "If not" would point at nothing.
    pointed = body("I've opened a trace, hopefully they find it. If not we could send a replacement.")
    assert pointed == "I've opened a trace, hopefully they find it. If not we could send a replacement."
    # One inside a clause it does not open stays too: cut, it would leave "which," behind.
    inside = body("If you get charged again, which hopefully won't happen, just reply here.")
    assert inside == "If you get charged again, which hopefully won't happen, just reply here."
    # A hope that carries a fact stays, for the checker to flag.
    kept = body("Hopefully it drops off in 3-5 business days.")
    assert kept == "Hopefully it drops off in 3-5 business days."


def test_a_hedge_goes_from_an_instruction_and_a_statement_about_now_never_from_a_forecast() -> None:
    text = body(
        "I think the upload bug was maybe fixed in v2.14.0. Hopefully it drops off in 3-5 business days. "
        "If that fails, you might want to reset at https://example.com/reset. Maybe try signing out first. "
        "I think it will maybe be sorted soon."
    )
    assert "The upload bug was fixed in v2.14.0." in text
    assert "I think it will maybe be sorted soon." in text  # a forecast keeps its doubt
    assert "Hopefully it drops off in 3-5 business days." in text  # a hope with a fact stays
    assert "If that fails, please reset at https://example.com/reset." in text
    assert "Try signing out first." in text


def test_stock_lines_and_second_apologies_go_and_the_first_apology_stays() -> None:
    text = body(
        "So sorry about this! Really sorry. Please check your spam folder for noreply@example.com. "
        "Thank you for your patience."
    )
    assert text == "So sorry about this! Please check your spam folder for noreply@example.com."


def test_only_a_run_of_actions_becomes_numbered_steps_where_it_stood() -> None:
    result = draft_body(
        "The export takes up to 24 hours. Open Settings > Privacy. Click Download my data. "
        "The link comes by email. Reply here if it does not.",
        "en",
        None,
    )
    assert result.blocks == [
        "The export takes up to 24 hours.",
        "1. Open Settings > Privacy.\n2. Click Download my data.",
        "The link comes by email. Reply here if it does not.",
    ]
    assert result.steps == ["Open Settings > Privacy.", "Click Download my data."]
    single = draft_body("Backups are kept 30 days. Restore from Settings > Backups.", "en", None)
    assert (
        single.blocks == ["Backups are kept 30 days. Restore from Settings > Backups."] and not single.steps
    )


def test_the_frame_goes_in_every_form_and_the_draft_s_lines_stay_lines() -> None:
    spanish = body(
        "Hola, Lucía:\n\nel código VERANO15 caducó el 15 de mayo.\n\nUn saludo,\nMarta", "es", "Marta"
    )
    assert spanish == "El código VERANO15 caducó el 15 de mayo."
    reference = body(
        "Hi Gareth,\n\nThese holds clear within 5 to 7 days.\n\nCase: SUP-4688\n\nLena", agent="Lena"
    )
    assert reference == "These holds clear within 5 to 7 days.\n\nCase: SUP-4688"
    listed = body("Do this:\n1. Open the app\n2. Tap Sync")
    assert listed == "Do this:\n\n1. Open the app\n2. Tap Sync"


def test_a_first_line_of_only_the_customer_s_name_is_the_draft_s_greeting() -> None:
    # "Derek," alone on the first line greets; left in, the reply read "Hi Derek, ... Derek,".
    assert body("Derek,\n\nThe charge was the annual renewal.\n\nAna", agent="Ana") == (
        "The charge was the annual renewal."
    )
    assert body("Mrs Okafor:\n\nYour refund is on its way.") == "Your refund is on its way."
    # A first line that says something stays.
    assert body("Good news, Derek,\n\nyour parcel left the depot today.").startswith("Good news")
    assert body("Derek, your parcel left the depot today.") == "Derek, your parcel left the depot today."


def test_a_draft_of_nothing_but_a_frame_is_refused() -> None:
    with pytest.raises(ValueError, match="nothing but a greeting"):
        draft_body("Hi Dana,\n\nThanks,\nJo", "en", "Jo")


def test_the_draft_s_own_sign_off_is_kept_for_a_reply_with_no_name_to_sign_with() -> None:
    unsigned = draft_body("Hi Priya,\n\nThe lock lifts after 30 minutes.\n\nThanks", "en", None)
    assert unsigned.signed == "Thanks" and unsigned.blocks == ["The lock lifts after 30 minutes."]
    team = draft_body("Hi,\n\nRespect the Retry-After header.\n\nSupport team", "en", None)
    assert team.signed == "Support team"
    assert draft_body("Hi,\n\nThe lock lifts after 30 minutes.\n\nThanks,\nSam", "en", "Sam").signed is None
    assert draft_body("Hi,\n\nThe lock lifts after 30 minutes.\n\nBest regards,", "en", None).signed is None
    parts = unsigned.parts(signed=True)
    assert parts.closing == "Thanks" and unsigned.parts().closing == ""


def test_a_further_apology_keeps_what_it_says_besides_sorry() -> None:
    text = body(
        "So sorry about this! Really sorry. Sorry, reset emails are slow today, apologies. "
        "Please check your spam folder for noreply@example.com."
    )
    # The reason stays, said once, and stays prose: "Reset" here is a noun, not an order.
    assert text == (
        "So sorry about this! Reset emails are slow today. "
        "Please check your spam folder for noreply@example.com."
    )


def test_a_bare_apology_goes_when_a_later_one_says_what_for() -> None:
    text = body("I'm so sorry. I'm really sorry that order #A7-55213 missed the birthday. It ships today.")
    assert text == "I'm really sorry that order #A7-55213 missed the birthday. It ships today."
    alone = body("I'm so sorry. The parcel ships today.")
    assert alone == "I'm so sorry. The parcel ships today."  # the only apology stays


def test_on_social_a_request_for_private_data_moves_to_a_direct_message() -> None:
    from rewriter.rewrite.draft_first import by_direct_message

    laid = draft_body("A fix is coming. Reply with your account email and phone model.", "en", None)
    moved = by_direct_message(laid, "en")
    assert moved.blocks == ["A fix is coming. DM us your account email and phone model."]
    assert moved.changes[-1].change == 'asked for "account email" by direct message, not in the public thread'
    plain = draft_body("A fix is coming. Reply here if it happens again.", "en", None)
    assert by_direct_message(plain, "en") is plain  # nothing private asked: nothing moved
