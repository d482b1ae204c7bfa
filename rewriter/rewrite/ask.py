"""One attempt at the reply's parts: a request, and one repair request if the answer is unusable.

A small model sometimes answers with prose, a cut-off object or a missing field; one
repair request that quotes the problem fixes most of these. Revisions (attempt > 0)
are sampled differently from the first try, each with its own seed, because a model
asked the same thing the same way answers the same.

The repair request tells the model what was wrong in words meant for the model ("be
shorter"); an answer that stays unusable is told to the person in words of their own,
with what they can change, and typed by what went wrong.
"""

from __future__ import annotations

from typing import Any

import tiktoken
from pydantic import ValidationError

from rewriter.config import ResponseFormat, Settings
from rewriter.errors import (
    EmptyAnswerError,
    MalformedAnswerError,
    ModelOutputError,
    RefusalError,
    TruncatedAnswerError,
)
from rewriter.llm import ChatClient, ChatResponse, DeltaCallback, Message
from rewriter.models import Usage
from rewriter.prompts import render
from rewriter.rewrite.compose import ReplyParts, parse_parts, reply_schema
from rewriter.text import NoJSONError, extract_json_object
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

    Every request, the repair and any retries included, is counted in ``usage``.

    Raises:
        ModelOutputError: The answer stayed unusable after the repair request (a
            subclass says how: refused, cut off, empty or malformed).
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
        usage.add(prompt, completion, requests=response.requests)
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
            raise _unusable(second, exc, settings, usage.requests) from exc


def _unusable(
    response: ChatResponse, problem: ValueError, settings: Settings, requests: int
) -> ModelOutputError:
    """The error for a final answer that could not be used, typed by what was wrong with it.

    Args:
        response: The last answer, the repair request's.
        problem: What :func:`parse_parts` found wrong with it.
        settings: The settings it was asked with, for the limits the message names.
        requests: Requests made in all, for the error's ``attempts``.
    """
    after = "even after a repair request"
    kind: type[ModelOutputError]
    if response.refusal or response.finish_reason == "content_filter":
        said = f': "{_excerpt(response.refusal)}"' if response.refusal else " (the server's content filter)"
        kind = RefusalError
        message = (
            f"the model declined to rewrite this draft{said}, {after}; send the draft as it is, or "
            "reword it and try again"
        )
    elif response.finish_reason == "length":
        kind = TruncatedAnswerError
        message = (
            f"the model's answer was cut off at the limit of {settings.max_tokens} output tokens, {after}; "
            "raise REWRITER_MAX_TOKENS, or ask for a shorter reply with --length concise"
        )
    elif not response.text.strip() or _no_text_in_parts(response.text):
        kind = EmptyAnswerError
        what = "was empty" if not response.text.strip() else "had no text in any of its parts"
        message = (
            f"the model's answer {what}, {after}; check that --model names a chat model the server "
            "has loaded, or try another model"
        )
    else:
        kind = MalformedAnswerError
        cause = problem.__cause__
        prose = isinstance(cause, NoJSONError) and cause.missing
        reason = f'no JSON object in it: "{_excerpt(response.text)}"' if prose else str(problem)
        message = (
            f"the model's answer was not the JSON asked for ({reason}), {after}; try a larger model, or "
            "REWRITER_RESPONSE_FORMAT=json_object on a server that supports it"
        )
    return kind(message, last_output=response.text, attempts=requests)


def _no_text_in_parts(text: str) -> bool:
    """A JSON object that parses, and whose only fault is that no part has any text."""
    try:
        data = extract_json_object(text)
        ReplyParts.model_validate(data)
    except NoJSONError:
        return False
    except ValidationError as exc:
        # The whole-answer check reports with no field location; a field's own error has one.
        return isinstance(data, dict) and all(not error["loc"] for error in exc.errors())
    return False


def _excerpt(text: str, limit: int = 80) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."
