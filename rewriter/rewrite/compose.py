"""Assemble the reply from the parts the model returns, laid out for the channel.

The model writes each piece of text once (acknowledgement, answer, steps, closing);
greeting, numbering and sign-off come from ``prompts/channels.yaml``. That saves decode
time on slow local models, keeps the next-steps list identical to the steps in the
reply, and makes channel layout a data change rather than a prompt change.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from rewriter.check.deterministic import lexicon
from rewriter.errors import PromptError
from rewriter.llm import ChatResponse
from rewriter.models import Change, Channel
from rewriter.prompts import describe_schema, load_yaml, prompts_dir
from rewriter.text import NoJSONError, extract_json_object, strip_list_marker


class ReplyParts(BaseModel):
    """The parts of the reply the model writes; what each part is for is told in ``prompts/``.

    Unknown keys are ignored rather than rejected: a small model that adds a field
    should not cost a repair request. The schema sent to servers still forbids them,
    and its descriptions come from ``prompts/schemas.yaml``, not from this code.
    """

    model_config = ConfigDict(extra="ignore")

    acknowledgement: str = ""
    answer: str = ""
    steps: list[str] = []  # pydantic copies it per instance; [] also shows as the schema default
    closing: str = ""
    # Edits made by deterministic mending (never by the model), carried with the parts.
    mended: list[Change] = Field(default_factory=list, exclude=True)

    @model_validator(mode="after")
    def _says_something(self) -> ReplyParts:
        # A missing part is an empty part; an answer with no text at all is unusable.
        if not (self.acknowledgement.strip() or self.answer.strip() or any(s.strip() for s in self.steps)):
            raise ValueError("the answer has no text: fill in acknowledgement, answer and steps")
        return self

    def map_text(self, edit: Callable[[str], str]) -> ReplyParts:
        """A copy with ``edit`` applied to every text the reply is built from.

        A step the edit empties is dropped, so a step that was removed leaves no
        blank number behind.
        """
        steps = [edited for step in self.steps if (edited := edit(step)).strip() or not step.strip()]
        return self.model_copy(
            update={
                "acknowledgement": edit(self.acknowledgement),
                "answer": edit(self.answer),
                "steps": steps,
                "closing": edit(self.closing),
            }
        )

    def replace(self, old: str, new: str) -> ReplyParts:
        """A copy with ``old`` replaced by ``new`` in every text the reply is built from."""
        return self.map_text(lambda text: text.replace(old, new))


class ChannelWords(BaseModel):
    """A channel's greeting, sign-off and follow-up line in one language; unset ones stay English."""

    model_config = ConfigDict(extra="forbid")

    greeting: str | None = None
    greeting_anonymous: str | None = None
    signoff: str | None = None
    signoff_anonymous: str | None = None
    follow_up: str | None = None


class ChannelStyle(BaseModel):
    """One channel's guidance for the prompt and its layout for the reply."""

    model_config = ConfigDict(extra="forbid")

    guidance: str
    greeting: str
    greeting_anonymous: str
    signoff: str
    signoff_anonymous: str
    layout: str
    follow_up: str
    languages: dict[str, ChannelWords] = {}

    def in_language(self, language: str) -> ChannelStyle:
        """This style with the words of ``language`` where the data gives them."""
        words = self.languages.get(language)
        if words is None:
            return self
        return self.model_copy(update=words.model_dump(exclude_none=True))


@lru_cache(maxsize=4)
def _styles(root: str) -> dict[Channel, ChannelStyle]:
    raw: Any = load_yaml("channels.yaml")
    try:
        return {Channel(name): ChannelStyle.model_validate(body) for name, body in raw.items()}
    except (ValidationError, ValueError, AttributeError) as exc:
        raise PromptError(f"prompts/channels.yaml is malformed: {exc}") from exc


def channel_style(channel: Channel, language: str = "en") -> ChannelStyle:
    """The style for a channel in a language, failing clearly if the data file lacks the channel."""
    styles = _styles(str(prompts_dir()))
    if channel not in styles:
        raise PromptError(f"prompts/channels.yaml has no entry for channel {channel.value!r}")
    return styles[channel].in_language(language)


def format_steps(steps: list[str]) -> str:
    """Number two or more actions; a single action reads better as a sentence.

    Models often number the items themselves; they are numbered once, here.
    """
    cleaned = step_texts(steps)
    if len(cleaned) == 1:
        return _full_stop(cleaned[0])
    return "\n".join(f"{i}. {step}" for i, step in enumerate(cleaned, 1))


