"""The draft-first reply: the draft's own sentences, cleaned and laid out, around an acknowledgement.

Read blind, a reviewer would send the agent's draft about as often as a 1.5B model's
rewrite of it, and the rewrite's faults were its own: sentences garbled in the retelling,
facts and statuses moved, the agent's actions turned into the customer's steps. The
draft is a list of sentences that are each already true. So this reply is built from
them: every sentence is the draft's, with the edits that cannot change what it says
made deterministically (a blaming or hedging phrase taken out, a stock line or a second
apology dropped), and only a run of two or more sentences that ask the customer to do
something becomes numbered steps, where it stood. What the draft lacks and the model is
good at, a sentence that shows this customer was heard, is asked of the model on its own
(:mod:`rewriter.rewrite.acknowledge`) and checked before it is used.
"""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field

from rewriter.check.deterministic import lexicon
from rewriter.check.facts import extract_facts
from rewriter.check.framing import stray_greeting
from rewriter.check.meaning import draft_actions
from rewriter.check.quality import stock_sentences
from rewriter.models import Change
from rewriter.rewrite.apologies import bare_apology_to_drop, without_apology, without_stock_clause
from rewriter.rewrite.changes import event, quoted
from rewriter.rewrite.compose import ReplyParts
from rewriter.rewrite.layout import lay_out
from rewriter.rewrite.reword import Rewording, reword, rewordings, without_empty_hope
from rewriter.rewrite.run_on import split_run_on
from rewriter.text import NUMBER_MARKER, paragraphs, sentences, tidy, unwrap

_LIST_ITEM = re.compile(rf"^\s*(?:{NUMBER_MARKER}|[-*\u2022])\s")


class DraftBody(BaseModel):
    """The draft's body, cleaned and laid out, and what was done to it."""

    model_config = ConfigDict(extra="forbid")

    blocks: list[str] = Field(description="Paragraphs and numbered step lists, in the draft's order.")
    steps: list[str] = Field(default_factory=list, description="The sentences made numbered steps.")
    changes: list[Change] = Field(default_factory=list)
    signed: str | None = Field(
        default=None,
        description="How the draft signs off when it names no agent ('Thanks', 'Support team'), verbatim.",
    )

    def parts(self, acknowledgement: str = "", *, signed: bool = False) -> ReplyParts:
        """The reply's parts: the acknowledgement, then the body as the answer (and the draft's sign-off)."""
        closing = self.signed if signed and self.signed else ""
        return ReplyParts(acknowledgement=acknowledgement, answer="\n\n".join(self.blocks), closing=closing)


class _Found(BaseModel):
    """What cleaning took out of the draft, for the change list."""

    blame: list[str] = Field(default_factory=list)
    hedge: list[str] = Field(default_factory=list)
    stock: list[str] = Field(default_factory=list)
    apology: list[str] = Field(default_factory=list)
    run_ons: int = 0
    apologised: bool = False
    bare_apology: str | None = None  # "I'm so sorry." when a later apology says what for

    def changes(self) -> list[Change]:
        """The change list's lines for what was found, worded in ``prompts/changes.yaml``."""
        out = [
            event(name, quoted=quoted(found))
            for name, found in (("blame_removed", self.blame), ("hedge_removed", self.hedge),
                                ("stock_dropped", self.stock), ("apology_dropped", self.apology))
            if found
        ]  # fmt: skip
        return out + ([event("run_on_split", n=self.run_ons)] if self.run_ons else [])


