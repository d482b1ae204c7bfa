"""One error root, so callers can catch everything the library raises on purpose.

Each error carries the CLI exit code that reports it, so the mapping from failure to
exit status lives next to the failure and the CLI stays a thin shell. Errors raised
after a draft was accepted carry that draft, because the draft is never lost.

Every way a backend can fail has a class of its own, so a caller (a help-desk app, a
script) can tell "fix your settings" from "try again later" from "this model cannot do
it" without parsing messages; the exit code groups them the same way.
"""

from __future__ import annotations

from enum import IntEnum
from typing import ClassVar


class ExitCode(IntEnum):
    """Documented exit statuses of the ``rewriter`` command."""

    OK = 0
    ERROR = 1
    USAGE = 2
    CONFIG = 3
    MODEL_OUTPUT = 4
    INPUT_TOO_LONG = 5
    UNFAITHFUL = 6
    CHECK_FAILED = 7
    REGRESSION = 8
    BACKEND = 9
    ENGINE_CRASHED = 10


class RewriterError(Exception):
    """Base of every error the library raises on purpose.

    Attributes:
        message: What went wrong and what to do about it, for a person.
        draft: The caller's draft, when the failure happened after it was accepted.
        draft_usable: Whether the draft can be sent as it is: the backend or the model
            failed, not the draft (the CLI then writes it to a piped stdout, so a
            pipeline's output is never empty). False when the input itself needs fixing.
    """

    exit_code: ExitCode = ExitCode.ERROR
    draft_usable: ClassVar[bool] = True

    def __init__(self, message: str, *, draft: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.draft = draft


class InputError(RewriterError):
    """The caller's input is unusable (empty, binary, not UTF-8, malformed)."""

    exit_code = ExitCode.USAGE
    draft_usable = False


class InputTooLongError(InputError):
    """The input cannot fit the model's context window or the size limit.

    The draft itself is fine as text (only too long for this model), so it is usable.
    """

    exit_code = ExitCode.INPUT_TOO_LONG
    draft_usable = True


class ContextOverflowError(InputTooLongError):
    """The server said the prompt does not fit, where our own count thought it would."""


class ConfigError(RewriterError):
    """No usable backend: missing or bad settings, unreachable server, rejected key."""

    exit_code = ExitCode.CONFIG


class KeyRejectedError(ConfigError):
    """HTTP 401: the key is wrong, or the server wants one and none was set."""


class AccessDeniedError(ConfigError):
    """HTTP 403: the key is valid but may not use this model or endpoint."""


class UnknownModelError(ConfigError):
    """HTTP 404: no such model (or no such route: a base URL without ``/v1``)."""


class UnreachableError(ConfigError):
    """Nothing answers at the base URL: the connection was refused or never made."""


class HostNotFoundError(UnreachableError):
    """The base URL's host name does not resolve (a typo, or no network)."""


class EngineCrashedError(ConfigError):
    """The embedded engine died: killed by a signal (a crash) or exited on its own.

    Not "nothing is listening": the server was there and went away mid-answer or on
    its self-check, which a retry will not cure. The usual cause is an engine compiled
    for another CPU, so the message carries the command that rebuilds it portably.

    Attributes:
        returncode: The engine's exit status; negative for the signal that killed it.
        signal_name: ``SIGSEGV``, ``SIGILL``, ... or ``None`` when it exited on its own.
    """

    exit_code = ExitCode.ENGINE_CRASHED

    def __init__(
        self, message: str, *, draft: str | None = None, returncode: int = 0, signal_name: str | None = None
    ) -> None:
        super().__init__(message, draft=draft)
        self.returncode = returncode
        self.signal_name = signal_name


class PromptError(RewriterError):
    """A prompt template is missing or refers to a variable nobody supplied."""

    exit_code = ExitCode.ERROR


class LLMError(RewriterError):
    """The backend failed in a way retries did not cure.

    Raised as it is for a request the server refused for a reason of its own (an HTTP
    status no subclass covers); its subclasses name the common causes.
    """

    exit_code = ExitCode.BACKEND


class RateLimitedError(LLMError):
    """HTTP 429 past the retries, or a ``Retry-After`` longer than we agree to wait.

    Attributes:
        retry_after: The wait the server asked for, in seconds, if it said.
    """

    def __init__(self, message: str, *, draft: str | None = None, retry_after: float | None = None) -> None:
        super().__init__(message, draft=draft)
        self.retry_after = retry_after


class ServerError(LLMError):
    """HTTP 5xx on every try.

    Attributes:
        status_code: The last HTTP status.
    """

    def __init__(self, message: str, *, draft: str | None = None, status_code: int = 500) -> None:
        super().__init__(message, draft=draft)
        self.status_code = status_code


class BackendTimeoutError(LLMError):
    """No answer (or no next piece of a streamed answer) within the timeout, on every try."""


class StreamDroppedError(LLMError):
    """The server was reached but the answer never completed: the connection closed first."""


class ModelOutputError(LLMError):
    """The model's answer stayed unparseable or invalid after the repair request.

    Attributes:
        last_output: The raw text of the final answer, for diagnosis.
        attempts: How many completions were requested in total.
    """

    exit_code = ExitCode.MODEL_OUTPUT

    def __init__(
        self, message: str, *, draft: str | None = None, last_output: str = "", attempts: int = 0
    ) -> None:
        super().__init__(message, draft=draft)
        self.last_output = last_output
        self.attempts = attempts


class TruncatedAnswerError(ModelOutputError):
    """The answer hit the output-token cap (``finish_reason=length``) and was cut off."""


class MalformedAnswerError(ModelOutputError):
    """The answer is not the JSON object asked for: prose, broken JSON or missing fields."""


class EmptyAnswerError(ModelOutputError):
    """The answer has no text at all (nothing, or a JSON object with every part blank)."""


class RefusalError(ModelOutputError):
    """The model declined to answer (a ``refusal`` or ``content_filter`` from the server)."""
