"""The faithfulness guard: the draft's facts must survive, and nothing may be invented.

A rewrite that reads better but drops "30 days" or adds a support address the company
does not have is worse than the draft. These checks are deterministic and point at the
exact words, so a revision request can name the problem and a person can verify it.

Typed facts are held by ``faithfulness.keep-facts``. What only looks like a fact (a
token with a digit, a code in caps, a quoted word to type) is held by
``faithfulness.possibly-lost``, so a truncated ID or an unknown error code cannot pass
as "kept all facts".
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from rewriter.check.facts import Fact, FactKind, extract_facts, fact_like_tokens, occurs_in, unique_texts
from rewriter.models import CheckReport, Evidence, Finding, Severity, Verdict

KEEP_FACTS = "faithfulness.keep-facts"
NO_INVENTED = "faithfulness.no-invented-facts"
POSSIBLY_LOST = "faithfulness.possibly-lost"

# Facts a reply must not introduce on its own: a customer could act on any of them.
_SCHEME = re.compile(r"^(?:https?://)?(?:www\.)?", re.IGNORECASE)
# What a customer would act on if it were made up: write to it, call it, pay it, click
# through it, message it, open it.
_INVENTABLE = frozenset(
    {
        FactKind.URL,
        FactKind.EMAIL,
        FactKind.PHONE,
        FactKind.MONEY,
        FactKind.UI_PATH,
        FactKind.HANDLE,
        FactKind.PATH,
    }
)


def draft_facts(draft: str) -> list[Fact]:
    """The distinct facts of a draft, in the order they appear."""
    return unique_texts(extract_facts(draft))


def draft_tokens(draft: str, typed: Sequence[Fact] | None = None, *, names: bool = False) -> list[Fact]:
    """The distinct fact-like tokens of a draft that no typed fact already covers.

    Args:
        draft: The draft.
        typed: Every typed fact of the draft (repeats included, for their spans), when
            the caller has extracted them already.
        names: Also count the names inside sentences (see :func:`fact_like_tokens`).
    """
    facts = extract_facts(draft) if typed is None else typed
    texts = {f.text for f in facts}
    return [t for t in unique_texts(fact_like_tokens(draft, facts, names=names)) if t.text not in texts]


def check_faithfulness(
    draft: str, reply: str, context: Sequence[str] = (), *, names: bool = False
) -> CheckReport:
    """Compare a reply with its draft.

    Args:
        draft: The agent's draft, the source of truth.
        reply: The rewrite to check.
        context: Other texts a fact may legitimately come from (the customer's message,
            policy notes).
        names: Also hold the reply to the names inside the draft's sentences ("Leeds",
            "Android"), as possibly lost when missing; for languages that capitalise
            only names.

    Returns:
        A report with one finding per dropped or invented fact, plus one passing finding
        per rule when nothing is wrong, so the report always says what was checked.
    """
    typed = extract_facts(draft)
    facts = unique_texts(typed)
    tokens = draft_tokens(draft, typed, names=names)
    sources = [draft, *context]
    reply_facts = unique_texts(extract_facts(reply))
    # Facts of the reply that no source has: often a reworded draft fact ("May 14" for
    # "14 May"), which lets the revision request say exactly what to replace.
    strays = [f for f in reply_facts if not any(_mentioned(f, s) for s in sources)]
    dropped = [fact for fact in facts if not occurs_in(fact.text, reply)]
    findings = [_dropped(fact, _rewording(fact, dropped, strays)) for fact in dropped]
    findings += [_possibly_lost(token) for token in tokens if not occurs_in(token.text, reply)]
    for fact in strays:
        if fact.kind in _INVENTABLE:
            findings.append(
                Finding(
                    rule_id=NO_INVENTED,
                    verdict=Verdict.FAIL,
                    severity=Severity.MUST,
                    message=f'added {fact.kind.value} "{fact.text}" that is not in the draft or context',
                    evidence=[Evidence(text=fact.text, start=fact.start, end=fact.end, source="reply")],
                    hint=f'remove "{fact.text}"; only the draft, customer message or policy may supply it',
                )
            )
    for rule, message in (
        (KEEP_FACTS, f"kept all {len(facts)} facts of the draft"),
        (POSSIBLY_LOST, f"kept all {len(tokens)} fact-like tokens of the draft"),
        (NO_INVENTED, "added no link, address, phone number, amount, menu path, handle or file path"),
    ):
        if not any(f.rule_id == rule for f in findings):
            findings.append(Finding(rule_id=rule, verdict=Verdict.PASS, message=message))
    return CheckReport(findings=findings, facts_checked=[f.text for f in [*facts, *tokens]])


def _mentioned(fact: Fact, source: str) -> bool:
    """Whether a reply fact comes from ``source``; a bare host from a full link counts."""
    if occurs_in(fact.text, source):
        return True
    if fact.kind is FactKind.URL:
        host = _SCHEME.sub("", fact.text).rstrip("/").lower()
        return bool(host) and host in source.lower()
    if fact.kind is FactKind.HANDLE:  # handles are case-blind: @ShopCoHelp is @shopcohelp
        return occurs_in(fact.text.lower(), source.lower())
    return False


def _rewording(fact: Fact, dropped: list[Fact], strays: list[Fact]) -> Fact | None:
    """The reply's reworded form of ``fact``, when the pairing is unambiguous."""
    same_dropped = [f for f in dropped if f.kind is fact.kind]
    same_stray = [f for f in strays if f.kind is fact.kind]
    return same_stray[0] if len(same_dropped) == 1 and len(same_stray) == 1 else None


def _dropped(fact: Fact, rewording: Fact | None) -> Finding:
    evidence = [Evidence(text=fact.text, start=fact.start, end=fact.end, source="draft")]
    hint = f'include "{fact.text}" exactly as the draft writes it'
    if rewording is not None:
        evidence.append(
            Evidence(text=rewording.text, start=rewording.start, end=rewording.end, source="reply")
        )
        hint = f'write "{fact.text}" exactly as the draft does, instead of "{rewording.text}"'
    return Finding(
        rule_id=KEEP_FACTS,
        verdict=Verdict.FAIL,
        severity=Severity.MUST,
        message=f'dropped {fact.kind.value} "{fact.text}" from the draft',
        evidence=evidence,
        hint=hint,
    )


def _possibly_lost(token: Fact) -> Finding:
    return Finding(
        rule_id=POSSIBLY_LOST,
        verdict=Verdict.FAIL,
        severity=Severity.MUST,
        message=f'possibly lost "{token.text}" from the draft',
        evidence=[Evidence(text=token.text, start=token.start, end=token.end, source="draft")],
        hint=f'include "{token.text}" exactly as the draft writes it, if it matters to the customer',
    )


def reworded_facts(report: CheckReport) -> list[tuple[str, str]]:
    """Pairs of (reply's wording, draft's wording) for facts the reply reworded.

    Only unambiguous one-to-one pairs are returned, so putting the draft's words back
    can never merge two different facts into one.
    """
    pairs: list[tuple[str, str]] = []
    for finding in report.failures:
        if finding.rule_id == KEEP_FACTS and len(finding.evidence) == 2:
            draft_side, reply_side = finding.evidence
            pairs.append((reply_side.text, draft_side.text))
    return pairs


def describe_problems(report: CheckReport) -> list[str]:
    """One line per failure, worded as an instruction a model can follow."""
    return [f"- {f.message}: {f.hint}" if f.hint else f"- {f.message}" for f in report.failures]
