"""Checks for replies a support lead would not send, though every fact survived.

Small models copy: the customer's message back as the "acknowledgement", our prompt's
example into the reply, the answer twice (as prose and again as steps). They also
talk about the customer by name and leave "[customer service number]" blanks. Each
check here finds one of those, deterministically, and points at the words; phrase
lists are data (``prompts/lexicons/<lang>.yaml``).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

from rewriter.check.deterministic import (
    CheckContext,
    finding,
    hit,
    hits_verdict,
    lexicon,
    quoted_hits,
    span_evidence,
)
from rewriter.models import Evidence, Finding, Verdict
from rewriter.prompts import prompts_dir, read_prompt_file
from rewriter.text import Span, sentences, strip_list_marker

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
# A copied run this long is an echo whatever it says; a shorter one is when it speaks
# as the customer ("I", "my"). Measured on the golden suite's replies: copied runs were
# 8 to 34 words, while runs a rewrite shares by chance stayed under 6.
ECHO_WORDS = 8
ECHO_FIRST_PERSON_WORDS = 5
ECHO_SENTENCE_WORDS = 3
# Six words in a row shared with our instructions, and found in none of the texts the
# reply is written from, is copying, not coincidence.
LEAK_WORDS = 6
_INSTRUCTIONS = ("rewrite.system.md", "rewrite.user.md", "revise.user.md", "repair.user.md")
_PLACEHOLDER = re.compile(
    r"\[(?!\s*\d+\s*\])[^\]\n]{2,40}\](?!\()"  # [customer service number], not a [1] or a Markdown link
    r"|<(?!https?:|/?(?:b|i|p|br|a)\b)[A-Za-z][\w .-]{1,30}>"  # <link>, <order number>
    r"|\{\{?\s*\w[\w .-]{0,30}\}\}?"  # {name}, {{ticket}}
    r"|(?<![\w*])(?:XXX+|xxx+|TBD|TODO|\?\?\?+)(?![\w*])"
)


def _words(text: str, offset: int = 0) -> list[tuple[str, int, int]]:
    return [(m.group(0).lower(), offset + m.start(), offset + m.end()) for m in _WORD.finditer(text)]


def shared_runs(reply: str, source: str, minimum: int) -> list[tuple[int, int, int]]:
    """Maximal runs of at least ``minimum`` words the reply shares with ``source``, as (start, end, length).

    Word n-grams of the source are indexed, then each reply position is extended as far
    as it matches: linear in practice, and a run is reported once, at its longest.
    """
    have = _words(reply)
    src = [w for w, _, _ in _words(source)]
    if len(have) < minimum or len(src) < minimum:
        return []
    starts: dict[tuple[str, ...], list[int]] = {}
    for j in range(len(src) - minimum + 1):
        starts.setdefault(tuple(src[j : j + minimum]), []).append(j)
    runs: list[tuple[int, int, int]] = []
    i = 0
    while i <= len(have) - minimum:
        key = tuple(w for w, _, _ in have[i : i + minimum])
        best = 0
        for j in starts.get(key, []):
            n = minimum
            while i + n < len(have) and j + n < len(src) and have[i + n][0] == src[j + n]:
                n += 1
            best = max(best, n)
        if best:
            runs.append((have[i][1], have[i + best - 1][2], best))
            i += best
        else:
            i += 1
    return runs


def _in_any(text: str, sources: Iterable[str]) -> bool:
    flat = " ".join(w for w, _, _ in _words(text))
    return any(flat in " ".join(w for w, _, _ in _words(s)) for s in sources if s)


def no_echo(ctx: CheckContext) -> Finding:
    """A copied message reads as not listening, and in the first person as the customer speaking."""
    rule = "tone.no-echo"
    if not ctx.customer_message:
        return finding(ctx, rule, Verdict.NOT_APPLICABLE, "no customer message given")
    first_person = lexicon(ctx.language, "first_person")
    hits = []
    for start, end, n in shared_runs(ctx.reply, ctx.customer_message, ECHO_FIRST_PERSON_WORDS):
        text = ctx.reply[start:end]
        if n < ECHO_WORDS and not first_person.search(text):
            continue
        if ctx.draft and _in_any(text, [ctx.draft]):
            continue  # the draft quotes the customer: the rewrite may too
        hits.append(Evidence(text=text, start=start, end=end, source="reply"))
    # A short sentence of theirs copied whole is an echo too: in their voice ("I'm
    # scared."), or any of three words or more ("This is completely unacceptable.",
    # "What's going on?"), which read back to them as mockery.
    said = " ".join(w for w, _, _ in _words(ctx.customer_message)).lower()
    for sentence in sentences(ctx.reply):
        words = sentence_key(sentence.text)
        short = len(words) < ECHO_WORDS and (
            len(words) >= ECHO_SENTENCE_WORDS
            or (len(words) >= 2 and first_person.search(sentence.text) is not None)
        )
        if (
            short
            and f" {' '.join(words).lower()} " in f" {said} "
            and not any(h.start <= sentence.start < h.end for h in hits)
            and not (ctx.draft and _in_any(sentence.text, [ctx.draft]))
        ):
            hits.append(span_evidence(sentence))
    hits.extend(h for h in _customer_voice(ctx) if not any(o.start <= h.start < o.end for o in hits))
    return hits_verdict(
        ctx, rule, hits, ok="restates the customer's message in its own words",
        problem="copies the customer's message back",
        hint='say in your own words, to the customer ("you"), what happened; do not copy their message',
    )  # fmt: skip


# A clause this long, in the first person and not addressed to "you", most of whose words
# are the customer's, is the customer speaking ("The boots fell apart after 6 weeks, and
# I want a refund"), however the words were rearranged.
VOICE_WORDS = 4
VOICE_SHARE = 0.75
_CLAUSE = re.compile(r"[^,;:.!?]+")


def _customer_voice(ctx: CheckContext) -> list[Evidence]:
    assert ctx.customer_message is not None
    first_person = lexicon(ctx.language, "first_person")
    theirs = {w.lower() for w, _, _ in _words(ctx.customer_message)}
    ours = {w.lower() for w, _, _ in _words(ctx.draft or "")}
    hits = []
    for m in _CLAUSE.finditer(ctx.reply):
        words = [w.lower() for w, _, _ in _words(m.group(0))]
        if len(words) < VOICE_WORDS or not first_person.search(m.group(0)):
            continue
        if lexicon(ctx.language, "addressee").search(m.group(0)) or _in_any(m.group(0), [ctx.draft or ""]):
            continue
        said = [w for w in words if w in theirs and w not in ours]
        if len([w for w in words if w in theirs]) >= VOICE_SHARE * len(words) and said:
            start = m.start() + len(m.group(0)) - len(m.group(0).lstrip())
            text = m.group(0).strip()
            hits.append(Evidence(text=text, start=start, end=start + len(text), source="reply"))
    return hits


def second_person(ctx: CheckContext) -> Finding:
    """The customer reads the reply: "Ravi bought the course" talks past them."""
    rule = "tone.second-person"
    hits = [hit(m) for m in lexicon(ctx.language, "third_person").finditer(ctx.reply)]
    if ctx.draft:
        hits = [h for h in hits if h.text.lower() not in ctx.draft.lower()]
    if ctx.customer_name:
        greeting = lexicon(ctx.language, "greeting")
        # Not inside a path, address or handle ("C:\\Users\\Doreen\\AppData"): that is a fact.
        named = rf"(?<![\w\\/@.]){re.escape(ctx.customer_name)}(?:['’]s)?(?![\w\\/@])"
        for m in re.finditer(named, ctx.reply):
            line_before = ctx.reply[: m.start()].rsplit("\n", 1)[-1]
            possessive = m.group(0) != ctx.customer_name
            # Only the name the greeting word stands right before: "Hi Jonas! Jonas asked" is not.
            greeted = greeting.fullmatch(line_before.strip().rstrip(",")) is not None
            # Direct address is fine: "Hi Ravi," "Ravi, here is..." "Thanks, Ravi."
            vocative = ctx.reply[m.end() : m.end() + 1] in {",", "!", ".", "?", ":", "\n", ""}
            if not possessive and (greeted or vocative):
                continue
            hits.append(hit(m))
    return hits_verdict(
        ctx, rule, hits, ok="speaks to the customer, not about them",
        problem="refers to the customer in the third person",
        hint='write to the customer as "you"; use the name only in the greeting',
    )  # fmt: skip


def sentence_key(text: str) -> list[str]:
    """A sentence or step as its lower-cased words, for comparing what two of them say."""
    return [w for w, _, _ in _words(strip_list_marker(text))]


def says_the_same(a: list[str], b: list[str]) -> bool:
    """Whether two sentences say the same thing: one holds nearly all the words of the other."""
    if min(len(a), len(b)) < 4:
        return False
    short, long = (set(a), set(b)) if len(set(a)) <= len(set(b)) else (set(b), set(a))
    return len(short & long) >= 0.85 * len(short)


def no_repetition(ctx: CheckContext) -> Finding:
    """The same instruction twice, as prose and as a step, makes a reply look machine-made."""
    rule = "tone.no-repetition"
    spans = sentences(ctx.reply)
    keys = [sentence_key(s.text) for s in spans]
    hits: list[Evidence] = []
    seen: set[int] = set()
    for i, later in enumerate(spans):
        for j in range(i):
            if j not in seen and says_the_same(keys[j], keys[i]):
                hits.extend([span_evidence(spans[j]), span_evidence(later)])
                seen.add(i)
                break
    if not hits:
        return finding(ctx, rule, Verdict.PASS, "says each thing once")
    pairs = len(hits) // 2
    return finding(
        ctx, rule, Verdict.FAIL, f"{pairs} sentence(s) repeat an earlier one: {quoted_hits(hits[1::2])}",
        evidence=hits, hint="say each thing once: as a step if it is an action, otherwise in the answer",
    )  # fmt: skip


@functools.lru_cache(maxsize=4)
def _instruction_text(root: str) -> str:
    text = "\n".join(read_prompt_file(name) for name in _INSTRUCTIONS)
    return re.sub(r"<!--.*?-->|\$\w+", " ", text, flags=re.DOTALL)


def no_instruction_leak(ctx: CheckContext) -> Finding:
    """Text of our prompts in a reply is copied, not written for this customer."""
    rule = "tone.no-instruction-leak"
    instructions = _instruction_text(str(prompts_dir()))
    sources = [s for s in (ctx.draft, ctx.customer_message, *ctx.policy) if s]
    hits = [
        Evidence(text=ctx.reply[start:end], start=start, end=end, source="reply")
        for start, end, _ in shared_runs(ctx.reply, instructions, LEAK_WORDS)
        if not _in_any(ctx.reply[start:end], sources)
    ]
    # A sentence that tells the writer what to write ("Explain that the charge is a
    # hold") is an instruction to us, not a step for the customer.
    directive = lexicon(ctx.language, "writer_directives")
    for sentence in sentences(ctx.reply):
        text = strip_list_marker(sentence.text)
        if directive.match(text) and not _in_any(text, sources):
            start = sentence.end - len(text)
            hits.append(Evidence(text=text, start=start, end=sentence.end, source="reply"))
    return hits_verdict(
        ctx, rule, hits, ok="nothing of the instructions in the reply",
        problem="copies text of the instructions",
        hint="write only what this customer should read, from this draft; copy nothing from the instructions",
    )  # fmt: skip


def no_placeholder(ctx: CheckContext) -> Finding:
    """A blank left for the agent cannot be sent."""
    rule = "tone.no-placeholder"
    hits = [hit(m) for m in _PLACEHOLDER.finditer(ctx.reply) if not (ctx.draft and m.group(0) in ctx.draft)]
    return hits_verdict(
        ctx, rule, hits, ok="no blanks to fill", problem="leaves a blank for the agent to fill",
        hint="remove the blank and the sentence around it unless the draft gives the value",
    )  # fmt: skip


STOCK_REST_WORDS = 2
STOCK_OPENED_REST_WORDS = 8


def stock_sentences(reply: str, language: str) -> list[Span]:
    """Sentences that are a stock line and little else, which can be dropped without loss.

    What is left once every stock phrase is taken out decides: "If you have any
    further questions, feel free to reach out" is two stock lines and nothing else. A
    sentence a stock line opens ("If you need further assistance, please let us know")
    is a stock closing even with a few words of its own; the channel's follow-up line
    replaces it.
    """
    stock = lexicon(language, "stock_lines")
    found = []
    for sentence in sentences(reply):
        first = stock.search(sentence.text)
        if first is None:
            continue
        rest = len(_words(stock.sub(" ", sentence.text)))
        opened = not sentence.text[: first.start()].strip()
        if rest <= STOCK_REST_WORDS or (opened and rest <= STOCK_OPENED_REST_WORDS):
            found.append(sentence)
    return found


def no_stock_lines(ctx: CheckContext) -> Finding:
    """A line that would fit any ticket tells this customer nothing."""
    rule = "tone.no-stock-lines"
    hits = [hit(m) for m in lexicon(ctx.language, "stock_lines").finditer(ctx.reply)]
    if ctx.draft:
        hits = [h for h in hits if h.text.lower() not in ctx.draft.lower()]
    return hits_verdict(
        ctx, rule, hits, ok="no stock lines", problem="stock lines",
        hint="replace the stock line with a sentence about this customer's situation, or drop it",
    )  # fmt: skip


QUALITY_CHECKS = {
    "tone.no-echo": no_echo,
    "tone.second-person": second_person,
    "tone.no-repetition": no_repetition,
    "tone.no-instruction-leak": no_instruction_leak,
    "tone.no-placeholder": no_placeholder,
    "tone.no-stock-lines": no_stock_lines,
}
