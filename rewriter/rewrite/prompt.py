"""The rewrite's requests: a fixed system prompt, then the data; a revision adds a note.

The system prompt is byte-identical across requests, and a revision only appends to
the first user message, so servers that cache the prompt prefix (llama.cpp) skip
re-reading it. The customer's words, policy and draft go in as delimited data, never
as instructions.
"""

from __future__ import annotations

import re

from rewriter.check import draft_facts, resolve_language
from rewriter.check.guard import describe_problems, draft_tokens
from rewriter.check.language import capitalises_only_names, language_name
from rewriter.llm import Message
from rewriter.models import CheckReport, RewriteRequest
from rewriter.prompts import render
from rewriter.rewrite.compose import channel_style, greeting_name, signature_name

_CLOSING_TAG = re.compile(r"</(customer_message|policy|draft|revision_note)>", re.IGNORECASE)


def first_messages(request: RewriteRequest) -> list[Message]:
    """The first request: the system prompt, then the draft and its context with the facts to keep."""
    style = channel_style(request.channel)
    language = resolve_language(request.language, request.draft)[0]
    names = capitalises_only_names(language)
    # The greeting and the sign-off are laid out for the model: their names are not its to copy.
    people = (
        request.customer_name or greeting_name(request.draft, language),
        request.agent_name or signature_name(request.draft, language),
    )
    supplied = {word for name in people if name for word in name.split()}
    tokens = [t for t in draft_tokens(request.draft, names=names) if t.text not in supplied]
    facts = [*draft_facts(request.draft), *tokens]
    user = render(
        "rewrite.user.md",
        channel=request.channel.value,
        channel_guidance=style.guidance,
        tone=request.tone.value,
        length=request.length.value,
        customer_name=request.customer_name or "(not given)",
        customer_message=as_data(request.customer_message or "(not given)"),
        policy=as_data("\n".join(f"- {p}" for p in request.policy) or "(none)"),
        draft=as_data(request.draft),
        facts="; ".join(f'"{f.text}"' for f in facts) or "(none found)",
        language=_language_line(request),
    )
    return [
        {"role": "system", "content": render("rewrite.system.md")},
        {"role": "user", "content": user},
    ]


def revision_messages(first: list[Message], report: CheckReport) -> list[Message]:
    """A fresh request naming the problems of the rejected attempt, not showing it.

    Shown its own answer, a small model tends to repeat it; the first request with the
    problems named, sampled differently, fixes far more.
    """
    note = render("revise.user.md", problems="\n".join(describe_problems(report)))
    # A blank line apart, so the note never reads as part of the facts list above it.
    return [first[0], {"role": "user", "content": first[1]["content"] + "\n\n" + note}]


def _language_line(request: RewriteRequest) -> str:
    code, sure = resolve_language(request.language, request.draft)
    if not sure:
        return "the draft's own language"
    return language_name(code)


def as_data(text: str) -> str:
    """Text placed inside a data block; a closing tag in it must not end the block early."""
    return _CLOSING_TAG.sub(r"<\\/\1>", text.strip())
