"""Lifecycle of the embedded model server: start once, share, health-check, stop when idle.

Loading the model takes seconds, so one background server on a free loopback port is
shared by every ``rewriter`` process of the user. A state file (pid, port, model hash),
written atomically and readable by the user alone like the rest of the cache folder,
says where it is; a lock makes two simultaneous invocations start one server, not two;
a crashed or stale server is detected by pid and health check and replaced. A small
supervisor process owns the engine and stops it after an idle period, so nothing keeps
2 GB of memory busy forever. It never binds beyond 127.0.0.1.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError

from rewriter import crashes
from rewriter.errors import ConfigError
from rewriter.files import open_private, private_dir, write_atomic
from rewriter.local.engine import advice
from rewriter.local.model import cache_dir, specs

HOST = "127.0.0.1"
ENGINE_MODULE = "llama_cpp.server"
SELF_CHECK_TIMEOUT = 120.0


class ServerState(BaseModel):
    """What the state file records about the running server."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    supervisor_pid: int
    server_pid: int
    port: int
    model_sha256: str
    model_path: str
    started_at: float

    @property
    def base_url(self) -> str:
        """The OpenAI-compatible endpoint."""
        return f"http://{HOST}:{self.port}/v1"


def _paths() -> dict[str, Path]:
    root = private_dir(cache_dir())
    return {name: root / f"server.{name}" for name in ("json", "lock", "log", "used", "crash")}


def read_state() -> ServerState | None:
    """The recorded server, or ``None`` if there is none or the record is unreadable."""
    try:
        return ServerState.model_validate_json(_paths()["json"].read_text(encoding="utf-8"))
    except (OSError, ValidationError, ValueError):
        return None


