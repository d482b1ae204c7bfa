"""Load the guidance: the packaged rule set, validated, with a team's file layered on top.

Rules live in ``prompts/guidance.yaml`` so a support lead can read and review them
without touching code; every rule cites the source article and section it was
distilled from, and says how it is checked. Teams adjust them with their own file
(:mod:`rewriter.check.team`) instead of forking the package.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from rewriter.check.rules import Guidance
from rewriter.check.team import apply_team
from rewriter.errors import PromptError
from rewriter.prompts import load_yaml, prompts_dir


def load_guidance(team_file: Path | None = None) -> Guidance:
    """The packaged rule set, validated, with a team's file layered on top if given."""
    base = _load(str(prompts_dir()))
    if team_file is None:
        return base
    return apply_team(base, team_file)


@lru_cache(maxsize=4)
def _load(root: str) -> Guidance:
    raw: Any = load_yaml("guidance.yaml")
    try:
        return Guidance.model_validate(raw)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            loc = list(err["loc"])
            where = ".".join(map(str, loc))
            if len(loc) >= 2 and loc[0] == "rules" and isinstance(loc[1], int) and isinstance(raw, dict):
                rule_id = raw["rules"][loc[1]].get("id", f"#{loc[1]}")
                where = f"rule {rule_id!r} field {'.'.join(map(str, loc[2:])) or '(rule)'}"
            problems.append(f"{where}: {err['msg']}")
        raise PromptError(f"prompts/guidance.yaml: {'; '.join(problems)}") from exc
