"""One error root, so callers can catch everything the library raises on purpose.

Each error carries the CLI exit code that reports it, so the mapping from failure to
exit status lives next to the failure and the CLI stays a thin shell. Errors raised
after a draft was accepted carry that draft, because the draft is never lost.
"""

from __future__ import annotations

from enum import IntEnum


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


class RewriterError(Exception):
    """Base of every error the library raises on purpose.

    Attributes:
        message: What went wrong and what to do about it, for a person.
        draft: The caller's draft, when the failure happened after it was accepted.
    """

    exit_code: ExitCode = ExitCode.ERROR

    def __init__(self, message: str, *, draft: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.draft = draft


class InputError(RewriterError):
    """The caller's input is unusable (empty, binary, not UTF-8, malformed)."""

    exit_code = ExitCode.USAGE


class InputTooLongError(InputError):
    """The input cannot fit the model's context window or the size limit."""

    exit_code = ExitCode.INPUT_TOO_LONG


class ConfigError(RewriterError):
    """No usable backend: missing or bad settings, unreachable server, rejected key."""

    exit_code = ExitCode.CONFIG


class PromptError(RewriterError):
    """A prompt template is missing or refers to a variable nobody supplied."""

    exit_code = ExitCode.ERROR


class LLMError(RewriterError):
    """The backend failed in a way retries did not cure."""

    exit_code = ExitCode.MODEL_OUTPUT


class ModelOutputError(LLMError):
    """The model's answer stayed unparseable or invalid after the repair request.

    Attributes:
        last_output: The raw text of the final answer, for diagnosis.
        attempts: How many completions were requested in total.
    """

    def __init__(
        self, message: str, *, draft: str | None = None, last_output: str = "", attempts: int = 0
    ) -> None:
        super().__init__(message, draft=draft)
        self.last_output = last_output
        self.attempts = attempts
