"""The shape of the guidance: rules, their families and sources, and a team's phrases.

Rules are data (``prompts/guidance.yaml``, a team's file on top), so their shape is a
schema: a rule that lacks a source, names the wrong family or repeats an id is
refused when it is loaded, not discovered when a check misbehaves.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from rewriter.errors import InputError
from rewriter.models import Channel, Severity


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

    def with_severity(self, rule_ids: tuple[str, ...], severity: Severity) -> Guidance:
        """A copy with these rules (those it has) at ``severity``."""
        rules = [r.model_copy(update={"severity": severity}) if r.id in rule_ids else r for r in self.rules]
        return self.model_copy(update={"rules": rules})

    def get(self, rule_id: str) -> Rule:
        """The rule with this id, or a clear error listing close matches."""
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        near = [r.id for r in self.rules if rule_id.split(".")[-1] in r.id or r.id.startswith(rule_id)]
        hint = f"; did you mean {', '.join(near)}?" if near else "; see `rewriter guidance list`"
        raise InputError(f"no rule {rule_id!r}{hint}")

    def for_channel(self, channel: Channel) -> list[Rule]:
        """The rules that apply to a channel."""
        return [r for r in self.rules if channel in r.channels]
