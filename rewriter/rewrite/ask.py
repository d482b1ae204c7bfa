"""One attempt at the reply's parts: a request, and one repair request if the answer is unusable.

A small model sometimes answers with prose, a cut-off object or a missing field; one
repair request that quotes the problem fixes most of these. Revisions (attempt > 0)
are sampled differently from the first try, each with its own seed, because a model
asked the same thing the same way answers the same.
"""

from __future__ import annotations

from typing import Any

import tiktoken

from rewriter.config import ResponseFormat, Settings
from rewriter.errors import ModelOutputError
from rewriter.llm import ChatClient, ChatResponse, DeltaCallback, Message
from rewriter.models import Usage
from rewriter.prompts import render
from rewriter.rewrite.compose import ReplyParts, parse_parts, reply_schema
from rewriter.tokens import count_message_tokens


def ask_for_parts(
    client: ChatClient,
    settings: Settings,
    messages: list[Message],
    usage: Usage,
    encoding: tiktoken.Encoding,
    attempt: int,
    on_delta: DeltaCallback | None = None,
) -> tuple[ReplyParts, str]:
    """The parts of one attempt and the response format that produced them.

    Every request, the repair included, is counted in ``usage``.

    Raises:
        ModelOutputError: The answer stayed unusable after the repair request.
    """

    def complete(sent: list[Message], response_format: ResponseFormat | None = None) -> ChatResponse:
        sampling: dict[str, Any] = {"response_format": response_format}
        if attempt:
            sampling["temperature"] = max(settings.temperature, settings.revision_temperature)
            sampling["seed"] = None if settings.seed is None else settings.seed + attempt
        response = client.complete(sent, reply_schema(), on_delta=on_delta, **sampling)
        # Streaming servers may not report usage; count it ourselves then.
        prompt = response.prompt_tokens
        if prompt is None:
            prompt = count_message_tokens(sent, encoding)
        completion = response.completion_tokens
        if completion is None:
            completion = len(encoding.encode(response.text, disallowed_special=()))
        usage.add(prompt, completion)
        return response

    response = complete(messages)
    try:
        return parse_parts(response), response.response_format.value
    except ValueError as first:
        repair = render("repair.user.md", error=str(first))
        retry = [
            *messages,
            {"role": "assistant", "content": response.text},
            {"role": "user", "content": repair},
        ]
        second = complete(retry, settings.repair_response_format)
        try:
            return parse_parts(second), second.response_format.value
        except ValueError as exc:
            raise ModelOutputError(
                f"the model's answer was not usable after a repair request: {exc}",
                last_output=second.text,
                attempts=usage.requests,
            ) from exc
