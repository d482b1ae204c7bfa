"""Threads or async for ``eval run --concurrency K``: which keeps a backend busier?

A backend is kept busy when K requests are always in flight. This bench serves every
request after a fixed delay (an OpenAI-compatible server on 127.0.0.1 that echoes the
draft back, ``tests/eval/echo_server.py``), so the server's busy time is known exactly:
``requests x delay``. Occupancy is that busy time over ``wall x K``: 1.0 means K
requests were in flight all the time.

Three ways of sending the golden suite's first rewrite requests, K at a time:

- ``runner``: the real ``run_suite`` with ``concurrency=K`` (threads over the one
  synchronous rewrite loop, with the checker and scorers in between requests);
- ``threads``: the bare synchronous openai client on K threads, no checking;
- ``async``: the bare ``AsyncOpenAI`` client, K tasks under a semaphore, no checking.

The bare modes are upper bounds; if ``runner`` reaches their occupancy, async would buy
nothing for the harness. Prints medians over rounds.

    python bench/concurrency.py [--delay 0.5] [--concurrency 1 4 8] [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import socket
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import openai

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rewriter.config import Settings  # noqa: E402
from rewriter.eval import RunOptions, load_scoring, load_suite, run_suite  # noqa: E402
from rewriter.rewrite.compose import reply_schema  # noqa: E402
from rewriter.rewrite.prompt import first_messages  # noqa: E402


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(delay: float) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    proc = subprocess.Popen([sys.executable, str(ROOT / "tests/eval/echo_server.py"), str(port), str(delay)])
    url = f"http://127.0.0.1:{port}/v1"
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
            return proc, url
        except OSError:
            time.sleep(0.05)
    proc.kill()
    sys.exit("the echo server did not start")


def bodies() -> list[dict[str, object]]:
    suite = load_suite([ROOT / "evals"])
    schema = reply_schema()
    return [
        {"model": "echo", "messages": first_messages(case.request()), "temperature": 0.2,
         "response_format": {"type": "json_object", "schema": schema}}
        for case in suite.cases
    ]  # fmt: skip


def run_runner(url: str, k: int) -> tuple[float, int]:
    suite = load_suite([ROOT / "evals"])
    settings = Settings(base_url=url, model="echo", max_retries=0)
    started = time.perf_counter()
    scoring = load_scoring(ROOT / "evals/scoring.yaml")
    run = run_suite(suite, RunOptions(settings=settings, concurrency=k), scoring)
    wall = time.perf_counter() - started
    requests = sum(r.usage.requests for r in run.results)
    if any(r.status == "error" for r in run.results):
        sys.exit("the runner had errors against the echo server")
    return wall, requests


def run_threads(url: str, k: int, work: list[dict[str, object]]) -> tuple[float, int]:
    client = openai.OpenAI(base_url=url, api_key="unused", max_retries=0)  # noqa: TID251 (the bare client is what is measured)
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=k) as pool:
        list(pool.map(lambda body: client.chat.completions.create(**body), work))  # type: ignore[call-overload]
    return time.perf_counter() - started, len(work)


def run_async(url: str, k: int, work: list[dict[str, object]]) -> tuple[float, int]:
    async def main() -> None:
        client = openai.AsyncOpenAI(base_url=url, api_key="unused", max_retries=0)
        gate = asyncio.Semaphore(k)

        async def one(body: dict[str, object]) -> None:
            async with gate:
                await client.chat.completions.create(**body)  # type: ignore[call-overload]

        await asyncio.gather(*(one(body) for body in work))
        await client.close()

    started = time.perf_counter()
    asyncio.run(main())
    return time.perf_counter() - started, len(work)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--delay", type=float, default=0.5, help="seconds the server takes per request")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 4, 8])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    proc, url = start_server(args.delay)
    work = bodies()
    try:
        print(f"{len(work)} cases, server delay {args.delay} s per request, median of {args.rounds} rounds")
        print(f"{'mode':8} {'K':>3} {'wall s':>8} {'req/s':>7} {'occupancy':>9}")
        for k in args.concurrency:
            modes = {
                "runner": lambda k=k: run_runner(url, k),
                "threads": lambda k=k: run_threads(url, k, work),
                "async": lambda k=k: run_async(url, k, work),
            }
            for name, fn in modes.items():
                samples = [fn() for _ in range(args.rounds)]
                wall = statistics.median(s[0] for s in samples)
                requests = samples[0][1]
                occupancy = requests * args.delay / (wall * k)
                print(f"{name:8} {k:>3} {wall:>8.2f} {requests / wall:>7.2f} {occupancy:>9.2f}")
    finally:
        proc.terminate()
        proc.wait()


if __name__ == "__main__":
    main()
