"""Turns at a server that answers one request at a time: nobody times out in the queue."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from rewriter.config import ResponseFormat, Settings
from rewriter.errors import BackendTimeoutError
from rewriter.llm import ChatClient
from rewriter.turns import turn

pytestmark = pytest.mark.block_network(allowed_hosts=["127.0.0.1"])
MESSAGES = [{"role": "user", "content": "hi"}]
AT_ONCE = 6
SERVE = 0.3  # seconds a request takes; six of them are well past the timeout below


def ask_all(server: Any, turns: Path | None) -> tuple[list[object], list[list[int]]]:
    """Six clients at once, each with a timeout shorter than the queue they are in."""
    server.one_at_a_time = True
    server.slow(SERVE, times=AT_ONCE)
    heard: list[list[int]] = [[] for _ in range(AT_ONCE)]

    def ask(n: int) -> object:
        settings = Settings(base_url=server.base_url, model="local", timeout=1.0, max_retries=0,
                            response_format=ResponseFormat.TEXT, turns=turns)  # fmt: skip
        try:
            return ChatClient(settings, on_wait=heard[n].append).complete(MESSAGES, {}).text
        except BackendTimeoutError as exc:
            return exc

    with ThreadPoolExecutor(AT_ONCE) as pool:
        return list(pool.map(ask, range(AT_ONCE))), heard


def test_without_turns_the_queue_at_the_server_times_requests_out(fault_server: Any) -> None:
    answers, _ = ask_all(fault_server, turns=None)
    assert any(isinstance(a, BackendTimeoutError) for a in answers)  # what turns are for
    assert fault_server.most_at_once > 1


def test_with_turns_every_request_is_answered_and_told_how_many_are_ahead(
    fault_server: Any, tmp_path: Path
) -> None:
    answers, heard = ask_all(fault_server, turns=tmp_path / "turns")
    assert all(isinstance(a, str) and a for a in answers), answers
    assert fault_server.most_at_once == 1  # the timeout only ran once a request was sent
    waited = [counts for counts in heard if counts]
    assert len(waited) >= AT_ONCE - 1  # all but the first waited, and were told
    assert all(counts == sorted(counts, reverse=True) and counts[-1] >= 1 for counts in waited)
    assert max(max(counts) for counts in waited) >= AT_ONCE - 2
    assert [p.name for p in (tmp_path / "turns").iterdir()] == [".naming"]  # every ticket was taken back


def test_turns_are_served_first_come_first_served(tmp_path: Path) -> None:
    served: list[int] = []
    holding = threading.Event()

    def first() -> None:
        with turn(tmp_path):
            holding.set()
            time.sleep(0.3)
            served.append(0)

    def later(n: int) -> None:
        with turn(tmp_path):
            served.append(n)

    threads = [threading.Thread(target=first)]
    threads[0].start()
    holding.wait()
    for n in range(1, 5):
        threads.append(threading.Thread(target=later, args=(n,)))
        threads[-1].start()
        time.sleep(0.02)  # each takes its ticket before the next
    for thread in threads:
        thread.join(timeout=10)
    assert served == [0, 1, 2, 3, 4]


def test_a_ticket_left_by_a_killed_process_is_not_waited_for(tmp_path: Path) -> None:
    queue = tmp_path / "turns"
    code = (
        "import sys, time; from pathlib import Path; from rewriter.turns import turn\n"
        "with turn(Path(sys.argv[1])):\n    print('holding', flush=True); time.sleep(60)"
    )
    holder = subprocess.Popen([sys.executable, "-c", code, str(queue)], stdout=subprocess.PIPE, text=True)
    assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"
    assert queue.stat().st_mode & 0o777 == 0o700  # the queue is the user's alone
    assert all(p.stat().st_mode & 0o777 == 0o600 for p in queue.iterdir())
    heard: list[int] = []
    served = threading.Event()

    def wait_then_take() -> None:
        with turn(queue, heard.append):
            served.set()

    waiting = threading.Thread(target=wait_then_take)
    waiting.start()
    time.sleep(0.5)
    assert not served.is_set() and heard == [1]  # a live holder is waited for
    os.kill(holder.pid, signal.SIGKILL)
    holder.communicate()
    assert served.wait(timeout=5)  # its ticket was abandoned: the turn came
    waiting.join(timeout=5)
    assert not list(queue.glob("*.ticket"))  # the abandoned ticket was removed
