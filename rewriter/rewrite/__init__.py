"""Rewrite a draft: prompt, ask, assemble, check, revise, mend; the draft is never lost."""

from rewriter.rewrite.compose import ReplyParts, parse_parts
from rewriter.rewrite.loop import Rewriter

__all__ = ["ReplyParts", "Rewriter", "parse_parts"]
