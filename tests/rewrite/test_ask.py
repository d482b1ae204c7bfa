"""One attempt against a real server: what stays unusable is typed and told in the person's words."""

from __future__ import annotations

from typing import Any

import pytest

from rewriter.config import resolve_settings
from rewriter.errors import (
    EmptyAnswerError,
    ExitCode,
    MalformedAnswerError,
    ModelOutputError,
    RefusalError,
    TruncatedAnswerError,
)
from rewriter.llm import ChatClient
from rewriter.models import Usage
from rewriter.rewrite.ask import ask_for_parts
from rewriter.tokens import get_encoding

pytestmark = pytest.mark.block_network(allowed_hosts=["127.0.0.1"])

MESSAGES = [{"role": "system", "content": "Answer in JSON."}, {"role": "user", "content": "Rewrite this."}]


def ask(fault_server: Any, *, stream: bool = False, **extra: Any) -> tuple[Any, Usage]:
    settings, _ = resolve_settings(
        {"base_url": fault_server.base_url, "model": "local", "max_retries": 1, "max_retry_wait": 0, **extra},
        {},
    )
    usage = Usage()
    pieces: list[str] = []
    parts, _ = ask_for_parts(
        ChatClient(settings), settings, MESSAGES, usage, get_encoding("o200k_base"), 0,
        pieces.append if stream else None,
    )  # fmt: skip
    return parts, usage


@pytest.mark.parametrize("stream", [False, True])
@pytest.mark.parametrize(
    ("answer", "kind", "says"),
    [
        (
            {"content": '{"acknowledgement": "I under', "finish_reason": "length"},
            TruncatedAnswerError,
            "the model's answer was cut off at the limit of 700 output tokens, even after a repair request; "
            "raise REWRITER_MAX_TOKENS, or ask for a shorter reply with --length concise",
        ),
        (
            {"content": '{"acknowledgement": "Hi" "answer": "x"}'},
            MalformedAnswerError,
            "the model's answer was not the JSON asked for (invalid JSON: Expecting ',' delimiter at "
            "character 25), even after a repair request; try a larger model, or "
            "REWRITER_RESPONSE_FORMAT=json_object",
        ),
        (
            {"content": "Sure!\n\nHere is a warmer reply for Dana."},
            MalformedAnswerError,
            "the model's answer was not the JSON asked for (no JSON object in it: \"Sure! Here is a warmer "
            'reply for Dana."), even after a repair request',
        ),
        (
            {"content": '{"acknowledgement": "Hi", "steps": "Open Settings"}'},
            MalformedAnswerError,
            "(the JSON does not match the required fields: steps: Input should be a valid list)",
        ),
        (
            {"content": ""},
            EmptyAnswerError,
            "the model's answer was empty, even after a repair request; check that --model names a chat "
            "model the server has loaded, or try another model",
        ),
        (
            {"content": '```json\n{"acknowledgement": "", "answer": " ", "steps": []}\n```'},
            EmptyAnswerError,
            "the model's answer had no text in any of its parts, even after a repair request",
        ),
        (
            {"content": None, "refusal": "I'm sorry, but I can't help with rewriting this message."},
            RefusalError,
            "the model declined to rewrite this draft: \"I'm sorry, but I can't help with rewriting this "
            'message.", even after a repair request; send the draft as it is, or reword it and try again',
        ),
        (
            {"content": None, "finish_reason": "content_filter"},
            RefusalError,
            "the model declined to rewrite this draft (the server's content filter), even after a repair "
            "request",
        ),
    ],
    ids=[
        "truncated",
        "malformed",
        "prose",
        "wrong-fields",
        "empty",
        "blank-parts",
        "refusal",
        "content-filter",
    ],
)
def test_an_answer_that_stays_unusable_is_typed_and_told_plainly(
    fault_server: Any, answer: dict[str, Any], kind: type[ModelOutputError], says: str, stream: bool
) -> None:
    fault_server.answer(**answer, times=2)
    with pytest.raises(kind) as info:
        ask(fault_server, stream=stream)
    error = info.value
    assert says in error.message
    assert error.exit_code is ExitCode.MODEL_OUTPUT and error.attempts == 2
    assert error.last_output == (answer["content"] or "")
    # Notes meant for the model stay with the model, and each fault says what it was.
    assert "be shorter" not in error.message and "fill in" not in error.message
    assert "no JSON object found" not in error.message


def test_the_repair_request_keeps_its_note_for_the_model(fault_server: Any) -> None:
    fault_server.answer('{"acknowledgement": "I under', finish_reason="length")
    parts, usage = ask(fault_server)
    repair = fault_server.completions[1].body["messages"][-1]["content"]
    assert "no JSON object found (the answer was cut off: be shorter)" in repair
    assert parts.acknowledgement == fault_server.parts["acknowledgement"] and usage.requests == 2


def test_retried_requests_are_counted_in_usage(fault_server: Any) -> None:
    fault_server.fail(503, "loading model")
    fault_server.answer("not json")  # and then a repair request, answered well
    parts, usage = ask(fault_server, stream=True)
    assert parts.steps == fault_server.parts["steps"]
    assert usage.requests == 3 == len(fault_server.completions)
