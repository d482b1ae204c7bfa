"""Describe what a rewrite changed, from the draft and the reply alone.

A model asked to list its own edits invents some and forgets others, and the list
costs decode time. Comparing the draft with the assembled reply is free and true by
construction; wording and reasons live in ``prompts/changes.yaml``.
"""

from __future__ import annotations

import re
import string
from functools import lru_cache
from typing import Any

from rewriter.models import Change, RewriteRequest
from rewriter.prompts import load_yaml, prompts_dir
from rewriter.rewrite.compose import ReplyParts
from rewriter.text import numbered_lines


@lru_cache(maxsize=4)
def _data(root: str) -> tuple[dict[str, Any], list[tuple[re.Pattern[str], str, str]]]:
    raw: Any = load_yaml("changes.yaml")
    phrases = [
        (re.compile(rf"(?<!\w){re.escape(p)}(?!\w)", re.IGNORECASE), p, group["reason"])
        for group in raw["phrases"].values()
        for p in group["en"]
    ]
    return raw["events"], phrases


def event(name: str, **values: object) -> Change:
    """One change of ``prompts/changes.yaml``'s events, its ``$`` values filled in."""
    spec = _data(str(prompts_dir()))[0][name]
    text = string.Template(spec["change"]).safe_substitute({k: str(v) for k, v in values.items()})
    return Change(change=text, reason=spec["reason"])


def quoted(phrases: list[str]) -> str:
    """Phrases as a change quotes them: each once, in double quotes."""
    return ", ".join(f'"{p}"' for p in dict.fromkeys(phrases))


def describe_changes(request: RewriteRequest, parts: ReplyParts, reply: str) -> list[Change]:
    """The edits between draft and reply that the guidance cares about, each with a reason."""
    events, phrases = _data(str(prompts_dir()))
    draft = request.draft
    changes: list[Change] = []

    def add(event: str, **values: object) -> None:
        spec = events[event]
        text = string.Template(spec["change"]).safe_substitute({k: str(v) for k, v in values.items()})
        changes.append(Change(change=text, reason=spec["reason"]))

    if parts.acknowledgement.strip():
        add("acknowledgement")
    if request.customer_name and request.customer_name not in draft and request.customer_name in reply:
        add("greeting")
    steps = [s for s in parts.steps if s.strip()]
    if len(steps) >= 2 and not numbered_lines(draft):
        add("steps", n=len(steps))
    removed: list[str] = []
    for pattern, phrase, reason in phrases:
        if pattern.search(draft) and not pattern.search(reply) and not any(phrase in r for r in removed):
            removed.append(phrase)
            match = pattern.search(draft)
            quoted = match.group(0) if match else phrase
            changes.append(Change(change=f'removed "{quoted}"', reason=reason))
    if parts.closing.strip():
        add("closing")
    return changes
