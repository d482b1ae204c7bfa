"""How the draft's kept sentences are laid out: prose in paragraphs, runs of actions as numbered steps."""

from __future__ import annotations

from rewriter.text import words

PARAGRAPH_WORDS = 70  # a longer run of prose starts a new paragraph (a wall is 90, the checker's)


def lay_out(kept: list[tuple[str, bool]], steps: list[str]) -> list[str]:
    """One paragraph's sentences as prose, with each run of two or more actions numbered in place.

    Prose that would run past ``PARAGRAPH_WORDS`` goes on in a new paragraph: blind readers
    sent back a split-up wall of text that still stood as one block ("the cancellation
    buried").
    """
    blocks: list[str] = []
    prose: list[str] = []
    run: list[str] = []

    def say(sentence: str) -> None:
        if prose and len(words(" ".join([*prose, sentence]))) > PARAGRAPH_WORDS:
            blocks.append(" ".join(prose))
            prose.clear()
        prose.append(sentence)

    def flush_run() -> None:
        if len(run) >= 2:
            if prose:
                blocks.append(" ".join(prose))
                prose.clear()
            blocks.append("\n".join(f"{i}. {step}" for i, step in enumerate(run, 1)))
            steps.extend(run)
        else:
            for sentence in run:
                say(sentence)
        run.clear()

    for sentence, is_action in kept:
        if is_action:
            run.append(sentence)
            continue
        flush_run()
        say(sentence)
    flush_run()
    if prose:
        blocks.append(" ".join(prose))
    return blocks
