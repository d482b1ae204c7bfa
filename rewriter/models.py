"""The typed surface of the library: what goes into a rewrite and what comes out.

Everything a caller sees is a pydantic model, so help-desk integrations can validate,
serialise (``model_dump_json``) and trace every output without reading our code.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator


class Channel(StrEnum):
    """Where the reply will be sent; each has its own norms of length and privacy."""

    EMAIL = "email"
    CHAT = "chat"
    SOCIAL = "social"


class Tone(StrEnum):
    """How warm or formal the reply should sound."""

    WARM = "warm"
    NEUTRAL = "neutral"
    FORMAL = "formal"


class Length(StrEnum):
    """How much room the reply may take compared with the draft."""

    CONCISE = "concise"
    STANDARD = "standard"
    DETAILED = "detailed"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RewriteRequest(_Model):
    """A draft reply plus the context that makes a good rewrite possible.

    The draft is the agent's source of truth: its facts must survive the rewrite. The
    customer message and policy notes are the only other places a fact may come from.
    """

    draft: str
    customer_message: str | None = None
    customer_name: str | None = None
    agent_name: str | None = None
    channel: Channel = Channel.EMAIL
    policy: list[str] = Field(default_factory=list)
    tone: Tone = Tone.WARM
    length: Length = Length.STANDARD
    language: str | None = Field(
        default=None, description="The reply's language code (es, de, ...); by default the draft's, detected."
    )

    @field_validator("draft")
    @classmethod
    def _draft_has_text(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("the draft is empty; give the reply you want rewritten")
        return value

    @field_validator("customer_name", "agent_name", "customer_message")
    @classmethod
    def _blank_is_none(cls, value: str | None) -> str | None:
        return value if value and value.strip() else None


class Verdict(StrEnum):
    """Outcome of one check; ``unscored`` means the check could not decide."""

    PASS = "pass"
    FAIL = "fail"
    NOT_APPLICABLE = "not_applicable"
    UNSCORED = "unscored"


class Severity(StrEnum):
    """``must`` failures trigger a revision; ``should`` failures are advice."""

    MUST = "must"
    SHOULD = "should"


class Evidence(_Model):
    """The exact words a verdict rests on, so a person can see why it was given."""

    text: str
    start: int
    end: int
    source: Literal["draft", "reply", "customer", "policy"]


class Finding(_Model):
    """One rule's verdict on one reply, with the words that caused it and a fix."""

    rule_id: str
    verdict: Verdict
    severity: Severity = Severity.MUST
    message: str
    evidence: list[Evidence] = Field(default_factory=list)
    hint: str | None = None


class CheckReport(_Model):
    """Every finding for one reply; ``passed`` is false when any ``must`` rule failed."""

    findings: list[Finding] = Field(default_factory=list)
    facts_checked: list[str] = Field(default_factory=list)

    @property
    def failures(self) -> list[Finding]:
        """The failed ``must`` findings: the ones a revision has to fix."""
        return [f for f in self.findings if f.verdict is Verdict.FAIL and f.severity is Severity.MUST]

    @property
    def passed(self) -> bool:
        """True when no ``must`` rule failed."""
        return not self.failures


class Change(_Model):
    """One edit the model made to the draft and why, in a line each."""

    change: Annotated[str, Field(description="What was changed, in a few words.")]
    reason: Annotated[str, Field(description="Why, in one short sentence.")]


class Usage(_Model):
    """Tokens spent across every request a rewrite made (first try, repairs, revisions)."""

    requests: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0

    @property
    def total_tokens(self) -> int:
        """Prompt plus completion tokens."""
        return self.prompt_tokens + self.completion_tokens

    def add(self, prompt_tokens: int, completion_tokens: int, requests: int = 1) -> None:
        """Account for one more completion, which took ``requests`` requests (retries count)."""
        self.requests += requests
        self.prompt_tokens += prompt_tokens
        self.completion_tokens += completion_tokens

    def merge(self, other: Usage) -> None:
        """Account for another run's requests."""
        self.requests += other.requests
        self.prompt_tokens += other.prompt_tokens
        self.completion_tokens += other.completion_tokens


class RewriteStatus(StrEnum):
    """How the best attempt fared after the revisions.

    ``unfaithful``: it still drops or invents a fact. ``needs_review``: facts are fine
    but another ``must`` rule (blame, no next step, private data in public) still fails.
    """

    REWRITTEN = "rewritten"
    UNFAITHFUL = "unfaithful"
    NEEDS_REVIEW = "needs_review"


class RewriteResult(_Model):
    """A rewritten reply with everything needed to trust it or trace it.

    ``prompt_version`` is a hash of the prompt files, so any stored result can be tied
    to the exact prompts that produced it. The draft travels with the result so it is
    never lost, whatever the status.
    """

    status: RewriteStatus
    reply: str
    next_steps: list[str]
    changes: list[Change]
    report: CheckReport
    attempts: int
    usage: Usage
    cost_usd: float
    model: str
    prompt_version: str
    response_format: str
    draft: str
    channel: Channel
