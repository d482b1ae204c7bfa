"""Assemble the reply from the parts the model returns, laid out for the channel.

The model writes each piece of text once (acknowledgement, answer, steps, closing);
greeting, numbering and sign-off come from ``prompts/channels.yaml``. That saves decode
time on slow local models, keeps the next-steps list identical to the steps in the
reply, and makes channel layout a data change rather than a prompt change.
"""

from __future__ import annotations

import re
import string
from functools import lru_cache
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from rewriter.errors import PromptError
from rewriter.models import Change, Channel
from rewriter.prompts import load_yaml, prompts_dir


class ReplyParts(BaseModel):
    """The structured answer we ask the model for.

    Unknown keys are ignored rather than rejected: a small model that adds a field
    should not cost a repair request. The schema sent to servers still forbids them.
    """

    model_config = ConfigDict(extra="ignore")

    acknowledgement: Annotated[str, Field(description="The customer's situation, 1-2 sentences.")] = ""
    answer: Annotated[str, Field(description="The draft's explanation with its facts copied exactly.")] = ""
    steps: Annotated[list[str], Field(description="One imperative action per item, in order.")] = []
    closing: Annotated[str, Field(description="Invite a reply or say what happens next.")] = ""
    # Edits made by deterministic mending (never by the model), carried with the parts.
    mended: list[Change] = Field(default_factory=list, exclude=True)

    @model_validator(mode="after")
    def _says_something(self) -> ReplyParts:
        # A missing part is an empty part; an answer with no text at all is unusable.
        if not (self.acknowledgement.strip() or self.answer.strip() or any(s.strip() for s in self.steps)):
            raise ValueError("the answer has no text: fill in acknowledgement, answer and steps")
        return self

    def replace(self, old: str, new: str) -> ReplyParts:
        """A copy with ``old`` replaced by ``new`` in every text the reply is built from."""
        return self.model_copy(
            update={
                "acknowledgement": self.acknowledgement.replace(old, new),
                "answer": self.answer.replace(old, new),
                "steps": [step.replace(old, new) for step in self.steps],
                "closing": self.closing.replace(old, new),
            }
        )


class ChannelStyle(BaseModel):
    """One channel's guidance for the prompt and its layout for the reply."""

    model_config = ConfigDict(extra="forbid")

    guidance: str
    greeting: str
    greeting_anonymous: str
    signoff: str
    signoff_anonymous: str
    layout: str


@lru_cache(maxsize=4)
def _styles(root: str) -> dict[Channel, ChannelStyle]:
    raw: Any = load_yaml("channels.yaml")
    try:
        return {Channel(name): ChannelStyle.model_validate(body) for name, body in raw.items()}
    except (ValidationError, ValueError, AttributeError) as exc:
        raise PromptError(f"prompts/channels.yaml is malformed: {exc}") from exc


def channel_style(channel: Channel) -> ChannelStyle:
    """The style for a channel, failing clearly if the data file lacks it."""
    styles = _styles(str(prompts_dir()))
    if channel not in styles:
        raise PromptError(f"prompts/channels.yaml has no entry for channel {channel.value!r}")
    return styles[channel]


def format_steps(steps: list[str]) -> str:
    """Number two or more actions; a single action reads better as a sentence."""
    cleaned = [_strip_numbering(s) for s in steps if s.strip()]
    if len(cleaned) == 1:
        return cleaned[0]
    return "\n".join(f"{i}. {step}" for i, step in enumerate(cleaned, 1))


_NUMBERING = re.compile(r"^\s*(?:\d+[.)]|[-*\u2022])\s+")


def _strip_numbering(step: str) -> str:
    # Models often number the items themselves; we number them once, here.
    return _NUMBERING.sub("", step.strip())


def assemble(parts: ReplyParts, channel: Channel, customer_name: str | None, agent_name: str | None) -> str:
    """Lay the parts out for the channel, dropping empty parts and the gaps they leave."""
    style = channel_style(channel)
    greeting = string.Template(style.greeting if customer_name else style.greeting_anonymous)
    signoff = string.Template(style.signoff if agent_name else style.signoff_anonymous)
    text = string.Template(style.layout).safe_substitute(
        greeting=greeting.safe_substitute(name=customer_name or ""),
        acknowledgement=parts.acknowledgement.strip(),
        answer=parts.answer.strip(),
        steps=format_steps(parts.steps),
        closing=parts.closing.strip(),
        signoff=signoff.safe_substitute(agent=agent_name or ""),
    )
    lines = [line.strip() for line in text.split("\n")]
    text = "\n".join(lines)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return re.sub(r"[ \t]{2,}", " ", text).strip()


def reply_schema() -> dict[str, Any]:
    """JSON Schema of what the model writes, in the strict form hosted APIs require."""
    schema = ReplyParts.model_json_schema()
    schema["properties"].pop("mended")
    schema["additionalProperties"] = False
    schema["required"] = list(schema["properties"])  # strict mode wants every key listed
    return schema
