"""Golden cases: the committed suite is valid and current, and a bad file says exactly where."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from rewriter.errors import InputError, InputTooLongError
from rewriter.eval.cases import SCHEMA_HEADER, load_suite, schema_text

ROOT = Path(__file__).resolve().parents[2]
EVALS = ROOT / "evals"
GOOD = """cases:
  - id: ok-case
    tags: {scenario: double-charge, emotion: angry, flaws: [blaming]}
    customer: I was charged twice.
    draft: As I said, the second charge of $49.00 drops off in 5 to 7 days.
    facts: ["$49.00", "5 to 7 days"]
"""


def write(tmp_path: Path, text: str, name: str = "cases.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_the_committed_schema_is_current() -> None:
    # Regenerate with: rewriter eval schema
    assert (EVALS / "schema.json").read_text(encoding="utf-8") == schema_text()


def test_the_golden_suite_loads_and_covers_the_matrix() -> None:
    suite = load_suite([EVALS])
    cases = suite.cases
    assert len(cases) >= 60
    assert sum(c.good_draft for c in cases) >= 6
    assert sum(c.language != "en" for c in cases) >= 6
    assert {c.channel.value for c in cases} == {"email", "chat", "social"}
    emotions = Counter(c.tags.emotion.value for c in cases)
    assert {"furious", "polite"} <= set(emotions)
    flaws = {f.value for c in cases for f in c.tags.flaws}
    assert {"blaming", "hedging", "wall-of-text", "refusal-without-alternative", "missing-timeline",
            "over-apology"} <= flaws  # fmt: skip
    for path in suite.files:
        assert Path(path).read_text(encoding="utf-8").startswith(SCHEMA_HEADER + "../schema.json\n"), path


def test_the_suite_hash_follows_the_cases(tmp_path: Path) -> None:
    first = load_suite([write(tmp_path, GOOD)]).hash
    assert load_suite([write(tmp_path, GOOD)]).hash == first
    assert load_suite([write(tmp_path, GOOD.replace("twice", "two times"))]).hash != first


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (("emotion: angry", "emotion: livid"), "case 'ok-case': field 'tags.emotion': Input should be"),
        (("    customer:", "    custmer: x\n    customer:"), "case 'ok-case': field 'custmer': Extra inputs"),
        (
            ('"5 to 7 days"', '"5-7 days"'),
            "case 'ok-case': Value error, facts not in the draft word for word",
        ),
        (
            ("    facts:", "    forbid: [{regex: '(', why: x}]\n    facts:"),
            "field 'forbid.0': Value error, regex",
        ),
        (
            ("    facts:", "    expect: {rules: [tone.blame]}\n    facts:"),
            "field 'expect.rules': no rule 'tone.blame'",
        ),
        (("cases:", "cases: ["), "not valid YAML"),
        (("cases:", "when: 2024-13-45\ncases:"), "not valid YAML: month must be in 1..12"),
        (("cases:", "deep: " + "[" * 3000 + "\ncases:"), "not valid YAML"),
    ],
)
def test_a_malformed_file_names_the_file_the_case_and_the_field(
    tmp_path: Path, change: tuple[str, str], problem: str
) -> None:
    path = write(tmp_path, GOOD.replace(*change))
    with pytest.raises(InputError, match="^" + str(path).replace("\\", "\\\\")) as info:
        load_suite([path])
    assert problem in info.value.message


def test_a_repeated_id_names_both_files(tmp_path: Path) -> None:
    write(tmp_path, GOOD, "a.yaml")
    write(tmp_path, GOOD, "b.yaml")
    with pytest.raises(InputError, match=r"b\.yaml: case 'ok-case': id already used in .*a\.yaml"):
        load_suite([tmp_path])


def test_a_missing_path_or_an_empty_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file or folder"):
        load_suite([tmp_path / "nope.yaml"])
    with pytest.raises(InputError, match="no golden files"):
        load_suite([tmp_path])


def test_the_schema_command_writes_and_checks_the_file(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from rewriter.cli import app

    target = tmp_path / "schema.json"
    assert CliRunner().invoke(app, ["eval", "schema", "--check", "--out", str(target)]).exit_code == 1
    assert CliRunner().invoke(app, ["eval", "schema", "--out", str(target)]).exit_code == 0
    assert target.read_text(encoding="utf-8") == schema_text()
    assert CliRunner().invoke(app, ["eval", "schema", "--check", "--out", str(target)]).exit_code == 0


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "is empty; give it a list of cases"),
        (b"  \n\n", "is empty; give it a list of cases"),
        (b"cases:\x00\x01\x02", "looks like a binary file"),
        ("cases: [] # caf\u00e9".encode("latin-1"), r"not valid UTF-8 \(byte 15, line 1"),
    ],
)
def test_a_bad_golden_file_is_refused_like_a_draft(tmp_path: Path, data: bytes, message: str) -> None:
    path = tmp_path / "cases.yaml"
    path.write_bytes(data)
    with pytest.raises(InputError, match=message):
        load_suite([path])


def test_a_utf16_golden_file_with_a_bom_loads(tmp_path: Path) -> None:
    path = tmp_path / "cases.yaml"
    path.write_bytes(GOOD.encode("utf-16"))
    assert [c.id for c in load_suite([path]).cases] == ["ok-case"]


def test_a_huge_golden_file_is_refused_before_it_is_read(tmp_path: Path) -> None:
    path = tmp_path / "cases.yaml"
    with path.open("wb") as f:
        f.truncate(5 * 1024 * 1024)
    with pytest.raises(InputTooLongError, match="5,242,880 bytes"):
        load_suite([path])


def test_an_html_draft_is_loaded_as_its_text_and_code_emoji_rtl_survive(tmp_path: Path) -> None:
    cases = """cases:
  - id: html-body
    tags: {scenario: refund, emotion: neutral, flaws: [cold]}
    customer: "<p>Where is my <b>refund</b>?</p>"
    draft: 'HTML_DRAFT'
    facts: ["$25.00", "https://example.com/r"]
  - id: markdown-emoji-rtl
    tags: {scenario: reset, emotion: neutral, flaws: [cold]}
    customer: "مرحبا 👋 my app is stuck"
    draft: "Run this 🙏:\\n\\n```\\napp --reset --port 8443\\n```\\n\\nThen set `MAX_RETRIES=5`."
    facts: ["app --reset --port 8443", "MAX_RETRIES=5"]
""".replace(
        "HTML_DRAFT",
        '<html><body><p>Your refund of $25.00 is sent.</p><p><a href="https://example.com/r">Track it</a></p>'
        "</body></html>",
    )
    html, md = load_suite([write(tmp_path, cases)]).cases
    assert html.draft == "Your refund of $25.00 is sent.\n\nTrack it (https://example.com/r)\n"
    assert html.customer == "Where is my refund?\n"
    assert md.draft.startswith("Run this 🙏:\n\n```\napp --reset") and md.customer.startswith("مرحبا 👋")
