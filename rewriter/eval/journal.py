"""Files a run writes: the journal that survives ``kill -9``, and atomic whole files.

Each finished case is appended to the journal and fsynced before the next one starts,
so an interrupted run loses at most the case in flight; ``--resume`` reads the journal
back, skipping a last line that a crash cut short. Whole files (the run file, cache
entries) are written to a temporary name and renamed, so a reader never sees half.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import IO

from pydantic import ValidationError

from rewriter.errors import InputError
from rewriter.eval.results import CaseResult, RunMeta


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` so that it is either the old file or the whole new one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=path.parent, delete=False, suffix=".tmp")
    try:
        with handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(handle.name, path)
    finally:
        Path(handle.name).unlink(missing_ok=True)


def journal_path(run_file: Path) -> Path:
    """Where the journal of a run file lives while the run is in progress."""
    return run_file.with_name(run_file.name + ".journal")


class Journal:
    """An append-only record of a run: its metadata first, then one line per result."""

    def __init__(self, path: Path, meta: RunMeta, *, fresh: bool) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._handle: IO[str] = path.open("w" if fresh else "a", encoding="utf-8")
        if fresh:
            self._append({"meta": meta.model_dump(mode="json")})

    def add(self, result: CaseResult) -> None:
        """Record one finished result, durably, before anything else happens."""
        self._append({"result": result.model_dump(mode="json")})

    def close(self) -> None:
        """Close the file; what was added is already on disk."""
        self._handle.close()

    def _append(self, record: dict[str, object]) -> None:
        self._handle.write(json.dumps(record, ensure_ascii=False) + "\n")
        self._handle.flush()
        os.fsync(self._handle.fileno())


def read_journal(path: Path) -> tuple[RunMeta, list[CaseResult]]:
    """The metadata and results a journal holds; a torn last line (a crash mid-write) is dropped.

    Raises:
        InputError: There is no journal, or a line other than the last is damaged.
    """
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise InputError(
            f"{path}: no journal to resume from ({exc.strerror}); start the run without --resume"
        ) from exc
    records = []
    for number, line in enumerate(lines, 1):
        try:
            records.append(json.loads(line))
        except ValueError as exc:
            if number == len(lines):
                break  # the line being written when the run was killed
            raise InputError(f"{path} line {number}: damaged journal line; start the run again") from exc
    try:
        meta = RunMeta.model_validate(records[0]["meta"])
        results = [CaseResult.model_validate(r["result"]) for r in records[1:]]
    except (IndexError, KeyError, TypeError, ValidationError) as exc:
        raise InputError(
            f"{path}: not a rewriter eval journal ({exc}); start the run without --resume"
        ) from exc
    return meta, results
