"""Measure the deterministic detectors against human labels.

A detector nobody has measured is a guess. Here the acknowledgement detector is scored
against EPITOME's emotional-reaction levels, the exploration detector against its
exploration levels, and the politeness score against the Stanford politeness
annotations. Nothing is fitted to these rows: cue lists and cut-offs are fixed in
advance (a held-back part of each set will check them), so the figures are honest
development scores.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic_core import ErrorDetails

from rewriter.check.deterministic import lexicon
from rewriter.errors import InputError
from rewriter.text import sentences

RowT = TypeVar("RowT", bound=BaseModel)


class Metric(BaseModel):
    """One calibration figure."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    detector: str
    labels: str
    metric: str
    value: float
    rows: int


def acknowledgement_level(text: str, language: str = "en") -> int:
    """0, 1 or 2: how many distinct acknowledgement cues the text shows (capped at 2)."""
    cues = {m.group(0).lower() for m in lexicon(language, "acknowledgement").finditer(text)}
    return min(len(cues), 2)


def exploration_level(text: str, language: str = "en") -> int:
    """0 no question; 1 a short or generic question; 2 a specific question about the person."""
    questions = [s.text for s in sentences(text) if s.text.endswith("?")]
    if not questions:
        return 0
    specific = lexicon(language, "exploration")
    return 2 if any(specific.search(q) or len(q.split()) >= 8 for q in questions) else 1


# Politeness strategies (after Danescu-Niculescu-Mizil et al. 2013), with fixed weights.
_POLITE = [
    (re.compile(r"\b(thanks|thank you|appreciate)\b", re.I), 1.0),
    (re.compile(r"\bplease\b", re.I), 0.5),
    (re.compile(r"^\s*(hi|hello|hey|dear)\b", re.I), 0.5),
    (re.compile(r"\b(sorry|apologi[sz]e|excuse me)\b", re.I), 0.5),
    (re.compile(r"\b(could|would) you\b", re.I), 0.75),
    (re.compile(r"\b(i think|maybe|perhaps|i wonder|might)\b", re.I), 0.5),
    (re.compile(r"\b(great|good|nice|excellent|awesome)\b", re.I), 0.5),
]
_IMPOLITE = [
    (re.compile(r"^\s*(why|what|how|where|who)\b[^?]*\?", re.I), -0.75),
    (re.compile(r"^\s*you\b", re.I), -0.5),
    (re.compile(r"\b(obviously|clearly|actually|seriously|stupid|wrong)\b", re.I), -0.75),
    (re.compile(r"\?\s*\?|!{2,}"), -0.5),
]


def politeness_score(text: str) -> float:
    """A weighted count of polite and impolite strategies; higher is politer."""
    return sum(weight for pattern, weight in _POLITE + _IMPOLITE if pattern.search(text))


class EpitomeRow(BaseModel):
    """One EPITOME pair: a seeker's post, a response and its empathy levels (0-2)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    seeker_post: str = ""
    response_post: str
    ER_level: int = Field(ge=0, le=2)
    EX_level: int = Field(ge=0, le=2)
    rp_id: str | None = None


class PolitenessRow(BaseModel):
    """One Stanford politeness request and its normalised human score."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    request: str
    normalized_score: float


def read_rows(path: Path, row: type[RowT]) -> list[RowT]:
    """Every row of a JSON-lines file, validated, or an error naming the line and field.

    Raises:
        InputError: The file is missing, a line is not JSON, or a row lacks a field.
    """
    if not path.exists():
        raise InputError(f"{path}: not found; pass --data pointing at the folder with the labelled files")
    rows: list[RowT] = []
    try:
        with path.open(encoding="utf-8") as handle:
            for number, line in enumerate(handle, 1):
                if line.strip():
                    rows.append(_row(path, number, line, row))
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(
            f"{path}: cannot read the labelled rows ({exc}); pass a UTF-8 JSON-lines file"
        ) from exc
    return rows


def _row(path: Path, number: int, line: str, row: type[RowT]) -> RowT:
    try:
        return row.model_validate_json(line)
    except ValidationError as exc:
        problems = "; ".join(_problem(e) for e in exc.errors())
        raise InputError(f"{path} line {number}: {problems}; fix or remove the row") from exc


def _problem(error: ErrorDetails) -> str:
    if error["type"] == "json_invalid":
        return f"not valid JSON ({error['msg']})"
    field = ".".join(map(str, error["loc"])) or "(row)"
    return f"field {field!r}: {error['msg']}"


def _f1(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def binary_scores(pairs: list[tuple[int, int]]) -> tuple[float, float, float]:
    """Precision, recall and F1 of (gold, predicted) levels, read as "level >= 1" or not."""
    tp = sum(1 for gold, pred in pairs if gold >= 1 and pred >= 1)
    fp = sum(1 for gold, pred in pairs if gold == 0 and pred >= 1)
    fn = sum(1 for gold, pred in pairs if gold >= 1 and pred == 0)
    return _f1(tp, fp, fn)


def _macro_f1(pairs: list[tuple[int, int]], classes: tuple[int, ...] = (0, 1, 2)) -> float:
    scores = []
    for c in classes:
        tp = sum(1 for g, p in pairs if g == c and p == c)
        fp = sum(1 for g, p in pairs if g != c and p == c)
        fn = sum(1 for g, p in pairs if g == c and p != c)
        scores.append(_f1(tp, fp, fn)[2])
    return sum(scores) / len(scores)


def _ranks(values: list[float]) -> list[float]:
    order = sorted(range(len(values)), key=values.__getitem__)
    ranks = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        for k in range(i, j + 1):
            ranks[order[k]] = (i + j) / 2 + 1  # ties share their mean rank
        i = j + 1
    return ranks


def spearman(xs: list[float], ys: list[float]) -> float:
    """Spearman's rank correlation (Pearson on ranks, ties averaged)."""
    rx, ry = _ranks(xs), _ranks(ys)
    n = len(xs)
    mx, my = sum(rx) / n, sum(ry) / n
    cov = sum((a - mx) * (b - my) for a, b in zip(rx, ry, strict=True))
    vx = sum((a - mx) ** 2 for a in rx) ** 0.5
    vy = sum((b - my) ** 2 for b in ry) ** 0.5
    return cov / (vx * vy) if vx and vy else 0.0


def calibrate_detectors(data: Path) -> list[Metric]:
    """Every calibration figure for the labelled files in ``data``."""
    epitome = read_rows(data / "epitome-dev.jsonl", EpitomeRow)
    er = [(r.ER_level, acknowledgement_level(r.response_post)) for r in epitome]
    ex = [(r.EX_level, exploration_level(r.response_post)) for r in epitome]
    polite = read_rows(data / "politeness-dev.jsonl", PolitenessRow)
    gold = [r.normalized_score for r in polite]
    ours = [politeness_score(r.request) for r in polite]
    figures: list[Metric] = []
    for name, pairs, labels in (("acknowledgement", er, "EPITOME ER"), ("exploration", ex, "EPITOME EX")):
        p, r, f = binary_scores(pairs)
        for metric, value in (("precision (level>=1)", p), ("recall (level>=1)", r), ("F1 (level>=1)", f),
                              ("macro-F1 (0/1/2)", _macro_f1(pairs))):  # fmt: skip
            figures.append(Metric(detector=name, labels=labels, metric=metric, value=value, rows=len(pairs)))
    figures.append(
        Metric(
            detector="politeness",
            labels="Stanford politeness",
            metric="Spearman",
            value=spearman(ours, gold),
            rows=len(gold),
        )  # fmt: skip
    )
    return figures
