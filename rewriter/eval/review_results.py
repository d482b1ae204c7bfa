"""Unblind a review and say what it found: per run, between reviewers, and against the checker.

The grades are the measure; this module turns them into the figures a pull request
needs: how many replies a lead would send (as they are, or after a light edit), how many
beat the agent's own draft, empathy and next steps, which candidate was ranked best,
what problems were flagged. Two reviewers who graded the same replies are compared
(Cohen's kappa on send / would-not-send, agreement per tag), because a measure nobody
can repeat is an opinion. And, given the run files, it lists the worst defect this tool
can have: a reply the checker passed ("ok", status ``rewritten``) that a lead would not
send, with the checker's recall per problem tag, so each miss can be fixed as a class.
"""

from __future__ import annotations

import itertools
import statistics
from collections import Counter, defaultdict
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from rewriter.errors import InputError
from rewriter.eval.grades import DRAFT, Brief, Grade, ReviewedGrade, reply_hash
from rewriter.eval.results import CaseResult, EvalRun
from rewriter.eval.review import Key


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SourceFigures(_Model):
    """What the reviewers said of one run's replies (or of the draft)."""

    source: str
    grades: int
    cases: int
    sendable: float = Field(description="Share graded as is or after a light edit.")
    as_is: float
    better: int
    same: int
    worse: int
    empathy: float
    next_steps: float
    ranked_best: float = Field(description="Share of (case, reviewer) where this source was ranked 1.")
    problems: dict[str, int]


class PairAgreement(_Model):
    """Two reviewers on the replies both graded."""

    reviewers: tuple[str, str]
    shared: int
    send_agreement: float
    send_kappa: float | None
    tag_agreement: dict[str, float]


class CheckerMiss(_Model):
    """A reply the checker passed that a reviewer would not send."""

    case_id: str
    source: str
    reviewer: str
    problems: list[tuple[str, str]]
    rules_that_should_have_failed: list[str]
    note: str = ""


class TagRecall(_Model):
    """Of the replies a reviewer flagged with a tag, how many some rule of the checker also failed."""

    flagged: int
    caught: int
    rules: list[str]

    @property
    def recall(self) -> float | None:
        """Caught over flagged; ``None`` when nothing was flagged."""
        return self.caught / self.flagged if self.flagged else None


class ReviewReport(_Model):
    """Everything ``rewriter eval review-results`` reports."""

    packet: str
    reviewers: dict[str, str]
    sources: list[SourceFigures]
    agreement: list[PairAgreement]
    ok_that_lied: list[CheckerMiss] | None = None
    ok_graded: int | None = Field(default=None, description="Checker-passed replies that were graded.")
    recall: dict[str, TagRecall] | None = None


def unblind(key: Key, grades: list[tuple[Path, Grade]]) -> list[ReviewedGrade]:
    """Attach to each grade the run its candidate came from, checking it graded what it says.

    Raises:
        InputError: A grade belongs to another packet, names a candidate the packet does
            not have, carries another reply's hash, or a reviewer graded it twice.
    """
    runs = {ref.name: ref for ref in key.runs}
    out: list[ReviewedGrade] = []
    seen: set[tuple[str, str, str]] = set()
    for path, grade in grades:
        where = f"{path}: grade of {grade.case_id}/{grade.label} by {grade.reviewer}"
        if grade.packet != key.packet:
            raise InputError(f"{where}: it is for packet {grade.packet}, the key is for {key.packet}")
        entry = key.entry(grade.case_id, grade.label)
        if entry is None:
            raise InputError(f"{where}: the packet has no such candidate")
        if entry.reply_sha256 != grade.reply_sha256:
            raise InputError(f"{where}: its reply hash is not the hash of the text that candidate shows")
        if (marker := (grade.reviewer, grade.case_id, grade.label)) in seen:
            raise InputError(f"{where}: graded twice by the same reviewer")
        seen.add(marker)
        ref = runs.get(entry.source)
        out.append(
            ReviewedGrade(
                **grade.model_dump(),
                source=entry.source,
                status=entry.status,
                pipeline=ref.pipeline if ref else None,
                prompt_version=ref.prompt_version if ref else None,
                model=ref.model if ref else None,
            )  # fmt: skip
        )
    return out