def draft_body(draft: str, language: str, agent: str | None, customer: str | None = None) -> DraftBody:
    """Clean the draft's sentences and lay them out; every kept sentence stays the draft's own.

    Raises:
        ValueError: Nothing of the draft is left once greeting and sign-off are taken out.
    """
    body, signed = _unframed(draft, language, agent)
    if body and customer:  # the layout greets by name: "Hi Tomás! Not forever, Tomás, ..." says it twice
        body[0] = _without_vocative(body[0], customer)
    found = _Found()
    stock = {s.text for s in stock_sentences("\n".join(body), language)}
    found.bare_apology = bare_apology_to_drop([s.text for line in body for s in sentences(line)], language)
    blocks: list[str] = []
    steps: list[str] = []
    for line in body:
        if _LIST_ITEM.match(line):  # the draft's own list stays a list, its items together
            if blocks and _LIST_ITEM.match(blocks[-1].splitlines()[-1]):
                blocks[-1] += "\n" + line
            else:
                blocks.append(line)
            continue
        kept: list[tuple[str, bool]] = []  # (sentence, asks the customer to act)
        said = [s.text for s in sentences(line)]
        for j, sentence in enumerate(said):
            # "..., hopefully they find it. If not, ...": the next sentence needs this one whole.
            pointed_at = j + 1 < len(said) and bool(lexicon(language, "back_reference").match(said[j + 1]))
            cleaned = _cleaned(sentence, language, stock, found, keep_hopes=pointed_at)
            pieces = split_run_on(cleaned, language) if cleaned else []
            found.run_ons += len(pieces) > 1
            kept += [(piece, _asks(piece, language)) for piece in pieces]
        blocks += lay_out(kept, steps)
    if not blocks:
        raise ValueError("the draft has nothing but a greeting and a sign-off")
    return DraftBody(blocks=blocks, steps=steps, changes=found.changes(), signed=signed)


def _cleaned(
    sentence: str, language: str, stock: set[str], found: _Found, *, keep_hopes: bool = False
) -> str:
    """One sentence of the draft with what cannot change its meaning taken out; "" drops it."""
    facts = bool(extract_facts(sentence))
    if sentence in stock and not facts:
        found.stock.append(sentence)
        return ""
    sentence, stock_clauses = without_stock_clause(sentence, language)
    found.stock += stock_clauses
    if lexicon(language, "apology").search(sentence):
        if sentence == found.bare_apology:
            found.apology.append(sentence)
            return ""
        if found.apologised:
            rest = without_apology(sentence, language)  # "Sorry, emails are slow today." keeps its reason
            if not facts or (rest and all(f.text in rest for f in extract_facts(sentence))):
                found.apology.append(sentence)
                return rest
        found.apologised = True
    cleaned, blamed = reword(sentence, language, "blame")
    cleaned = _without_opener(cleaned, blamed, language)
    cleaned, clause = _without_blaming_clause(cleaned, language)
    cleaned, hedged = _firmer(cleaned, language, keep_hopes=keep_hopes)
    found.blame += blamed + clause
    found.hedge += hedged
    cleaned = tidy(cleaned) if cleaned != sentence else cleaned
    return cleaned if _words(cleaned) else ""


def by_direct_message(body: DraftBody, language: str) -> DraftBody:
    """A public reply's request for private data, moved to a direct message.

    "Reply with your account email" -> "DM us your account email": readers sent such
    social replies back, and ``channel.social-privacy`` fails them.
    """
    private = lexicon(language, "private_data")
    moved: list[str] = []

    def moved_to_dm(block: str) -> str:
        out = block
        for span in reversed(sentences(block)):
            found = private.search(span.text)
            if not found:
                continue
            for rewording in rewordings(language, "private_reply"):
                changed = rewording.apply(span.text)
                if changed != span.text:
                    out = out[: span.start] + changed + out[span.end :]
                    moved.append(found.group(0))
                    break
        return out

    blocks = [moved_to_dm(block) for block in body.blocks]
    if not moved:
        return body
    change = event("private_by_dm", quoted=quoted(moved))
    return body.model_copy(update={"blocks": blocks, "changes": [*body.changes, change]})


def _asks(sentence: str, language: str) -> bool:
    """Whether the sentence asks the customer to do something (and may be a numbered step)."""
    return bool(draft_actions(sentence, language)) and not _stated(sentence, language)


def _stated(sentence: str, language: str) -> bool:
    """A sentence whose first word only looks like an order: "Reset emails are slow today." states."""
    head = " ".join(_words(sentence)[:4])
    return bool(re.match(rf"(?i)\w+(?:\s+\w+){{0,2}}\s+(?:{lexicon(language, 'copulas').pattern})", head))


# A first line of only a name and a comma or colon ("Derek,", "Mrs Okafor:"): a greeting.
_BARE_SALUTATION = re.compile(r"[A-ZÀ-Þ][\w'’.-]*(?:\s+[A-ZÀ-Þ][\w'’.-]*){0,2}\s*[,:]")


