"""Blind review packets: each case's candidates from several runs, shuffled, unlabelled.

Scorers see patterns; a support lead sees whether a reply can be sent. To ask the lead
without leading them, a packet shows each case's customer message, policy notes and
draft, and one candidate per run (and the draft itself, if asked) in an order shuffled
per case from a fixed seed, labelled A, B, C. Nothing in the packet names a run, a
model, a status or a score: which label is which goes to a separate key file, read only
when the grades come back (:mod:`rewriter.eval.review_results`).

The packet comes in two forms with the same content: a self-contained HTML page with a
control for every grade (it saves as the reviewer goes and exports JSON), and Markdown
with a JSON Lines grade template for reviewers who work in a text editor.
"""

from __future__ import annotations

import hashlib
import json
import random
import string
from importlib.resources import files
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from rewriter.errors import InputError
from rewriter.eval.grades import DRAFT, Brief, reply_hash
from rewriter.eval.results import EvalRun
from rewriter.files import write_atomic

LABELS = string.ascii_uppercase


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Candidate(_Strict):
    """One reply as the reviewer sees it: a label and the text."""

    label: str
    text: str
    sha256: str


class PacketCase(_Strict):
    """What the reviewer reads for one case."""

    case_id: str
    channel: str
    language: str
    customer_name: str | None = None
    customer: str
    policy: list[str] = Field(default_factory=list)
    draft: str
    candidates: list[Candidate]


class Packet(_Strict):
    """The blind packet: the brief and the cases, nothing that names where a reply came from."""

    packet: str = Field(description="Id: a hash of the cases and candidates.")
    brief: Brief
    cases: list[PacketCase]


class KeyEntry(_Strict):
    """Which source a label of a case stands for."""

    case_id: str
    label: str
    source: str
    repeat: int | None = None
    status: str | None = None
    reply_sha256: str


class RunRef(_Strict):
    """A run a packet was made from, as the key records it."""

    name: str
    path: str
    pipeline: str
    prompt_version: str
    model: str


class Key(_Strict):
    """The unblinding key, kept apart from the packet."""

    packet: str
    seed: int
    runs: list[RunRef]
    entries: list[KeyEntry]

    def entry(self, case_id: str, label: str) -> KeyEntry | None:
        """The key's entry for one candidate, if there is one."""
        return next((e for e in self.entries if e.case_id == case_id and e.label == label), None)


class ReviewOptions(_Strict):
    """Which cases and candidates a packet holds."""

    seed: int = 7
    include_draft: bool = False
    sample: int | None = Field(default=None, ge=1)
    cases: list[str] = Field(default_factory=list)


def run_names(paths: list[Path]) -> list[str]:
    """A name per run file, its stem, made unique (``local``, ``local-2``)."""
    names: list[str] = []
    for path in paths:
        name, n = path.stem, 2
        while name in names or name == DRAFT:
            name, n = f"{path.stem}-{n}", n + 1
        names.append(name)
    return names


