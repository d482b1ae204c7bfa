"""Measure the LLM judge against human labels, as the detectors are measured.

A judge costs seconds per reply on a local model, so it is scored on a fixed random
sample of EPITOME rows (same seed, same rows, every run) rather than the whole set.
It judges one rule at a time, the rule whose meaning is closest to the label. Rows the
judge leaves unscored are counted, never folded into a verdict, so the figures show
how often the judge answers as well as how well. Two reference points sit beside its
scores: a judge that always says "pass", and the phrasing detector on the same rows;
a judge that cannot beat the first is not worth its cost.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from rewriter.calibrate.detectors import EpitomeRow, Metric, acknowledgement_level, binary_scores, read_rows
from rewriter.check.guidance import load_guidance
from rewriter.check.judge import judge
from rewriter.check.rules import Guidance
from rewriter.llm import ChatClient
from rewriter.models import Channel, Usage, Verdict

DEFAULT_RULE = "empathy.specific-acknowledgement"
LABELS = "EPITOME ER"


class JudgedRow(BaseModel):
    """One sampled row: the human label, the judge's verdict and the detector's level.

    Only ids and labels are kept, never the row's text, so a saved run can be shared
    without copying the data set.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    row_id: str
    gold: int
    verdict: Verdict
    detector: int
    seconds: float


class JudgeCalibration(BaseModel):
    """A judge calibration run: what was asked, each row, the figures and the cost."""

    model_config = ConfigDict(extra="forbid")

    rule_id: str
    sample: int
    seed: int
    repeats: int
    rows: list[JudgedRow]
    figures: list[Metric]
    usage: Usage
    seconds: float


def sample_rows(data: Path, sample: int, seed: int) -> list[EpitomeRow]:
    """A fixed random sample of EPITOME rows: the same seed always picks the same rows."""
    rows = read_rows(data / "epitome-dev.jsonl", EpitomeRow)
    return random.Random(seed).sample(rows, min(sample, len(rows)))


def kappa(pairs: list[tuple[int, int]]) -> float:
    """Cohen's kappa for binary labels: agreement beyond what the base rates give by chance."""
    n = len(pairs)
    if not n:
        return 0.0
    observed = sum(1 for g, p in pairs if (g >= 1) == (p >= 1)) / n
    gold_yes = sum(1 for g, _ in pairs if g >= 1) / n
    pred_yes = sum(1 for _, p in pairs if p >= 1) / n
    chance = gold_yes * pred_yes + (1 - gold_yes) * (1 - pred_yes)
    return (observed - chance) / (1 - chance) if chance < 1 else 0.0


def judge_figures(rows: list[JudgedRow], rule_id: str = DEFAULT_RULE) -> list[Metric]:
    """Precision, recall, F1 and kappa of the judge on the rows it scored, with references.

    ``pass`` means the judge saw an acknowledgement (level >= 1), ``fail`` that it saw
    none; ``not_applicable`` counts as none. Unscored rows only lower the coverage.
    """
    scored = [r for r in rows if r.verdict is not Verdict.UNSCORED]
    pairs = [(r.gold, int(r.verdict is Verdict.PASS)) for r in scored]
    labels = f"{LABELS} (sample)"
    name = f"judge {rule_id}"

    def metric(detector: str, what: str, value: float, n: int) -> Metric:
        return Metric(detector=detector, labels=labels, metric=what, value=value, rows=n)

    p, r, f = binary_scores(pairs)
    always = binary_scores([(g, 1) for g, _ in pairs])[2]
    detector = [(row.gold, row.detector) for row in scored]
    return [
        metric(name, "coverage (scored rows)", len(scored) / len(rows) if rows else 0.0, len(rows)),
        metric(name, "precision (level>=1)", p, len(scored)),
        metric(name, "recall (level>=1)", r, len(scored)),
        metric(name, "F1 (level>=1)", f, len(scored)),
        metric(name, "Cohen's kappa", kappa(pairs), len(scored)),
        metric("always pass", "F1 (level>=1)", always, len(scored)),
        metric("acknowledgement", "F1 (level>=1)", binary_scores(detector)[2], len(scored)),
        metric("acknowledgement", "Cohen's kappa", kappa(detector), len(scored)),
    ]


def calibrate_judge(
    client: ChatClient,
    data: Path,
    *,
    rule_id: str = DEFAULT_RULE,
    sample: int = 100,
    seed: int = 7,
    repeats: int = 1,
    guidance: Guidance | None = None,
    on_row: Callable[[int, int, JudgedRow], None] | None = None,
) -> JudgeCalibration:
    """Judge a fixed sample of EPITOME replies on one rule and score the verdicts against ER.

    Args:
        client: The judge's endpoint.
        data: The folder holding ``epitome-dev.jsonl``.
        rule_id: The rule the judge decides; the default is the acknowledgement rule.
        sample: How many rows to judge.
        seed: Picks the rows, so runs compare on the same rows.
        repeats: Judge repeats per row, majority vote.
        guidance: The rule set to take the rule from.
        on_row: Called after each row with (done, total, row): progress for a caller
            that shows it, and a place to save rows as they finish.
    """
    guidance = guidance or load_guidance()
    one = guidance.model_copy(update={"rules": [guidance.get(rule_id)]})
    picked = sample_rows(data, sample, seed)
    usage = Usage()
    judged: list[JudgedRow] = []
    started = time.perf_counter()
    for i, row in enumerate(picked, 1):
        reply = row.response_post
        t0 = time.perf_counter()
        # EPITOME replies are public posts in a thread, the nearest channel is social.
        result = judge(
            client, one, reply, channel=Channel.SOCIAL, customer_message=row.seeker_post or None,
            repeats=repeats, seed=seed,
        )  # fmt: skip
        usage.merge(result.usage)
        done = JudgedRow(
            row_id=row.rp_id or str(i),
            gold=row.ER_level,
            verdict=result.findings[0].verdict,
            detector=acknowledgement_level(reply),
            seconds=round(time.perf_counter() - t0, 2),
        )
        judged.append(done)
        if on_row is not None:
            on_row(i, len(picked), done)
    return JudgeCalibration(
        rule_id=rule_id,
        sample=len(picked),
        seed=seed,
        repeats=repeats,
        rows=judged,
        figures=judge_figures(judged, rule_id),
        usage=usage,
        seconds=round(time.perf_counter() - started, 1),
    )


def row_line(row: JudgedRow) -> str:
    """A saved row, one JSON object per line."""
    return json.dumps(row.model_dump(mode="json"))
