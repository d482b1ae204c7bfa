"""What the embedded engine's last crash was, shared by the process that saw it die and the one that asked.

The engine is a child of a supervisor process; a client talking to it over HTTP only
sees a connection refused or cut, which it would otherwise report as "nothing is
listening" and send the user to start a server that was there a moment ago. So the
supervisor writes one record when its engine dies (how, when, on which port, and what
to do about it) and a client whose request failed on that port reads it and tells the
truth: the engine crashed, with the signal's name. ``rewriter local status`` shows the
record too. The advice is written by the supervisor, which knows how the engine is
built; this module only stores and reads it, so the HTTP client need not know the engine.
"""

from __future__ import annotations

import signal
import time
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError

from rewriter.errors import EngineCrashedError
from rewriter.files import write_atomic

POLL = 0.05


class EngineCrash(BaseModel):
    """One unexpected end of the engine."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    at: float
    returncode: int
    port: int
    server_pid: int
    advice: str
    log: str

    @property
    def signal_name(self) -> str | None:
        """``SIGSEGV``, ``SIGILL``, ... when a signal killed it, else ``None``."""
        return signal_name(self.returncode)

    def how(self) -> str:
        """How it ended, in words: "was killed by SIGSEGV (signal 11)" or "exited with code 1"."""
        if self.signal_name is None:
            return f"exited with code {self.returncode}"
        return f"was killed by {self.signal_name} (signal {-self.returncode})"

    def error(self, when: str) -> EngineCrashedError:
        """The typed error for a request (or a check) this crash ended."""
        return EngineCrashedError(
            f"the embedded model engine {self.how()} {when}. {self.advice} (its log: {self.log})",
            returncode=self.returncode,
            signal_name=self.signal_name,
        )


def signal_name(returncode: int) -> str | None:
    """The name of the signal a negative return code stands for (``None`` for an exit)."""
    if returncode >= 0:
        return None
    try:
        return signal.Signals(-returncode).name
    except ValueError:
        return f"signal {-returncode}"


def record(path: Path, crash: EngineCrash) -> None:
    """Keep ``crash`` as the last one, replacing any older record."""
    write_atomic(path, crash.model_dump_json())


def last(path: Path) -> EngineCrash | None:
    """The last recorded crash, or ``None`` if there is none or the record is unreadable."""
    try:
        return EngineCrash.model_validate_json(path.read_text(encoding="utf-8"))
    except (OSError, ValidationError, ValueError):
        return None


def wait_for(path: Path, port: int, since: float, timeout: float = 1.0) -> EngineCrash | None:
    """The crash of the engine on ``port`` at or after ``since``, waiting up to ``timeout`` for it.

    A client sees the connection drop the moment the engine dies; its supervisor notices
    a moment later, so a failed request waits briefly for the record before it
    concludes that nothing crashed.
    """
    deadline = time.monotonic() + timeout
    while True:
        crash = last(path)
        if crash is not None and crash.port == port and crash.at >= since:
            return crash
        if time.monotonic() >= deadline:
            return None
        time.sleep(POLL)
