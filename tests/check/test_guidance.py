from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from rewriter.check import CheckKind, Family, load_guidance
from rewriter.cli import app
from rewriter.errors import InputError, PromptError
from rewriter.models import Severity

ROOT = Path(__file__).resolve().parents[2]
SOURCES = {
    "000_d6f5a6a7f4d89263.txt",
    "001_254f549bc2da6226.txt",
    "002_cd51e5c3d424c301.txt",
    "003_750434580a957547.txt",
    "004_d7f17c456b43a738.txt",
}


def test_rule_set_covers_every_family_and_cites_real_sources() -> None:
    guidance = load_guidance()
    assert {r.family for r in guidance.rules} == set(Family)
    assert len(guidance.rules) >= 20
    for rule in guidance.rules:
        assert {s.file for s in rule.sources} <= SOURCES, rule.id
        assert rule.example_good != rule.example_bad
    ids = {r.id for r in guidance.rules}
    # The faithfulness guard's findings are rules of this set.
    assert {"faithfulness.keep-facts", "faithfulness.no-invented-facts", "tone.no-blame"} <= ids
    assert guidance.get("channel.social-privacy").severity is Severity.MUST
    assert guidance.get("tone.calm").check is CheckKind.JUDGE


def test_rules_per_channel() -> None:
    guidance = load_guidance()
    from rewriter.models import Channel

    assert "channel.social-privacy" in {r.id for r in guidance.for_channel(Channel.SOCIAL)}
    assert "channel.social-privacy" not in {r.id for r in guidance.for_channel(Channel.EMAIL)}


def test_unknown_rule_suggests_near_ids() -> None:
    with pytest.raises(InputError, match="did you mean tone.no-blame"):
        load_guidance().get("blame")


def test_invalid_rule_file_names_the_rule_and_field(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "prompts"
    folder.mkdir()
    data = yaml.safe_load((ROOT / "prompts" / "guidance.yaml").read_text(encoding="utf-8"))
    data["rules"][2]["severity"] = "sometimes"
    (folder / "guidance.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    monkeypatch.setenv("REWRITER_PROMPTS_DIR", str(folder))
    with pytest.raises(PromptError, match=r"guidance.yaml: rule 'empathy.use-name' field severity"):
        load_guidance()


def test_cli_list_and_show() -> None:
    runner = CliRunner()
    listed = runner.invoke(app, ["guidance", "list", "--family", "channel"])
    assert listed.exit_code == 0
    assert listed.stdout.splitlines()[0].startswith("channel.email-form")
    shown = runner.invoke(app, ["guidance", "show", "tone.no-blame"])
    assert shown.exit_code == 0 and "004_d7f17c456b43a738.txt" in shown.stdout
    missing = runner.invoke(app, ["guidance", "show", "nope"])
    assert missing.exit_code == 2 and "no rule 'nope'" in missing.stderr