def pid_alive(pid: int) -> bool:
    """Whether a process exists (and is not a zombie we are its parent of)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    with contextlib.suppress(ChildProcessError):
        if os.waitpid(pid, os.WNOHANG)[0] == pid:
            return False
    return not _zombie(pid)


def _zombie(pid: int) -> bool:
    """Whether the process has exited and waits for someone else to collect it.

    The supervisor is nobody's child; until the system's init collects it (in a
    container that can take seconds) it still answers ``kill(pid, 0)``.
    """
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return False  # no /proc (macOS): alive as far as we can tell
    return stat.rpartition(")")[2].split()[:1] == ["Z"]


def healthy(state: ServerState, timeout: float = 3.0) -> bool:
    """Whether the server answers: alive is not enough, it must serve.

    It asks for the API description, not the model list: the engine answers the model
    list only between two generations (it waits for the model's lock), so a server busy
    with another agent's 30-second rewrite would look dead and be replaced mid-answer.
    The engine loads the model before it listens, so an answer means a loaded model.
    """
    try:
        with urllib.request.urlopen(f"http://{HOST}:{state.port}/openapi.json", timeout=timeout) as response:
            return bool(response.status == 200)
    except OSError:
        return False


def crash_file() -> Path:
    """Where the supervisor records how the engine last died (see :mod:`rewriter.crashes`)."""
    return _paths()["crash"]


def turns_folder(state: ServerState) -> Path:
    """Where requests to this server wait their turn (see :mod:`rewriter.turns`)."""
    return cache_dir() / "turns" / str(state.port)


def touch() -> None:
    """Record a use, which postpones the idle stop."""
    used = _paths()["used"]
    open_private(used, append=True).close()
    os.utime(used)


@contextlib.contextmanager
def _lock() -> Iterator[None]:
    with open_private(_paths()["lock"], append=True) as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def ensure_server(model: Path, sha256: str, *, start_timeout: float | None = None) -> ServerState:
    """Return a healthy server for this model, starting or replacing one if needed.

    Args:
        model: The verified model file.
        sha256: Its hash; a running server with another model is replaced.
        start_timeout: Seconds to wait for the model to load (default from local.yaml).

    Raises:
        ConfigError: The engine failed to start; the message quotes its log.
    """
    with _lock():
        state = read_state()
        if state and state.model_sha256 == sha256 and pid_alive(state.supervisor_pid) and healthy(state):
            touch()
            return state
        if state:
            _terminate(state)
        state = _start(model, sha256, start_timeout or specs()[1].start_timeout)
        touch()
        return state


def stop_server() -> ServerState | None:
    """Stop the recorded server; return what was stopped, or ``None`` if none ran."""
    with _lock():
        state = read_state()
        if state:
            _terminate(state)
        return state


def _terminate(state: ServerState) -> None:
    for pid in (state.supervisor_pid, state.server_pid):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and any(pid_alive(p) for p in (state.supervisor_pid, state.server_pid)):
        time.sleep(0.1)
    for pid in (state.supervisor_pid, state.server_pid):
        if pid_alive(pid):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
    _paths()["json"].unlink(missing_ok=True)


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def _start(model: Path, sha256: str, timeout: float) -> ServerState:
    paths = _paths()
    paths["json"].unlink(missing_ok=True)
    for old in (cache_dir() / "turns").glob("*"):  # queues of servers gone; a busy one stays
        with contextlib.suppress(OSError):
            old.rmdir()
    server = specs()[1]
    port, since = free_port(), time.time()
    command = [
        sys.executable, "-m", "rewriter.local.server",
        "--model", str(model), "--sha256", sha256, "--port", str(port),
        "--alias", server.alias, "--n-ctx", str(server.n_ctx),
        "--threads", str(server.n_threads or os.cpu_count() or 1),
        "--idle-timeout", str(float(os.environ.get("REWRITER_LOCAL_IDLE_TIMEOUT") or server.idle_timeout)),
    ]  # fmt: skip
    with open_private(paths["log"], append=False) as log:
        launcher = subprocess.Popen(
            command, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    launcher.wait(timeout=30)  # it forks the supervisor and exits at once
    deadline = time.monotonic() + timeout
    seen = False
    while time.monotonic() < deadline:
        state = read_state()
        if state:
            seen = True
            if healthy(state, timeout=1):
                _self_check(state, server.alias)
                return state
        elif seen or crashes.wait_for(paths["crash"], port, since, timeout=0):
            break  # the supervisor gave up: the engine exited (maybe before we saw it run)
        time.sleep(0.2)
    if state := read_state():
        _terminate(state)
    crash = crashes.wait_for(paths["crash"], port, since, timeout=0.5)
    if crash is not None and crash.signal_name is not None:
        raise crash.error("while loading the model")
    raise ConfigError(
        f"the embedded model server did not start; its log ({paths['log']}) ends with:\n{_tail(paths['log'])}"
    )


def _self_check(state: ServerState, alias: str) -> None:
    """Ask the engine for one token before calling it ready.

    An engine compiled for another CPU loads the model and answers health checks, then
    dies on its first computation: better on this tiny request than on a customer's
    draft, where the user would be told nothing is listening.

    Raises:
        EngineCrashedError: The engine died answering.
        ConfigError: It answered with an error, or not at all.
    """
    body = {"model": alias, "messages": [{"role": "user", "content": "Say OK."}], "max_tokens": 1,
            "temperature": 0}  # fmt: skip
    request = urllib.request.Request(
        f"http://{HOST}:{state.port}/v1/chat/completions",
        data=json.dumps(body).encode(),
        headers={"content-type": "application/json"},
    )
    since = time.time()
    try:
        with urllib.request.urlopen(request, timeout=SELF_CHECK_TIMEOUT) as response:
            if isinstance(json.load(response).get("choices"), list):
                return
            problem = "an answer without choices"
    except urllib.error.HTTPError as exc:
        problem = f"HTTP {exc.code}"
    except (OSError, ValueError) as exc:
        problem = str(exc) or type(exc).__name__
    crash = crashes.wait_for(crash_file(), state.port, since - 1.0)
    _terminate(state)
    if crash is not None:
        raise crash.error("on its self-check (one token), before any draft was sent")
    log = _paths()["log"]
    raise ConfigError(
        f"the embedded model server failed its self-check ({problem}); its log ({log}) ends with:\n"
        f"{_tail(log)}"
    )


def _tail(path: Path, lines: int = 15) -> str:
    try:
        return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def _supervise(args: list[str]) -> int:
    """Run the engine, record the state, and stop it when idle, on a signal or if it dies.

    It forks once and the parent exits, so the supervisor is nobody's child: a
    long-running host process (a help-desk server using the library) never collects
    it as a zombie when it stops.
    """
    if os.fork():
        os._exit(0)
    os.setsid()
    opts = dict(zip(args[::2], args[1::2], strict=True))
    port = int(opts["--port"])
    engine = [
        sys.executable, "-m", os.environ.get("REWRITER_LOCAL_ENGINE_MODULE", ENGINE_MODULE),
        "--model", opts["--model"], "--model_alias", opts["--alias"], "--host", HOST, "--port", str(port),
        "--n_threads", opts["--threads"], "--n_ctx", opts["--n-ctx"],
        # A request arriving mid-stream must wait, not cut the stream off (the default).
        "--interrupt_requests", "false",
    ]  # fmt: skip
    child = subprocess.Popen(engine, stdin=subprocess.DEVNULL)
    stopping = False

    def stop(signum: int, frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    paths = _paths()
    state = ServerState(
        supervisor_pid=os.getpid(), server_pid=child.pid, port=port, model_sha256=opts["--sha256"],
        model_path=opts["--model"], started_at=time.time(),
    )  # fmt: skip
    write_atomic(paths["json"], state.model_dump_json())
    idle = float(opts["--idle-timeout"])
    while not stopping and child.poll() is None:
        time.sleep(0.2)  # a stop, a crash or the idle limit is acted on at once
        if time.time() - _last_use(paths, state.started_at) > idle:
            print(f"rewriter: idle for {idle:g}s, stopping the model server", flush=True)
            break
    if child.poll() is not None and not stopping and child.returncode != -signal.SIGTERM:
        crash = crashes.EngineCrash(
            at=time.time(), returncode=child.returncode, port=port, server_pid=child.pid,
            advice=advice(child.returncode), log=str(paths["log"]),
        )  # fmt: skip
        crashes.record(paths["crash"], crash)
        print(f"rewriter: the engine {crash.how()}", flush=True)
    if child.poll() is None:
        child.terminate()
        try:
            child.wait(timeout=10)
        except subprocess.TimeoutExpired:
            child.kill()
    if read_state() == state:
        paths["json"].unlink(missing_ok=True)
    return 0


def _last_use(paths: dict[str, Path], started_at: float) -> float:
    """When the server was last used: a client starting it, or any request it served.

    The engine logs every request, so the log's time stamp counts traffic from any
    client, including a long-lived process that resolved the backend once and then
    sends requests for an hour: it must not lose its server half-way.
    """
    stamps = [started_at]
    for name in ("used", "log"):
        try:
            stamps.append(paths[name].stat().st_mtime)
        except OSError:
            pass
    return max(stamps)


def describe() -> dict[str, object]:
    """The server and the engine's last crash, as raw values (epoch seconds, absolute paths).

    ``rewriter local status`` prints them for a person (:mod:`rewriter.cli.readable`)
    and, with ``--json``, as they are.
    """
    crash = crashes.last(crash_file())
    last_crash = {"at": crash.at, "what": f"the engine {crash.how()}"} if crash else None
    state = read_state()
    if state is None:
        return {"server": "not running", "last_crash": last_crash}
    running = pid_alive(state.supervisor_pid) and healthy(state)
    return {
        "server": "running" if running else "stale (will be replaced on next use)",
        **json.loads(state.model_dump_json()),
        "base_url": state.base_url,
        "log": str(_paths()["log"]),
        "last_crash": last_crash,
    }


if __name__ == "__main__":
    sys.exit(_supervise(sys.argv[1:]))
