"""The llama.cpp engine as built on this machine: for which CPU, and how to rebuild it.

pip compiles the engine from source, and llama.cpp's default compiles it for the build
machine's own CPU. Such an engine can crash on the first answer (it did, with SIGSEGV,
on a CPU with AVX-512 and AMX) and is wrong for an image built on one machine and run
on another. The documented install builds it for a CPU class instead; this module says
which build is installed, by asking the engine itself which instructions it was
compiled with, and phrases the one command that rebuilds it, for the user who must.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict

from rewriter.crashes import signal_name

# What the engine reports that a portable x86-64 or ARMv8-A build never uses: a build
# with any of these runs only on CPUs that have them.
_CPU_SPECIFIC = re.compile(r"^(AVX512|AVX_VNNI|AMX|SVE|SME|DOTPROD|MATMUL_INT8)")
_FEATURE = re.compile(r"\b([A-Z][A-Z0-9_]*) = 1\b")
_PROBE = (
    "import llama_cpp, sys; "
    "sys.stdout.write(llama_cpp.__version__ + '\\n' + llama_cpp.llama_print_system_info().decode())"
)
_CRASH_SIGNALS = {"SIGSEGV", "SIGILL", "SIGBUS", "SIGABRT", "SIGFPE"}


class EngineSpec(BaseModel):
    """How the engine is installed, from ``engine.yaml`` beside this module."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    requirement: str
    portable_cmake_args: str
    native_cmake_args: str


class EngineBuild(BaseModel):
    """What the installed engine says it was compiled for."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: str
    features: list[str]
    cpu_specific: list[str]

    @property
    def portable(self) -> bool:
        """Whether it uses only instructions every CPU of its class has."""
        return not self.cpu_specific

    def describe(self) -> str:
        """One line for ``rewriter local status``."""
        shown = ", ".join(self.features) or "no SIMD"
        if self.portable:
            return f"portable: llama-cpp-python {self.version}, built for {shown}"
        return (
            f"CPU-specific: llama-cpp-python {self.version}, built with {', '.join(self.cpu_specific)} "
            f"(runs only on CPUs that have them; all: {shown})"
        )


@lru_cache(maxsize=1)
def spec() -> EngineSpec:
    """The pinned engine and its build flags (``engine.yaml`` beside this module)."""
    raw: Any = yaml.safe_load(files("rewriter.local").joinpath("engine.yaml").read_text(encoding="utf-8"))
    return EngineSpec.model_validate(raw)


def rebuild_command(*, native: bool = False, python: str | None = None) -> str:
    """The shell command that rebuilds the engine in this environment, from source.

    ``--no-cache-dir`` because pip caches a built wheel by its source archive, not by
    the flags it was built with: without it, pip hands back the engine it built before.
    """
    flags = spec().native_cmake_args if native else spec().portable_cmake_args
    interpreter = shlex.quote(python or sys.executable)
    return (
        f'CMAKE_ARGS="{flags}" {interpreter} -m pip install --no-cache-dir --force-reinstall --no-deps '
        f"{shlex.quote(spec().requirement)}"
    )


def advice(returncode: int) -> str:
    """What to do after the engine ended with ``returncode``, for the crash record."""
    portable = f"Rebuild it portably (a few minutes): {rebuild_command()}"
    name = signal_name(returncode)
    if name in _CRASH_SIGNALS:
        return (
            "This is most often an engine compiled for another CPU (`rewriter local status` shows "
            f"what it was built for). {portable}"
        )
    if name == "SIGKILL":
        return (
            "Something killed it, most often the system's out-of-memory killer: the engine needs about "
            f"3 GB of free memory. If memory was not the cause: {portable}"
        )
    return f"Its log says why. If it keeps happening: {portable}"


def parse_system_info(version: str, info: str) -> EngineBuild:
    """Read llama.cpp's ``CPU : SSE3 = 1 | AVX = 1 | ...`` line into a build description."""
    features = list(dict.fromkeys(_FEATURE.findall(info)))
    features = [f for f in features if f not in {"REPACK", "LLAMAFILE", "OPENMP", "KLEIDIAI"}]
    return EngineBuild(
        version=version, features=features, cpu_specific=[f for f in features if _CPU_SPECIFIC.match(f)]
    )


def inspect(python: str | None = None, timeout: float = 60.0) -> EngineBuild | str:
    """How the installed engine was built, or why that cannot be said.

    Asked in a child process: an engine compiled for another CPU may die as it loads,
    and that must not take the caller with it.
    """
    try:
        command = [python or sys.executable, "-c", _PROBE]
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"unknown ({exc})"
    if done.returncode < 0:
        return f"crashes as it loads ({signal_name(done.returncode)}); rebuild it: {rebuild_command()}"
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return f"not importable ({last})"
    version, _, info = done.stdout.partition("\n")
    return parse_system_info(version.strip(), info)


def cpu_features(cpuinfo: Path = Path("/proc/cpuinfo")) -> list[str]:
    """This CPU's vector and matrix extensions that decide which engine build runs on it."""
    try:
        text = cpuinfo.read_text(encoding="ascii", errors="replace")
    except OSError:
        return []
    flags = re.findall(r"\b(avx2|avx512[a-z_0-9]*|amx[a-z_0-9]*|fma|f16c|sve|asimd)\b", text)
    return sorted(set(flags))
