"""Prompt files: where they live, how they are filled in, and which version they are.

Prompt text is data, kept in ``prompts/`` and shipped inside the wheel, so a prompt
change is a reviewable diff and every result can name the exact prompts behind it.
"""

from __future__ import annotations

import hashlib
import os
import re
import string
from functools import lru_cache
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import yaml

from rewriter.errors import PromptError

_COMMENT = re.compile(r"<!--.*?-->\s*", re.DOTALL)


def prompts_dir() -> Traversable:
    """Find the prompt files: an override, the installed wheel, or the checkout.

    ``REWRITER_PROMPTS_DIR`` lets a team try prompt changes without reinstalling. In an
    editable install the package folder has no ``prompts/``, so fall back to the
    repository root beside it.
    """
    if env := os.environ.get("REWRITER_PROMPTS_DIR"):
        return Path(env)
    return _default_prompts_dir()


@lru_cache(maxsize=1)
def _default_prompts_dir() -> Traversable:
    # Resolved once: checks call this on every lookup, and the answer cannot change.
    packaged = files("rewriter") / "prompts"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / "prompts"


def read_prompt_file(name: str) -> str:
    """Return a prompt file's text, or say which file is missing and where we looked."""
    path = prompts_dir() / name
    try:
        return path.read_text(encoding="utf-8")
    except (FileNotFoundError, NotADirectoryError) as exc:
        raise PromptError(f"prompt file {name!r} not found in {prompts_dir()}") from exc


@lru_cache(maxsize=32)
def _template(name: str, root: str) -> string.Template:
    # ``root`` is part of the key so a changed REWRITER_PROMPTS_DIR is honoured.
    return string.Template(_COMMENT.sub("", read_prompt_file(name)).strip())


def render(name: str, **values: str) -> str:
    """Fill ``$vars`` in a prompt file, refusing to send a prompt with a hole in it."""
    template = _template(name, str(prompts_dir()))
    wanted = set(template.get_identifiers())
    missing = sorted(wanted - values.keys())
    if missing:
        raise PromptError(f"prompt {name!r} needs values for: {', '.join(missing)}")
    return template.substitute(values)


def load_yaml(name: str) -> Any:
    """Parse a YAML data file from the prompts folder, naming the file on error."""
    try:
        return yaml.safe_load(read_prompt_file(name))
    except yaml.YAMLError as exc:
        raise PromptError(f"prompt data file {name!r} is not valid YAML: {exc}") from exc


def prompt_version() -> str:
    """Hash every prompt and data file (paths and bytes), so any edit changes the version."""
    digest = hashlib.sha256()
    for name, entry in _walk(prompts_dir()):
        digest.update(name.encode())
        digest.update(b"\0")
        digest.update(entry.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()[:12]


def _walk(root: Traversable, prefix: str = "") -> list[tuple[str, Traversable]]:
    found: list[tuple[str, Traversable]] = []
    for entry in sorted(root.iterdir(), key=lambda e: e.name):
        if entry.name.startswith(".") or entry.name == "__pycache__":
            continue
        if entry.is_dir():
            found.extend(_walk(entry, f"{prefix}{entry.name}/"))
        elif entry.is_file():
            found.append((f"{prefix}{entry.name}", entry))
    return found


def list_prompts() -> list[str]:
    """Paths of the prompt and data files in use, relative to the prompts folder."""
    return [name for name, _ in _walk(prompts_dir())]