def _unframed(draft: str, language: str, agent: str | None) -> tuple[list[str], str | None]:
    """The draft's paragraphs without its greeting and sign-off, which the layout adds, and that sign-off.

    Paragraphs are the draft's own, one per line with soft-wrapped lines joined, so a
    reference on a line of its own ("Case: SUP-4688") stays on its own line. With no
    agent's name to sign with, the layout signs off with nothing, and blind readers
    marked such emails for an edit ("there is no sign-off"): the draft's own sign-off
    ("Thanks", "Support team") is returned for the reply to keep.
    """
    lines = [p.text for p in paragraphs(unwrap(draft.strip()))]
    if lines and lexicon(language, "greeting").match(lines[0]) and len(_words(lines[0])) <= 4:
        lines.pop(0)  # "Hola, Lucía:" on a line of its own
    elif len(lines) > 1 and _BARE_SALUTATION.fullmatch(lines[0].strip()):
        lines.pop(0)  # "Derek," alone: the name is the greeting, and the layout greets
    elif lines and (greeting := stray_greeting(lines[0], language)) is not None:
        lines[0] = lines[0][greeting.end() :].strip()
    if lines:  # "Hallo Lukas,\n\nvielen Dank ...": the body starts a sentence
        lines[0] = lines[0][:1].upper() + lines[0][1:]
    lines = [line for line in lines if line]
    signoff = lexicon(language, "signoff")
    signed: list[str] = []
    for i in range(max(0, len(lines) - 3), len(lines)):
        if len(_words(lines[i])) <= 4 and (
            signoff.match(lines[i]) or (agent and lines[i].strip(" ,.") == agent)
        ):
            signed = lines[i:]
            del lines[i:]
            break
    if lines:
        lines[-1] = _unsigned(lines[-1], language, agent)
    if len(lines) > 1 and _is_signature(lines[-1]):  # "Support team" on the last line
        signed = [lines.pop(), *signed]
    closing = "\n".join(line.strip() for line in signed if line.strip())
    whole = bool(closing) and not closing.endswith(",")  # "Best regards," and no name is no sign-off
    return [line for line in lines if _words(line)], closing if whole and not agent else None


def _without_vocative(paragraph: str, name: str) -> str:
    """The paragraph with the customer's name taken out where it only addresses them ("Nice, Leo, that's")."""
    named = re.escape(name)
    text = re.sub(rf"^{named}\s*[,!]\s+", "", paragraph)
    text = re.sub(rf",\s*{named}(?=\s*[,.!?])", "", text)
    return text[:1].upper() + text[1:] if text != paragraph else paragraph


def _is_signature(line: str) -> bool:
    """A last line of a few words with no sentence in it and no fact: a name or a team, signing."""
    text = line.strip()
    if _LIST_ITEM.match(text):
        return False
    return 0 < len(_words(text)) <= 3 and text[-1:] not in ".!?:" and not extract_facts(text)


def _unsigned(line: str, language: str, agent: str | None) -> str:
    """The last paragraph without a sign-off glued to its end ("... all this. Regards, Tom", "... ^JR")."""
    text = line.rstrip()
    if agent and text.endswith(agent) and (len(text) == len(agent) or not text[-len(agent) - 1].isalnum()):
        line = text[: -len(agent)].rstrip(" ,-–—")
    last = sentences(line)[-1] if sentences(line) else None
    if last is not None and lexicon(language, "signoff").match(last.text) and len(_words(last.text)) <= 4:
        line = line[: last.start].rstrip()
    return line


def _without_opener(cleaned: str, blamed: list[str], language: str) -> str:
    """An opener like "As I said in the chat," is one reproach: its adjunct goes with the phrase."""
    saying = lexicon(language, "reported_speech")
    if not any(saying.search(phrase) for phrase in blamed):
        return cleaned
    head, comma, rest = cleaned.partition(",")
    if comma and len(_words(head)) <= 4 and not extract_facts(head) and _words(rest):
        rest = rest.strip()
        return rest[:1].upper() + rest[1:]
    return cleaned


