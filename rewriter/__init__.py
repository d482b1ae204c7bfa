"""Rewrite customer-support drafts: empathy plus clear next steps, checked against the draft."""

__version__ = "0.1.0"
