"""Warm latency of two revisions of the project on the same golden cases, in one run.

Latency on a shared 2-core machine drifts with whatever else runs, so two runs made
hours apart say little. This bench checks out a base revision beside the working tree
and rewrites a fixed sample of golden cases with each, alternating which goes first,
against one warm model server. It prints each side's median seconds, attempts and
requests per rewrite, the ratio of the medians, and the median of the per-case ratios.

    REWRITER_BASE_URL=http://127.0.0.1:8080/v1 REWRITER_MODEL=local \\
        python bench/suite_latency.py --base f0b8334 --cases 12
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Run inside each checkout, so each side uses its own code, prompts and rules.
RUNNER = """
import json, sys, time
from pathlib import Path
from rewriter.eval.cases import load_suite
from rewriter.rewrite import Rewriter
case = next(c for c in load_suite([Path("evals")]).cases if c.id == sys.argv[1])
rewriter = Rewriter()
started = time.perf_counter()
result = rewriter.rewrite(case.request())
print(json.dumps({"seconds": time.perf_counter() - started, "attempts": result.attempts,
                  "requests": result.usage.requests}))
"""


def rewrite(checkout: Path, case_id: str) -> dict[str, float]:
    env = {**os.environ, "PYTHONPATH": str(checkout)}
    done = subprocess.run(
        [sys.executable, "-c", RUNNER, case_id], cwd=checkout, env=env, capture_output=True, text=True
    )
    if done.returncode != 0:
        sys.exit(f"{checkout.name} {case_id}: exit {done.returncode}\n{done.stderr[-2000:]}")
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


LISTER = """
from pathlib import Path
from rewriter.eval.cases import load_suite
print("\\n".join(c.id for c in load_suite([Path("evals")]).cases))
"""


def case_ids(checkout: Path) -> set[str]:
    """The golden cases of one checkout: a case added since the base cannot be compared."""
    env = {**os.environ, "PYTHONPATH": str(checkout)}
    command = [sys.executable, "-c", LISTER]
    done = subprocess.run(command, cwd=checkout, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"{checkout.name}: cannot list its golden cases\n{done.stderr[-2000:]}")
    return set(done.stdout.split())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", required=True, help="The revision to compare the working tree with.")
    parser.add_argument("--cases", type=int, default=12, help="How many golden cases (a fixed sample).")
    parser.add_argument("--seed", type=int, default=7, help="Seed of the sample.")
    args = parser.parse_args()
    if not os.environ.get("REWRITER_BASE_URL"):
        sys.exit("set REWRITER_BASE_URL (and REWRITER_MODEL) to a warm model server")
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp) / "base"
        subprocess.run(["git", "worktree", "add", "--detach", str(base), args.base], cwd=ROOT, check=True,
                       capture_output=True)  # fmt: skip
        try:
            shared = sorted(case_ids(ROOT) & case_ids(base))
            sample = random.Random(args.seed).sample(shared, args.cases)
            seconds: dict[str, list[float]] = {"base": [], "head": []}
            attempts: dict[str, list[float]] = {"base": [], "head": []}
            requests: dict[str, list[float]] = {"base": [], "head": []}
            for i, case in enumerate(sample):
                order = [("base", base), ("head", ROOT)]
                for side, checkout in order if i % 2 == 0 else order[::-1]:
                    result = rewrite(checkout, case)
                    seconds[side].append(result["seconds"])
                    attempts[side].append(result["attempts"])
                    requests[side].append(result["requests"])
                print(
                    f"{case}: base {seconds['base'][-1]:.1f} s, head {seconds['head'][-1]:.1f} s", flush=True
                )
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(base)], cwd=ROOT, check=False)
    for side in ("base", "head"):
        print(
            f"{side}: median {statistics.median(seconds[side]):.1f} s, "
            f"p90 {statistics.quantiles(seconds[side], n=10)[-1]:.1f} s, "
            f"mean attempts {statistics.mean(attempts[side]):.2f}, "
            f"requests per rewrite: median {statistics.median(requests[side]):.1f}, "
            f"mean {statistics.mean(requests[side]):.2f}"
        )
    ratios = [h / b for h, b in zip(seconds["head"], seconds["base"], strict=True)]
    of_medians = statistics.median(seconds["head"]) / statistics.median(seconds["base"])
    print(
        f"head/base: ratio of medians {of_medians:.2f}, "
        f"median per-case ratio {statistics.median(ratios):.2f} over {len(sample)} cases"
    )


if __name__ == "__main__":
    main()
