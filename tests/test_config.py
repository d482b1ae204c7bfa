import pytest

from rewriter.config import ResponseFormat, Settings, resolve_settings
from rewriter.errors import ConfigError


def test_flags_beat_rewriter_env_beat_openai_env() -> None:
    env = {
        "OPENAI_BASE_URL": "http://openai-env/v1",
        "REWRITER_BASE_URL": "http://rewriter-env/v1",
        "OPENAI_API_KEY": "k1",
        "REWRITER_MODEL": "m-env",
    }
    settings, origin = resolve_settings({"base_url": "http://flag/v1", "model": None}, env)
    assert settings.base_url == "http://flag/v1" and origin["base_url"] == "argument"
    assert settings.model == "m-env" and origin["model"] == "env REWRITER_MODEL"
    assert settings.api_key == "k1"
    settings, origin = resolve_settings({}, {k: v for k, v in env.items() if k != "REWRITER_BASE_URL"})
    assert settings.base_url == "http://openai-env/v1" and origin["base_url"] == "env OPENAI_BASE_URL"


def test_env_values_are_parsed_and_validated() -> None:
    settings, _ = resolve_settings(
        {}, {"REWRITER_TIMEOUT": "30", "REWRITER_SEED": "none", "REWRITER_RESPONSE_FORMAT": "text"}
    )
    assert settings.timeout == 30.0 and settings.seed is None
    assert settings.response_format is ResponseFormat.TEXT
    with pytest.raises(ConfigError, match=r"temperature \(env REWRITER_TEMPERATURE\)"):
        resolve_settings({}, {"REWRITER_TEMPERATURE": "hot"})


def test_api_key_never_appears_in_dumps() -> None:
    settings = Settings(api_key="sk-secret-value", base_url="http://127.0.0.1:8080/v1")
    assert "sk-secret" not in settings.model_dump_json() and "sk-secret" not in repr(settings)


@pytest.mark.parametrize(
    ("url", "loopback"),
    [
        ("http://127.0.0.1:8080/v1", True),
        ("http://localhost/v1", True),
        ("http://[::1]:80/v1", True),
        ("https://api.openai.com/v1", False),
    ],
)
def test_loopback_detection(url: str, loopback: bool) -> None:
    assert Settings(base_url=url).is_loopback() is loopback
