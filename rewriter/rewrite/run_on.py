"""A wall-of-text sentence split where a new clause starts, each piece still the draft's words.

Blind readers sent back every reply that kept a sentence of 45 words or more ("one run-on
sentence a confused customer can't follow"), and a numbered step can only be made of a
sentence that asks one thing. Only the joints a language's lexicon lists are cut: a comma
and a joining word followed by something that starts a clause (", and the team is ...",
", so keep the machine plugged in", ", and if the lag persists ..."), or a comma followed
by a word that starts one on its own (", then restart", German ", wählen Sie dort ...").
Nothing is lost: a joint in ``run_on_dropped_joints`` ("and") goes, any other ("so",
"but") opens the next sentence; nothing inside brackets is cut.
"""

from __future__ import annotations

import re

from rewriter.check.deterministic import lexicon
from rewriter.text import words

RUN_ON_WORDS = 40  # a wall-of-text sentence; a long ordinary one stays whole
_SHORTEST_HEAD = 6  # words a piece needs to stand alone
_SHORTEST_TAIL = 4
_NOTHING = "(?!x)x"


def split_run_on(sentence: str, language: str) -> list[str]:
    """The sentence as it is, or in pieces when it is a run-on and its joints are known."""
    if len(words(sentence)) <= RUN_ON_WORDS:
        return [sentence]
    joint = _joint(language)
    if joint is None:
        return [sentence]
    dropped = lexicon(language, "run_on_dropped_joints")
    subordinate = lexicon(language, "subordinators")
    pieces: list[str] = []
    start, carried = 0, ""
    for m in joint.finditer(sentence):
        head = sentence[start : m.start()].strip()
        if sentence[: m.start()].count("(") > sentence[: m.start()].count(")"):
            continue  # "(the link expires in 72 hours, and if it lapses ...)" is one aside
        if len(words(head)) < _SHORTEST_HEAD:
            continue
        word = m.group("joint") or ""
        if not word and subordinate.match(re.split(r"[,;]\s*", head)[-1]):
            continue  # "If it fails, restart it": the comma ends a clause that cannot stand alone
        pieces.append(_sentence(carried + head))
        carried = "" if not word or dropped.fullmatch(word) else word[:1].upper() + word[1:] + " "
        start = m.end()
    rest = sentence[start:].strip()
    if not pieces or len(words(rest)) < _SHORTEST_TAIL:
        return [sentence]
    pieces.append(_sentence(carried + rest))
    return pieces


def _joint(language: str) -> re.Pattern[str] | None:
    """Where a run-on may be cut in this language, or ``None`` when its lexicon lists no joints."""
    joints = lexicon(language, "run_on_joints").pattern
    starts = [
        lexicon(language, name).pattern
        for name in ("clause_subjects", "imperative_verbs", "run_on_openers")
        if lexicon(language, name).pattern != _NOTHING
    ]
    alone = lexicon(language, "run_on_alone").pattern
    if joints == _NOTHING or not starts:
        return None
    after_joint = rf"(?P<joint>{joints})\s+(?=(?:{'|'.join(starts)}))"
    by_itself = "" if alone == _NOTHING else rf"|(?=(?:{alone}))"
    return re.compile(rf",\s+(?:{after_joint}{by_itself})", re.IGNORECASE)


def _sentence(text: str) -> str:
    text = text.rstrip(",;: ")
    text = text[:1].upper() + text[1:]
    return text if text[-1:] in ".!?" else text + "."
