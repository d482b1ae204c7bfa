"""A suite from real customer/agent pairs (JSON Lines), built at run time, never stored.

Real pairs, such as the airline tweets in ``../shared/data/twcs-airlines-dev.jsonl``,
show the rewrite drafts nobody wrote for it. Their licence may forbid copying them into
a repository, so they are read where they lie and only the run file (kept local) holds
them. They carry no labelled facts or expectations: the rule verdicts, length and
balance scorers apply; ``facts`` and ``forbidden`` stay silent rather than guess.
:func:`rewriter.eval.cases.load_suite` turns them into cases.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from rewriter.errors import InputError
from rewriter.models import Channel


class Pair(BaseModel):
    """One line: what the customer wrote and what the agent answered."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    id: str = Field(min_length=1)
    customer_message: str = Field(min_length=1)
    agent_reply: str = Field(min_length=1)
    channel: Channel = Channel.EMAIL


def read_pairs(file: Path, *, sample: int | None = None, seed: int = 7) -> list[Pair]:
    """The pairs of ``file`` (a fixed random ``sample`` of them, if given).

    Raises:
        InputError: The file cannot be read, or a line is not a pair (the message names
            the line and the field).
    """
    try:
        lines = file.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{file}: cannot read it: {exc}") from exc
    pairs = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            pair = Pair.model_validate(json.loads(line))
        except json.JSONDecodeError as exc:
            raise InputError(f"{file}: line {number}: not JSON ({exc.msg})") from exc
        except RecursionError as exc:
            raise InputError(f"{file}: line {number}: not JSON (nested too deeply)") from exc
        except ValidationError as exc:
            err = exc.errors()[0]
            field = ".".join(map(str, err["loc"])) or "the line"
            raise InputError(f"{file}: line {number}: field {field!r}: {err['msg']}") from exc
        pairs.append(pair)
    if sample is not None and sample < len(pairs):
        pairs = random.Random(seed).sample(pairs, sample)
    return pairs
