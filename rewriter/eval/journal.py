"""The journal of a run, which survives ``kill -9``.

Each finished case is appended to the journal and fsynced before the next one starts,
so an interrupted run loses at most the case in flight; ``--resume`` reads the journal
back, skipping a last line that a crash cut short, and cuts that line off before it
appends, so the next crash cannot fuse it with a good line into a damaged one. The
journal holds customer text: only the user can read it (:mod:`rewriter.files`).
"""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path
from typing import IO

from pydantic import ValidationError

from rewriter.errors import InputError
from rewriter.eval.results import CaseResult, RunMeta
from rewriter.files import open_private


def journal_path(run_file: Path) -> Path:
    """Where the journal of a run file lives while the run is in progress."""
    return run_file.with_name(run_file.name + ".journal")


class Journal:
    """An append-only record of a run: its metadata first, then one line per result."""

    def __init__(self, path: Path, meta: RunMeta, *, fresh: bool) -> None:
        self.path = path
        if not fresh:
            _cut_torn_tail(path)
        self._handle: IO[str] = open_private(path, append=not fresh)
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


def _cut_torn_tail(path: Path) -> None:
    """Drop a last line with no newline: the record a crash was writing."""
    with contextlib.suppress(FileNotFoundError), path.open("rb+") as handle:
        data = handle.read()
        if data and not data.endswith(b"\n"):
            handle.truncate(data.rfind(b"\n") + 1)


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
