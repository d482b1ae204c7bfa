"""Fuzz the team-file and golden-file loaders with arbitrary YAML, JSON lines and bytes.

Every file is written to a real path; a loader returns or raises its own error
(ConfigError, InputError) naming the file, and does the same the second time.
"""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from fuzz_strategies import two_tiers
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from rewriter.check import load_guidance
from rewriter.errors import ConfigError, InputError, RewriterError
from rewriter.eval.cases import load_suite

FAST = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
LONG = settings(max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

KEYS = [
    # team file
    "disable", "rules", "banned_phrases", "required_phrases", "id", "severity", "family", "title",
    "channels", "sources", "phrase", "why", "file", "section", "check",
    # golden file
    "cases", "tags", "scenario", "emotion", "flaws", "channel", "language", "customer", "draft",
    "policy", "facts", "forbid", "text", "regex", "expect", "numbered_steps", "good_draft",
    "customer_name", "agent_name",
]  # fmt: skip
VALUES = [
    "tone.concise", "tone.brand-new", "tone.no-blame", "must", "should", "email", "chat", "en", "de",
    "angry", "none", "blaming", "x", "", "(", "[a-", "a-b", "Hi Sam", "$72.00", "2024-13-45", "\\",
]  # fmt: skip
scalars = st.one_of(
    st.sampled_from(VALUES), st.text(max_size=10), st.integers(), st.floats(), st.booleans(), st.none()
)
documents = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.one_of(st.sampled_from(KEYS), st.text(max_size=6)), inner, max_size=5)
    ),
    max_leaves=25,
)
YAML_SNIPPETS = [
    "&a [*a]", "&a {x: *a}", "!!python/object:os.system x", "!!binary '%%%'", "!!timestamp 2024-99-99",
    "2024-13-45", "? [a, b]\n: c", "--- a\n--- b", "{", "[", "'", '"\\x"', "\t", "- - -", "*undefined",
    "!!int 0x", "!!float nan", "!!set {a, b}", "!!omap [a: 1]", "<<: *x", "[" * 200, "~", "%YAML 9.9\n---",
]  # fmt: skip
files = st.one_of(
    documents.map(lambda doc: yaml.safe_dump(doc, allow_unicode=True).encode()),
    st.builds(
        lambda key, snippet: f"{key}: {snippet}\n".encode(),
        st.sampled_from(KEYS),
        st.sampled_from(YAML_SNIPPETS),
    ),
    st.sampled_from(YAML_SNIPPETS).map(str.encode),
    st.binary(max_size=200),
    st.text(max_size=200).map(lambda t: t.encode("utf-8", "surrogatepass")),
)
jsonl = st.one_of(
    st.lists(
        st.one_of(
            documents.map(lambda doc: json.dumps(doc, allow_nan=True)),
            st.fixed_dictionaries(
                {"id": scalars, "customer_message": scalars, "agent_reply": scalars},
                optional={"channel": scalars},
            ).map(json.dumps),
            st.text(max_size=30),
        ),
        max_size=4,
    ).map(lambda lines: "\n".join(lines).encode("utf-8", "surrogatepass")),
    st.binary(max_size=100),
)


def _same_twice(load: object, path: Path, error: type[RewriterError]) -> None:
    def outcome() -> object:
        try:
            return load()  # type: ignore[operator]
        except error as exc:
            assert str(path) in exc.message, exc.message
            return (type(exc), exc.message)

    assert outcome() == outcome()


def _team(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "team.yaml"
    path.write_bytes(data)
    _same_twice(lambda: load_guidance(path), path, ConfigError)


def _golden(tmp_path: Path, data: bytes, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    _same_twice(lambda: load_suite([path], sample=2), path, InputError)


def _cases(tmp_path: Path, data: bytes) -> None:
    _golden(tmp_path, data, "cases.yaml")


def _pairs(tmp_path: Path, data: bytes) -> None:
    _golden(tmp_path, data, "pairs.jsonl")


test_team_file, test_team_file_long = two_tiers(_team, files, fast=FAST, long=LONG)
test_golden_file, test_golden_file_long = two_tiers(_cases, files, fast=FAST, long=LONG)
test_pairs_file, test_pairs_file_long = two_tiers(_pairs, jsonl, fast=FAST, long=LONG)
