"""Deterministic repairs for what the faithfulness guard finds, each recorded as a change.

A small model asked to fix a dropped or invented fact often repeats its mistake. These
repairs work on the reply's parts with the draft's own words: put a reworded fact back
as written, put back the draft sentence that carried a dropped fact, take out a
sentence that carries an invented one, a stock line or a repeat, reword a hedge. None
of them can add a fact the draft lacks; the only words they add are data (a firmer
word for a hedge, the channel's follow-up line).
"""

from __future__ import annotations

import re
from functools import partial

from rewriter.check.deterministic import lexicon
from rewriter.check.facts import extract_facts, fact_like_tokens
from rewriter.check.framing import stray_greeting, stray_signoff
from rewriter.check.guard import KEEP_FACTS, NO_INVENTED, POSSIBLY_LOST, reworded_facts
from rewriter.check.quality import says_the_same, sentence_key, shared_runs, stock_sentences
from rewriter.models import Change, CheckReport, Verdict
from rewriter.rewrite.compose import ReplyParts
from rewriter.rewrite.reword import BLAME, HEDGE, reword
from rewriter.text import sentences, strip_list_marker, unwrap

FOLLOW_UP = "assertive.follow-up"
NEXT_STEP = "assertive.next-step"  # the follow-up line is one: "reply here if ..."
# Rules whose flagged sentence can go as a whole: what it carried was copied (the
# customer's message, our instructions), is a blank, talks about the customer or offers
# what the draft does not; never a fact of the draft's that the guard would not then miss.
DROPPABLE = {
    "tone.no-echo": "it copied the customer's message back",
    "tone.no-instruction-leak": "it copied the rewriting instructions",
    "tone.no-placeholder": "it left a blank for the agent to fill",
    "tone.second-person": "it spoke about the customer instead of to them",
    "faithfulness.no-new-promises": "it offered what the draft and policy do not",
    # Tried after the listed rewordings: what is left needs the sentence rebuilt ("you
    # must have typed it wrong", "I'm honestly not sure"), which only a model can do.
    "tone.no-blame": "it blamed the customer",
    "assertive.confident-language": "it hedged what the customer should do",
    "tone.whole-sentences": "it was not a whole sentence",
}
_REWORDED = {
    HEDGE: "a hedge makes the next step sound optional",
    BLAME: "blame puts the customer on the defensive",
}

STOCK_LINE = "a stock line says nothing to this customer"
_SHORT_LINE = 120


def restore_reworded(parts: ReplyParts, report: CheckReport) -> ReplyParts:
    """Swap the draft's exact words back for facts the model merely reformatted."""
    for reworded, original in reworded_facts(report):
        note = Change(
            change=f'restored "{original}" (was "{reworded}")', reason="facts keep the draft's exact wording"
        )
        parts = _note(parts.replace(reworded, original), note)
    return parts


_BACKSLASHED = re.compile(r"\S*\\\S*")


def restore_escaped(parts: ReplyParts, draft: str) -> ReplyParts:
    r"""Put back the draft's backslashed tokens that the JSON round trip bent.

    ``C:\temp\new`` written into a JSON string unescaped comes back with a tab and a
    newline in it; some models drop or double the backslash. Any text that matches
    such a token with each backslash and its letter bent in one of those ways is
    replaced by the token as the draft writes it, byte for byte.
    """
    for token in dict.fromkeys(m.group(0).rstrip(".,;:!?)") for m in _BACKSLASHED.finditer(draft)):
        pieces = re.split(r"\\(.)", token, flags=re.DOTALL)
        pattern = re.escape(pieces[0]) + "".join(
            _bent(char) + re.escape(rest) for char, rest in zip(pieces[1::2], pieces[2::2], strict=True)
        )
        before = parts
        parts = parts.map_text(partial(_put_back, bent=re.compile(pattern), token=token))
        if parts != before:
            note = Change(change=f'restored "{token}"', reason="its backslashes were lost in transit")
            parts = _note(parts, note)
    return parts


def _bent(char: str) -> str:
    """What a backslash and ``char`` may have become: doubled, a control character, a slash, dropped."""
    c = re.escape(char)
    return rf"(?:\\{{1,2}}{c}|[\x00-\x1f]|/{c}|{c})"


def _put_back(text: str, bent: re.Pattern[str], token: str) -> str:
    return bent.sub(lambda _: token, text)


def reinstate_dropped(parts: ReplyParts, draft: str, report: CheckReport) -> ReplyParts:
    """Append the draft sentence that carried each fact (or fact-like token) the reply lost."""
    added: list[str] = []
    notes: list[Change] = []
    for finding in report.failures:
        if finding.rule_id not in (KEEP_FACTS, POSSIBLY_LOST) or not finding.evidence:
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


