from __future__ import annotations

import hashlib
import inspect
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import tiktoken.load
import tiktoken.registry
import tiktoken_ext.openai_public

from rewriter import tokens
from rewriter.errors import ConfigError
from rewriter.tokens import (
    ModelInfo,
    count_message_tokens,
    estimate_cost,
    get_encoding,
    load_model_table,
    model_info,
)

ENCODINGS = ["cl100k_base", "o200k_base"]


@pytest.fixture(autouse=True)
def fresh_state(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Make every test load encodings from disk, never from an in-memory cache."""
    get_encoding.cache_clear()
    monkeypatch.setattr(tiktoken.registry, "ENCODINGS", {})
    yield
    get_encoding.cache_clear()


@pytest.fixture
def offline(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError(f"network access attempted: {args!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    real_read_file = tiktoken.load.read_file

    def local_only(blobpath: str) -> bytes:
        if "://" in blobpath:
            refuse(blobpath)
        return real_read_file(blobpath)

    monkeypatch.setattr(tiktoken.load, "read_file", local_only)


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "tiktoken-cache"
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(path))
    monkeypatch.delenv("DATA_GYM_CACHE_DIR", raising=False)
    return path


def cache_file(cache: Path, name: str) -> Path:
    return cache / hashlib.sha1(tokens._URL.format(name).encode()).hexdigest()


@pytest.mark.parametrize("name", ENCODINGS)
def test_pins_match_tiktoken(name: str) -> None:
    source = inspect.getsource(tiktoken_ext.openai_public)
    assert tokens._URL.format(name) in source
    assert tokens._SHA256[name] in source


@pytest.mark.parametrize("name", ENCODINGS)
@pytest.mark.usefixtures("offline")
def test_seeds_empty_cache_offline(cache_dir: Path, name: str) -> None:
    enc = get_encoding(name)
    seeded = cache_file(cache_dir, name)
    assert hashlib.sha256(seeded.read_bytes()).hexdigest() == tokens._SHA256[name]
    assert [p.name for p in cache_dir.iterdir()] == [seeded.name]  # no temp files left
    assert enc.decode(enc.encode("hello world")) == "hello world"
    assert len(enc.encode("hello world")) == 2
    messages = [{"role": "user", "content": "hello world"}]
    # 3 per message + "user" (1) + "hello world" (2) + 3 reply priming
    assert count_message_tokens(messages, enc) == 9
    assert get_encoding(name) is enc


@pytest.mark.usefixtures("offline")
def test_reuses_good_cache_and_repairs_corrupt_one(cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    get_encoding("o200k_base")
    seeded = cache_file(cache_dir, "o200k_base")
    get_encoding.cache_clear()
    monkeypatch.setattr(tiktoken.registry, "ENCODINGS", {})

    def must_not_read(name: str) -> bytes:
        raise AssertionError("good cache was re-seeded")

    with monkeypatch.context() as m:
        m.setattr(tokens, "_read_bundled", must_not_read)
        get_encoding("o200k_base")

    get_encoding.cache_clear()
    monkeypatch.setattr(tiktoken.registry, "ENCODINGS", {})
    seeded.write_bytes(b"garbage")
    assert len(get_encoding("o200k_base").encode("hello world")) == 2
    assert hashlib.sha256(seeded.read_bytes()).hexdigest() == tokens._SHA256["o200k_base"]


@pytest.mark.usefixtures("offline")
def test_corrupt_bundled_file_raises(cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tokens, "_read_bundled", lambda name: b"not a vocabulary")
    with pytest.raises(ConfigError, match="sha256"):
        get_encoding("cl100k_base")
    assert not cache_file(cache_dir, "cl100k_base").exists()


def test_unknown_encoding_raises(cache_dir: Path) -> None:
    with pytest.raises(ConfigError, match="r50k_base"):
        get_encoding("r50k_base")


def test_empty_cache_env_raises(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", "")
    with pytest.raises(ConfigError, match="TIKTOKEN_CACHE_DIR"):
        get_encoding("o200k_base")


@pytest.mark.usefixtures("offline")
def test_default_cache_dir_is_per_user(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # setenv first so monkeypatch restores "unset" after the module sets the variable
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", "placeholder")
    monkeypatch.delenv("TIKTOKEN_CACHE_DIR")
    monkeypatch.delenv("DATA_GYM_CACHE_DIR", raising=False)
    monkeypatch.setattr(tokens.platformdirs, "user_cache_dir", lambda app: str(tmp_path / app))
    get_encoding("o200k_base")
    expected = tmp_path / "rewriter" / "tiktoken"
    assert tokens.os.environ["TIKTOKEN_CACHE_DIR"] == str(expected)
    assert cache_file(expected, "o200k_base").is_file()


@pytest.mark.usefixtures("offline")
def test_data_gym_cache_dir_respected(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", "placeholder")
    monkeypatch.delenv("TIKTOKEN_CACHE_DIR")
    monkeypatch.setenv("DATA_GYM_CACHE_DIR", str(tmp_path))
    get_encoding("cl100k_base")
    assert cache_file(tmp_path, "cl100k_base").is_file()
    assert "TIKTOKEN_CACHE_DIR" not in tokens.os.environ


def test_count_includes_name_and_special_text(cache_dir: Path) -> None:
    enc = get_encoding("o200k_base")
    plain = [{"role": "system", "content": "x"}, {"role": "user", "content": "y"}]
    named = [{"role": "system", "content": "x"}, {"role": "user", "content": "y", "name": "bob"}]
    assert count_message_tokens(named, enc) == count_message_tokens(plain, enc) + len(enc.encode("bob")) + 1
    assert count_message_tokens([], enc) == 3
    assert count_message_tokens([{"role": "user", "content": "<|endoftext|>"}], enc) > 5


def test_packaged_table() -> None:
    table = load_model_table()
    assert {
        "gpt-4o",
        "gpt-4o-mini",
        "gpt-4.1",
        "gpt-4.1-mini",
        "gpt-4.1-nano",
        "o4-mini",
        "gpt-3.5-turbo",
        "default",
    } <= set(table)
    assert table["gpt-3.5-turbo"].encoding == "cl100k_base"
    assert table["gpt-4o-mini"].encoding == "o200k_base"
    assert table["default"].context_window == 4096
    assert table["default"].input_per_mtok == table["default"].output_per_mtok == 0.0


def test_model_lookup() -> None:
    table = load_model_table()
    assert model_info("gpt-4o", table) is table["gpt-4o"]
    assert model_info("gpt-4o-mini-2024-07-18", table) is table["gpt-4o-mini"]
    assert model_info("gpt-4o-2024-08-06", table) is table["gpt-4o"]
    assert model_info("gpt-4.1-nano-2025-04-14", table) is table["gpt-4.1-nano"]
    local = model_info("local", table)
    assert local.name == "local"
    assert local.context_window == 4096
    assert local.input_per_mtok == 0.0
    assert model_info("defaultish", table).name == "defaultish"
    assert model_info("x", {}).context_window == 4096


def test_override_layers_field_by_field(tmp_path: Path) -> None:
    override = tmp_path / "models.yaml"
    override.write_text(
        "gpt-4o:\n  input_per_mtok: 1.0\n"
        "local:\n  context_window: 32768\n  encoding: cl100k_base\n"
        "default:\n  context_window: 8192\n",
        encoding="utf-8",
    )
    base = load_model_table()
    table = load_model_table(override)
    assert table["gpt-4o"].input_per_mtok == 1.0
    assert table["gpt-4o"].output_per_mtok == base["gpt-4o"].output_per_mtok
    assert table["gpt-4o"].context_window == base["gpt-4o"].context_window
    assert model_info("local", table) == ModelInfo(name="local", context_window=32768, encoding="cl100k_base")
    assert model_info("llama", table).context_window == 8192
    assert table["gpt-4o-mini"] == base["gpt-4o-mini"]


def test_empty_override_is_noop(tmp_path: Path) -> None:
    override = tmp_path / "empty.yaml"
    override.write_text("# nothing\n", encoding="utf-8")
    assert load_model_table(override) == load_model_table()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("gpt-4o:\n  context_window: lots\n", r"'gpt-4o'.*'context_window'"),
        ("gpt-4o:\n  input_per_mtok: -1\n", r"'gpt-4o'.*'input_per_mtok'"),
        ("mine:\n  input_per_mtok: 1\n", r"'mine'.*'context_window'.*(missing|required)"),
        ("gpt-4o:\n  price: 3\n", r"'gpt-4o'.*'price'"),
        ("gpt-4o:\n  encoding: p50k_base\n", r"'gpt-4o'.*'encoding'"),
        ("gpt-4o:\n  name: other\n", r"'gpt-4o'.*'name'"),
        ("gpt-4o: 5\n", r"'gpt-4o'.*mapping"),
        ("- gpt-4o\n", r"mapping"),
        ("gpt-4o: [unclosed\n", r"cannot read"),
    ],
)
def test_invalid_override_names_file_and_field(tmp_path: Path, text: str, expected: str) -> None:
    override = tmp_path / "bad-models.yaml"
    override.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_model_table(override)
    assert str(override) in str(info.value)
    info.match(expected)


def test_missing_override_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="nope.yaml"):
        load_model_table(tmp_path / "nope.yaml")


def test_prompts_dir_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "models.yaml").write_text("gpt-x:\n  context_window: 10\n", encoding="utf-8")
    monkeypatch.setenv("REWRITER_PROMPTS_DIR", str(tmp_path))
    with pytest.raises(ConfigError, match="default"):
        load_model_table()


def test_estimate_cost() -> None:
    info = ModelInfo(name="m", context_window=100, input_per_mtok=2.5, output_per_mtok=10.0)
    assert estimate_cost(info, 1_000_000, 0) == pytest.approx(2.5)
    assert estimate_cost(info, 1000, 500) == pytest.approx(0.0025 + 0.005)
    assert estimate_cost(info, 0, 0) == 0.0
    assert estimate_cost(load_model_table()["default"], 10_000, 10_000) == 0.0
    with pytest.raises(ValueError):
        estimate_cost(info, -1, 0)