def _firmer(sentence: str, language: str, *, keep_hopes: bool = False) -> tuple[str, list[str]]:
    """Hedges taken out where that cannot promise anything ("maybe try signing out" -> "try signing out").

    A rewording that replaces ("you could try" -> "try") always speaks of an action; one
    that only drops words is kept where the sentence is then an instruction, or where an
    opinion hedge leaves a clause about now ("I think one of them is a hold" -> "One of
    them is a hold"). A hedge on what will happen ("hopefully it drops off in 3 days",
    "it will maybe be sorted soon") stays: taking it out would promise what the draft
    does not know; so does one in a question ("maybe it's in the recovery folder?") or
    in a sentence where the agent says they are not sure. A hope that carries no
    fact goes ("Hopefully that keeps the tables whole."), and so does "Hmm,".
    """
    sentence, found = (sentence, []) if keep_hopes else without_empty_hope(sentence, language)
    sentence, filler = reword(sentence, language, "filler")  # "Hmm," says nothing
    found += filler
    opinion = lexicon(language, "opinion_hedges")
    for rewording in rewordings(language, "hedge"):
        changed = rewording.apply(sentence)
        if changed == sentence:
            continue
        if rewording.replacement or draft_actions(tidy(changed), language):
            found.append(rewording.phrase.rstrip(","))
            sentence = changed
        elif opinion.fullmatch(rewording.phrase.rstrip(",")) and not _unsure(sentence, language):
            sentence = _per_clause(sentence, rewording, language, found)
    return sentence, found


_VERB_AFTER_THAT = "might|may|could|is|was|will|would|should|must|can|has|had|seems|looks|'s"


def _unsure(sentence: str, language: str) -> bool:
    """A question, or a sentence that says the agent does not know: its hedges are meant."""
    return sentence.rstrip().endswith("?") or lexicon(language, "uncertainty").search(sentence) is not None


def _per_clause(sentence: str, rewording: Rewording, language: str, found: list[str]) -> str:
    """An opinion hedge taken out of each clause about now, left in each clause about later.

    "I think the bug was maybe fixed in v2.14.0, so hopefully that sorts it" loses its
    doubt about the fix, which the draft knows, and keeps its hope about the outcome.
    """
    forecast = lexicon(language, "future_markers")
    joints = lexicon(language, "run_on_joints").pattern
    words = "" if "(?!x)x" in joints else rf"|\s+(?:{joints})\s+"
    pieces = re.split(rf"(,\s+|;\s+{words})", sentence, flags=re.IGNORECASE)
    phrase = rewording.phrase.rstrip(",")
    subject = phrase.endswith(" that") and re.search(
        rf"(?i){re.escape(phrase)}\s+(?:{_VERB_AFTER_THAT})\b", sentence
    )
    for i in range(0, len(pieces), 2):
        changed = rewording.apply(pieces[i])
        if changed == pieces[i] or forecast.search(changed) or subject:
            continue  # "I think that might be the bug": "that" is the subject, not a conjunction
        first, was = changed.split(" ", 1)[0], pieces[i].split(" ", 1)[0]
        if i and first != was and first[:1].isupper() and first[1:].islower():
            changed = changed[:1].lower() + changed[1:]  # mid-sentence, the next word keeps its case
        pieces[i] = changed
        found.append(rewording.phrase.rstrip(","))
    return "".join(pieces)


_CLAUSE = re.compile(r"(,\s+|;\s+|\s+[-–—]\s+)")


def _without_blaming_clause(sentence: str, language: str) -> tuple[str, list[str]]:
    """Take out the clause a blaming phrase stands in ("..., so you must have typed it wrong").

    Only when every fact of the sentence survives in the rest; a sentence that is only
    blame ("You should have read the terms.") goes whole. A blaming sentence that
    carries a fact is left as it is, for the checker to flag.
    """
    blame = lexicon(language, "blame")
    found = blame.search(sentence)
    if found is None:
        return sentence, []
    facts = [f.text for f in extract_facts(sentence)]
    clauses = _CLAUSE.split(sentence)[::2]
    keep = [c for c in clauses if not blame.search(c)]
    rest = ", ".join(c.strip().rstrip(".!?") for c in keep)
    if keep and lexicon(language, "subordinators").match(rest):
        return sentence, []  # "because reopening it ..." cannot stand alone: the checker flags the blame
    if keep and all(f in rest for f in facts) and len(_words(rest)) >= 3:
        end = sentence.rstrip()[-1:] if sentence.rstrip()[-1:] in ".!?" else "."
        return rest + end, [found.group(0)]
    if not facts:
        return "", [found.group(0)]
    return sentence, []


def _words(text: str) -> list[str]:
    return re.findall(r"[^\W_]+", text)
