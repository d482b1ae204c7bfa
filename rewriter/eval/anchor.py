"""The plain-prompt anchor: the same model asked once to "make this friendlier", nothing else.

A number for the pipeline means little alone; next to what a naive prompt gets from
the same model on the same cases, it says what the prompts, checks, revisions and
mending are worth, defect class by defect class. The anchor makes one request (and
the one repair request any unusable answer gets), lays the parts out the same way,
and is scored by the same scorers; it is never revised, mended or checked in between.
"""

from __future__ import annotations

from rewriter.check import resolve_language
from rewriter.llm import ChatClient, Message
from rewriter.models import RewriteRequest, Usage
from rewriter.prompts import render
from rewriter.rewrite.ask import ask_for_parts
from rewriter.rewrite.compose import assemble
from rewriter.tokens import get_encoding, info_for


def plain_messages(request: RewriteRequest) -> list[Message]:
    """The anchor's request: ``prompts/anchors/plain.*.md`` with the draft and the customer's words."""
    user = render(
        "anchors/plain.user.md",
        customer_name=request.customer_name or "the customer",
        customer_message=request.customer_message or "(not given)",
        draft=request.draft,
    )
    return [
        {"role": "system", "content": render("anchors/plain.system.md")},
        {"role": "user", "content": user},
    ]


def plain_rewrite(client: ChatClient, request: RewriteRequest) -> tuple[str, Usage]:
    """The anchor's reply to ``request`` and what it cost.

    Raises:
        ModelOutputError: The answer stayed unusable after the repair request.
    """
    usage = Usage()
    encoding = get_encoding(info_for(client.model_name(), client.settings).encoding)
    parts, _ = ask_for_parts(client, client.settings, plain_messages(request), usage, encoding, attempt=0)
    language = resolve_language(request.language, request.draft)[0]
    return assemble(parts, request.channel, request.customer_name, request.agent_name, language), usage
