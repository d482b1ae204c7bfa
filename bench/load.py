"""N `rewriter rewrite` processes started at once against one embedded model server.

Several agents on one machine share one embedded server, which answers one request at
a time; each request waits its turn (``rewriter.turns``) and its timeout starts only
then. This starts N rewrites of golden drafts at the same moment, each its own
`rewriter rewrite` process on the default path (no base URL: each finds the running
embedded server), and prints every exit code, each process's seconds and the wall time.
Exit 9 (the backend failed to answer) would be a request that timed out all the same.

    .venv/bin/rewriter local start && .venv/bin/python bench/load.py --processes 8
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def drafts(n: int, folder: Path) -> list[tuple[Path, Path]]:
    """``n`` golden drafts and their customer messages, written to files as an agent would have them."""
    sys.path.insert(0, str(ROOT))
    from rewriter.eval.cases import load_suite

    cases = [c for c in load_suite([ROOT / "evals"]).cases if c.channel.value == "email"][:n]
    pairs = []
    for case in cases:
        draft, message = folder / f"{case.id}.draft.txt", folder / f"{case.id}.message.txt"
        draft.write_text(case.draft, encoding="utf-8")
        message.write_text(case.customer, encoding="utf-8")
        pairs.append((draft, message))
    return pairs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--processes", type=int, default=8, help="Rewrites started at once.")
    args = parser.parse_args()
    rewriter = Path(sys.executable).parent / "rewriter"
    env = {k: v for k, v in os.environ.items() if k not in ("REWRITER_BASE_URL", "OPENAI_API_KEY")}
    with tempfile.TemporaryDirectory() as tmp:
        pairs = drafts(args.processes, Path(tmp))
        started = time.perf_counter()
        procs = [
            (draft.stem, time.perf_counter(), subprocess.Popen(
                [str(rewriter), "rewrite", str(draft), "--customer-file", str(message), "--quiet"],
                env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
            ))
            for draft, message in pairs
        ]  # fmt: skip
        # Each process is waited for on its own thread, so its seconds are its own,
        # not the time until the ones before it in the list had finished.
        finished: dict[str, tuple[float, int, str]] = {}

        def wait(name: str, began: float, proc: subprocess.Popen[str]) -> None:
            _, err = proc.communicate()
            finished[name] = (time.perf_counter() - began, proc.returncode, err)

        threads = [threading.Thread(target=wait, args=job) for job in procs]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        seconds, codes = [], []
        for name, _, _ in procs:
            took, code, err = finished[name]
            seconds.append(took)
            codes.append(code)
            last = err.strip().splitlines()[-1] if err.strip() else ""
            print(f"{name}: exit {code}, {took:.1f} s {last[:160]}")
        wall = time.perf_counter() - started
    ok = sum(code in (0, 6, 7) for code in codes)  # a reply came back (ok, unfaithful, needs review)
    print(f"{len(codes)} processes: {ok} produced a reply; exit codes {sorted(codes)}; "
          f"wall {wall:.1f} s; per process median {statistics.median(seconds):.1f} s, "
          f"fastest {min(seconds):.1f} s")  # fmt: skip


if __name__ == "__main__":
    main()
