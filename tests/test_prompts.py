import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from rewriter import prompts
from rewriter.errors import PromptError

ROOT = Path(__file__).resolve().parent.parent


def test_comments_are_stripped_and_vars_are_strict() -> None:
    system = prompts.render("rewrite.system.md")
    assert "<!--" not in system and "sources" not in system.split("\n")[0]
    with pytest.raises(PromptError, match="needs values for: channel"):
        prompts.render("rewrite.user.md", draft="x")


def test_version_changes_with_any_prompt_edit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copytree(ROOT / "prompts", tmp_path / "p")
    monkeypatch.setenv("REWRITER_PROMPTS_DIR", str(tmp_path / "p"))
    before = prompts.prompt_version()
    assert "lexicons/en.yaml" in prompts.list_prompts()
    (tmp_path / "p" / "revise.user.md").write_text("changed $problems", encoding="utf-8")
    changed = prompts.prompt_version()
    assert changed != before
    lexicon = tmp_path / "p" / "lexicons" / "en.yaml"
    lexicon.write_text(lexicon.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    assert prompts.prompt_version() != changed


def test_missing_prompt_file_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REWRITER_PROMPTS_DIR", str(tmp_path))
    with pytest.raises(PromptError, match="'rewrite.system.md' not found"):
        prompts.render("rewrite.system.md")


def test_wheel_ships_the_prompts_and_they_load_from_it(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(tmp_path), str(ROOT)],
        check=True,
        capture_output=True,
    )
    [wheel] = tmp_path.glob("rewriter-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "rewriter/prompts/rewrite.system.md" in names and "rewriter/prompts/models.yaml" in names
    assert "rewriter/prompts/lexicons/en.yaml" in names
    target = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(target)
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]); import rewriter.prompts as p; "
        "print(p.prompts_dir()); print(p.prompt_version())"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(target)], check=True, capture_output=True, text=True, cwd=tmp_path
    ).stdout.split()
    assert out[0] == str(target / "rewriter" / "prompts")
    assert out[1] == prompts.prompt_version()


def test_version_changes_when_code_that_phrases_model_text_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Hints and messages in the checks become revision notes; the model reads them.
    package = tmp_path / "rewriter"
    shutil.copytree(ROOT / "rewriter", package, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(prompts, "files", lambda name: package)
    before = prompts.prompt_version()
    guard = package / "check" / "guard.py"
    reworded = guard.read_text(encoding="utf-8").replace("exactly as the draft", "as the draft")
    guard.write_text(reworded, encoding="utf-8")
    assert prompts.prompt_version() != before
    assert all((package / name).is_file() for name in prompts.MODEL_FACING_SOURCES)
