import io
from pathlib import Path

import pytest

from rewriter.errors import ExitCode, InputError, InputTooLongError
from rewriter.inputs import MAX_INPUT_BYTES, read_text


def write(tmp_path: Path, data: bytes) -> str:
    path = tmp_path / "draft.txt"
    path.write_bytes(data)
    return str(path)


def test_reads_utf8_and_strips_bom_and_crlf(tmp_path: Path) -> None:
    assert read_text(write(tmp_path, "\ufeffHi Zoë,\r\nthanks".encode())) == "Hi Zoë,\nthanks"


@pytest.mark.parametrize("data", [b"", b"   \n\t  \n"])
def test_empty_or_blank_is_refused(tmp_path: Path, data: bytes) -> None:
    with pytest.raises(InputError, match="is empty") as info:
        read_text(write(tmp_path, data))
    assert info.value.exit_code is ExitCode.USAGE


def test_binary_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="binary"):
        read_text(write(tmp_path, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"))


def test_non_utf8_names_the_byte(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"not valid UTF-8 \(byte 3"):
        read_text(write(tmp_path, "Caf\u00e9 open".encode("latin-1")))


def test_too_large_is_refused_before_reading(tmp_path: Path) -> None:
    with pytest.raises(InputTooLongError, match="2,097,152 bytes") as info:
        read_text(write(tmp_path, b"a" * 2 * 1024 * 1024))
    assert info.value.exit_code is ExitCode.INPUT_TOO_LONG


def test_stdin_is_bounded_too() -> None:
    with pytest.raises(InputTooLongError):
        read_text("-", stdin=io.BytesIO(b"x" * (MAX_INPUT_BYTES + 10)))
    assert read_text("-", stdin=io.BytesIO(b"hello")) == "hello"


def test_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        read_text(str(tmp_path / "nope.txt"))
    with pytest.raises(InputError, match="is a directory"):
        read_text(str(tmp_path))
