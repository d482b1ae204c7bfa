"""The guidance rule set: what a good reply does, as data with sources.

Rules live in ``prompts/guidance.yaml`` so a support lead can read, review and (next)
override them without touching code; every rule cites the source article and section
it was distilled from, and says how it is checked.
"""

from __future__ import annotations

from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from rewriter.errors import PromptError
from rewriter.models import Channel, Severity
from rewriter.prompts import load_yaml, prompts_dir


class Family(StrEnum):
    """The five families of guidance."""

    EMPATHY = "empathy"
    ASSERTIVE = "assertive"
    TONE = "tone"
    CHANNEL = "channel"
    FAITHFULNESS = "faithfulness"


class CheckKind(StrEnum):
    """Who decides a rule: code, the LLM judge, or both."""

    DETERMINISTIC = "deterministic"
    JUDGE = "judge"
    BOTH = "both"


class SourceRef(BaseModel):
    """Where in the source guidance a rule comes from."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    file: str
    section: str


class Rule(BaseModel):
    """One rule of the guidance."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z]+\.[a-z0-9-]+$")
    family: Family
    title: str
    good: str
    avoid: str
    example_good: str
    example_bad: str
    sources: list[SourceRef] = Field(min_length=1)
    severity: Severity
    channels: list[Channel] = Field(min_length=1)
    check: CheckKind
    # What the rule is judged against besides the reply; without it the rule is skipped
    # (a promise cannot be called new without the draft it is compared with).
    needs: list[Literal["draft", "customer_message"]] = Field(default_factory=list)

    @model_validator(mode="after")
    def _id_names_family(self) -> Rule:
        if not self.id.startswith(f"{self.family.value}."):
            raise ValueError(f"rule id {self.id!r} must start with its family {self.family.value!r}")
        return self


class Phrase(BaseModel):
    """A team's banned or required phrase."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    phrase: str = Field(min_length=1)
    severity: Severity = Severity.MUST
    channels: list[Channel] = Field(default_factory=lambda: list(Channel), min_length=1)
    hint: str | None = None


class Guidance(BaseModel):
    """A versioned set of rules with unique ids, plus a team's phrase lists."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int
    rules: list[Rule]
    banned_phrases: list[Phrase] = Field(default_factory=list)
    required_phrases: list[Phrase] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique_ids(self) -> Guidance:
        seen: set[str] = set()
        for rule in self.rules:
            if rule.id in seen:
                raise ValueError(f"rule id {rule.id!r} appears twice")
            seen.add(rule.id)
        return self

    def get(self, rule_id: str) -> Rule:
        """The rule with this id, or a clear error listing close matches."""
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        near = [r.id for r in self.rules if rule_id.split(".")[-1] in r.id or r.id.startswith(rule_id)]
        hint = f"; did you mean {', '.join(near)}?" if near else "; see `rewriter guidance list`"
        raise KeyError(f"no rule {rule_id!r}{hint}")

    def for_channel(self, channel: Channel) -> list[Rule]:
        """The rules that apply to a channel."""
        return [r for r in self.rules if channel in r.channels]


def load_guidance(team_file: Path | None = None) -> Guidance:
    """The packaged rule set, validated, with a team's file layered on top if given."""
    base = _load(str(prompts_dir()))
    if team_file is None:
        return base
    from rewriter.team import apply_team  # the team layer builds on this module

    return apply_team(base, team_file)


@lru_cache(maxsize=4)
def _load(root: str) -> Guidance:
    raw: Any = load_yaml("guidance.yaml")
    try:
        return Guidance.model_validate(raw)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            loc = list(err["loc"])
            where = ".".join(map(str, loc))
            if len(loc) >= 2 and loc[0] == "rules" and isinstance(loc[1], int) and isinstance(raw, dict):
                rule_id = raw["rules"][loc[1]].get("id", f"#{loc[1]}")
                where = f"rule {rule_id!r} field {'.'.join(map(str, loc[2:])) or '(rule)'}"
            problems.append(f"{where}: {err['msg']}")
        raise PromptError(f"prompts/guidance.yaml: {'; '.join(problems)}") from exc
