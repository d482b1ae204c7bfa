"""Bad input on the command line: a clear one-line error with its exit code, before any model call."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rewriter.cli import app
from rewriter.errors import ExitCode

runner = CliRunner()
DRAFT = "Hi Ana,\nYour refund of $25.00 for order #48213 arrives in 5 business days.\nThanks, Sam\n"
BAD = [
    ("empty", b"", ExitCode.USAGE, "is empty; give the text of the reply"),
    ("blank", b" \n\t\r\n", ExitCode.USAGE, "is empty; give the text of the reply"),
    ("binary", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", ExitCode.USAGE, "looks like a binary file"),
    ("latin1", "Caf\u00e9".encode("latin-1"), ExitCode.USAGE, "not valid UTF-8 (byte 3, line 1"),
    ("utf16-no-bom", DRAFT.encode("utf-16-le"), ExitCode.USAGE, "UTF-16 without a byte-order mark"),
    ("2mb", b"a" * 2 * 1024 * 1024, ExitCode.INPUT_TOO_LONG, "2,097,152 bytes (about 524,288 tokens)"),
]


@pytest.fixture(autouse=True)
def _no_backend(monkeypatch: pytest.MonkeyPatch) -> None:
    # Nothing may be asked of a model: a request would fail with exit 3, not the input's code.
    monkeypatch.setenv("REWRITER_BASE_URL", "http://127.0.0.1:9/v1")
    monkeypatch.setenv("REWRITER_MAX_RETRIES", "0")


def _one_line(output: str, expected: str) -> None:
    lines = [line for line in output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: ") and expected in " ".join(output.split())


@pytest.mark.parametrize(("kind", "data", "code", "message"), BAD, ids=[b[0] for b in BAD])
def test_rewrite_refuses_a_bad_file_and_bad_stdin(
    tmp_path: Path, kind: str, data: bytes, code: ExitCode, message: str
) -> None:
    path = tmp_path / "draft.txt"
    path.write_bytes(data)
    result = runner.invoke(app, ["rewrite", str(path)])
    assert result.exit_code == code, result.output
    _one_line(result.stderr, message)
    piped = runner.invoke(app, ["rewrite", "-"], input=data)
    assert piped.exit_code == code
    assert "standard input" in piped.stderr


@pytest.mark.parametrize(("kind", "data", "code", "message"), BAD, ids=[b[0] for b in BAD])
def test_check_refuses_a_bad_reply_or_draft(
    tmp_path: Path, kind: str, data: bytes, code: ExitCode, message: str
) -> None:
    bad, good = tmp_path / "bad.txt", tmp_path / "good.txt"
    bad.write_bytes(data)
    good.write_text(DRAFT, encoding="utf-8")
    for args in (["check", str(bad)], ["check", str(good), "--draft", str(bad)]):
        result = runner.invoke(app, args)
        assert result.exit_code == code, result.output
        _one_line(result.stderr, message)


@pytest.mark.parametrize("codec", ["utf-16", "utf-8-sig"])
def test_check_reads_a_draft_with_a_bom(tmp_path: Path, codec: str) -> None:
    reply, draft = tmp_path / "reply.txt", tmp_path / "draft.txt"
    reply.write_bytes(DRAFT.encode(codec))
    draft.write_bytes(DRAFT.encode(codec))
    result = runner.invoke(app, ["check", str(reply), "--draft", str(draft), "--json"])
    assert '"rule_id": "faithfulness.keep-facts"' in result.stdout
    assert '"$25.00"' in result.stdout and result.exit_code in (0, ExitCode.CHECK_FAILED)


def test_check_reads_an_html_reply_as_its_text(tmp_path: Path) -> None:
    html = tmp_path / "reply.html"
    html.write_text(
        '<html><body><p>Hi Ana,</p><p>Your refund of <b>$25.00</b> is on its way: <a href="https://example.com/r">'
        "track it</a>.</p></body></html>",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["check", str(html), "--draft", str(html), "--json"])
    assert result.exit_code in (0, ExitCode.CHECK_FAILED), result.output
    facts = json.loads(result.stdout)["facts_checked"]
    assert "$25.00" in facts and "https://example.com/r" in facts and "<b>" not in result.stdout


@pytest.mark.parametrize(
    "text",
    [
        "مرحبا أنا، تم استرداد 25.00 دولار للطلب #48213 خلال 5 أيام عمل. شكرا",
        "Hi 👋 refund $25.00 🎉",
        "https://example.com/reset",
    ],
)
def test_check_survives_rtl_emoji_and_a_bare_url(tmp_path: Path, text: str) -> None:
    path = tmp_path / "reply.txt"
    path.write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["check", str(path), "--draft", str(path), "--json"])
    assert result.exit_code in (0, ExitCode.CHECK_FAILED), result.output
    assert '"faithfulness.keep-facts"' in result.stdout
