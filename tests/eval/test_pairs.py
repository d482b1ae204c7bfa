"""Real customer/agent pairs load as cases at run time, with errors that name the line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rewriter.errors import InputError
from rewriter.eval import load_suite
from rewriter.models import Channel

TWCS = Path(__file__).resolve().parents[3] / "shared" / "data" / "twcs-airlines-dev.jsonl"


def _write(path: Path, rows: list[object]) -> Path:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path


def test_pairs_become_cases_with_no_invented_expectations(tmp_path: Path) -> None:
    file = _write(tmp_path / "tweets.jsonl", [
        {"id": "17", "customer_message": "Where is my bag?", "agent_reply": "DM us your file ref.",
         "channel": "social"},
        {"id": "18", "customer_message": "Refund?", "agent_reply": "Refunds take 7 days.", "extra": 1},
    ])  # fmt: skip
    suite = load_suite([file])
    first, second = suite.cases
    assert (first.id, first.channel, first.draft) == ("tweets-17", Channel.SOCIAL, "DM us your file ref.")
    assert second.channel is Channel.EMAIL  # no channel given: the default
    assert first.facts == [] and first.forbid == [] and first.expect.rules == []
    assert first.tags.scenario == "real-pair" and first.tags.flaws[0].value == "unknown"


def test_a_sample_is_fixed_and_smaller(tmp_path: Path) -> None:
    rows = [{"id": str(i), "customer_message": f"m{i}", "agent_reply": f"r{i}"} for i in range(30)]
    file = _write(tmp_path / "p.jsonl", rows)
    one, two = load_suite([file], sample=5), load_suite([file], sample=5)
    assert len(one.cases) == 5 and [c.id for c in one.cases] == [c.id for c in two.cases]
    assert len(load_suite([file], sample=99).cases) == 30


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("not json", "line 2: not JSON"),
        ('{"id": ' + "[" * 5000 + "]" * 5000 + "}", r"line 2: not JSON \(nested too deeply\)"),
        (json.dumps({"id": "x", "customer_message": "hi"}), "line 2: field 'agent_reply'"),
    ],
)
def test_a_bad_line_is_named(tmp_path: Path, line: str, expected: str) -> None:
    file = tmp_path / "p.jsonl"
    file.write_text(json.dumps({"id": "1", "customer_message": "a", "agent_reply": "b"}) + "\n" + line + "\n")
    with pytest.raises(InputError, match=expected):
        load_suite([file])


@pytest.mark.skipif(not TWCS.exists(), reason="../shared/data is not beside the project")
def test_the_airline_pairs_load_when_present() -> None:
    suite = load_suite([TWCS], sample=20)
    assert len(suite.cases) == 20 and all(c.channel is Channel.SOCIAL for c in suite.cases)
