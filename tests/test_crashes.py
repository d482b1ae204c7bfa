"""The engine's crash record: written by its supervisor, read by the client whose request it ended."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from rewriter import crashes
from rewriter.errors import ConfigError, EngineCrashedError, ExitCode


def crash(at: float, returncode: int = -11, port: int = 4000) -> crashes.EngineCrash:
    return crashes.EngineCrash(
        at=at, returncode=returncode, port=port, server_pid=99, advice="Rebuild it: cmd", log="/x/server.log"
    )


def test_a_record_round_trips_and_says_how_the_engine_ended(tmp_path: Path) -> None:
    path = tmp_path / "server.crash"
    assert crashes.last(path) is None
    crashes.record(path, crash(10.0))
    got = crashes.last(path)
    assert got == crash(10.0) and got.signal_name == "SIGSEGV"
    assert got.how() == "was killed by SIGSEGV (signal 11)"
    assert crash(1.0, returncode=-4).how() == "was killed by SIGILL (signal 4)"
    assert crash(1.0, returncode=1).how() == "exited with code 1" and crash(1.0, 1).signal_name is None


def test_the_error_is_typed_and_carries_the_signal_the_advice_and_the_log() -> None:
    error = crash(1.0).error("while answering this request")
    assert isinstance(error, EngineCrashedError) and isinstance(error, ConfigError)
    assert error.exit_code is ExitCode.ENGINE_CRASHED and error.draft_usable
    assert error.signal_name == "SIGSEGV" and error.returncode == -11
    assert error.message == (
        "the embedded model engine was killed by SIGSEGV (signal 11) while answering this request. "
        "Rebuild it: cmd (its log: /x/server.log)"
    )


def test_an_unreadable_record_is_no_record(tmp_path: Path) -> None:
    path = tmp_path / "server.crash"
    path.write_text("{not json", encoding="utf-8")
    assert crashes.last(path) is None


def test_only_a_crash_of_this_port_since_the_request_began_counts(tmp_path: Path) -> None:
    path = tmp_path / "server.crash"
    crashes.record(path, crash(100.0, port=4000))
    assert crashes.wait_for(path, 4000, since=99.0, timeout=0) == crash(100.0)
    assert crashes.wait_for(path, 4001, since=99.0, timeout=0) is None  # another server's
    assert crashes.wait_for(path, 4000, since=101.0, timeout=0) is None  # an older one


def test_a_request_waits_briefly_for_the_supervisor_to_write_the_record(tmp_path: Path) -> None:
    path = tmp_path / "server.crash"
    since = time.time()
    writer = threading.Timer(0.3, lambda: crashes.record(path, crash(time.time())))
    writer.start()
    try:
        found = crashes.wait_for(path, 4000, since=since, timeout=5)
    finally:
        writer.join()
    assert found is not None and found.at >= since