def report(
    key: Key, graded: list[ReviewedGrade], brief: Brief, runs: dict[str, EvalRun] | None = None
) -> ReviewReport:
    """The figures per source, the agreement between reviewers, and (given runs) the checker's misses."""
    order = [ref.name for ref in key.runs] + ([DRAFT] if any(g.source == DRAFT for g in graded) else [])
    reviewers = {g.reviewer: g.reviewer_kind for g in graded}
    result = ReviewReport(
        packet=key.packet,
        reviewers=reviewers,
        sources=[_figures(name, [g for g in graded if g.source == name], brief) for name in order],
        agreement=_agreement(graded, brief),
    )
    if runs:
        result.ok_that_lied, result.ok_graded, result.recall = _checker(key, graded, brief, runs)
    return result


def _figures(source: str, grades: list[ReviewedGrade], brief: Brief) -> SourceFigures:
    count = len(grades) or 1
    verdicts = Counter(g.vs_draft for g in grades)
    problems = Counter(p.tag for g in grades for p in {p.tag: p for p in g.problems}.values())
    return SourceFigures(
        source=source,
        grades=len(grades),
        cases=len({g.case_id for g in grades}),
        sendable=round(sum(g.sendable for g in grades) / count, 3),
        as_is=round(sum(g.send == "as_is" for g in grades) / count, 3),
        better=verdicts["better"], same=verdicts["same"], worse=verdicts["worse"],
        empathy=round(statistics.fmean(g.empathy for g in grades), 2) if grades else 0.0,
        next_steps=round(statistics.fmean(g.next_steps for g in grades), 2) if grades else 0.0,
        ranked_best=round(sum(g.rank == 1 for g in grades) / count, 3),
        problems={tag: problems[tag] for tag in brief.tag_ids() if problems[tag]},
    )  # fmt: skip


def cohen_kappa(first: list[bool], second: list[bool]) -> float | None:
    """Cohen's kappa of two raters' yes/no verdicts on the same items (``None`` if undefined)."""
    if not first or len(first) != len(second):
        return None
    n = len(first)
    observed = sum(a == b for a, b in zip(first, second, strict=True)) / n
    yes_a, yes_b = sum(first) / n, sum(second) / n
    expected = yes_a * yes_b + (1 - yes_a) * (1 - yes_b)
    if expected == 1:
        return 1.0 if observed == 1 else None
    return round((observed - expected) / (1 - expected), 3)


def _agreement(graded: list[ReviewedGrade], brief: Brief) -> list[PairAgreement]:
    by_reviewer: dict[str, dict[tuple[str, str], ReviewedGrade]] = defaultdict(dict)
    for g in graded:
        by_reviewer[g.reviewer][(g.case_id, g.source)] = g
    pairs = []
    for a, b in itertools.combinations(sorted(by_reviewer), 2):
        shared = sorted(set(by_reviewer[a]) & set(by_reviewer[b]))
        if not shared:
            continue
        first = [by_reviewer[a][item] for item in shared]
        second = [by_reviewer[b][item] for item in shared]
        send_a, send_b = [g.sendable for g in first], [g.sendable for g in second]
        tags = {}
        for tag in brief.tag_ids():
            has_a = [any(p.tag == tag for p in g.problems) for g in first]
            has_b = [any(p.tag == tag for p in g.problems) for g in second]
            if any(has_a) or any(has_b):
                tags[tag] = round(sum(x == y for x, y in zip(has_a, has_b, strict=True)) / len(shared), 3)
        pairs.append(
            PairAgreement(
                reviewers=(a, b),
                shared=len(shared),
                send_agreement=round(
                    sum(x == y for x, y in zip(send_a, send_b, strict=True)) / len(shared), 3
                ),
                send_kappa=cohen_kappa(send_a, send_b),
                tag_agreement=tags,
            )  # fmt: skip
        )
    return pairs


def _checker(
    key: Key, graded: list[ReviewedGrade], brief: Brief, runs: dict[str, EvalRun]
) -> tuple[list[CheckerMiss], int, dict[str, TagRecall]]:
    rules = {tag.id: tag.checked_by for tag in brief.tags}
    recall = {tag: TagRecall(flagged=0, caught=0, rules=rules[tag]) for tag in brief.tag_ids()}
    misses: list[CheckerMiss] = []
    ok_graded = 0
    pipelines = {ref.name: ref.pipeline for ref in key.runs}
    for g in graded:
        result = _result(key, runs, g)
        if result is None:
            continue
        failed = {s.scorer.removeprefix("rule:") for s in result.scores
                  if s.scorer.startswith("rule:") and s.outcome == "fail"}  # fmt: skip
        for tag in {p.tag for p in g.problems if p.tag in recall}:
            recall[tag].flagged += 1
            recall[tag].caught += bool(failed & set(rules[tag]))
        if result.status != "rewritten" or pipelines.get(g.source) != "rewriter":
            continue  # only our pipeline's "rewritten" is an "ok": the plain anchor has no checker
        ok_graded += 1
        if g.send == "no":
            should = sorted({rule for p in g.problems for rule in rules.get(p.tag, [])})
            misses.append(
                CheckerMiss(
                    case_id=g.case_id,
                    source=g.source,
                    reviewer=g.reviewer,
                    problems=[(p.tag, p.quote) for p in g.problems],
                    rules_that_should_have_failed=should,
                    note=g.note,
                )  # fmt: skip
            )
    return misses, ok_graded, {tag: r for tag, r in recall.items() if r.flagged}


