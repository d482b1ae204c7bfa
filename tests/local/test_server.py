"""Server lifecycle with a stand-in engine: start, reuse, lock, crash recovery, idle stop."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from rewriter.errors import ConfigError
from rewriter.local import server as local_server

pytestmark = [
    pytest.mark.block_network(allowed_hosts=["127.0.0.1"]),
    pytest.mark.usefixtures("fake_engine"),
    pytest.mark.engine,
]
SHA = "0" * 64


def wait_until(condition: object, timeout: float = 15.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return True
        time.sleep(0.1)
    return False


def test_start_then_reuse(fake_engine: Path) -> None:
    first = local_server.ensure_server(fake_engine, SHA)
    assert first.base_url.startswith("http://127.0.0.1:")
    assert local_server.healthy(first)
    again = local_server.ensure_server(fake_engine, SHA)
    assert again == first
    assert local_server.describe()["server"] == "running"


def test_stop_removes_the_server(fake_engine: Path) -> None:
    state = local_server.ensure_server(fake_engine, SHA)
    stopped = local_server.stop_server()
    assert stopped == state
    assert local_server.read_state() is None
    assert wait_until(lambda: not local_server.pid_alive(state.server_pid))
    assert local_server.stop_server() is None


def test_killed_engine_is_detected_and_replaced(fake_engine: Path) -> None:
    state = local_server.ensure_server(fake_engine, SHA)
    os.kill(state.server_pid, signal.SIGKILL)
    assert wait_until(lambda: not local_server.healthy(state, timeout=0.5))
    replaced = local_server.ensure_server(fake_engine, SHA)
    assert replaced.server_pid != state.server_pid and local_server.healthy(replaced)


def test_a_different_model_replaces_the_server(fake_engine: Path) -> None:
    state = local_server.ensure_server(fake_engine, SHA)
    other = local_server.ensure_server(fake_engine, "1" * 64)
    assert other.supervisor_pid != state.supervisor_pid and other.model_sha256 == "1" * 64


def test_a_server_busy_answering_someone_else_is_reused_not_replaced(fake_engine: Path) -> None:
    state = local_server.ensure_server(fake_engine, SHA)
    busy = Path(f"{fake_engine}.busy")
    busy.touch()  # the engine is generating: its model list waits
    try:
        again = local_server.ensure_server(fake_engine, SHA)
    finally:
        busy.unlink()
    assert again == state and local_server.healthy(state)
    # And a request that arrives mid-stream waits rather than cutting the stream off.
    log = (Path(os.environ["REWRITER_CACHE_DIR"]) / "server.log").read_text(encoding="utf-8")
    assert "interrupt_requests=false" in log


def test_two_processes_at_once_share_one_server(fake_engine: Path) -> None:
    code = (
        "import sys; from pathlib import Path; from rewriter.local import server as s; "
        f"print(s.ensure_server(Path(sys.argv[1]), {SHA!r}).server_pid)"
    )
    procs = [
        subprocess.Popen([sys.executable, "-c", code, str(fake_engine)], stdout=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    pids = {p.communicate(timeout=60)[0].strip() for p in procs}
    assert len(pids) == 1 and all(p.returncode == 0 for p in procs)


def test_idle_server_stops_itself(fake_engine: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REWRITER_LOCAL_IDLE_TIMEOUT", "1")
    state = local_server.ensure_server(fake_engine, SHA)
    assert wait_until(lambda: local_server.read_state() is None, timeout=20)
    assert wait_until(lambda: not local_server.pid_alive(state.supervisor_pid))
    assert "idle for 1s" in (Path(os.environ["REWRITER_CACHE_DIR"]) / "server.log").read_text(
        encoding="utf-8"
    )


def test_requests_from_any_client_keep_the_server_alive(
    fake_engine: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A long-lived process resolves the backend once and then only sends requests.
    monkeypatch.setenv("REWRITER_LOCAL_IDLE_TIMEOUT", "1")
    state = local_server.ensure_server(fake_engine, SHA)
    deadline = time.monotonic() + 3  # three idle periods
    while time.monotonic() < deadline:
        assert local_server.healthy(state, timeout=1.0)
        time.sleep(0.3)
    assert local_server.read_state() == state
    assert wait_until(lambda: local_server.read_state() is None, timeout=20)


def test_engine_that_fails_to_start_is_reported_with_its_log(fake_engine: Path) -> None:
    broken = fake_engine.with_suffix(".broken")
    broken.write_bytes(b"x")
    with pytest.raises(ConfigError, match="did not start(.|\n)*failed to load model"):
        local_server.ensure_server(broken, SHA, start_timeout=20)
    assert local_server.read_state() is None


@pytest.mark.block_network(allowed_hosts=["127.0.0.1", "127.0.0.2"])
def test_the_server_listens_on_127_0_0_1_alone(fake_engine: Path) -> None:
    state = local_server.ensure_server(fake_engine, SHA)
    socket.create_connection(("127.0.0.1", state.port), timeout=2).close()
    with pytest.raises(ConnectionRefusedError):  # another address of this very machine
        socket.create_connection(("127.0.0.2", state.port), timeout=2)
    # The probe can tell: a socket bound to every address does answer there.
    with socket.create_server(("0.0.0.0", 0)) as everywhere:
        socket.create_connection(("127.0.0.2", everywhere.getsockname()[1]), timeout=2).close()


def test_state_lock_log_and_their_folder_are_the_users_alone(
    fake_engine: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("REWRITER_CACHE_DIR", str(tmp_path / "new" / "cache"))
    before = os.umask(0)  # as loose as a umask gets
    try:
        local_server.ensure_server(fake_engine, SHA)
    finally:
        os.umask(before)
    folder = Path(os.environ["REWRITER_CACHE_DIR"])
    modes = {p.name: p.stat().st_mode & 0o777 for p in folder.glob("server.*")}
    assert set(modes) == {"server.json", "server.lock", "server.log", "server.used"}
    assert set(modes.values()) == {0o600} and folder.stat().st_mode & 0o777 == 0o700
