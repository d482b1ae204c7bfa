"""The draft's kept sentences as paragraphs of prose and numbered runs of actions."""

from __future__ import annotations

from rewriter.rewrite.layout import PARAGRAPH_WORDS, lay_out


def test_long_prose_goes_on_in_a_new_paragraph_with_every_sentence_kept() -> None:
    said = [f"Sentence {n} of this long answer says one more thing about the order." for n in range(12)]
    blocks = lay_out([(s, False) for s in said], [])
    assert len(blocks) > 1
    assert all(len(block.split()) <= PARAGRAPH_WORDS for block in blocks)
    assert " ".join(blocks) == " ".join(said)


def test_only_a_run_of_two_or_more_actions_is_numbered_where_it_stood() -> None:
    steps: list[str] = []
    blocks = lay_out(
        [("It broke.", False), ("Open Settings.", True), ("Tap Sync.", True), ("Done.", False)], steps
    )
    assert blocks == ["It broke.", "1. Open Settings.\n2. Tap Sync.", "Done."]
    assert steps == ["Open Settings.", "Tap Sync."]
    assert lay_out([("It broke.", False), ("Open Settings.", True)], []) == ["It broke. Open Settings."]
