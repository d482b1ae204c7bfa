"""A team's guidance file, layered on the default rule set.

Teams disable rules that do not fit them, raise or lower severities, reword rules, add
their own rules and ban or require phrases, without forking the package. Every error
names the file, the rule id and the field, because a team file is edited by hand.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from rewriter.check.rules import Guidance, Phrase, Rule
from rewriter.errors import ConfigError


class TeamFile(BaseModel):
    """The shape of a team file; rule entries are checked against :class:`Rule` when merged."""

    model_config = ConfigDict(extra="forbid")

    disable: list[str] = Field(default_factory=list)
    rules: list[dict[str, Any]] = Field(default_factory=list)
    banned_phrases: list[Phrase] = Field(default_factory=list)
    required_phrases: list[Phrase] = Field(default_factory=list)


def _problems(exc: ValidationError) -> str:
    return "; ".join(f"field {'.'.join(map(str, e['loc'])) or '(entry)'}: {e['msg']}" for e in exc.errors())


def read_team_file(path: Path) -> TeamFile:
    """Parse and validate a team file, or say exactly what is wrong where."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the team guidance file: {exc.strerror}") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"{path}: cannot read the team guidance file: not UTF-8 text ({exc.reason})"
        ) from exc
    except (yaml.YAMLError, ValueError, RecursionError) as exc:
        # ValueError: a date that is no date ("2024-13-45"); RecursionError: nested too deeply.
        raise ConfigError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: expected a mapping with disable, rules, banned_phrases, required_phrases")
    try:
        return TeamFile.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(f"{path}: {_problems(exc)}") from exc


def apply_team(base: Guidance, path: Path) -> Guidance:
    """Return ``base`` with the team file at ``path`` applied."""
    team = read_team_file(path)
    rules = {r.id: r for r in base.rules}
    for disabled in team.disable:
        if disabled not in rules:
            raise ConfigError(
                f"{path}: disable: no rule {disabled!r} to disable (see `rewriter guidance list`)"
            )
        del rules[disabled]
    for index, entry in enumerate(team.rules):
        rule_id = entry.get("id")
        if not isinstance(rule_id, str):
            raise ConfigError(
                f"{path}: rules[{index}]: field id: every entry needs the id of the rule it sets"
            )
        merged = {**rules[rule_id].model_dump(mode="json"), **entry} if rule_id in rules else entry
        try:
            rules[rule_id] = Rule.model_validate(merged)
        except ValidationError as exc:
            kind = "override of" if rule_id in rules else "new rule"
            raise ConfigError(f"{path}: {kind} {rule_id!r}: {_problems(exc)}") from exc
    return base.model_copy(
        update={
            "rules": list(rules.values()),
            "banned_phrases": [*base.banned_phrases, *team.banned_phrases],
            "required_phrases": [*base.required_phrases, *team.required_phrases],
        }
    )
