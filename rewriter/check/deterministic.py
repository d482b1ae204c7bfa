"""Deterministic checks: one small function per rule, each pointing at the words.

A verdict a person cannot verify is worse than none, so every check returns the exact
span (offsets into the reply and the quoted words) that decided it, and a fix hint.
Phrase lists are data (``prompts/lexicons/<lang>.yaml``) so other languages add a file,
not code. The checks are pure functions of a :class:`CheckContext`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from rewriter.check.rules import Phrase
from rewriter.errors import InputError
from rewriter.models import Channel, Evidence, Finding, Severity, Verdict
from rewriter.prompts import list_prompts, load_yaml, prompts_dir
from rewriter.text import NUMBERED_LINE, Span, numbered_lines, paragraphs, sentences, strip_list_marker


@dataclass(frozen=True)
class CheckContext:
    """What a check may look at."""

    reply: str
    channel: Channel = Channel.EMAIL
    customer_name: str | None = None
    draft: str | None = None
    language: str = "en"
    severity: dict[str, Severity] = field(default_factory=dict)
    banned: tuple[Phrase, ...] = ()
    required: tuple[Phrase, ...] = ()
    customer_message: str | None = None
    policy: tuple[str, ...] = ()
    language_sure: bool = True
    # The language was read from the draft, not given: a draft written in two languages
    # may then be answered in both (see rewriter.check.language).
    language_from_draft: bool = False


Check = Callable[[CheckContext], Finding]


class NoLexiconError(InputError):
    """No phrase lists exist for a language: a check that needs them cannot decide."""


def lexicon_languages() -> list[str]:
    """The languages with phrase lists (``prompts/lexicons/<code>.yaml``)."""
    return sorted(
        n.removeprefix("lexicons/").removesuffix(".yaml") for n in list_prompts() if n.startswith("lexicons/")
    )


@lru_cache(maxsize=8)
def _lexicon(root: str, language: str) -> dict[str, re.Pattern[str]]:
    known = lexicon_languages()
    if language not in known:
        raise NoLexiconError(f"no phrase lists for language {language!r}; use one of: {', '.join(known)}")
    raw: Any = load_yaml(f"lexicons/{language}.yaml")
    for name, phrases in raw.items():
        odd = [p for p in phrases or [] if not isinstance(p, str)]
        if odd:  # YAML reads a bare no, yes, on or off as a boolean
            where = f"lexicons/{language}.yaml: list {name!r}"
            raise InputError(f"{where} holds {odd[0]!r}, not a phrase; quote it")
    # Longest phrases first, so "as i said before" is quoted whole, not as "as i said".
    return {
        name: re.compile(r"(?!x)x")  # an empty list matches nothing
        if not phrases
        else re.compile(
            r"(?<![\w'])(?:"
            + "|".join(re.escape(p) for p in sorted(phrases, key=len, reverse=True))
            + r")(?![\w'])",
            re.IGNORECASE,
        )
        for name, phrases in raw.items()
    }


def lexicon(language: str, name: str) -> re.Pattern[str]:
    """The compiled phrase list ``name`` for a language."""
    return _lexicon(str(prompts_dir()), language)[name]


def quoted_hits(hits: list[Evidence], limit: int = 60) -> str:
    """The hits as a message quotes them: each in quotes, a long one cut."""
    return ", ".join(f'"{h.text[:limit]}{"..." if len(h.text) > limit else ""}"' for h in hits)


def hits_verdict(
    ctx: CheckContext, rule: str, hits: list[Evidence], *, ok: str, problem: str, hint: str
) -> Finding:
    """Pass with ``ok`` when nothing was found; otherwise fail, quoting every hit as evidence."""
    if not hits:
        return finding(ctx, rule, Verdict.PASS, ok)
    return finding(ctx, rule, Verdict.FAIL, f"{problem}: {quoted_hits(hits)}", evidence=hits, hint=hint)


def hit(match: re.Match[str], offset: int = 0) -> Evidence:
    """Evidence for a match in the reply, or in a part of it that starts at ``offset``."""
    return Evidence(
        text=match.group(0), start=offset + match.start(), end=offset + match.end(), source="reply"
    )


def _spans(pattern: re.Pattern[str], text: str) -> list[Evidence]:
    return [hit(m) for m in pattern.finditer(text)]


def finding(ctx: CheckContext, rule_id: str, verdict: Verdict, message: str, **kw: Any) -> Finding:
    """A finding at the severity the rule set gives the rule (a team may have raised it)."""
    severity = ctx.severity.get(rule_id, Severity.SHOULD)
    return Finding(rule_id=rule_id, verdict=verdict, severity=severity, message=message, **kw)


def _phrases_absent(
    ctx: CheckContext, rule_id: str, phrases: str, ok: str, problem: str, hint: str
) -> Finding:
    """Pass when no phrase of the list occurs; otherwise quote every occurrence."""
    hits = _spans(lexicon(ctx.language, phrases), ctx.reply)
    if not hits:
        return finding(ctx, rule_id, Verdict.PASS, ok)
    quoted = ", ".join(f'"{h.text}"' for h in hits)
    return finding(ctx, rule_id, Verdict.FAIL, f"{problem}: {quoted}", evidence=hits, hint=hint)


def no_blame(ctx: CheckContext) -> Finding:
    """Blame and passive-aggressive phrases put the customer on the defensive."""
    return _phrases_absent(
        ctx, "tone.no-blame", "blame", "no blaming or passive-aggressive phrasing",
        "blaming or passive-aggressive phrasing", "drop the phrase and state the fix neutrally",
    )  # fmt: skip


def confident_language(ctx: CheckContext) -> Finding:
    """Hedges make the next step sound optional."""
    return _phrases_absent(
        ctx, "assertive.confident-language", "hedge", "no hedging", "hedging",
        "say what to do and what will happen, without hedges",
    )  # fmt: skip


def no_hollow_apology(ctx: CheckContext) -> Finding:
    """One sincere apology helps; several read as filler."""
    hits = _spans(lexicon(ctx.language, "apology"), ctx.reply)
    if len(hits) <= 1:
        return finding(ctx, "empathy.no-hollow-apology", Verdict.PASS, f"{len(hits)} apology")
    return finding(
        ctx, "empathy.no-hollow-apology", Verdict.FAIL, f"{len(hits)} apologies in one reply",
        evidence=hits, hint="keep one apology, tied to what went wrong",
    )  # fmt: skip


def no_toxic_positivity(ctx: CheckContext) -> Finding:
    """Forced cheer about a loss reads as not listening."""
    return _phrases_absent(
        ctx, "tone.no-toxic-positivity", "toxic_positivity", "no forced cheer", "forced cheer",
        "match the warmth to the situation",
    )  # fmt: skip


def use_name(ctx: CheckContext) -> Finding:
    """The customer's name, when known, makes the reply personal."""
    if not ctx.customer_name:
        return finding(ctx, "empathy.use-name", Verdict.NOT_APPLICABLE, "customer's name not given")
    match = re.search(rf"(?<!\w){re.escape(ctx.customer_name)}(?!\w)", ctx.reply)
    if match:
        ev = [hit(match)]
        return finding(ctx, "empathy.use-name", Verdict.PASS, "addresses the customer by name", evidence=ev)
    return finding(
        ctx, "empathy.use-name", Verdict.FAIL, f"does not use the customer's name ({ctx.customer_name})",
        hint=f"greet {ctx.customer_name} by name",
    )  # fmt: skip


