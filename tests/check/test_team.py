from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from rewriter.check import check_reply, load_guidance
from rewriter.cli import app
from rewriter.errors import ConfigError, ExitCode
from rewriter.models import Severity, Verdict

REPLY = "Hi Dana, no problem! No worries, restore from Settings > Backups."


def team_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "team.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def failures(reply: str, guidance_file: Path | None = None) -> dict[str, Severity]:
    report = check_reply(reply, customer_name="Dana", guidance=load_guidance(guidance_file))
    return {f.rule_id: f.severity for f in report.findings if f.verdict is Verdict.FAIL}


def test_disable_raise_and_ban_change_the_verdicts(tmp_path: Path) -> None:
    path = team_file(
        tmp_path,
        "disable: [tone.no-toxic-positivity]\n"
        "rules:\n  - id: assertive.follow-up\n    severity: must\n"
        "banned_phrases:\n  - phrase: no problem\n    hint: say what you will do instead\n",
    )
    before = failures(REPLY)
    after = failures(REPLY, path)
    assert "tone.no-toxic-positivity" in before and "tone.no-toxic-positivity" not in after
    assert before["assertive.follow-up"] is Severity.SHOULD and after["assertive.follow-up"] is Severity.MUST
    assert "tone.banned-phrase" not in before and after["tone.banned-phrase"] is Severity.MUST
    assert check_reply(REPLY, guidance=load_guidance()).passed
    assert not check_reply(REPLY, guidance=load_guidance(path)).passed


def test_required_phrase_and_new_rule(tmp_path: Path) -> None:
    path = team_file(
        tmp_path,
        "required_phrases:\n  - phrase: Thanks for contacting Acme\n    channels: [email]\n"
        "rules:\n  - id: tone.no-exclamations\n    family: tone\n    title: Calm punctuation\n"
        "    good: full stops\n    avoid: exclamation marks\n"
        "    example_good: Done.\n    example_bad: Done!\n"
        "    sources: [{file: team-style-guide.md, section: Punctuation}]\n    severity: should\n"
        "    channels: [email]\n    check: judge\n",
    )
    guidance = load_guidance(path)
    assert guidance.get("tone.no-exclamations").check.value == "judge"
    assert "tone.required-phrase" in failures(REPLY, path)
    assert "tone.required-phrase" not in failures("Thanks for contacting Acme. " + REPLY, path)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "rules:\n  - id: tone.concise\n    severity: sometimes\n",
            r"override of 'tone.concise': field severity",
        ),
        ("disable: [tone.nope]\n", r"disable: no rule 'tone.nope'"),
        ("rules:\n  - id: tone.brand-new\n    severity: must\n", r"new rule 'tone.brand-new': field family"),
        ("banned_phrases:\n  - phrase: ''\n", r"field banned_phrases.0.phrase"),
        ("colour: blue\n", r"field colour: Extra inputs"),
        ("rules: [\n", r"not valid YAML"),
        ("disable: 2024-13-45\n", r"not valid YAML: month must be in 1\.\.12"),
        ("[" * 3000, r"not valid YAML"),
    ],
)
def test_invalid_team_files_name_file_rule_and_field(tmp_path: Path, text: str, message: str) -> None:
    path = team_file(tmp_path, text)
    with pytest.raises(ConfigError, match=message) as info:
        load_guidance(path)
    assert str(path) in info.value.message


def test_a_team_file_that_is_not_utf8_is_named(tmp_path: Path) -> None:
    path = tmp_path / "team.yaml"
    path.write_bytes(b"disable: [caf\xe9]\n")
    with pytest.raises(ConfigError, match="not UTF-8 text") as info:
        load_guidance(path)
    assert str(path) in info.value.message


def test_cli_check_with_team_guidance(tmp_path: Path) -> None:
    path = team_file(tmp_path, "banned_phrases:\n  - phrase: no problem\n")
    runner = CliRunner()
    default = runner.invoke(app, ["check", "-", "--name", "Dana"], input=REPLY)
    assert default.exit_code == 0
    team = runner.invoke(app, ["check", "-", "--name", "Dana", "--guidance", str(path)], input=REPLY)
    assert team.exit_code == ExitCode.CHECK_FAILED and "tone.banned-phrase" in team.stdout
    broken = team_file(tmp_path, "disable: [nope.rule]\n")
    bad = runner.invoke(app, ["check", "-", "--guidance", str(broken)], input=REPLY)
    assert bad.exit_code == ExitCode.CONFIG and "nope.rule" in bad.stderr
