"""Files on disk are whole or not there, and the private ones are the user's alone."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from rewriter import files
from rewriter.files import open_private, private_dir, write_atomic


@pytest.fixture
def loose_umask() -> Iterator[None]:
    """A umask that would make every new file world-readable."""
    before = os.umask(0)
    try:
        yield
    finally:
        os.umask(before)


def mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


def test_private_files_and_folders_are_the_users_alone_whatever_the_umask(
    tmp_path: Path, loose_umask: None
) -> None:
    folder = private_dir(tmp_path / "cache" / "eval")
    write_atomic(folder / "entry.json", "{}")
    with open_private(folder / "journal", append=False) as handle:
        handle.write("line\n")
    assert (mode(folder), mode(folder / "entry.json"), mode(folder / "journal")) == (0o700, 0o600, 0o600)


def test_files_made_earlier_under_a_looser_umask_are_tightened(tmp_path: Path, loose_umask: None) -> None:
    (tmp_path / "cache").mkdir(mode=0o755)
    (tmp_path / "log").write_text("old\n", encoding="utf-8")
    (tmp_path / "log").chmod(0o644)
    private_dir(tmp_path / "cache")
    with open_private(tmp_path / "log", append=True) as handle:
        handle.write("new\n")
    assert (mode(tmp_path / "cache"), mode(tmp_path / "log")) == (0o700, 0o600)
    assert (tmp_path / "log").read_text(encoding="utf-8") == "old\nnew\n"


def test_a_file_the_user_named_follows_the_umask(tmp_path: Path) -> None:
    before = os.umask(0o027)
    try:
        write_atomic(tmp_path / "run.json", b"{}", private=False)
    finally:
        os.umask(before)
    assert mode(tmp_path / "run.json") == 0o640


def test_a_write_that_fails_half_way_keeps_the_old_file_and_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "state.json"
    write_atomic(target, "old")

    def crash(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError, match="No space"):
        write_atomic(target, "new")
    assert target.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["state.json"]


# The module alone, not the package: a writer that starts in milliseconds. A plain
# write of this size, killed the same way, is caught torn in about a third of the tries.
WRITER = """
import importlib.util, sys
from pathlib import Path
spec = importlib.util.spec_from_file_location("files", sys.argv[2])
files = importlib.util.module_from_spec(spec)
spec.loader.exec_module(files)
target, n = Path(sys.argv[1]), 0
print("writing", flush=True)
while True:
    n += 1
    files.write_atomic(target, (str(n % 10) * 4_000_000) + "end")
"""


def test_killed_mid_write_the_file_is_always_one_whole_version(tmp_path: Path) -> None:
    target = tmp_path / "entry.json"
    chooser = random.Random(11)
    for _ in range(6):
        writer = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(target), files.__file__], stdout=subprocess.PIPE, text=True
        )
        assert writer.stdout is not None and writer.stdout.readline().strip() == "writing"
        time.sleep(chooser.uniform(0.02, 0.2))
        os.kill(writer.pid, signal.SIGKILL)
        writer.communicate()
        text = target.read_text(encoding="utf-8")
        assert len(text) == 4_000_003 and text.endswith("end") and len(set(text[:-3])) == 1
    # What a crash leaves is a temporary file no reader looks for.
    assert all(
        p.name.startswith(".entry.json.") and p.suffix == ".tmp" for p in tmp_path.iterdir() if p != target
    )