def next_step(ctx: CheckContext) -> Finding:
    """A reply that only sympathises leaves the customer where they started."""
    numbered = NUMBERED_LINE.search(ctx.reply)
    cue = lexicon(ctx.language, "next_step_cues").search(ctx.reply)
    found = numbered or cue
    if found:
        start = found.start() + len(found.group(0)) - len(found.group(0).lstrip())  # "  1. " is "1."
        text = found.group(0).strip()
        ev = [Evidence(text=text, start=start, end=start + len(text), source="reply")]
        return finding(ctx, "assertive.next-step", Verdict.PASS, "gives a next step", evidence=ev)
    return finding(
        ctx, "assertive.next-step", Verdict.FAIL, "no next step: nothing to do and nothing promised",
        hint="add what the customer should do next, or what you will do and when",
    )  # fmt: skip


def social_privacy(ctx: CheckContext) -> Finding:
    """Private data must never be requested in a public thread."""
    if ctx.channel is not Channel.SOCIAL:
        return finding(ctx, "channel.social-privacy", Verdict.NOT_APPLICABLE, "not a public channel")
    hits: list[Evidence] = []
    private_channel = lexicon(ctx.language, "private_channel")
    for sentence in sentences(ctx.reply):
        if private_channel.search(sentence.text):
            continue  # "DM us your card number" moves it out of public: fine
        hits.extend(
            hit(m, sentence.start) for m in lexicon(ctx.language, "private_data").finditer(sentence.text)
        )
    if not hits:
        return finding(ctx, "channel.social-privacy", Verdict.PASS, "asks for no private data in public")
    quoted = ", ".join(f'"{h.text}"' for h in hits)
    return finding(
        ctx, "channel.social-privacy", Verdict.FAIL, f"asks for private data in a public reply: {quoted}",
        evidence=hits, hint="ask the customer to send it by direct message instead",
    )  # fmt: skip