def firm_up(parts: ReplyParts, language: str) -> ReplyParts:
    """Reword the hedges and blaming phrases listed for the language (``prompts/rewordings/``)."""
    for kind in (HEDGE, BLAME):
        found: list[str] = []
        reworded = parts.map_text(partial(_reword, language=language, kind=kind, found=found))
        if found:
            quoted = ", ".join(f'"{p}"' for p in dict.fromkeys(found))
            parts = _note(reworded, Change(change=f"reworded {quoted}", reason=_REWORDED[kind]))
    return parts


def _reword(text: str, language: str, kind: str, found: list[str]) -> str:
    edited, phrases = reword(text, language, kind)
    found.extend(phrases)
    return edited


def add_follow_up(parts: ReplyParts, report: CheckReport, line: str) -> ReplyParts:
    """Close with the channel's follow-up line when the reply ends with no way back.

    The model's closing is often a stock line ("If you have any questions...") that
    mending drops; the customer still needs to know how to come back, and a reply
    that was all explanation still needs its one next step.
    """
    missing = any(f.rule_id in (FOLLOW_UP, NEXT_STEP) and f.verdict is Verdict.FAIL for f in report.findings)
    if not missing or not line:
        return parts
    closing = " ".join(t for t in (parts.closing.strip(), line) if t)
    change = Change(change=f'closed with "{line}"', reason="the reply ended with no way back to us")
    return _note(parts.model_copy(update={"closing": closing}), change)


def drop_repeats(parts: ReplyParts, only: str | None = None) -> ReplyParts:
    """Say each thing once: a step stays, prose that repeats it (or an earlier sentence) goes.

    With ``only``, just that repeat goes (see :func:`repeats`): when dropping them all
    would take a fact or an action along, the others can still go one by one.
    """
    mended, removed = _without_repeats(parts, only)
    if not removed:
        return parts
    change = Change(change=f"removed {len(removed)} repeated sentence(s)", reason="each thing is said once")
    return _note(mended, change)


def repeats(parts: ReplyParts) -> list[str]:
    """The steps and sentences :func:`drop_repeats` removes, each of which it can remove alone."""
    return list(dict.fromkeys(_without_repeats(parts, None)[1]))


def _without_repeats(parts: ReplyParts, only: str | None) -> tuple[ReplyParts, list[str]]:
    seen: list[list[str]] = []
    steps = []
    removed: list[str] = []
    for step in parts.steps:
        # A step may hold several sentences, and the checker reads the reply sentence by
        # sentence: each sentence of a step counts on its own.
        keys = [sentence_key(s.text) for s in sentences(step)] or [sentence_key(step)]
        if all(any(says_the_same(key, other) for other in seen) for key in keys) and only in (None, step):
            removed.append(step)
            continue
        seen.extend(keys)
        steps.append(step)

    def prose(text: str) -> str:
        kept = []
        for sentence in sentences(text):
            key = sentence_key(sentence.text)
            if any(says_the_same(key, other) for other in seen) and only in (None, sentence.text):
                removed.append(sentence.text)
                continue
            seen.append(key)
            kept.append(sentence.text)
        return " ".join(kept)

    mended = parts.model_copy(
        update={"steps": steps, "acknowledgement": prose(parts.acknowledgement),
                "answer": prose(parts.answer), "closing": prose(parts.closing)}
    )  # fmt: skip
    return mended, removed


def drop_stock_lines(parts: ReplyParts, language: str) -> ReplyParts:
    """Take out sentences that are only a stock line ("I hope this helps.")."""
    removed: list[str] = []

    def edit(text: str) -> str:
        stock = {s.text for s in stock_sentences(text, language)}
        removed.extend(stock)
        return " ".join(s.text for s in sentences(text) if s.text not in stock)

    mended = parts.model_copy(
        update={"acknowledgement": edit(parts.acknowledgement), "answer": edit(parts.answer),
                "closing": edit(parts.closing)}
    )  # fmt: skip
    if not removed:
        return parts
    quoted = ", ".join(f'"{r}"' for r in removed)
    return _note(mended, Change(change=f"removed {quoted}", reason=STOCK_LINE))


def stock_holders(parts: ReplyParts, language: str) -> list[str]:
    """Sentences that hold a stock phrase and no fact, each of which may go on its own.

    A stock line with words of its own ("If you need further assistance with restoring
    your folder, feel free to contact us") is still a stock line; one that carries a
    fact ("Thanks for your patience while we refund the $40") is not dropped here.
    """
    stock = lexicon(language, "stock_lines")
    texts = [parts.acknowledgement, parts.answer, *parts.steps, parts.closing]
    return list(
        dict.fromkeys(
            s.text
            for text in texts
            for s in sentences(text)
            if stock.search(s.text) and not extract_facts(s.text) and not fact_like_tokens(s.text)
        )
    )


