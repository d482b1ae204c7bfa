"""The customer's words for what is at stake: used only when they are the customer's own and name a thing."""

from __future__ import annotations

import pytest

from rewriter.rewrite.stake import Stake, fill, stake

MESSAGE = (
    "Third time this week the editor froze. I have payroll to run by noon and now the chapter I wrote "
    "last night is EMPTY. My account says everything is fine."
)


@pytest.mark.parametrize(
    ("quoted", "said"),
    [
        ("the chapter I wrote last night", "the chapter you wrote last night"),  # second person
        ("The  chapter I wrote\nlast night.", "the chapter you wrote last night"),  # spacing, end mark
        ("payroll", "payroll"),  # one noun names a thing
        ("my payroll", "payroll"),  # a "my" the customer did not write goes
        ("chapter I wrote last night", "the chapter you wrote last night"),  # the message's "the" comes in
        ("editor", "the editor"),
    ],
)
def test_the_customers_own_words_are_said_back_in_second_person(quoted: str, said: str) -> None:
    found = stake(quoted, MESSAGE, "en")
    assert found is not None and found.said == said


@pytest.mark.parametrize(
    "quoted",
    [
        "my thesis",  # not in the message: invented
        "payroll to run by noon",  # no thing named: it does not open with a determiner
        "my account",  # the service itself, not what depends on it
        "Third time this week",  # a stretch of time
        "the chapter I wrote last night is EMPTY and my",  # too long
        "",
        None,
        ["payroll"],
        "yroll",  # part of a word is not the customer's words
        "the chapter I wrote last night is EMPTY",  # a sentence, not a thing
    ],
)
def test_anything_else_is_refused(quoted: object) -> None:
    assert stake(quoted, MESSAGE, "en") is None


def test_the_message_decides_the_lead_and_a_word_between_it_and_the_thing_comes_along() -> None:
    message = (
        "Notely crashed and my whole client folder is GONE. I have a client call at 3. "
        "my kid's medication schedule is in there, it's medication for my dog too. Hi, uploads keep failing."
    )

    def said(quoted: str) -> str | None:
        found = stake(quoted, message, "en")
        return found.said if found else None

    assert said("my client folder") == "your whole client folder"  # "whole" only describes it
    assert said("the client call") == "a client call"  # the customer's "a", not the model's "the"
    assert said("the medication schedule") == "your kid's medication schedule"
    assert said("my medication for my dog") == "medication for your dog"  # theirs by its own "my"
    assert said("the uploads") is None  # a "the" the message does not have names nothing
    cut = stake("our order sync is dead", "We pay you for this and our order sync is dead.", "en")
    assert cut is not None and cut.said == "your order sync"  # theirs, named before the clause


def test_a_link_a_number_or_a_code_is_never_said_back() -> None:
    message = "I need the files at https://example.com/x for the 2 o'clock call and my order A-1234."
    for quoted in ("the files at https://example.com/x", "the 2 o'clock call", "my order A-1234"):
        assert stake(quoted, message, "en") is None, quoted
    found = stake("the files", message, "en")
    assert found is not None and (found.said, found.sentence) == ("the files", message)


def test_other_languages_use_their_own_possessives_and_a_language_without_rules_gets_none() -> None:
    def said(quoted: str, message: str, language: str) -> str | None:
        found = stake(quoted, message, language)
        return found.said if found else None

    assert said("mis contactos", "Me preocupa perder mis contactos.", "es") == "sus contactos"
    assert said("mes notes", "J'ai peur pour mes notes.", "fr") == "vos notes"
    assert stake("mein Bericht", "Mein Bericht ist weg.", "de") is None  # no rules: declension


def test_shouting_is_not_said_back_and_the_sentence_opens_with_a_capital() -> None:
    found = stake("MY NOTES", "Sorry. MY NOTES ARE GONE", "en")
    # and the sentence it is from, and what follows it there
    assert found == Stake(said="your notes", sentence="MY NOTES ARE GONE", after=" ARE GONE")
    assert fill("{stake} depends on it.", "payroll") == "Payroll depends on it."


def test_a_copy_that_is_a_lead_and_punctuation_names_nothing() -> None:
    message = "My payroll is due at five and I can't get in."
    for quoted in ("my,", "the ,", "a.", "  "):
        assert stake(quoted, message, "en") is None
