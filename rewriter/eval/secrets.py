"""Find API keys in what a run leaves behind: cassettes, run files, reports, journals, logs.

A scan looks for key-shaped strings (OpenAI's ``sk-...`` and ``sk-proj-...``, a bearer
token, a long token after an auth header's name) and for the keys actually configured
(``OPENAI_API_KEY``, ``REWRITER_API_KEY``), so a leak is caught whatever shape the key
has. A finding names where the key is and shows it masked, never whole.
"""

from __future__ import annotations

import math
import os
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

KEY_VARIABLES = ("OPENAI_API_KEY", "REWRITER_API_KEY")
# Files a run, a recording or a report writes (and the logs a test captures).
SCANNED_SUFFIXES = frozenset(
    {".yaml", ".yml", ".json", ".jsonl", ".journal", ".md", ".html", ".xml", ".log", ".txt"}
)

_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("openai key", re.compile(r"\bsk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}")),
    ("bearer token", re.compile(r"\bBearer\s+([A-Za-z0-9._~+/=-]{12,})")),
    (
        "auth header",
        re.compile(
            r"(?i)\b(?:authorization|api[-_]?key|x-api-key|openai-organization|access[-_]?token)"
            r"""["']?\s*[:=]\s*["']?(?:bearer\s+)?([A-Za-z0-9._~+/=-]{20,})"""
        ),
    ),
)
_MIN_ENTROPY = 3.0  # bits per character: a long token after a header name, not a word


@dataclass(frozen=True)
class Finding:
    """One key found: where (a file, or the label of a text), its line, what kind, masked."""

    where: str
    line: int
    kind: str
    masked: str

    def __str__(self) -> str:
        return f"{self.where}:{self.line}: {self.kind} {self.masked}"


def mask(secret: str) -> str:
    """A key shown safely: its first four characters and its length."""
    return f"{secret[:4]}...({len(secret)} chars)"


def configured_keys(environ: Mapping[str, str] | None = None) -> list[str]:
    """The API keys set in the environment (long enough to be searched for without noise)."""
    env = os.environ if environ is None else environ
    return [v.strip() for name in KEY_VARIABLES if len(v := env.get(name, "").strip()) >= 8]


def _entropy(text: str) -> float:
    counts = Counter(text)
    return -sum(n / len(text) * math.log2(n / len(text)) for n in counts.values())


def scan_text(text: str, where: str = "<text>", *, keys: Iterable[str] = ()) -> list[Finding]:
    """The keys in one text: key-shaped strings and any of ``keys`` verbatim."""
    findings: list[Finding] = []
    wanted = [k for k in keys if k]
    for number, line in enumerate(text.splitlines(), 1):
        seen: set[str] = set()
        for key in wanted:
            if key in line:
                findings.append(Finding(where, number, "configured key", mask(key)))
                seen.add(key)
        for kind, pattern in _PATTERNS:
            for match in pattern.finditer(line):
                token = match.group(match.lastindex or 0)
                if kind == "auth header" and _entropy(token) < _MIN_ENTROPY:
                    continue
                if any(token in s or s in token for s in seen):
                    continue
                seen.add(token)
                findings.append(Finding(where, number, kind, mask(token)))
    return findings


def scan_paths(paths: Iterable[Path], *, keys: Iterable[str] | None = None) -> list[Finding]:
    """The keys in these files and, recursively, in the files a run or recording writes under these folders.

    Args:
        paths: Files (scanned whatever their suffix) and folders.
        keys: Keys to look for verbatim; default: the configured ones.
    """
    wanted = configured_keys() if keys is None else list(keys)
    findings: list[Finding] = []
    for path in paths:
        files = sorted(p for p in path.rglob("*") if p.is_file() and _scanned(p)) if path.is_dir() else [path]
        for file in files:
            text = file.read_bytes().decode("utf-8", errors="replace")
            findings += scan_text(text, str(file), keys=wanted)
    return findings


def _scanned(path: Path) -> bool:
    return path.suffix in SCANNED_SUFFIXES or path.name.endswith(".journal")
