from pathlib import Path

import pytest
import yaml

from rewriter.check import check_reply
from rewriter.models import Change, Channel
from rewriter.rewrite.compose import (
    ReplyParts,
    assemble,
    channel_style,
    format_steps,
    greeting_name,
    reply_schema,
    signature_name,
)

ROOT = Path(__file__).resolve().parents[2]

PARTS = ReplyParts(
    acknowledgement="Losing your files right before a presentation is awful.",
    answer="Nothing was deleted.",
    steps=["1. Open Settings > Backups.", "Pick last night's backup."],
    closing="Reply here if anything is missing.",
    mended=[Change(change="restored", reason="exact wording")],
)


def test_email_layout_has_greeting_numbered_steps_and_signoff() -> None:
    reply = assemble(PARTS, Channel.EMAIL, "Dana", "Lee")
    assert reply == (
        "Hi Dana,\n\nLosing your files right before a presentation is awful.\n\nNothing was deleted.\n\n"
        "1. Open Settings > Backups.\n2. Pick last night's backup.\n\nReply here if anything is missing.\n\n"
        "Best regards,\nLee"
    )


def test_empty_parts_leave_no_gaps_and_anonymous_greeting() -> None:
    parts = PARTS.model_copy(update={"answer": "", "steps": ["Open Settings > Backups."]})
    reply = assemble(parts, Channel.CHAT, None, None)
    assert reply.startswith("Hi there,\n\nLosing")
    assert "\n\n\n" not in reply
    assert "1." not in reply  # a single action reads as a sentence


def test_social_is_compact_with_initials() -> None:
    reply = assemble(PARTS, Channel.SOCIAL, "Sam", "KL")
    assert reply.endswith("^KL") and "Best regards" not in reply


def test_format_steps_renumbers_model_numbering() -> None:
    assert format_steps(["1) Open it", "- Close it", "", "Wait"]) == "1. Open it\n2. Close it\n3. Wait"


def test_each_step_starts_a_line_with_a_capital_unless_it_names_something() -> None:
    assert format_steps(["we'll send a link", "iPhone: restart it", "~/.config stays"]) == (
        "1. We'll send a link\n2. iPhone: restart it\n3. ~/.config stays"
    )


def test_a_lone_step_ends_like_a_sentence_but_a_url_is_left_bare() -> None:
    assert format_steps(["Restart the app"]) == "Restart the app."
    assert format_steps(["Go to https://x.example.com/a"]) == "Go to https://x.example.com/a"


def test_replace_touches_every_text_part() -> None:
    swapped = PARTS.replace("Settings > Backups", "Settings > Restore")
    assert "Settings > Restore" in swapped.steps[0]
    assert swapped.mended == PARTS.mended


def test_schema_is_strict_enough_for_hosted_json_schema() -> None:
    schema = reply_schema()
    assert schema["additionalProperties"] is False
    assert (
        set(schema["required"])
        == set(schema["properties"])
        == {"acknowledgement", "answer", "steps", "closing"}
    )


def test_missing_parts_are_empty_but_an_empty_answer_is_refused() -> None:
    assert ReplyParts.model_validate({"answer": "Nothing was deleted."}).steps == []
    try:
        ReplyParts.model_validate({"closing": "Bye"})
    except ValueError as exc:
        assert "has no text" in str(exc)
    else:
        raise AssertionError("an answer with no text was accepted")


def test_map_text_edits_every_part_and_drops_a_step_it_empties() -> None:
    edited = PARTS.map_text(lambda text: "" if "backup" in text else text.upper())
    assert edited.acknowledgement == PARTS.acknowledgement.upper()
    assert edited.answer == "NOTHING WAS DELETED." and edited.closing == "REPLY HERE IF ANYTHING IS MISSING."
    assert edited.steps == ["1. OPEN SETTINGS > BACKUPS."]  # "Pick last night's backup." emptied, gone
    assert edited.mended == PARTS.mended and PARTS.steps[1] == "Pick last night's backup."