def span_evidence(span: Span, offset: int = 0) -> Evidence:
    """Evidence for a sentence or line of the reply, or of a part of it that starts at ``offset``."""
    return Evidence(text=span.text, start=offset + span.start, end=offset + span.end, source="reply")


def numbered_steps(ctx: CheckContext) -> Finding:
    """Two or more actions are easier to follow as numbered steps."""
    rule = "assertive.numbered-steps"
    if numbered_lines(ctx.reply) >= 2:
        return finding(ctx, rule, Verdict.PASS, "actions are numbered steps")
    verbs = lexicon(ctx.language, "imperative_verbs")
    connector = lexicon(ctx.language, "connectors")
    actions = []
    for sentence in sentences(ctx.reply):
        head = strip_list_marker(sentence.text)
        if joined := connector.match(head):
            head = head[joined.end() :].lstrip(" ,")
        if verbs.match(head):
            actions.append(sentence)
    if len(actions) < 2:
        return finding(ctx, rule, Verdict.NOT_APPLICABLE, f"{len(actions)} action(s)")
    return finding(
        ctx, rule, Verdict.FAIL, f"{len(actions)} actions written as running text",
        evidence=[span_evidence(a) for a in actions], hint="put one action per numbered line, in order",
    )  # fmt: skip


def follow_up(ctx: CheckContext) -> Finding:
    """Ending with a way back keeps the customer from feeling dropped."""
    rule = "assertive.follow-up"
    cue = lexicon(ctx.language, "follow_up")
    for sentence in sentences(ctx.reply)[-3:]:
        if cue.search(sentence.text):
            return finding(ctx, rule, Verdict.PASS, "invites a reply or commits to follow up",
                            evidence=[span_evidence(sentence)])  # fmt: skip
    hint = "close with one line that invites a reply or says when you will check back"
    return finding(ctx, rule, Verdict.FAIL, "ends without a reply invitation or follow-up", hint=hint)


_WALL_WORDS = 90


def concise(ctx: CheckContext) -> Finding:
    """A long unbroken paragraph buries the action."""
    rule = "tone.concise"
    walls = [p for p in paragraphs(ctx.reply) if len(p.text.split()) > _WALL_WORDS]
    if not walls:
        return finding(ctx, rule, Verdict.PASS, f"no paragraph over {_WALL_WORDS} words")
    return finding(
        ctx, rule, Verdict.FAIL, f"{len(walls)} paragraph(s) over {_WALL_WORDS} words",
        evidence=[span_evidence(p) for p in walls], hint="split into short paragraphs and numbered steps",
    )  # fmt: skip


def email_form(ctx: CheckContext) -> Finding:
    """Email readers expect a greeting and a sign-off."""
    rule = "channel.email-form"
    lines = [line for line in ctx.reply.strip().splitlines() if line.strip()]
    if not lines:
        return finding(ctx, rule, Verdict.FAIL, "empty reply")
    greeting = lexicon(ctx.language, "greeting").match(lines[0].strip())
    signoff = any(lexicon(ctx.language, "signoff").search(line) for line in lines[-3:])
    missing = [part for part, ok in (("greeting", greeting), ("sign-off", signoff)) if not ok]
    if not missing:
        return finding(ctx, rule, Verdict.PASS, "has a greeting and a sign-off")
    return finding(ctx, rule, Verdict.FAIL, f"email without a {' or a '.join(missing)}",
                    hint="open with a greeting and close with a sign-off")  # fmt: skip


def _brevity(ctx: CheckContext, rule: str, limit: int, unit: str) -> Finding:
    size = len(ctx.reply.split()) if unit == "words" else len(ctx.reply)
    if size <= limit:
        return finding(ctx, rule, Verdict.PASS, f"{size} {unit} (limit {limit})")
    return finding(ctx, rule, Verdict.FAIL, f"{size} {unit}, over the {limit} that suit the channel",
                    hint="cut to the acknowledgement, the action and one closing line")  # fmt: skip


