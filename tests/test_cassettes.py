"""No secret may ever be committed inside a recorded cassette."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
CASSETTES = ROOT / "cassettes"
EVAL_CASSETTES = ROOT / "evals" / "cassettes"
KEY = re.compile(r"sk-[A-Za-z0-9_\-]{8,}")
SECRET_HEADERS = {"authorization", "api-key", "x-api-key", "cookie", "set-cookie", "openai-organization"}


def find_secrets(path: Path) -> list[str]:
    """Every secret-looking thing in one cassette file, described."""
    text = path.read_text(encoding="utf-8")
    problems = [f"{path.name}: key-like string {m.group()[:6]}..." for m in KEY.finditer(text)]
    for interaction in (yaml.safe_load(text) or {}).get("interactions", []):
        for side in ("request", "response"):
            headers = interaction.get(side, {}).get("headers", {}) or {}
            problems += [
                f"{path.name}: {side} header {name!r}" for name in headers if name.lower() in SECRET_HEADERS
            ]
    return problems


def all_cassettes() -> list[Path]:
    return sorted(CASSETTES.rglob("*.yaml"))


def test_cassettes_exist() -> None:
    assert len([p for p in all_cassettes() if p.name != "recording.yaml"]) >= 6


@pytest.mark.parametrize("path", all_cassettes(), ids=lambda p: str(p.relative_to(CASSETTES)))
def test_no_secret_in_cassette(path: Path) -> None:
    assert find_secrets(path) == []


def test_no_secret_in_the_eval_recordings() -> None:
    recorded = sorted(EVAL_CASSETTES.rglob("*.yaml"))
    assert recorded, "the golden suite's recording is missing"
    assert [problem for path in recorded for problem in find_secrets(path)] == []
    for settings in EVAL_CASSETTES.rglob("backend.json"):
        text = settings.read_text(encoding="utf-8")
        assert not KEY.search(text) and "api_key" not in text and "base_url" not in text


def test_scanner_catches_a_planted_key_and_header(tmp_path: Path) -> None:
    clean = next(p for p in all_cassettes() if p.name != "recording.yaml")
    data = yaml.safe_load(clean.read_text(encoding="utf-8"))
    data["interactions"][0]["request"]["headers"]["Authorization"] = ["Bearer sk-proj-abcdefghijklmnop"]
    planted = tmp_path / "planted.yaml"
    planted.write_text(yaml.safe_dump(data), encoding="utf-8")
    problems = find_secrets(planted)
    assert any("key-like" in p for p in problems) and any("'Authorization'" in p for p in problems)
