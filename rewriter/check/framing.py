"""Checks of the reply's frame and sentences: one greeting, a complete sign-off, whole sentences.

A reply pieced together (a model's parts, mended with the draft's words) breaks where
the pieces meet: a second "Hi", a sign-off with no name under it, half a wrapped line,
a signature glued into a sentence. Each check here finds one of those and quotes it.
"""

from __future__ import annotations

import re

from rewriter.check.deterministic import CheckContext, finding, hit, hits_verdict, lexicon
from rewriter.models import Evidence, Finding, Verdict
from rewriter.text import paragraphs, sentences, strip_list_marker

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")


def _words(text: str) -> list[str]:
    return [m.group(0) for m in _WORD.finditer(text)]


def complete_signoff(ctx: CheckContext) -> Finding:
    """A sign-off with no name under it ("Best regards,") looks like a template sent by mistake."""
    rule = "channel.complete-signoff"
    lines = paragraphs(ctx.reply)
    if not lines:
        return finding(ctx, rule, Verdict.NOT_APPLICABLE, "empty reply")
    last, start, _ = lines[-1]
    signoff = lexicon(ctx.language, "signoff")
    if last.endswith(",") and len(_words(last)) <= 4 and signoff.search(last):
        evidence = [Evidence(text=last, start=start, end=start + len(last), source="reply")]
        return finding(
            ctx, rule, Verdict.FAIL, f'ends with "{last}" and no name under it', evidence=evidence,
            hint="end with the sign-off and the agent's or team's name, or with no sign-off",
        )  # fmt: skip
    return finding(ctx, rule, Verdict.PASS, "the sign-off is complete or absent")


# What follows a sign-off that makes it one: nothing, a name of up to three words, or
# the next sentence glued on after the comma ("Thanks, If anything...").
_GLUED_SENTENCE = re.compile(
    r"\s*,?\s*(?:[^\W\d_][\w'’.-]*(?:\s[^\W\d_][\w'’.-]*){0,2})?\s*$"
    r"|,\s*(?=(?!I\b)[A-Z][a-z]*\s+[a-z])"
)


def stray_greeting(text: str, language: str) -> re.Match[str] | None:
    """A greeting line ("Hi Amara,") at the start of ``text``, with the space after it."""
    m = lexicon(language, "greeting").match(text)
    if m is None:
        return None
    return re.compile(r"(?:\s+[^\s,!.]+){0,3}\s*[,!]\s*(?=\w|$)").match(text, m.end())


def stray_signoff(text: str, language: str) -> re.Match[str] | None:
    """A sign-off ("Thanks, Jo", "Best regards,") at the start of ``text``, up to what follows it."""
    m = lexicon(language, "signoff").match(text)
    if m is None:
        return None
    return _GLUED_SENTENCE.match(text, m.end())


def _salutations(ctx: CheckContext) -> list[Evidence]:
    """Greetings after the first line and sign-offs before the last two: the draft's, left inside."""
    lines = paragraphs(ctx.reply)
    hits: list[Evidence] = []
    for index, line in enumerate(lines):
        for sentence in sentences(line.text):
            text = strip_list_marker(sentence.text)
            start = line.start + sentence.start + (len(sentence.text) - len(text))
            if (index > 0 and stray_greeting(text, ctx.language)) or (
                index < len(lines) - 2 and stray_signoff(text, ctx.language)
            ):
                hits.append(Evidence(text=text, start=start, end=start + len(text), source="reply"))
    return hits


def one_greeting(ctx: CheckContext) -> Finding:
    """The draft's own "Hi Amara," or "Thanks, Jo" inside the reply reads as a template pasted twice."""
    rule = "channel.one-greeting"
    hits = _salutations(ctx)
    return hits_verdict(
        ctx, rule, hits, ok="one greeting and one sign-off, where they belong",
        problem="a greeting or sign-off inside the reply",
        hint="write no greeting and no sign-off; they are added around your text",
    )  # fmt: skip


