"""Cold and warm latency of `rewriter rewrite` on the embedded local model.

Runs the real CLI as a user would (a new process per rewrite) over the example drafts.
Cold: the server is stopped before each rewrite, so the time includes starting it and
loading the model. Warm: the server is already running. Prints medians and spread.

    python bench/local_latency.py [--repeats 1] [--skip-cold]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
CASES = [
    ("backup", "email"),
    ("refund", "email"),
    ("login-chat", "chat"),
    ("delay-social", "social"),
    ("signature", "email"),
    ("export", "chat"),
]


def rewriter() -> list[str]:
    exe = shutil.which("rewriter", path=str(Path(sys.executable).parent))
    return [exe] if exe else [sys.executable, "-m", "rewriter"]


def run(case: str, channel: str) -> float:
    cmd = [
        *rewriter(),
        "rewrite",
        str(EXAMPLES / f"{case}-draft.txt"),
        "--customer-file",
        str(EXAMPLES / f"{case}-message.txt"),
        "--name",
        "Alex",
        "--channel",
        channel,
        "--quiet",
    ]
    started = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if done.returncode not in (0, 6):
        sys.exit(f"{case}: exit {done.returncode}\n{done.stderr}")
    return elapsed


def stop() -> None:
    subprocess.run([*rewriter(), "local", "stop"], capture_output=True, check=True)


def summary(name: str, times: list[float]) -> str:
    q = statistics.quantiles(times, n=4) if len(times) > 1 else [times[0]] * 3
    return (
        f"{name:5} n={len(times):2}  median {statistics.median(times):5.2f} s  "
        f"IQR {q[0]:5.2f}-{q[2]:5.2f} s  min {min(times):5.2f}  max {max(times):5.2f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeats", type=int, default=1, help="warm passes over the drafts")
    parser.add_argument("--skip-cold", action="store_true")
    args = parser.parse_args()
    cold: list[float] = []
    if not args.skip_cold:
        for case, channel in CASES:
            stop()
            cold.append(run(case, channel))
            print(f"cold  {case:14} {cold[-1]:6.2f} s", flush=True)
    run(*CASES[0])  # make sure a server is up before the warm pass
    warm: list[float] = []
    for _ in range(args.repeats):
        for case, channel in CASES:
            warm.append(run(case, channel))
            print(f"warm  {case:14} {warm[-1]:6.2f} s", flush=True)
    print()
    if cold:
        print(summary("cold", cold))
    print(summary("warm", warm))
    if cold:
        print(f"cold/warm median ratio {statistics.median(cold) / statistics.median(warm):.2f}")


if __name__ == "__main__":
    main()
