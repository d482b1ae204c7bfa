"""Deterministic repairs for what the faithfulness guard finds, each recorded as a change.

A small model asked to fix a dropped or invented fact often repeats its mistake. These
repairs work on the reply's parts with the draft's own words: put a reworded fact back
as written, put back the draft sentence that carried a dropped fact, take out a
sentence that carries an invented one. None of them can add anything the draft lacks.
"""

from __future__ import annotations

import re
from functools import partial

from rewriter.check.guard import KEEP_FACTS, NO_INVENTED, reworded_facts
from rewriter.models import Change, CheckReport
from rewriter.rewrite.compose import ReplyParts
from rewriter.text import sentences

BLAME = "tone.no-blame"

_SHORT_LINE = 120


def restore_reworded(parts: ReplyParts, report: CheckReport) -> ReplyParts:
    """Swap the draft's exact words back for facts the model merely reformatted."""
    for reworded, original in reworded_facts(report):
        note = Change(
            change=f'restored "{original}" (was "{reworded}")', reason="facts keep the draft's exact wording"
        )
        parts = _note(parts.replace(reworded, original), note)
    return parts


def reinstate_dropped(parts: ReplyParts, draft: str, report: CheckReport) -> ReplyParts:
    """Append the draft sentence that carried each fact the reply lost."""
    added: list[str] = []
    notes: list[Change] = []
    for finding in report.failures:
        if finding.rule_id != KEEP_FACTS or not finding.evidence:
            continue
        span = finding.evidence[0]
        sentence = _sentence_around(draft, span.start, span.end)
        if sentence and sentence not in added:
            added.append(sentence)
            notes.append(
                Change(
                    change=f'kept the draft\'s words "{sentence}"', reason=f'the rewrite lost "{span.text}"'
                )
            )
    if not added:
        return parts
    answer = " ".join([parts.answer.strip(), *added]).strip()
    return parts.model_copy(update={"answer": answer, "mended": [*parts.mended, *notes]})


def drop_invented(parts: ReplyParts, report: CheckReport) -> ReplyParts:
    """Remove every sentence or step that carries a fact no source supplied."""
    for finding in report.failures:
        if finding.rule_id != NO_INVENTED or not finding.evidence:
            continue
        invented = finding.evidence[0].text
        parts = parts.map_text(partial(_without, fact=invented))
        note = Change(
            change=f'removed "{invented}"', reason="it is not in the draft, the customer's message or policy"
        )
        parts = _note(parts, note)
    return parts


def soften_blame(parts: ReplyParts, report: CheckReport) -> ReplyParts:
    """Drop blaming phrases where removing them leaves a sound sentence.

    A phrase that opens a sentence ("As I said before, the update...") goes with its
    comma, and the sentence is recapitalised; a lone adverb ("obviously") goes with
    its comma. Phrases inside a clause ("you should have") are left to the revision.
    """
    for finding in report.failures:
        if finding.rule_id != BLAME:
            continue
        for phrase in sorted({e.text for e in finding.evidence}):
            before = parts
            parts = parts.map_text(partial(_unblame, phrase=phrase))
            if parts != before:
                note = Change(change=f'removed "{phrase}"', reason="blame puts the customer on the defensive")
                parts = _note(parts, note)
    return parts


def _unblame(text: str, phrase: str) -> str:
    opener = re.compile(rf"(^|(?<=[.!?]\s)|(?<=\n)){re.escape(phrase)}[,:]?\s+(\w)", re.IGNORECASE)
    text = opener.sub(lambda m: m.group(1) + m.group(2).upper(), text)
    if " " not in phrase:  # a lone adverb such as "obviously" can simply go
        text = re.sub(rf",?\s*\b{re.escape(phrase)}\b", "", text, flags=re.IGNORECASE)
    return re.sub(r"[ \t]{2,}", " ", text).strip()


def _note(parts: ReplyParts, change: Change) -> ReplyParts:
    # A new list each time: attempts share nothing, so a rejected mend leaves no trace.
    return parts.model_copy(update={"mended": [*parts.mended, change]})


def _sentence_around(text: str, start: int, end: int) -> str:
    # A short line (a signature's phone line, a step) is kept whole; sentence splitting
    # would cut it at abbreviations such as "ext." or "approx.".
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line = text[line_start : line_end if line_end >= 0 else len(text)]
    if len(line) <= _SHORT_LINE:
        return line.strip()
    around = [s for s in sentences(text) if s.end > start and s.start < end]
    return text[around[0].start : around[-1].end] if around else line.strip()


def _without(text: str, fact: str) -> str:
    return " ".join(s.text for s in sentences(text) if fact not in s.text)