def _result(key: Key, runs: dict[str, EvalRun], grade: ReviewedGrade) -> CaseResult | None:
    run = runs.get(grade.source)
    entry = key.entry(grade.case_id, grade.label)
    if run is None or entry is None:
        return None
    # Only the reply that was graded: a run file rewritten since (replayed under new code)
    # may hold another reply for the case, and a grade never moves to a reply it was not given.
    return next(
        (r for r in run.results if r.case_id == grade.case_id and r.repeat == entry.repeat and r.reply
         and reply_hash(r.reply) == grade.reply_sha256),
        None,
    )  # fmt: skip


def markdown(result: ReviewReport) -> str:
    """The review for a pull request."""
    kinds = ", ".join(f"{name} ({kind})" for name, kind in sorted(result.reviewers.items()))
    out = [f"## Blind review of packet `{result.packet}`", "", f"Reviewers: {kinds}.", ""]
    out += [
        "| | grades | cases | sendable | as is | better / same / worse than the draft | empathy (0-2) "
        "| next steps (0-2) | ranked best |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for s in result.sources:
        out.append(
            f"| {s.source} | {s.grades} | {s.cases} | {s.sendable:.0%} | {s.as_is:.0%} | "
            f"{s.better} / {s.same} / {s.worse} | {s.empathy:.2f} | {s.next_steps:.2f} | "
            f"{s.ranked_best:.0%} |"
        )
    tags = sorted({tag for s in result.sources for tag in s.problems})
    if tags:
        out += ["", "Problems flagged (grades that flag each tag):", ""]
        out += ["| tag | " + " | ".join(s.source for s in result.sources) + " |"]
        out += ["|---|" + "---|" * len(result.sources)]
        out += [f"| {tag} | " + " | ".join(str(s.problems.get(tag, 0)) for s in result.sources) + " |"
                for tag in tags]  # fmt: skip
    if result.agreement:
        out += ["", "Agreement between reviewers on the replies both graded:", ""]
        for pair in result.agreement:
            kappa = "undefined" if pair.send_kappa is None else f"{pair.send_kappa:.2f}"
            per_tag = ", ".join(f"{tag} {share:.0%}" for tag, share in pair.tag_agreement.items())
            out.append(
                f"- {pair.reviewers[0]} and {pair.reviewers[1]}: {pair.shared} replies; send / would not "
                f"send agree on {pair.send_agreement:.0%}, Cohen's kappa {kappa}; per tag: "
                f"{per_tag or 'none flagged'}"
            )
    if result.ok_that_lied is not None:
        replies = len({(m.case_id, m.source) for m in result.ok_that_lied})
        passed = f"{result.ok_graded} graded replies the checker passed ({replies} distinct replies)"
        out += ["", f'### "ok" that a reviewer would not send: {len(result.ok_that_lied)} of {passed}', ""]
        for miss in result.ok_that_lied:
            said = "; ".join(f'{tag}: "{quote}"' for tag, quote in miss.problems) or miss.note or "(no tag)"
            should = ", ".join(miss.rules_that_should_have_failed) or "no rule covers it"
            out.append(
                f"- `{miss.case_id}` ({miss.source}, {miss.reviewer}): {said}. Should have failed: {should}"
            )
    if result.recall:
        out += [
            "",
            "Checker recall per tag (of the replies a reviewer flagged, how many a mapped rule failed):",
            "",
        ]
        out += ["| tag | flagged | caught | recall | rules |", "|---|---|---|---|---|"]
        for tag, r in result.recall.items():
            share = "n/a" if r.recall is None else f"{r.recall:.0%}"
            out.append(f"| {tag} | {r.flagged} | {r.caught} | {share} | {', '.join(r.rules) or '(none)'} |")
    return "\n".join(out) + "\n"
