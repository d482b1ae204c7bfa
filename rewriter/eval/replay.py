"""Recorded HTTP traffic, so a whole eval run can be replayed offline, byte for byte.

The same hygiene as the test suite's cassettes (the tests use these very functions):
keys, cookies, key-bearing query parameters and client fingerprints are never written,
requests match on method, path and JSON body (so a changed prompt is a miss, never a
silent replay), and in ``none`` mode nothing reaches the network: a request that is not
recorded fails. An eval recording also masks the customer's personal data in request
and response bodies (``rewriter.eval.redact``); the live request is masked the same way
before it is matched, so a masked recording replays.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

from rewriter.config import Settings
from rewriter.errors import ConfigError, InputError
from rewriter.eval.redact import Redactor
from rewriter.files import write_atomic

RecordMode = Literal["none", "new_episodes", "all"]
SECRET_HEADERS = frozenset(
    {"authorization", "api-key", "x-api-key", "openai-organization", "openai-project", "cookie"}
)
# Response headers that carry an account's identity or a session.
SECRET_RESPONSE_HEADERS = frozenset({"set-cookie", "openai-organization", "openai-project"})
SECRET_QUERY_PARAMETERS = ("api_key", "api-key", "key", "access_token", "token")


def scrub_request(request: Any) -> Any:
    """Drop credentials and the client's fingerprint headers before a request is recorded."""
    for header in list(request.headers):
        if header.lower().startswith("x-stainless") or header.lower() in SECRET_HEADERS:
            del request.headers[header]
    return request


def scrub_response(response: dict[str, Any]) -> dict[str, Any]:
    """Drop cookies, the account's identity and the date a server stamps on its answer."""
    response["headers"] = {
        k: v
        for k, v in response.get("headers", {}).items()
        if k.lower() not in SECRET_RESPONSE_HEADERS | {"date"}
    }
    return response


def redact_request(redactor: Redactor) -> Any:
    """A ``before_record_request`` that scrubs headers and masks the customer's data in the body."""

    def before(request: Any) -> Any:
        request = scrub_request(request)
        request.body = redactor.body(request.body)
        return request

    return before


def redact_response(redactor: Redactor) -> Any:
    """A ``before_record_response`` that scrubs headers and masks the customer's data in the body."""

    def before(response: dict[str, Any]) -> dict[str, Any]:
        response = scrub_response(response)
        body = response.get("body")
        if isinstance(body, dict) and "string" in body:
            body["string"] = redactor.body(body["string"])
        return response

    return before


def redacted_json_body(redactor: Redactor) -> Any:
    """``json_body`` over both bodies masked: a masked or an unmasked recording matches alike."""

    def match(r1: Any, r2: Any) -> None:
        _compare(redactor.body(r1.body), redactor.body(r2.body))

    return match


def json_body(r1: Any, r2: Any) -> None:
    """Match JSON bodies by value, so key order never causes a miss but any change does."""
    _compare(r1.body, r2.body)


def _compare(b1: Any, b2: Any) -> None:

    def load(body: Any) -> Any:
        if isinstance(body, bytes):
            body = body.decode("utf-8")
        if not body:
            return None
        try:
            return json.loads(body)
        except ValueError:
            return body

    if load(b1) != load(b2):
        raise AssertionError("request bodies differ")  # how a vcrpy matcher says "no match"


def vcr_config() -> dict[str, Any]:
    """The options every recording uses, in the form vcrpy and pytest-recording take."""
    return {
        "match_on": ["method", "path", "json_body"],
        "filter_headers": sorted(SECRET_HEADERS),
        "filter_query_parameters": list(SECRET_QUERY_PARAMETERS),
        "before_record_request": scrub_request,
        "before_record_response": scrub_response,
        "decode_compressed_response": True,
    }


@contextlib.contextmanager
def cassette(
    path: Path, record_mode: RecordMode, redactor: Redactor | None = None, *, redact: bool = True
) -> Iterator[Any]:
    """Record to or replay from one cassette file for the duration of the block.

    vcrpy patches the HTTP client for the whole process, so only one cassette may be
    open at a time: runs that use cassettes go one case at a time.

    Args:
        path: The cassette.
        record_mode: none (replay only), new_episodes or all.
        redactor: The case's personal data, masked in what is recorded (unless
            ``redact`` is false); requests are matched with it applied to both sides
            either way, so a recording made with or without masking replays.
        redact: Mask what is recorded (the default).

    Raises:
        ConfigError: vcrpy is not installed (``pip install 'rewriter[eval]'``).
    """
    try:
        import vcr
    except ImportError as exc:  # the eval extra is optional for teams that only rewrite
        raise ConfigError("replaying cassettes needs vcrpy: pip install 'rewriter[eval]'") from exc
    config = vcr_config()
    if redactor is not None and redact:
        config["before_record_request"] = redact_request(redactor)
        config["before_record_response"] = redact_response(redactor)
    recorder = vcr.VCR(record_mode=record_mode, **config)
    recorder.register_matcher("json_body", redacted_json_body(redactor or Redactor()))
    with recorder.use_cassette(str(path)) as recorded:
        yield recorded


def not_recorded(exc: BaseException) -> bool:
    """Whether an error, or one it was raised from, is vcrpy refusing an unrecorded request."""
    seen: BaseException | None = exc
    while seen is not None:
        if type(seen).__name__ == "CannotOverwriteExistingCassetteException":
            return True
        seen = seen.__cause__ or seen.__context__
    return False


REPLAY_BASE_URL = "http://127.0.0.1:8080/v1"  # never contacted: in "none" mode vcrpy answers


def save_replay_settings(directory: Path, settings: Settings) -> None:
    """Keep the backend settings of a recording beside its cassettes (never the key or host).

    A replay must send byte-identical requests, so it needs the model name, sampling,
    token cap and structured-output mode the recording used, not whatever backend the
    replaying machine would pick (often none at all).
    """
    data = settings.model_dump(mode="json", exclude={"api_key", "base_url", "models_file"})
    write_atomic(directory / "backend.json", json.dumps(data, indent=2, sort_keys=True) + "\n", private=False)


def replay_settings(directory: Path) -> Settings:
    """The settings a recording was made with, pointed at a placeholder endpoint.

    Raises:
        InputError: The folder holds no recording.
    """
    path = directory / "backend.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return Settings.model_validate({**data, "base_url": REPLAY_BASE_URL, "max_retries": 0})
    except OSError as exc:
        raise InputError(
            f"{path}: no recorded backend settings; record the cassettes first (--record-mode new_episodes) "
            "or name the backend with --base-url and --model"
        ) from exc
    except ValueError as exc:
        raise InputError(f"{path}: not readable backend settings: {exc}") from exc
