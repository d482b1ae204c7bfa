"""Macro files: the reply, and the channel, name and language their front matter gives."""

from __future__ import annotations

from pathlib import Path

import pytest

from rewriter.errors import InputError
from rewriter.macros import read_macro
from rewriter.models import Channel


def write(tmp_path: Path, text: str, name: str = "m.md") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_front_matter_sets_the_channel_name_and_language(tmp_path: Path) -> None:
    macro = read_macro(write(tmp_path, "---\nchannel: chat\nname: Sam\nlanguage: en\n---\nHi Sam!\n"))
    assert (macro.channel, macro.name, macro.language, macro.reply) == (Channel.CHAT, "Sam", "en", "Hi Sam!")


def test_without_front_matter_the_whole_file_is_an_email(tmp_path: Path) -> None:
    macro = read_macro(write(tmp_path, "Hi,\n\n--- not front matter ---\n\nThanks", "m.txt"))
    assert macro.channel is Channel.EMAIL and macro.reply.startswith("Hi,")


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("---\nchanel: chat\n---\nHi", "unknown key 'chanel' (known keys: channel, name, language)"),
        ("---\nchannel: fax\n---\nHi", "channel is one of: email, chat, social"),
        ("---\nchannel: chat\nHi", "never closed"),
        ("---\n- chat\n---\nHi", "must be keys and values"),
        ("---\nchannel: [chat\n---\nHi", "not valid YAML"),
    ],
)
def test_bad_front_matter_is_refused_with_the_file_named(tmp_path: Path, text: str, said: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(InputError, match=str(path)) as caught:
        read_macro(path)
    assert said in caught.value.message