def drop_salutations(parts: ReplyParts, language: str, agent: str | None) -> ReplyParts:
    """Take the draft's greeting and sign-off out of the parts: the layout adds its own.

    Small models copy "Hi Amara," into a step and "Thanks, Jo" into the closing; the
    reply then greets twice and signs in the middle.
    """
    removed: list[str] = []
    edit = partial(_unsalute, language=language, agent=agent, removed=removed)
    mended = parts.map_text(edit)
    if not removed:
        return parts
    quoted = ", ".join(f'"{r}"' for r in dict.fromkeys(removed))
    return _note(mended, Change(change=f"removed {quoted}", reason="the reply is greeted and signed once"))


def _unsalute(text: str, language: str, agent: str | None, removed: list[str]) -> str:
    if agent:  # "... all of this. Dani" or "Viele Grüße Jana Falls ...": a sign-off inside a part
        signoff = lexicon(language, "signoff").pattern
        signed = re.compile(rf"(?:(?i:{signoff})\s*,?\s+)?(?<!\w){re.escape(agent)}(?=\s+[A-Z]|\s*$)")
        for m in reversed(list(signed.finditer(text))):
            # A social "^RB" is a signature wherever it stands; the layout adds its own.
            mark = agent.startswith("^")
            if mark or m.start() == 0 or text[: m.start()].rstrip()[-1:] in ".!?," or m.group(0) != agent:
                removed.append(m.group(0).strip())
                text = (text[: m.start()].rstrip() + " " + text[m.end() :].lstrip()).strip()
    kept = []
    for sentence in sentences(text):
        body = sentence.text
        for find in (stray_greeting, stray_signoff):
            found = find(body, language)
            if found is None:
                continue
            cut = body[: found.end()] if body[found.end() :].strip() else body
            removed.append(cut.strip())
            body = body[len(cut) :].lstrip(" ,")
        if body.strip():
            kept.append(body[:1].upper() + body[1:])
    return " ".join(kept)


def flagged_copies(report: CheckReport) -> list[tuple[str, str]]:
    """Each text a droppable rule flagged (see :data:`DROPPABLE`), with the reason it can go."""
    return [
        (evidence.text, DROPPABLE[finding.rule_id])
        for finding in report.failures
        if finding.rule_id in DROPPABLE
        for evidence in finding.evidence
    ]


REPETITION = "tone.no-repetition"
REPEATED = "it said again what another sentence says"


def repeated(report: CheckReport) -> list[str]:
    """Both sentences of each pair the repetition check flagged: either one may go."""
    flagged = [e.text for f in report.failures if f.rule_id == REPETITION for e in f.evidence]
    return list(dict.fromkeys(strip_list_marker(text) for text in flagged))


def drop_sentence(parts: ReplyParts, sentence: str, reason: str) -> ReplyParts:
    """Remove the step or sentence that is exactly ``sentence``, and nothing that merely resembles it."""

    def without(text: str) -> str:
        return " ".join(s.text for s in sentences(text) if strip_list_marker(s.text) != sentence)

    dropped = parts.map_text(without)
    if dropped == parts:
        return parts
    return _note(dropped, Change(change=f'removed "{sentence}"', reason=reason))


def drop_copy(parts: ReplyParts, copied: str, reason: str) -> ReplyParts:
    """Remove each sentence or step that holds ``copied`` (or five words in a row of it)."""
    dropped = parts.map_text(partial(_without_copy, copied=copied))
    if dropped == parts:
        return parts
    return _note(dropped, Change(change=f'removed "{copied}"', reason=reason))


def _note(parts: ReplyParts, change: Change) -> ReplyParts:
    # A new list each time: attempts share nothing, so a rejected mend leaves no trace.
    return parts.model_copy(update={"mended": [*parts.mended, change]})


def _sentence_around(text: str, start: int, end: int) -> str:
    # A short line (a signature's phone line, a step) is kept whole; sentence splitting
    # would cut it at abbreviations such as "ext." or "approx.". A paragraph wrapped at a
    # fixed width is read as one line first, so no sentence is cut where a line ends.
    text = unwrap(text)
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line = text[line_start : line_end if line_end >= 0 else len(text)]
    if len(line) <= _SHORT_LINE:
        return line.strip()
    around = [s for s in sentences(text) if s.end > start and s.start < end]
    return text[around[0].start : around[-1].end] if around else line.strip()


def _without_copy(text: str, copied: str) -> str:
    """The text without the sentences that hold ``copied``, lie inside it or share five words with it.

    "What's going on?" is too short to share five words in a row with a copied message,
    but it is the message's last sentence all the same.
    """
    return " ".join(
        s.text
        for s in sentences(text)
        if copied not in s.text
        and (len(s.text.split()) < 2 or s.text.rstrip(".!?") not in copied)
        and not shared_runs(s.text, copied, 5)
    )


def _without(text: str, fact: str) -> str:
    return " ".join(s.text for s in sentences(text) if fact not in s.text)