def step_texts(steps: list[str]) -> list[str]:
    """The steps as the reply shows them: unnumbered, non-empty, each starting a line."""
    return [_capitalised(strip_list_marker(s)) for s in steps if s.strip()]


def _capitalised(step: str) -> str:
    # "we'll send a link" starts a line: a capital, unless the word is a name as written
    # ("iPhone", "npm", "~/.config").
    first = step.split(maxsplit=1)[0] if step.strip() else ""
    if re.fullmatch(r"[^\W\d_]+(?:['’][^\W\d_]+)*", first) and first.islower():
        return step[:1].upper() + step[1:]
    return step


def _full_stop(sentence: str) -> str:
    # A lone step stands as a sentence, so it ends like one; a URL or path at its end is
    # left bare, where a full stop could be copied with it.
    last = sentence.split()[-1] if sentence.split() else ""
    if re.search(r"[.!?:;)\]\"'»”’]$", sentence) or not last.isalpha():
        return sentence
    return sentence + "."


def signature_name(draft: str, language: str) -> str | None:
    """The name the draft signs with ("Regards," then "Lena" gives "Lena"), to sign the reply.

    Only a short line right under a sign-off counts, so a closing sentence that ends
    with a comma is never taken for a name.
    """
    lines = [line.strip() for line in draft.strip().splitlines() if line.strip()][-4:]
    signoff = lexicon(language, "signoff")
    for line, following in zip(lines, lines[1:], strict=False):
        if line.endswith(",") and len(line.split()) <= 4 and signoff.search(line):
            name = following.rstrip(",. ")
            if name and len(name.split()) <= 4 and not any(ch.isdigit() for ch in name):
                return name
    return None


def greeting_name(draft: str, language: str) -> str | None:
    """The name the draft greets ("Hi Priya," gives "Priya"), to greet the reply's reader by it.

    Only a first line that is a greeting and a short name counts; a first sentence
    that happens to start with "Hi" and go on is not a greeting line.
    """
    lines = [line.strip() for line in draft.strip().splitlines() if line.strip()]
    if not lines:
        return None
    match = lexicon(language, "greeting").match(lines[0])
    if match is None:
        return None
    rest = lines[0][match.end() :].strip()
    name = rest.rstrip(",!:;").strip()
    if rest == name and name:  # a greeting line ends with its punctuation
        return None
    if (
        not name
        or len(name.split()) > 3
        or any(not w[:1].isupper() or any(c.isdigit() for c in w) for w in name.split())
    ):
        return None
    return name


def _without_name(text: str, name: str | None) -> str:
    """The acknowledgement without a leading "Dana," when the greeting already says "Hi Dana,"."""
    if not name:
        return text
    stripped = re.sub(rf"^\s*{re.escape(name)}\s*[,!.:]\s*", "", text)
    return stripped[:1].upper() + stripped[1:] if stripped != text else text


def assemble(
    parts: ReplyParts,
    channel: Channel,
    customer_name: str | None,
    agent_name: str | None,
    language: str = "en",
) -> str:
    """Lay the parts out for the channel in the language's words, dropping empty parts and their gaps."""
    style = channel_style(channel, language)
    greeting = string.Template(style.greeting if customer_name else style.greeting_anonymous)
    signoff = string.Template(style.signoff if agent_name else style.signoff_anonymous)
    marker = style.signoff.split("$agent", 1)[0]
    if agent_name and marker.strip() and agent_name.startswith(marker):
        agent_name = agent_name[len(marker) :]  # "^AL" under a "^$agent" sign-off stays "^AL"
    text = string.Template(style.layout).safe_substitute(
        greeting=greeting.safe_substitute(name=customer_name or ""),
        acknowledgement=_without_name(parts.acknowledgement.strip(), customer_name),
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
    schema = describe_schema(ReplyParts.model_json_schema(), "reply")
    schema["properties"].pop("mended")
    schema.pop("$defs", None)  # only the mending notes used them, and the model never writes those
    schema["additionalProperties"] = False
    schema["required"] = list(schema["properties"])  # strict mode wants every key listed
    return schema


def parse_parts(response: ChatResponse) -> ReplyParts:
    """Validate a model answer, tolerating code fences and chatter around the JSON.

    Raises:
        ValueError: With a short description the repair request can quote.
    """
    try:
        data = extract_json_object(response.text)
    except NoJSONError as exc:
        cut = " (the answer was cut off: be shorter)" if response.finish_reason == "length" else ""
        raise ValueError(f"{exc}{cut if exc.missing else ''}") from exc
    try:
        return ReplyParts.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'answer'}: {e['msg']}" for e in exc.errors())
        raise ValueError(f"the JSON does not match the required fields: {problems}") from exc