def test_the_schema_the_model_reads_takes_every_description_from_the_prompts() -> None:
    texts = yaml.safe_load((ROOT / "prompts" / "schemas.yaml").read_text(encoding="utf-8"))["reply"]
    schema = reply_schema()
    assert schema["description"] == texts["ReplyParts"]["description"]
    assert {k: v["description"] for k, v in schema["properties"].items()} == texts["ReplyParts"]["properties"]
    assert ReplyParts.__doc__ and schema["description"] not in ReplyParts.__doc__


def test_the_reply_signs_with_the_drafts_name_or_not_at_all() -> None:
    assert signature_name("Hello Ingrid,\n\nNo refund is due.\n\nRegards,\nSam", "en") == "Sam"
    assert signature_name("Saludos,\nLucía Pérez", "es") == "Lucía Pérez"
    assert signature_name("Reply here if it fails, and thanks,\nwe will check.", "en") is None
    assert signature_name("Thanks,\n+1 415 555 0100", "en") is None
    anonymous = assemble(PARTS, Channel.EMAIL, "Dana", None)
    assert anonymous.endswith("Reply here if anything is missing.")  # no "Best regards," with no name


def test_a_name_the_greeting_already_says_is_not_said_twice() -> None:
    parts = PARTS.model_copy(update={"acknowledgement": "Dana, losing your files is awful."})
    assert assemble(parts, Channel.CHAT, "Dana", None).startswith("Hi Dana,\n\nLosing your files is awful.")


def test_the_schema_carries_nothing_the_model_does_not_write() -> None:
    assert "$defs" not in reply_schema() and "mended" not in reply_schema()["properties"]


def test_greeting_and_signoff_are_in_the_replys_language() -> None:
    reply = assemble(PARTS, Channel.EMAIL, "Lucía", "Marta", "es")
    assert reply.startswith("Hola Lucía,\n\n") and reply.endswith("Un saludo,\nMarta")
    assert assemble(PARTS, Channel.CHAT, None, None, "fr").startswith("Bonjour,\n\n")
    # A language with no words in the data keeps the English ones rather than none.
    assert assemble(PARTS, Channel.EMAIL, "Aino", "Lee", "fi").startswith("Hi Aino,")


def test_every_follow_up_line_invites_a_reply_in_its_own_language() -> None:
    for channel in Channel:
        for language in ("en", "es", "de", "fr"):
            line = channel_style(channel, language).follow_up
            report = check_reply(line, channel=channel, language=language)
            verdicts = {f.rule_id: f.verdict.value for f in report.findings}
            assert verdicts.get("assertive.follow-up", "pass") == "pass", (channel, language, line)
            # Mending adds it to a reply left with no next step, so it must be one.
            assert verdicts["assertive.next-step"] == "pass", (channel, language, line)
            assert verdicts["faithfulness.same-language"] != "fail", (channel, language, line)
            assert verdicts["tone.no-stock-lines"] == "pass", (channel, language, line)


@pytest.mark.parametrize(
    ("draft", "name"),
    [
        ("Hi Priya,\nThe lock lifts in 30 minutes.", "Priya"),
        ("Dear Ms Okafor,\nThanks for waiting.", "Ms Okafor"),
        ("Hello,\nThe lock lifts in 30 minutes.", None),
        ("Hi there, the lock lifts in 30 minutes.", None),  # a sentence, not a greeting line
        ("The lock lifts in 30 minutes.\nBest,\nSam", None),
    ],
)
def test_the_greeted_name_is_read_from_the_drafts_first_line(draft: str, name: str | None) -> None:
    assert greeting_name(draft, "en") == name


def test_a_social_signoff_marker_is_not_doubled() -> None:
    assert assemble(PARTS, Channel.SOCIAL, "Sam", "^KL").endswith("^KL")
    assert assemble(PARTS, Channel.SOCIAL, "Sam", "KL").endswith("^KL")
