"""Macro files: a canned reply kept in a repository, with where it goes in YAML front matter.

Teams keep macros as Markdown or text next to their code and want them checked the
way code is (the ``rewriter-check`` pre-commit hook, ``rewriter check-macros``). A
file may open with front matter that says what the checker needs to know::

    ---
    channel: chat
    name: Sam
    ---
    Hi Sam! ...

Everything after it is the reply. A key the checker does not know is refused, named
with its file, so a misspelt ``chanel:`` is not silently ignored.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from rewriter.errors import InputError
from rewriter.inputs import read_text
from rewriter.models import Channel

_FENCE = "---"
_KEYS = ("channel", "name", "language")


class Macro(BaseModel):
    """One macro file: its reply and what its front matter says."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    path: str
    reply: str
    channel: Channel = Channel.EMAIL
    name: str | None = None
    language: str | None = None


def read_macro(path: str | Path) -> Macro:
    """The macro at ``path``, its front matter read.

    Raises:
        InputError: The file cannot be read, or its front matter is not a mapping of
            known keys (``channel``, ``name``, ``language``) or is never closed.
    """
    text = read_text(str(path))
    meta: dict[str, Any] = {}
    lines = text.splitlines(keepends=True)
    if lines and lines[0].strip() == _FENCE:
        closing = next((i for i, line in enumerate(lines[1:], 1) if line.strip() == _FENCE), None)
        if closing is None:
            raise InputError(f"{path}: the front matter opened by '---' on line 1 is never closed with '---'")
        try:
            loaded = yaml.safe_load("".join(lines[1:closing])) or {}
        except yaml.YAMLError as exc:
            raise InputError(f"{path}: the front matter is not valid YAML: {exc}") from exc
        if not isinstance(loaded, dict):
            raise InputError(f"{path}: the front matter must be keys and values (channel, name, language)")
        meta = loaded
        text = "".join(lines[closing + 1 :])
    unknown = sorted(str(k) for k in meta if k not in _KEYS)
    if unknown:
        raise InputError(f"{path}: front matter: unknown key {unknown[0]!r} (known keys: {', '.join(_KEYS)})")
    try:
        return Macro(path=str(path), reply=text.strip("\n"), **{str(k): v for k, v in meta.items()})
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
        raise InputError(
            f"{path}: front matter: {problems} (channel is one of: {', '.join(c.value for c in Channel)})"
        ) from exc
