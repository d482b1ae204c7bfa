"""The journal: a crash cuts a line short, and the next crash must not make it damage."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

from rewriter.eval.journal import Journal, read_journal


def test_a_torn_last_line_is_cut_before_appending_so_a_second_crash_loses_nothing(
    tmp_path: Path, runs: SimpleNamespace
) -> None:
    path = tmp_path / "run.json.journal"
    journal = Journal(path, runs.meta, fresh=True)
    journal.add(runs.result(1, blame=False))
    journal.close()
    with path.open("a", encoding="utf-8") as handle:
        handle.write('{"result": {"case_id": "case-')  # killed while writing case 2
    assert [r.case_id for r in read_journal(path)[1]] == ["case-1"]
    resumed = Journal(path, runs.meta, fresh=False)
    resumed.add(runs.result(2, blame=False))
    resumed.close()
    with path.open("a", encoding="utf-8") as handle:
        handle.write('{"result": {"ca')  # killed again, writing case 3
    meta, results = read_journal(path)
    assert meta == runs.meta and [r.case_id for r in results] == ["case-1", "case-2"]
    assert path.stat().st_mode & 0o777 == 0o600  # it holds customer text
