"""A reviewer's grades of blind candidates, and the same grades once unblinded, as data.

A support lead's verdict is the measure the scorers are checked against, so it is kept
like the cases are: typed, validated against a JSON Schema, committed. A reviewer's file
names candidates only by packet, case and label (A, B, C), plus a hash of the text they
read, so a grade can never be moved onto a reply it was not given. Unblinding (with the
packet's key) adds which run the reply came from and that run's prompt version; the
reply's hash lets a later run that produced the same reply keep its grade.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, Literal, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from rewriter.errors import InputError

Send = Literal["as_is", "light_edit", "no"]
VsDraft = Literal["better", "same", "worse"]
ReviewerKind = Literal["person", "llm"]
DRAFT = "draft"  # the source name of the draft itself, when it is one of the candidates


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Tag(_Strict):
    """One kind of problem a reviewer can flag."""

    id: str = Field(pattern=r"^[a-z_]+$")
    name: str
    means: str
    example: str
    checked_by: list[str] = Field(default_factory=list, description="Checker rules that should catch it.")


class Question(_Strict):
    """One graded question and the meaning of each answer."""

    question: str
    why: str | None = None
    options: dict[str, str]


class Brief(_Strict):
    """What every reviewer reads: the rubric and the problem tags (``evals/reviews/brief.yaml``)."""

    title: str
    intro: str
    send: Question
    vs_draft: Question
    empathy: Question
    next_steps: Question
    rank: dict[str, str]
    tags: list[Tag]

    def tag_ids(self) -> list[str]:
        """The tags' ids, in the brief's order."""
        return [tag.id for tag in self.tags]


class Problem(_Strict):
    """A flagged problem and the words of the candidate it rests on."""

    tag: str
    quote: str = Field(default="", description="The candidate's words the problem rests on.")


class Grade(_Strict):
    """One reviewer's verdict on one candidate of a blind packet."""

    packet: str = Field(description="The packet's id.")
    reviewer: str = Field(min_length=1, description="Who graded: a person's handle or an LLM reader's id.")
    reviewer_kind: ReviewerKind
    case_id: str
    label: str = Field(pattern=r"^[A-Z]$")
    reply_sha256: str = Field(pattern=r"^[0-9a-f]{64}$", description="Hash of the text graded.")
    send: Send
    vs_draft: VsDraft
    problems: list[Problem] = Field(default_factory=list)
    empathy: int = Field(ge=0, le=2)
    next_steps: int = Field(ge=0, le=2)
    rank: int = Field(ge=1, description="1 = the candidate the reviewer would rather send.")
    note: str = ""

    @property
    def sendable(self) -> bool:
        """As it is or after a light edit."""
        return self.send != "no"


class ReviewedGrade(Grade):
    """A grade with the candidate unblinded: the committed form, read by ``eval compare``."""

    source: str = Field(description="The run's name (its file's stem), or 'draft' for the draft itself.")
    pipeline: str | None = None
    prompt_version: str | None = None
    model: str | None = None
    status: str | None = Field(default=None, description="The run's status for this reply (rewritten, ...).")


G = TypeVar("G", bound=Grade)


def reply_hash(text: str) -> str:
    """The hash a grade carries of the text it grades."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def load_brief(path: Path) -> Brief:
    """Read and validate the brief.

    Raises:
        InputError: Missing, not YAML, or not a brief (the field is named).
    """
    try:
        raw: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
        return Brief.model_validate(raw)
    except OSError as exc:
        raise InputError(f"{path}: cannot read the review brief ({exc.strerror})") from exc
    except yaml.YAMLError as exc:
        raise InputError(f"{path}: not valid YAML ({exc})") from exc
    except ValidationError as exc:
        raise InputError(f"{path}: not a review brief: {_first(exc)}") from exc


def load_grades(path: Path, model: type[G]) -> list[G]:
    """Read grades from a JSON array (the page's export) or JSON Lines (a text editor's).

    Raises:
        InputError: Unreadable, or a grade is malformed (file, line and field named).
    """
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{path}: cannot read grades ({exc.strerror})") from exc
    if text.lstrip().startswith("["):
        try:
            rows: list[tuple[int, Any]] = list(enumerate(json.loads(text), 1))
        except ValueError as exc:
            raise InputError(f"{path}: not valid JSON ({exc})") from exc
        where = "item"
    else:
        rows = []
        for number, line in enumerate(text.splitlines(), 1):
            if line.strip() and not line.lstrip().startswith("//"):
                try:
                    rows.append((number, json.loads(line)))
                except ValueError as exc:
                    raise InputError(f"{path}:{number}: not valid JSON ({exc})") from exc
        where = "line"
    grades = []
    for number, row in rows:
        try:
            grades.append(model.model_validate(row))
        except ValidationError as exc:
            raise InputError(f"{path}: {where} {number}: {_first(exc)}") from exc
    return grades


def load_reviews(folder: Path) -> list[ReviewedGrade]:
    """Every committed (unblinded) grade under ``folder``: the ``grades.jsonl`` of each review.

    A missing folder holds no grades: a project without reviews compares as before.
    """
    if not folder.is_dir():
        return []
    files = sorted(folder.rglob("grades.jsonl"))
    return [grade for path in files for grade in load_grades(path, ReviewedGrade)]


def grades_schema() -> str:
    """The JSON Schema of a committed (unblinded) grade, as ``evals/reviews/schema.json`` holds it."""
    schema = ReviewedGrade.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "rewriter reviewed grade (one JSON object per line of evals/reviews/*.jsonl)"
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def _first(exc: ValidationError) -> str:
    error = exc.errors()[0]
    field = ".".join(str(part) for part in error["loc"]) or "(the whole item)"
    return f"field {field!r}: {error['msg']}"
