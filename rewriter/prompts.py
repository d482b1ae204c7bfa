"""Prompt files: where they live, how they are filled in, and which version they are.

Prompt text is data, kept in ``prompts/`` and shipped inside the wheel, so a prompt
change is a reviewable diff and every result can name the exact prompts behind it.
"""

from __future__ import annotations

import copy
import hashlib
import os
import re
import string
from functools import lru_cache
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

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


_Block = TypeVar("_Block", bound=BaseModel)


def load_block(name: str, key: str, model: type[_Block]) -> _Block:
    """One block of a data file, validated, or an error that names the file and the block."""
    raw: Any = load_yaml(name)
    try:
        return model.model_validate(raw[key])
    except (ValidationError, KeyError, TypeError) as exc:
        raise PromptError(f"prompts/{name}: {key!r} is missing or malformed: {exc}") from exc


def load_yaml(name: str) -> Any:
    """Parse a YAML data file from the prompts folder, naming the file on error."""
    try:
        return yaml.safe_load(read_prompt_file(name))
    except yaml.YAMLError as exc:
        raise PromptError(f"prompt data file {name!r} is not valid YAML: {exc}") from exc


# Modules whose code phrases text the model reads: the findings that become a revision
# note (checks, guard, judge, their merge), the repair request's error (the answer's
# parsing) and the layout of the rewrite prompt. Their source counts in the version as
# the prompt files do, so rewording a hint is as visible as editing a prompt.
MODEL_FACING_SOURCES = (
    "check/checker.py",
    "check/deterministic.py",
    "check/framing.py",
    "check/guard.py",
    "check/judge.py",
    "check/language.py",
    "check/meaning.py",
    "check/quality.py",
    "rewrite/ask.py",
    "rewrite/compose.py",
    "rewrite/prompt.py",
    "text.py",
)


def prompt_version() -> str:
    """Hash what the model reads: every prompt and data file, and the code that phrases text for it.

    Paths and bytes are hashed, so any edit to a prompt file or to one of
    :data:`MODEL_FACING_SOURCES` changes the version.
    """
    digest = hashlib.sha256()
    package = files("rewriter")
    sources = [(f"rewriter/{name}", package.joinpath(*name.split("/"))) for name in MODEL_FACING_SOURCES]
    for name, entry in [*_walk(prompts_dir()), *sources]:
        digest.update(name.encode())
        digest.update(b"\0")
        digest.update(entry.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()[:12]


def describe_schema(schema: dict[str, Any], key: str) -> dict[str, Any]:
    """A JSON Schema whose descriptions all come from ``prompts/schemas.yaml`` (section ``key``).

    pydantic would copy docstrings and field descriptions into the schema, and the
    model reads them; taking them from data keeps code comments out of the prompt and
    every word the model reads under the prompt version.
    """
    texts = load_yaml("schemas.yaml")
    if not isinstance(texts, dict) or not isinstance(texts.get(key), dict):
        raise PromptError(f"prompt data file 'schemas.yaml' has no section {key!r}")
    result: dict[str, Any] = copy.deepcopy(schema)
    objects = {result.get("title"): result, **result.get("$defs", {})}
    for obj in objects.values():
        obj.pop("description", None)
        for prop in obj.get("properties", {}).values():
            prop.pop("description", None)
    for title, spec in texts[key].items():
        if title not in objects:
            raise PromptError(f"schemas.yaml: {key}.{title} describes no object of the schema")
        obj = objects[title]
        if spec.get("description"):
            obj["description"] = spec["description"]
        for name, text in (spec.get("properties") or {}).items():
            if name not in obj.get("properties", {}):
                raise PromptError(f"schemas.yaml: {key}.{title} has no field {name!r}")
            obj["properties"][name]["description"] = text
    return result


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