# A line ends whole at a sentence mark, a closing bracket or quote, or a fact (a URL, a
# path, a code) the customer copies rather than reads.
_CLOSED = re.compile(r"""[.!?…:;)\]"'»”’*]$""")
_FACT_SHAPED = re.compile(r"[\d/\\@#_.:~`]|[a-z][A-Z]")
# A Markdown code block is copied, not read: its lines are no sentences.
_FENCED = re.compile(r"^[ \t]*```[^\n]*\n[\s\S]*?^[ \t]*```[^\n]*$", re.MULTILINE)
# What a step may name but not consist of: a URL, a path, a menu path, a time, a code.
_FACT_TOKEN = re.compile(r"\S*[\d/\\@#_:~>]\S*|\b[A-Z][\w-]*(?:\s*>\s*[\w -]+)+")
# A sentence this long is several glued together ("..., so ..., and ..., but ..."): each of
# the 12 of 45 words or more in the graded replies (golden and fresh suites) was tagged
# run-on or graded "would not send" by at least one blind reader.
RUN_ON_WORDS = 45
_SOCIAL_MARK = re.compile(r"\s*\^\w+$")
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f]")
_LIST_LINE = re.compile(r"^\s*(?:\d+[.)]|[-*\u2022])\s+")


def _fragments(ctx: CheckContext) -> list[Evidence]:
    """Sentences that start mid-way ("daran, und ...") or stop short ("Reply here with")."""
    lines = paragraphs(ctx.reply)
    # A tab or other control character the draft does not have is a backslash bent by JSON.
    hits = [hit(m) for m in _CONTROL.finditer(ctx.reply) if m.group(0) not in (ctx.draft or "")]
    fenced = [m.span() for m in _FENCED.finditer(ctx.reply)]
    for index, line in enumerate(lines):
        body, offset = line.text, line.start
        if any(start <= offset < end for start, end in fenced):
            continue
        greeting = stray_greeting(body, ctx.language) if index == 0 else None
        greeted = greeting is not None
        if greeting is not None:  # "Hi Dana, no problem!": the greeting's sentence goes on in lower case
            body, offset = body[greeting.end() :], offset + greeting.end()
        listed = _LIST_LINE.match(body)
        if listed:
            body, offset = body[listed.end() :], offset + listed.end()
        body = _SOCIAL_MARK.sub("", body)
        closing = (
            not listed
            and index >= len(lines) - 2
            and (len(body.split()) <= 3 or stray_signoff(body, ctx.language) is not None)
        )
        if not body.strip() or closing:
            continue
        if listed and _no_action(body, ctx.language):  # "2. Google", "1. 02:00 UTC"
            hits.append(Evidence(text=body, start=offset, end=offset + len(body), source="reply"))
            continue
        if not listed and not _words(_FACT_TOKEN.sub(" ", body)) and not body.startswith("http"):
            hits.append(Evidence(text=body, start=offset, end=offset + len(body), source="reply"))  # "$24.99"
            continue
        parts = sentences(body)
        for number, part in enumerate(parts):
            if len(part.text.split()) >= RUN_ON_WORDS:
                hits.append(
                    Evidence(text=part.text, start=offset + part.start, end=offset + part.end, source="reply")
                )
            first = part.text.split()[0]
            if part.text[0].islower() and not _FACT_SHAPED.search(first) and not (greeted and number == 0):
                hits.append(
                    Evidence(text=part.text, start=offset + part.start, end=offset + part.end, source="reply")
                )
        last = parts[-1]
        words = last.text.split()
        if (
            not listed
            and len(words) >= 3
            and not _CLOSED.search(last.text)
            and not _FACT_SHAPED.search(words[-1])
        ):
            hits.append(
                Evidence(text=last.text, start=offset + last.start, end=offset + last.end, source="reply")
            )
    return list({(h.start, h.end): h for h in hits}.values())


def _no_action(step: str, language: str) -> bool:
    """A step that is only a fact, or a fact and one word that is no verb ("Open" is one)."""
    if re.match(r"[^\W\d_][\w ]{0,30}:\s+\S", step):
        return False  # a labelled value ("Tracking number: 1Z999...") is information, not a step
    left = _words(_FACT_TOKEN.sub(" ", step))
    if len(left) != 1:
        return not left
    return lexicon(language, "imperative_verbs").fullmatch(left[0]) is None


def whole_sentences(ctx: CheckContext) -> Finding:
    """A sentence cut short or begun mid-way reads as a paste gone wrong; no lead sends it."""
    rule = "tone.whole-sentences"
    hits = _fragments(ctx)
    return hits_verdict(
        ctx, rule, hits, ok="every sentence is whole", problem="broken sentences",
        hint="write each sentence in full, from its first word to its full stop",
    )  # fmt: skip


FRAMING_CHECKS = {
    "channel.complete-signoff": complete_signoff,
    "channel.one-greeting": one_greeting,
    "tone.whole-sentences": whole_sentences,
}