def build_packet(
    runs: list[tuple[str, Path, EvalRun]], brief: Brief, options: ReviewOptions
) -> tuple[Packet, Key, list[str]]:
    """Make the blind packet and its key from named runs.

    Returns:
        The packet, the key, and the ids of cases left out because a run has no reply
        for them (an error), which a caller should report.

    Raises:
        InputError: No runs, too many candidates, or ``options.cases`` names an unknown case.
    """
    if not runs:
        raise InputError("name at least one run file to review")
    sources = [name for name, _, _ in runs] + ([DRAFT] if options.include_draft else [])
    if len(sources) < 2:
        raise InputError("a review needs two candidates per case: name a second run, or --include-draft")
    if len(sources) > len(LABELS):
        raise InputError(f"at most {len(LABELS)} candidates per case")
    first = runs[0][2]
    order = [case.id for case in first.cases]
    unknown = [c for c in options.cases if c not in order]
    if unknown:
        raise InputError(f"no case {unknown[0]!r} in {runs[0][1]}; `rewriter eval report` lists them")
    chosen = [c for c in order if c in options.cases] if options.cases else order
    if options.sample is not None and options.sample < len(chosen):
        picked = set(random.Random(options.seed).sample(chosen, options.sample))
        chosen = [c for c in chosen if c in picked]
    cases = {case.id: case for case in first.cases}
    replies = {name: _first_replies(run) for name, _, run in runs}
    left_out = [c for c in chosen if any(c not in replies[name] for name, _, _ in runs)]
    packet_cases: list[PacketCase] = []
    entries: list[KeyEntry] = []
    for case_id in (c for c in chosen if c not in left_out):
        case = cases[case_id]
        shuffled = list(sources)
        random.Random(f"{options.seed}:{case_id}").shuffle(shuffled)
        candidates = []
        for label, source in zip(LABELS, shuffled, strict=False):
            text, repeat, status = (case.draft, None, None) if source == DRAFT else replies[source][case_id]
            sha = reply_hash(text)
            candidates.append(Candidate(label=label, text=text, sha256=sha))
            entries.append(KeyEntry(case_id=case_id, label=label, source=source, repeat=repeat, status=status,
                                    reply_sha256=sha))  # fmt: skip
        packet_cases.append(
            PacketCase(
                case_id=case_id,
                channel=str(case.channel),
                language=case.language,
                customer_name=case.customer_name,
                customer=case.customer,
                policy=list(case.policy),
                draft=case.draft,
                candidates=candidates,
            )  # fmt: skip
        )
    packet_id = hashlib.sha256(
        json.dumps([c.model_dump(mode="json") for c in packet_cases], sort_keys=True).encode()
    ).hexdigest()[:12]
    refs = [
        RunRef(
            name=name,
            path=str(path),
            pipeline=run.meta.pipeline,
            prompt_version=run.meta.prompt_version,
            model=run.meta.model,
        )  # fmt: skip
        for name, path, run in runs
    ]
    key = Key(packet=packet_id, seed=options.seed, runs=refs, entries=entries)
    # Which rules should catch a tag is the checker's business, not the reviewer's.
    blind_tags = [tag.model_copy(update={"checked_by": []}) for tag in brief.tags]
    blind_brief = brief.model_copy(update={"tags": blind_tags})
    return Packet(packet=packet_id, brief=blind_brief, cases=packet_cases), key, left_out


