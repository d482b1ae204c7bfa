"""What the portable engine costs: tokens per second of two engine builds, same prompt, same run.

Each build lives in its own Python environment (pip installs one llama-cpp-python per
environment). Rounds alternate between the builds, so a busy spell on this shared
machine falls on both; each round starts a fresh process per build that loads the
embedded model once and answers the same rewrite-sized chat request several times
(the engine's prefix cache reset each time, so every answer pays its prefill). Token
counts and the prefill and decode times are the engine's own counters.

    python bench/engine_speed.py --engine portable=/tmp/venv-portable/bin/python \\
        --engine native=/tmp/venv-native/bin/python [--model PATH] [--rounds 3] [--repeats 3]

Prints, per build, the medians of prefill and decode tokens per second and of the whole
answer's seconds, and each build's ratio to the first one named.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CHILD = r"""
import json, os, sys, time
import llama_cpp
from llama_cpp import Llama

model, repeats, messages = sys.argv[1], int(sys.argv[2]), json.loads(sys.argv[3])
llm = Llama(model_path=model, n_ctx=2048, n_threads=os.cpu_count(), seed=7, verbose=False)
llm.create_chat_completion(messages=[{"role": "user", "content": "Say OK."}], max_tokens=2)  # warm-up
for _ in range(repeats):
    llm.reset()  # no prefix reuse: each answer pays its prefill
    llama_cpp.llama_perf_context_reset(llm.ctx)
    began = time.perf_counter()
    llm.create_chat_completion(messages=messages, max_tokens=160, temperature=0)
    total = time.perf_counter() - began
    perf = llama_cpp.llama_perf_context(llm.ctx)  # the engine's own clock and token counts
    print(json.dumps({"prompt_tokens": perf.n_p_eval, "prefill_s": perf.t_p_eval_ms / 1000,
                      "tokens": perf.n_eval, "decode_s": perf.t_eval_ms / 1000, "total": total}), flush=True)
"""

MESSAGES = [
    {
        "role": "system",
        "content": "You rewrite a support agent's draft reply so it is caring and clear about the next "
        "steps. Keep every fact of the draft exactly as written. Answer with the reply only.",
    },
    {
        "role": "user",
        "content": "Customer: I installed the update last night and my project folder is empty. This is the "
        "second time I'm writing about this, and I have a client presentation tomorrow morning.\n\n"
        "Draft: As I said before, the update didn't delete anything. Restore from Settings > Backups, "
        "backups are kept 30 days. Ticket #48213.",
    },
]


def run(python: str, model: Path, repeats: int) -> list[dict[str, float]]:
    """One fresh process of this build: its measured answers."""
    done = subprocess.run(
        [python, "-c", CHILD, str(model), str(repeats), json.dumps(MESSAGES)],
        capture_output=True, text=True, check=False, timeout=1800,
    )  # fmt: skip
    if done.returncode != 0:
        raise SystemExit(f"{python} failed ({done.returncode}): {done.stderr.strip()[-800:]}")
    return [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]


def main() -> None:
    """Alternate the builds round by round; print medians and ratios."""
    from rewriter.local.model import model_path

    formatter = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=formatter)
    parser.add_argument("--engine", action="append", required=True, help="LABEL=PYTHON, two or more")
    parser.add_argument("--model", type=Path, default=None, help="GGUF file (default: the embedded model)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    engines = dict(item.split("=", 1) for item in args.engine)
    model = args.model or model_path()
    samples: dict[str, list[dict[str, float]]] = {label: [] for label in engines}
    for round_ in range(args.rounds):
        order = list(engines) if round_ % 2 == 0 else list(reversed(engines))
        for label in order:
            samples[label] += run(engines[label], model, args.repeats)
            print(f"round {round_ + 1}: {label} done", file=sys.stderr, flush=True)
    per_build = f"{args.rounds} rounds x {args.repeats} answers per build"
    print(f"{os.cpu_count()} cores; model {model.name}; {per_build}")
    first: dict[str, float] = {}
    for label, rows in samples.items():
        prefill = statistics.median(r["prompt_tokens"] / r["prefill_s"] for r in rows)
        decode = statistics.median(r["tokens"] / r["decode_s"] for r in rows)
        total = statistics.median(r["total"] for r in rows)
        first = first or {"prefill": prefill, "decode": decode, "total": total}
        print(
            f"{label:10} prefill {prefill:6.1f} tok/s ({prefill / first['prefill']:.2f}x)  "
            f"decode {decode:5.1f} tok/s ({decode / first['decode']:.2f}x)  "
            f"answer {total:5.2f} s ({total / first['total']:.2f}x)  n={len(rows)}, "
            f"{statistics.median(r['prompt_tokens'] for r in rows):.0f} prompt + "
            f"{statistics.median(r['tokens'] for r in rows):.0f} answer tokens"
        )


if __name__ == "__main__":
    main()
