"""The GitHub Actions recipe in examples/ci/ runs as shown: its `run:` steps, in order, as one script.

A step that needs GitHub itself (`uses:`: the checkout, setup-python, the artifact upload)
is skipped with its reason; the checkout is stood in for by a copy of this repository,
and the runner's Python by this one. The steps run in a fresh virtual environment made
by the recipe's own install step, so a missing install step fails here.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
RECIPE = ROOT / "examples" / "ci" / "rewriter-eval.yml"
SKIPPED = {
    "actions/checkout": "the checkout: this test copies the repository instead",
    "actions/setup-python": "the runner's Python: this test uses the one running it",
    "actions/upload-artifact": "needs GitHub's artifact store: the files are checked here instead",
}


def steps() -> list[dict[str, Any]]:
    workflow = yaml.safe_load(RECIPE.read_text(encoding="utf-8"))
    (job,) = workflow["jobs"].values()
    return list(job["steps"])


def test_every_step_either_runs_here_or_has_a_stated_reason_to_skip() -> None:
    for step in steps():
        if "uses" in step:
            assert step["uses"].split("@")[0] in SKIPPED, step
        else:
            assert step["run"].strip(), step


@pytest.mark.tool
def test_the_recipe_s_run_steps_pass_in_a_fresh_environment(tmp_path: Path) -> None:
    work = tmp_path / "repo"
    ignored = shutil.ignore_patterns(".git", ".venv", "__pycache__", ".*_cache")
    shutil.copytree(ROOT, work, ignore=ignored)
    summary = tmp_path / "summary.md"
    python = Path(sys.executable).resolve().parent  # `python3`: the interpreter running this, not its venv
    path = f"{python}{os.pathsep}{os.environ['PATH']}"
    env = {**os.environ, "GITHUB_STEP_SUMMARY": str(summary), "PATH": path}
    env.pop("VIRTUAL_ENV", None)
    failed = None
    for step in steps():
        if "uses" in step:
            print(f"skipped {step['uses']}: {SKIPPED[step['uses'].split('@')[0]]}")
            continue
        if failed is not None and "always()" not in str(step.get("if", "")):
            continue
        done = subprocess.run(["bash", "-eo", "pipefail", "-c", step["run"]], cwd=work, env=env,
                              capture_output=True, text=True, timeout=900)  # fmt: skip
        if done.returncode != 0 and failed is None:
            failed = f"{step.get('name', step['run'])}: exit {done.returncode}\n{done.stdout}\n{done.stderr}"
    assert failed is None, failed
    junit = (work / "eval.xml").read_text(encoding="utf-8")
    assert junit.startswith("<?xml") and "<testsuite" in junit and 'failures="' in junit
    comparison = (work / "compare.md").read_text(encoding="utf-8")
    assert comparison.startswith("## rewriter eval compare") and "case pass rate" in comparison
    assert summary.read_text(encoding="utf-8") == comparison  # posted to the job summary as it is
