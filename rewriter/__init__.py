"""Rewrite customer-support drafts: empathy plus clear next steps, checked against the draft."""

from rewriter.check import check_faithfulness
from rewriter.config import ResponseFormat, Settings
from rewriter.errors import (
    ConfigError,
    ExitCode,
    InputError,
    InputTooLongError,
    LLMError,
    ModelOutputError,
    RewriterError,
)
from rewriter.models import (
    Change,
    Channel,
    CheckReport,
    Evidence,
    Finding,
    Length,
    RewriteRequest,
    RewriteResult,
    RewriteStatus,
    Tone,
    Usage,
    Verdict,
)
from rewriter.rewrite import Rewriter

__version__ = "0.1.0"

__all__ = [
    "Change",
    "Channel",
    "CheckReport",
    "ConfigError",
    "Evidence",
    "ExitCode",
    "Finding",
    "InputError",
    "InputTooLongError",
    "LLMError",
    "Length",
    "ModelOutputError",
    "ResponseFormat",
    "RewriteRequest",
    "RewriteResult",
    "RewriteStatus",
    "Rewriter",
    "RewriterError",
    "Settings",
    "Tone",
    "Usage",
    "Verdict",
    "__version__",
    "check_faithfulness",
]
