"""A disk cache of model answers, keyed by the whole request and the repeat index.

Re-running a suite after changing a scorer or a report should cost nothing, and a run
with repeats must not get one answer N times: the key holds the model, the messages,
the schema and every sampling parameter as actually sent, plus the repeat index, so
repeat 2 of a case is never served repeat 1's answer even if its request were equal.
Entries are written atomically, so a run killed mid-write leaves no half entry, and
readable by the user only: they hold customer text.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from rewriter.config import ResponseFormat, Settings
from rewriter.files import private_dir, write_atomic
from rewriter.llm import ChatClient, ChatResponse, DeltaCallback, Message


class CachedClient(ChatClient):
    """A :class:`ChatClient` that answers from ``directory`` when it has seen the request.

    Attributes:
        hits: Requests answered from the cache.
        misses: Requests sent to the backend (and then stored).
    """

    def __init__(self, settings: Settings, directory: Path, *, repeat: int) -> None:
        super().__init__(settings)
        self.directory = private_dir(directory)
        self.repeat = repeat
        self.hits = 0
        self.misses = 0

    def complete(
        self,
        messages: Sequence[Message],
        schema: dict[str, Any],
        *,
        on_delta: DeltaCallback | None = None,
        temperature: float | None = None,
        seed: int | None = None,
        response_format: ResponseFormat | None = None,
        max_tokens: int | None = None,
    ) -> ChatResponse:
        """Answer from the cache, or ask the backend and remember the answer."""
        s = self.settings
        key = request_key(
            {
                "model": self.model_name(),
                "messages": list(messages),
                "schema": schema,
                "temperature": s.temperature if temperature is None else temperature,
                "seed": s.seed if seed is None else seed,
                "response_format": (response_format or s.response_format).value,
                "max_tokens": max_tokens or s.max_tokens,
                "repeat": self.repeat,
            }
        )
        path = self.directory / key[:2] / f"{key}.json"
        try:
            stored = json.loads(path.read_text(encoding="utf-8"))
            response = ChatResponse(
                **{**stored, "response_format": ResponseFormat(stored["response_format"])}
            )
        except (OSError, ValueError, TypeError, KeyError):
            response = super().complete(
                messages, schema, on_delta=on_delta, temperature=temperature, seed=seed,
                response_format=response_format, max_tokens=max_tokens,
            )  # fmt: skip
            write_atomic(
                path, json.dumps({**asdict(response), "response_format": response.response_format.value})
            )
            self.misses += 1
            return response
        self.hits += 1
        if on_delta is not None:
            on_delta(response.text)
        return response


def request_key(request: dict[str, Any]) -> str:
    """A stable hash of a request: same request, same key, whatever the key order."""
    return hashlib.sha256(json.dumps(request, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
