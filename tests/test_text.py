import pytest

from rewriter.text import (
    NoJSONError,
    extract_json_object,
    numbered_lines,
    paragraphs,
    sentences,
    strip_list_marker,
    unwrap,
)

TEXT = "Hi Dana,\n\nVersion 2.5 is out. Visit example.com today!  Is it fixed?\n1. Open Settings > Backups.\n"


def test_sentences_end_at_punctuation_and_line_breaks_not_inside_tokens() -> None:
    found = sentences(TEXT)
    assert [s.text for s in found] == [
        "Hi Dana,",
        "Version 2.5 is out.",
        "Visit example.com today!",
        "Is it fixed?",
        "1. Open Settings > Backups.",
    ]
    assert all(TEXT[s.start : s.end] == s.text for s in found)


def test_paragraphs_are_the_non_blank_lines_with_offsets() -> None:
    found = paragraphs("  first line  \n\n second\n")
    assert [(p.text, p.start, p.end) for p in found] == [("first line", 2, 12), ("second", 17, 23)]


def test_numbered_lines_and_list_markers() -> None:
    assert numbered_lines("1. Open it\n2) Close it\n3.5 GB is used\n- a bullet") == 2
    assert [strip_list_marker(s) for s in ("1. Open", "  2) Close", "- Tap", "• Pick", "3.5 GB free")] == [
        "Open",
        "Close",
        "Tap",
        "Pick",
        "3.5 GB free",
    ]


def test_json_is_found_inside_fences_and_chatter_with_raw_newlines() -> None:
    answer = 'Sure! Here it is:\n```json\n{"answer": "line one\nline two", "steps": []}\n```'
    assert extract_json_object(answer) == {"answer": "line one\nline two", "steps": []}


@pytest.mark.parametrize(
    ("text", "missing", "message"),
    [
        ("I cannot help with that.", True, "no JSON object found"),
        ('{"answer": "cut off', True, "no JSON object found"),
        ('{"answer": }', False, "invalid JSON: Expecting value"),
        ('{"answer": ' + "[" * 5000 + "}", False, "invalid JSON: nested too deeply"),
        ('{"answer": "\\q", "steps": ' + "[" * 5000 + "}", False, "invalid JSON: Invalid \\\\escape"),
    ],
)
def test_unusable_answers_say_why(text: str, missing: bool, message: str) -> None:
    with pytest.raises(NoJSONError, match=message) as info:
        extract_json_object(text)
    assert info.value.missing is missing


def test_a_raw_windows_path_in_a_json_string_keeps_its_backslashes() -> None:
    answer = '{"answer": "Delete %APPDATA%\\App\\cache, then C:\\Users\\Public and \\\\srv\\share."}'
    assert extract_json_object(answer) == {
        "answer": "Delete %APPDATA%\\App\\cache, then C:\\Users\\Public and \\srv\\share."
    }


def test_unwrap_joins_soft_wrapped_lines_and_keeps_offsets() -> None:
    text = (
        "Seit 8:40 Uhr MEZ gibt es eine Störung beim Laden, und\ndie Behebung dauert.\nGrüße\nJonas\n1. Go\n"
    )
    flat = unwrap(text)
    assert len(flat) == len(text)
    assert "Laden, und die Behebung dauert.\nGrüße\nJonas\n1. Go" in flat


def test_an_ordinal_date_ends_no_sentence_and_a_bare_step_number_is_no_sentence() -> None:
    text = "Wählen Sie den Zeitraum ab dem 3. November aus. Danach kommt eine Mail.\n1. Open Settings\n"
    assert [s.text for s in sentences(text)] == [
        "Wählen Sie den Zeitraum ab dem 3. November aus.",
        "Danach kommt eine Mail.",
        "1. Open Settings",
    ]
