"""Values as a person reads them: a moment with how long ago, a size, a path from ``~``."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from rewriter.cli.readable import home, moment, size


@pytest.mark.parametrize(
    ("ago", "said"),
    [(5, "5 s ago"), (240, "4 min ago"), (7200, "2 h ago"), (86400, "1 day ago"), (3 * 86400, "3 days ago")],
)
def test_a_moment_is_an_iso_date_and_how_long_ago(ago: int, said: str) -> None:
    text = moment(1_800_000_000 - ago, 1_800_000_000, event="started")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d \(started " + said + r"\)", text), text


@pytest.mark.parametrize(
    ("count", "said"),
    [(512, "512 bytes"), (12_300, "12 kB"), (986_000_000, "986 MB"), (1_117_320_768, "1.1 GB")],
)
def test_sizes_in_decimal_units(count: int, said: str) -> None:
    assert size(count) == said


def test_paths_under_home_start_at_the_tilde(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    assert home(tmp_path / ".cache" / "rewriter" / "server.log") == "~/.cache/rewriter/server.log"
    assert home("/opt/models/m.gguf") == "/opt/models/m.gguf"
