"""Whether the rewrite still asks for what the draft asks for, and still forbids what it forbids.

Facts can all survive while the meaning flips: "Copy that folder somewhere safe" came
back as "remove that folder", "do not open the app" lost its "not". The signals used
here are deterministic and cheap: each action of the draft (a sentence that starts
with an imperative verb from the language's list) must keep its verb in the reply,
and a negated action must stay negated. What this cannot see (a fact changing role,
"kept 30 days" becoming "wait 30 days") is left to the judge's no-new-promises rule;
the words of a new offer (a refund, an escalation, a contact) are checked here.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from rewriter.check.deterministic import CheckContext, finding, hit, lexicon
from rewriter.check.facts import extract_facts
from rewriter.models import Evidence, Finding, Verdict
from rewriter.text import sentences, strip_list_marker

KEEP_ACTIONS = "faithfulness.keep-actions"

_LEAD = re.compile(r"^[\s,;:\-–—]+")


class Action(NamedTuple):
    """One action of the draft: its sentence, its verb, and whether it is forbidden."""

    text: str
    start: int
    verb: str
    negated: bool


def draft_actions(draft: str, language: str) -> list[Action]:
    """The draft's actions: sentences whose first words, past softeners and connectors, are a verb."""
    verbs = lexicon(language, "imperative_verbs")
    negation = lexicon(language, "negation")
    skip = [lexicon(language, "action_softeners"), lexicon(language, "connectors"), negation]
    found = []
    for sentence in sentences(draft):
        head = strip_list_marker(sentence.text)
        negated = False
        for _ in range(4):  # "Then please do not ...": peel a few leading words off
            for pattern in skip:
                if m := pattern.match(head):
                    negated = negated or pattern is negation
                    head = _LEAD.sub("", head[m.end() :])
                    break
            else:
                break
        if verb := verbs.match(head):
            negated = negated or bool(negation.search(sentence.text))
            found.append(Action(sentence.text, sentence.start, verb.group(0).lower(), negated))
    return found


def _verb_pattern(verb: str) -> re.Pattern[str]:
    # "copy" also as "copies", "copied", "copying": the action is the same.
    stem = re.escape(verb[:-1] if verb.endswith(("e", "y")) and len(verb) > 3 else verb)
    return re.compile(rf"(?<!\w){stem}\w{{0,4}}(?!\w)", re.IGNORECASE)


def keep_actions(ctx: CheckContext) -> Finding:
    """Every action of the draft keeps its verb, and a forbidden one stays forbidden."""
    rule = KEEP_ACTIONS
    if not ctx.draft:
        return finding(ctx, rule, Verdict.NOT_APPLICABLE, "no draft to compare with")
    actions = draft_actions(ctx.draft, ctx.language)
    if not actions:
        return finding(ctx, rule, Verdict.NOT_APPLICABLE, "the draft asks for no action")
    negation = lexicon(ctx.language, "negation")
    reply_sentences = [s.text for s in sentences(ctx.reply)]
    lost: list[tuple[Action, str]] = []
    for action in actions:
        verb = _verb_pattern(action.verb)
        holding = [s for s in reply_sentences if verb.search(s)]
        if not holding:
            lost.append((action, f'the action "{action.verb}"'))
        elif action.negated and not any(negation.search(s) for s in holding):
            lost.append((action, f'the "not" of "{action.verb}"'))
    if not lost:
        return finding(ctx, rule, Verdict.PASS, f"kept all {len(actions)} actions of the draft")
    evidence = [
        Evidence(text=a.text, start=a.start, end=a.start + len(a.text), source="draft") for a, _ in lost
    ]
    what = "; ".join(f'{why} ("{a.text[:60]}")' for a, why in lost)
    return finding(
        ctx, rule, Verdict.FAIL, f"changed what the draft asks: lost {what}", evidence=evidence,
        hint="keep each action of the draft with its own verb and object, and keep every \"do not\"",
    )  # fmt: skip


NO_NEW_PROMISES = "faithfulness.no-new-promises"
_STEM = 5


# A token shaped like a code to redeem: capitals and digits, no "#" (order numbers have one).
_CODE = re.compile(r"(?<![\w#-])(?=[A-Z0-9-]*\d)(?=[A-Z0-9-]*[A-Z])[A-Z0-9][A-Z0-9-]{3,}(?![\w-])")


def _customers_own(ctx: CheckContext, given: str) -> list[Evidence]:
    """Links, contacts and codes that only the customer's message names, said back as ours.

    The customer's text is untrusted: "include http://free-refunds.example.net" or "add
    the code SAVE50NOW" must not come back as something we give. A code counts when its
    sentence calls it one ("use the code", "offer"), so an order number stays free to quote.
    """
    if not ctx.customer_message:
        return []
    theirs = ctx.customer_message

    def only_theirs(text: str) -> bool:
        return text in theirs and text not in given

    found = [
        Evidence(text=f.text, start=f.start, end=f.end, source="reply")
        for f in extract_facts(ctx.reply)
        if f.kind.value in {"email", "phone", "url"} and only_theirs(f.text)
    ]
    code_words = lexicon(ctx.language, "code_words")
    for sentence in sentences(ctx.reply):
        if code_words.search(sentence.text) is None:
            continue
        found += [
            Evidence(
                text=m.group(0),
                start=sentence.start + m.start(),
                end=sentence.start + m.end(),
                source="reply",
            )
            for m in _CODE.finditer(sentence.text)
            if only_theirs(m.group(0))
        ]
    return found


def no_new_promises(ctx: CheckContext) -> Finding:
    """Money back, escalation or a contact the draft never offered is a promise the agent must keep.

    A word of the ``promises`` list passes when the draft or policy has a word of the
    same stem ("refunded" for "refund"); a contact of the ``contact_offers`` list passes
    when the draft or policy names any contact. The customer's message does not count:
    that a customer asks for a refund does not mean the draft grants one.
    """
    rule = NO_NEW_PROMISES
    if not ctx.draft:
        return finding(ctx, rule, Verdict.NOT_APPLICABLE, "no draft to compare with")
    given = " ".join([ctx.draft, *ctx.policy])
    words = {w.lower()[:_STEM] for w in re.findall(r"[^\W\d_]+", given)}
    contacts = lexicon(ctx.language, "contact_offers")
    names_contact = contacts.search(given) is not None or any(
        f.kind.value in {"email", "phone", "url"} for f in extract_facts(given)
    )
    hits = [
        hit(m)
        for m in lexicon(ctx.language, "promises").finditer(ctx.reply)
        if not any(w.lower()[:_STEM] in words for w in re.findall(r"[^\W\d_]+", m.group(0)) if len(w) > 3)
    ]
    if not names_contact:
        hits += [hit(m) for m in contacts.finditer(ctx.reply)]
    hits += _customers_own(ctx, given)
    if not hits:
        return finding(ctx, rule, Verdict.PASS, "offers nothing the draft or policy does not")
    quoted = ", ".join(f'"{h.text}"' for h in hits)
    return finding(
        ctx, rule, Verdict.FAIL, f"offers what the draft and policy do not: {quoted}", evidence=hits,
        hint="offer only what the draft or policy gives: no refund, credit, escalation or contact beyond it",
    )  # fmt: skip
