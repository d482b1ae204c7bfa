import io
from pathlib import Path

import pytest

from rewriter.errors import ExitCode, InputError, InputTooLongError
from rewriter.inputs import MAX_INPUT_BYTES, looks_like_html, plain_text, read_text


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


DRAFT = "Hi Zoë,\r\nyour refund of $25.00 is on its way.\r\n"


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-be", "utf-32", "utf-8-sig"])
def test_a_byte_order_mark_says_how_to_decode(tmp_path: Path, codec: str) -> None:
    data = DRAFT.encode(codec)
    if codec == "utf-16-be":
        data = b"\xfe\xff" + data
    assert read_text(write(tmp_path, data)) == "Hi Zoë,\nyour refund of $25.00 is on its way.\n"


def test_utf16_without_a_bom_is_named_not_called_binary(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"UTF-16 without a byte-order mark; save it as UTF-8"):
        read_text(write(tmp_path, DRAFT.encode("utf-16-le")))


def test_a_bom_over_bad_bytes_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"UTF-16 byte-order mark but is not valid UTF-16"):
        read_text(write(tmp_path, b"\xff\xfeH\x00\x00\xd8"))  # a lone surrogate


def test_nul_inside_decoded_text_is_binary(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="binary"):
        read_text(write(tmp_path, "a\0b".encode("utf-16")))


def test_windows_1252_gets_its_own_hint_and_the_line(tmp_path: Path) -> None:
    data = "Hello\nWe\u2019re sorry".encode("cp1252")
    with pytest.raises(InputError, match=r"byte 8, line 2: b'\\x92'.*iconv -f windows-1252 -t utf-8"):
        read_text(write(tmp_path, data))


def test_too_large_names_tokens_and_stdin_says_over() -> None:
    with pytest.raises(InputTooLongError, match=r"over 262,145 bytes \(about 65,536 tokens\)") as info:
        read_text("-", stdin=io.BytesIO(b"x" * 2 * 1024 * 1024))
    assert "context window" in info.value.message


def test_emoji_rtl_and_mixed_scripts_are_read_as_they_are(tmp_path: Path) -> None:
    text = "Hi Ana 👋, مرحبا — 日本語 ok; refund $25.00 🎉\n"
    assert read_text(write(tmp_path, text.encode())) == text


HTML = (
    "<!DOCTYPE html><html><head><style>p{color:red}</style><title>x</title></head><body>"
    "<p>Hi Ana,</p><p>Your refund of <b>$25.00</b> for order #48213 arrives in 5&nbsp;business days.</p>"
    '<p>See <a href="https://example.com/refunds">our refunds page</a> or '
    '<a href="mailto:help@example.com">help@example.com</a>.</p>'
    "<ul><li>Open Settings &gt; Billing</li><li>Click &quot;Refunds&quot;</li></ul>"
    "<pre>code   stays</pre>Thanks,<br>Sam</body></html>"
)


def test_an_html_body_is_read_as_its_text_with_links_kept(tmp_path: Path) -> None:
    assert read_text(write(tmp_path, HTML.encode())) == (
        "Hi Ana,\n\nYour refund of $25.00 for order #48213 arrives in 5 business days.\n\n"
        "See our refunds page (https://example.com/refunds) or help@example.com.\n\n"
        '- Open Settings > Billing\n\n- Click "Refunds"\n\ncode   stays\nThanks,\nSam\n'
    )


@pytest.mark.parametrize(
    "text", ["Use <b> for bold.", "Reply with <your order id> and we will look.", "x < y and <p> is a tag"]
)
def test_text_that_merely_mentions_tags_is_not_html(text: str) -> None:
    assert not looks_like_html(text) and plain_text(text) == text