def load_key(path: Path) -> Key:
    """Read a packet's key.

    Raises:
        InputError: Unreadable or not a key.
    """
    try:
        return Key.model_validate_json(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(f"{path}: cannot read the key ({exc.strerror})") from exc
    except ValueError as exc:
        raise InputError(f"{path}: not a review key ({str(exc).splitlines()[0]})") from exc


def _first_replies(run: EvalRun) -> dict[str, tuple[str, int, str]]:
    """Each case's reply in a run: its lowest repeat that has one, with that repeat and status."""
    found: dict[str, tuple[str, int, str]] = {}
    for result in sorted(run.results, key=lambda r: r.repeat):
        if result.reply and result.case_id not in found:
            found[result.case_id] = (result.reply, result.repeat, result.status)
    return found


def render_markdown(packet: Packet) -> str:
    """The packet for a text editor: the brief, every case, and how to write the grades."""
    brief = packet.brief
    out = [f"# {brief.title}", "", f"Packet `{packet.packet}`, {len(packet.cases)} cases.", ""]
    out.append(brief.intro.strip())
    out += ["", "## How to grade", ""]
    for key, question in (("send", brief.send), ("vs_draft", brief.vs_draft), ("empathy", brief.empathy),
                          ("next_steps", brief.next_steps)):  # fmt: skip
        why = f" ({question.why})" if question.why else ""
        out.append(f"**`{key}`**: {question.question}{why}")
        out += [f"- `{value}`: {meaning}" for value, meaning in question.options.items()]
        out.append("")
    out += [f"**`rank`**: {brief.rank['question']}", ""]
    out += ["**`problems`**: each with the words it rests on.", ""]
    out += [f"- `{tag.id}` ({tag.name}): {tag.means} Example: {tag.example}" for tag in brief.tags]
    out += [
        "",
        "Write one JSON object per line, one per candidate, in a file of your own (the template "
        "`grades-template.jsonl` beside this packet has a line for each, with the hashes filled in):",
        "",
        "```json",
        json.dumps(_example_grade(packet), ensure_ascii=False),
        "```",
        "",
        "`reviewer_kind` is `person` or `llm`; `note` is free text.",
    ]
    for case in packet.cases:
        out += ["", f"## Case `{case.case_id}` ({case.channel}, {case.language})", ""]
        if case.customer_name:
            out += [f"Customer: {case.customer_name}", ""]
        out += ["### The customer wrote", "", _quote(case.customer), ""]
        if case.policy:
            out += ["### Policy notes", ""] + [f"- {note}" for note in case.policy] + [""]
        out += ["### The agent's draft", "", _quote(case.draft)]
        for candidate in case.candidates:
            out += ["", f"### Candidate {candidate.label}", "", _quote(candidate.text)]
    return "\n".join(out) + "\n"


def grade_template(packet: Packet) -> str:
    """One JSON line per candidate, ready to fill in (the hashes already right)."""
    lines = []
    for case in packet.cases:
        for candidate in case.candidates:
            row: dict[str, object] = {
                "packet": packet.packet, "reviewer": "", "reviewer_kind": "person", "case_id": case.case_id,
                "label": candidate.label, "reply_sha256": candidate.sha256, "send": None, "vs_draft": None,
                "problems": [], "empathy": None, "next_steps": None, "rank": None, "note": "",
            }  # fmt: skip
            lines.append(json.dumps(row, ensure_ascii=False))
    return "\n".join(lines) + "\n"


def render_html(packet: Packet) -> str:
    """The self-contained review page: no external asset, so it works from ``file://``."""
    template = files("rewriter.eval").joinpath("review_page.html").read_text(encoding="utf-8")
    data = json.dumps(packet.model_dump(mode="json"), ensure_ascii=False)
    # Inside <script>, "</" would end the element: escape it (JSON allows "<\/").
    return template.replace("__PACKET_JSON__", data.replace("</", "<\\/")).replace("__TITLE__", packet.packet)


def write_packet(packet: Packet, key: Key, out: Path, key_path: Path) -> list[Path]:
    """Write the packet's files into ``out`` and the key to ``key_path``; return what was written."""
    if key_path.resolve().is_relative_to(out.resolve()):
        raise InputError(
            f"the key ({key_path}) must not go inside the packet folder {out}: the reviewers get that folder"
        )
    written = {
        out / "packet.html": render_html(packet),
        out / "packet.md": render_markdown(packet),
        out / "grades-template.jsonl": grade_template(packet),
        out / "packet.json": packet.model_dump_json(indent=2) + "\n",
        key_path: key.model_dump_json(indent=2) + "\n",
    }
    for path, text in written.items():
        write_atomic(path, text, private=False)
    return list(written)


def _example_grade(packet: Packet) -> dict[str, object]:
    case = packet.cases[0] if packet.cases else None
    return {
        "packet": packet.packet, "reviewer": "lead-1", "reviewer_kind": "person",
        "case_id": case.case_id if case else "case-id", "label": "A",
        "reply_sha256": case.candidates[0].sha256 if case else "0" * 64, "send": "light_edit",
        "vs_draft": "better",
        "problems": [{"tag": "repetition", "quote": "the words it rests on"}], "empathy": 1, "next_steps": 2,
        "rank": 1, "note": "",
    }  # fmt: skip


def _quote(text: str) -> str:
    return "\n".join(f"> {line}" if line else ">" for line in text.splitlines())
