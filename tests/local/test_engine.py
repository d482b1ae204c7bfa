"""How the installed engine was built, and the one command that rebuilds it portably."""

from __future__ import annotations

import re
import shlex
import signal
import tomllib
from pathlib import Path

import pytest

from rewriter.local import engine

ROOT = Path(__file__).resolve().parents[2]
# What llama-cpp-python 0.3.36 printed on this project's x86-64 build machine.
NATIVE_X86 = (
    "CPU : SSE3 = 1 | SSSE3 = 1 | AVX = 1 | AVX2 = 1 | F16C = 1 | FMA = 1 | BMI2 = 1 | AVX512 = 1 | "
    "AVX512_VBMI = 1 | AVX512_VNNI = 1 | AVX512_BF16 = 1 | LLAMAFILE = 1 | OPENMP = 1 | REPACK = 1 | "
)
PORTABLE_X86 = (
    "CPU : SSE3 = 1 | SSSE3 = 1 | AVX = 1 | AVX2 = 1 | F16C = 1 | FMA = 1 | BMI2 = 1 | LLAMAFILE = 1 | "
    "OPENMP = 1 | REPACK = 1 | "
)


def test_a_build_for_this_cpu_is_told_apart_from_a_portable_one() -> None:
    native = engine.parse_system_info("0.3.36", NATIVE_X86)
    assert not native.portable
    assert native.cpu_specific == ["AVX512", "AVX512_VBMI", "AVX512_VNNI", "AVX512_BF16"]
    assert native.describe().startswith("CPU-specific: llama-cpp-python 0.3.36, built with AVX512, AVX512_")
    portable = engine.parse_system_info("0.3.36", PORTABLE_X86)
    assert portable.portable and portable.features == ["SSE3", "SSSE3", "AVX", "AVX2", "F16C", "FMA", "BMI2"]
    assert portable.describe() == (
        "portable: llama-cpp-python 0.3.36, built for SSE3, SSSE3, AVX, AVX2, F16C, FMA, BMI2"
    )


@pytest.mark.parametrize(
    ("info", "portable"),
    [
        ("CPU : NEON = 1 | ARM_FMA = 1 | FP16_VA = 1 | OPENMP = 1 |", True),  # ARMv8-A baseline
        ("CPU : NEON = 1 | ARM_FMA = 1 | DOTPROD = 1 | SVE = 1 | SVE_CNT = 16 |", False),  # -mcpu=native
        ("CPU : SSE3 = 1 | AVX2 = 1 | AMX_INT8 = 1 | AVX512 = 1 |", False),
        ("CPU : SSE3 = 1 | AVX2 = 1 | AVX512 = 0 |", True),  # "= 0" is not built in
    ],
)
def test_cpu_specific_features_on_each_architecture(info: str, portable: bool) -> None:
    assert engine.parse_system_info("0.3.36", info).portable is portable


def fake_python(tmp_path: Path, body: str) -> str:
    script = tmp_path / "python"
    script.write_text(f"#!/bin/sh\n{body}\n", encoding="utf-8")
    script.chmod(0o755)
    return str(script)


def test_the_engine_is_asked_in_a_child_that_may_die(tmp_path: Path) -> None:
    crashing = fake_python(tmp_path, "kill -SEGV $$")
    said = engine.inspect(python=crashing)
    assert isinstance(said, str) and said.startswith("crashes as it loads (SIGSEGV); rebuild it: CMAKE_ARGS=")


def test_what_the_engine_reports_is_read(tmp_path: Path) -> None:
    reporting = fake_python(tmp_path, f"printf '0.3.36\\n{PORTABLE_X86}'")
    build = engine.inspect(python=reporting)
    assert not isinstance(build, str) and build.portable and build.version == "0.3.36"
    missing = fake_python(tmp_path, "echo \"ModuleNotFoundError: No module named 'llama_cpp'\" >&2; exit 1")
    said = engine.inspect(python=missing)
    assert said == "not importable (ModuleNotFoundError: No module named 'llama_cpp')"


def test_the_rebuild_command_is_exact_and_skips_the_wheel_cache() -> None:
    command = engine.rebuild_command(python="/home/a b/.venv/bin/python")
    assert command == (
        'CMAKE_ARGS="-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_BMI2=ON -DGGML_FMA=ON '
        "-DGGML_F16C=ON\" '/home/a b/.venv/bin/python' -m pip install --no-cache-dir --force-reinstall "
        "--no-deps 'llama-cpp-python[server]==0.3.36'"
    )
    assert shlex.split(command)[0].startswith("CMAKE_ARGS=-DGGML_NATIVE=OFF ")  # one shell word
    assert 'CMAKE_ARGS="-DGGML_NATIVE=ON"' in engine.rebuild_command(native=True)


@pytest.mark.parametrize(
    ("returncode", "says"),
    [
        (-signal.SIGSEGV, "most often an engine compiled for another CPU"),
        (-signal.SIGILL, "most often an engine compiled for another CPU"),
        (-signal.SIGKILL, "out-of-memory killer"),
        (1, "Its log says why"),
    ],
)
def test_the_advice_fits_how_it_ended(returncode: int, says: str) -> None:
    advice = engine.advice(returncode)
    assert says in advice and engine.rebuild_command() in advice


def test_the_readme_install_the_pin_and_the_rebuild_agree() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    main = re.search(r"<!-- main-command -->\n```bash\n(.+?)\n```", readme, re.DOTALL)
    assert main is not None
    words = shlex.split(main.group(1))
    assert f"CMAKE_ARGS={engine.spec().portable_cmake_args}" in words
    install = words[words.index(f"CMAKE_ARGS={engine.spec().portable_cmake_args}") + 1 :]
    assert install[:3] == [".venv/bin/pip", "install", "--no-cache-dir"]  # never a wheel pip cached
    extra = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert engine.spec().requirement in extra["optional-dependencies"]["local"]
    native = engine.rebuild_command(native=True, python=".venv/bin/python")
    assert native in readme  # the one command for a native engine


def test_cpu_features_are_read_from_cpuinfo(tmp_path: Path) -> None:
    cpuinfo = tmp_path / "cpuinfo"
    flags = "flags\t\t: fpu sse2 avx avx2 fma f16c avx512f avx512_vnni amx_tile\n"
    cpuinfo.write_text(flags * 2, encoding="ascii")
    assert engine.cpu_features(cpuinfo) == ["amx_tile", "avx2", "avx512_vnni", "avx512f", "f16c", "fma"]
    assert engine.cpu_features(tmp_path / "absent") == []