def chat_brevity(ctx: CheckContext) -> Finding:
    """Chat messages are read in a small window, between other tasks."""
    return _brevity(ctx, "channel.chat-brevity", 90, "words")


def social_brevity(ctx: CheckContext) -> Finding:
    """A public reply should fit a post."""
    return _brevity(ctx, "channel.social-brevity", 280, "characters")


def positive_framing(ctx: CheckContext) -> Finding:
    """Leading with "we can't" and stopping there reads as a closed door."""
    rule = "empathy.positive-framing"
    spans = sentences(ctx.reply)
    negative = lexicon(ctx.language, "negative_opening")
    alternative = lexicon(ctx.language, "alternative")
    for i, sentence in enumerate(spans):
        opening = negative.search(sentence.text)
        if opening:
            window = " ".join(s.text for s in spans[i : i + 3])
            if alternative.search(window):
                return finding(ctx, rule, Verdict.PASS, "a limit is followed by what can be done")
            hint = "follow the limit with the option that remains"
            evidence = [hit(opening, sentence.start)]
            message = f'"{opening.group(0)}" with no alternative after it'
            return finding(ctx, rule, Verdict.FAIL, message, evidence=evidence, hint=hint)
    return finding(ctx, rule, Verdict.PASS, "no refusal without an alternative")


def banned_phrases(ctx: CheckContext) -> list[Finding]:
    """A team's banned phrases, one finding per phrase that occurs."""
    findings = []
    for item in ctx.banned:
        if ctx.channel not in item.channels:
            continue
        pattern = re.compile(rf"(?<!\w){re.escape(item.phrase)}(?!\w)", re.IGNORECASE)
        hits = _spans(pattern, ctx.reply)
        if hits:
            findings.append(
                Finding(
                    rule_id="tone.banned-phrase",
                    verdict=Verdict.FAIL,
                    severity=item.severity,
                    message=f'uses the banned phrase "{item.phrase}"',
                    evidence=hits,
                    hint=item.hint or "your team's guidance bans this phrase",
                )  # fmt: skip
            )
    return findings


def required_phrases(ctx: CheckContext) -> list[Finding]:
    """A team's required phrases, one finding per phrase that is missing."""
    findings = []
    for item in ctx.required:
        if ctx.channel in item.channels and item.phrase.lower() not in ctx.reply.lower():
            findings.append(
                Finding(
                    rule_id="tone.required-phrase",
                    verdict=Verdict.FAIL,
                    severity=item.severity,
                    message=f'lacks the required phrase "{item.phrase}"',
                    hint=item.hint or "your team's guidance requires this phrase",
                )  # fmt: skip
            )
    return findings


def acknowledgement(ctx: CheckContext) -> Finding:
    """Whether the reply acknowledges the customer's feelings at all.

    Phrasing cues only (calibrated against EPITOME: precise, but it misses about half
    of warm replies), so a failure here is advice: the verdict is capped at ``should``
    and whether an acknowledgement is *specific* is left to the judge.
    """
    rule = "empathy.specific-acknowledgement"
    hits = _spans(lexicon(ctx.language, "acknowledgement"), ctx.reply)
    if hits:
        return finding(ctx, rule, Verdict.PASS, "acknowledges the customer's feelings", evidence=hits[:3])
    return Finding(
        rule_id=rule, verdict=Verdict.FAIL, severity=Severity.SHOULD,
        message="no acknowledgement of the customer's feelings or situation found",
        hint="open with a sentence about what happened to this customer and how it affects them",
    )  # fmt: skip


CHECKS: dict[str, Check] = {
    "empathy.specific-acknowledgement": acknowledgement,
    "tone.no-blame": no_blame,
    "assertive.confident-language": confident_language,
    "empathy.no-hollow-apology": no_hollow_apology,
    "tone.no-toxic-positivity": no_toxic_positivity,
    "empathy.use-name": use_name,
    "assertive.next-step": next_step,
    "channel.social-privacy": social_privacy,
    "assertive.numbered-steps": numbered_steps,
    "assertive.follow-up": follow_up,
    "tone.concise": concise,
    "channel.email-form": email_form,
    "channel.chat-brevity": chat_brevity,
    "channel.social-brevity": social_brevity,
    "empathy.positive-framing": positive_framing,
}
