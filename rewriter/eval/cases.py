"""Golden cases: a draft, its context, and what a good rewrite of it must and must not do.

Cases are YAML written by people, so the shape is strict (``extra="forbid"``: a typo in
a field name is an error, not a silently ignored key) and every error names the file,
the case and the field. The JSON Schema in ``evals/schema.json`` is generated from these
models, so an editor that reads the ``yaml-language-server`` header checks a case while
it is typed.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Sequence
from enum import StrEnum
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from rewriter.check import load_guidance
from rewriter.errors import InputError, InputTooLongError
from rewriter.eval.pairs import Pair, read_pairs
from rewriter.inputs import decode_text, plain_text, too_long_message
from rewriter.models import Channel, RewriteRequest

SCHEMA_HEADER = "# yaml-language-server: $schema="
# A golden file holds many drafts; the biggest today is ~60 KB.
MAX_GOLDEN_BYTES = 4 * 1024 * 1024


class Emotion(StrEnum):
    """How the customer feels, from worst to best; grief is apart from that scale."""

    GRIEVING = "grieving"
    FURIOUS = "furious"
    ANGRY = "angry"
    FRUSTRATED = "frustrated"
    WORRIED = "worried"
    CONFUSED = "confused"
    NEUTRAL = "neutral"
    POLITE = "polite"
    UNKNOWN = "unknown"


class Flaw(StrEnum):
    """What is wrong with the draft, the thing a rewrite is meant to fix."""

    BLAMING = "blaming"
    HEDGING = "hedging"
    WALL_OF_TEXT = "wall-of-text"
    REFUSAL_WITHOUT_ALTERNATIVE = "refusal-without-alternative"
    MISSING_TIMELINE = "missing-timeline"
    OVER_APOLOGY = "over-apology"
    JARGON = "jargon"
    COLD = "cold"
    NO_NEXT_STEP = "no-next-step"
    NONE = "none"
    UNKNOWN = "unknown"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Tags(_Strict):
    """What the case is about, for slicing results: by scenario, emotion and flaw."""

    scenario: str = Field(min_length=1, description="The support situation, e.g. account-lockout.")
    emotion: Emotion
    flaws: list[Flaw] = Field(min_length=1, description="What a rewrite should fix; [none] for a good draft.")


class Forbidden(_Strict):
    """Something the rewrite must not say: a literal phrase or a regular expression."""

    text: str | None = Field(default=None, min_length=1, description="A phrase, matched ignoring case.")
    regex: str | None = Field(default=None, min_length=1, description="A Python regular expression.")
    why: str = Field(min_length=1, description="Why it must not appear (what it would promise or invent).")

    @model_validator(mode="after")
    def _one_pattern(self) -> Forbidden:
        if (self.text is None) == (self.regex is None):
            raise ValueError("give exactly one of text or regex")
        if self.regex is not None:
            try:
                re.compile(self.regex)
            except re.error as exc:
                raise ValueError(f"regex does not compile: {exc}") from exc
        return self

    def pattern(self) -> re.Pattern[str]:
        """The compiled pattern; a phrase matches on word boundaries, ignoring case."""
        if self.regex is not None:
            return re.compile(self.regex)
        return re.compile(rf"(?<!\w){re.escape(self.text or '')}(?!\w)", re.IGNORECASE)


class Expect(_Strict):
    """What a good rewrite of this draft does."""

    rules: list[str] = Field(default_factory=list, description="Rule ids the rewrite must pass.")
    numbered_steps: bool | None = Field(
        default=None, description="True: the reply must number its steps; false: it must not; unset: either."
    )


class GoldenCase(_Strict):
    """One draft to rewrite, with its context and the checks its rewrite must pass."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$", description="Unique across the suite.")
    tags: Tags
    channel: Channel = Channel.EMAIL
    language: Literal["en", "es", "de", "fr"] = "en"
    customer_name: str | None = None
    agent_name: str | None = None
    customer: str = Field(min_length=1, description="The customer's message.")
    draft: str = Field(min_length=1, description="The agent's draft reply: the source of truth.")
    policy: list[str] = Field(default_factory=list)
    facts: list[str] = Field(default_factory=list, description="Draft text that must survive verbatim.")
    forbid: list[Forbidden] = Field(default_factory=list)
    expect: Expect = Field(default_factory=Expect)
    good_draft: bool = Field(default=False, description="The draft is already good: it should change little.")

    @field_validator("draft", "customer")
    @classmethod
    def _has_text(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("is blank")
        return plain_text(value)  # an HTML email body is rewritten as its text, as by `rewriter rewrite`

    @model_validator(mode="after")
    def _facts_are_in_the_draft(self) -> GoldenCase:
        missing = [fact for fact in self.facts if fact not in self.draft]
        if missing:
            raise ValueError(f"facts not in the draft word for word: {missing}")
        return self

    def request(self) -> RewriteRequest:
        """The rewrite request this case makes."""
        return RewriteRequest(
            draft=self.draft,
            customer_message=self.customer,
            customer_name=self.customer_name,
            agent_name=self.agent_name,
            channel=self.channel,
            policy=self.policy,
            language=self.language,
        )


class GoldenFile(_Strict):
    """A file of golden cases."""

    cases: list[GoldenCase] = Field(min_length=1)


class Suite(BaseModel):
    """Every case of a run, in file order, with a hash that changes when any case does."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    cases: list[GoldenCase]
    files: list[str]
    hash: str


def load_suite(paths: Sequence[Path], *, sample: int | None = None) -> Suite:
    """Load golden files (or every ``*.yaml`` under folders) into one validated suite.

    A ``*.jsonl`` file is read as real customer/agent pairs (see :mod:`rewriter.eval.pairs`);
    ``sample`` keeps a fixed random sample of each such file.

    Raises:
        InputError: A file is missing or unreadable, is not valid YAML, breaks the
            schema (the message names the file, the case id and the field), repeats a
            case id, or expects a rule the guidance does not have.
    """
    files = sorted({f for path in paths for f in _golden_files(path)})
    if not files:
        raise InputError(f"no golden files (*.yaml, *.jsonl) in {', '.join(map(str, paths))}")
    cases: list[GoldenCase] = []
    seen: dict[str, Path] = {}
    rules = {rule.id for rule in load_guidance().rules}
    digest = hashlib.sha256()
    for file in files:
        for case in _from_pairs(file, sample) if file.suffix == ".jsonl" else _read(file):
            if case.id in seen:
                raise InputError(f"{file}: case {case.id!r}: id already used in {seen[case.id]}")
            unknown = [r for r in case.expect.rules if r not in rules]
            if unknown:
                raise InputError(
                    f"{file}: case {case.id!r}: field 'expect.rules': no rule {unknown[0]!r} "
                    "(see `rewriter guidance list`)"
                )
            seen[case.id] = file
            cases.append(case)
            digest.update(case.model_dump_json().encode())
    return Suite(cases=cases, files=[str(f) for f in files], hash=digest.hexdigest()[:12])


def _from_pairs(file: Path, sample: int | None) -> list[GoldenCase]:
    def case(pair: Pair) -> GoldenCase:
        slug = re.sub(r"[^a-z0-9]+", "-", f"{file.stem}-{pair.id}".lower()).strip("-")
        return GoldenCase(
            id=slug, channel=pair.channel, customer=pair.customer_message, draft=pair.agent_reply,
            tags=Tags(scenario="real-pair", emotion=Emotion.UNKNOWN, flaws=[Flaw.UNKNOWN]),
        )  # fmt: skip

    return [case(pair) for pair in read_pairs(file, sample=sample)]


def _golden_files(path: Path) -> Iterable[Path]:
    if path.is_dir():
        # Not recordings, runs or grades, and not the held-out fresh cases (named explicitly).
        skipped = {"cassettes", "baselines", "reviews", "fresh"}
        return [p for p in path.rglob("*.yaml") if not skipped & set(p.parts) and p.name != "scoring.yaml"]
    if not path.exists():
        raise InputError(f"{path}: no such file or folder")
    return [path]


def _read(file: Path) -> list[GoldenCase]:
    try:
        if file.stat().st_size > MAX_GOLDEN_BYTES:  # refused before it is read
            raise InputTooLongError(too_long_message(str(file), file.stat().st_size, MAX_GOLDEN_BYTES))
        data = file.read_bytes()
    except OSError as exc:
        raise InputError(f"{file}: cannot read it: {exc}") from exc
    try:
        # The same refusals as a draft file (binary, not UTF-8, empty, too big), and a BOM honoured.
        raw: Any = yaml.safe_load(
            decode_text(data, str(file), max_bytes=MAX_GOLDEN_BYTES, empty_hint="give it a list of cases")
        )
    except (yaml.YAMLError, ValueError, RecursionError) as exc:
        # ValueError: a date that is no date ("2024-13-45"); RecursionError: nested too deeply.
        raise InputError(f"{file}: not valid YAML: {exc}") from exc
    try:
        return GoldenFile.model_validate(raw).cases
    except ValidationError as exc:
        raise InputError(f"{file}: {_where(raw, exc)}") from exc


def _where(raw: Any, exc: ValidationError) -> str:
    """The first problem, as "case 'id': field 'a.b': message"."""
    err = exc.errors()[0]
    loc = list(err["loc"])
    if len(loc) >= 2 and loc[0] == "cases" and isinstance(loc[1], int):
        entry = raw["cases"][loc[1]] if isinstance(raw, dict) and isinstance(raw.get("cases"), list) else None
        name = entry.get("id") if isinstance(entry, dict) else None
        case = f"case {name!r}" if isinstance(name, str) else f"case #{loc[1] + 1}"
        field = ".".join(str(p) for p in loc[2:])
        where = f"{case}: field {field!r}" if field else case
    else:
        where = f"field {'.'.join(map(str, loc))!r}" if loc else "the file"
    more = f" (and {len(exc.errors()) - 1} more)" if len(exc.errors()) > 1 else ""
    return f"{where}: {err['msg']}{more}"


def schema() -> dict[str, Any]:
    """The JSON Schema of a golden file, as committed in ``evals/schema.json``."""
    return GoldenFile.model_json_schema()


def schema_text() -> str:
    """The schema as the committed file holds it: stable key order, trailing newline."""
    return json.dumps(schema(), indent=2, sort_keys=True) + "\n"
