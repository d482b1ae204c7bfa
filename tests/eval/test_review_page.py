"""The review page in real headless Chromium, from ``file://``: fill, export, reload, load back.

Skipped, with the reason, on a machine without Chromium (the default offline run may
lack it); ``.ci/run`` installs Debian's chromium and runs this file with
``REWRITER_REQUIRE_BROWSER=1``, which turns the skip into a failure.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType, SimpleNamespace

import pytest

from rewriter.eval.grades import Grade, load_brief, load_grades
from rewriter.eval.review import ReviewOptions, build_packet, write_packet

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def page(runs: SimpleNamespace, tmp_path: Path, browser: ModuleType) -> Iterator[tuple[object, Path, object]]:
    executable = browser.find()
    if executable is None:
        if os.environ.get("REWRITER_REQUIRE_BROWSER") == "1":
            pytest.fail("REWRITER_REQUIRE_BROWSER=1 but no Chromium was found")
        pytest.skip("no Chromium on this machine (apt-get install chromium, or set REWRITER_CHROMIUM)")
    ours = runs.run([runs.result(i, blame=i == 1) for i in range(1, 3)], 2)
    plain = runs.run([runs.result(i, blame=False) for i in range(1, 3)], 2, pipeline="plain")
    brief = load_brief(ROOT / "evals" / "reviews" / "brief.yaml")
    packet, key, _ = build_packet([("ours", Path("o"), ours), ("plain", Path("p"), plain)], brief,
                                  ReviewOptions(include_draft=True))  # fmt: skip
    write_packet(packet, key, tmp_path / "packet", tmp_path / "key.json")
    chromium = browser.Browser(executable, tmp_path / "profile")
    try:
        downloads = {"behavior": "allow", "downloadPath": str(tmp_path / "dl")}
        chromium.send("Browser.setDownloadBehavior", downloads, page=False)
        chromium.open((tmp_path / "packet" / "packet.html").as_uri())
        yield chromium, tmp_path, packet
    finally:
        chromium.close()


FILL = """
(() => {
  const reviewer = document.getElementById("reviewer");
  reviewer.value = "lead-7"; reviewer.dispatchEvent(new Event("input"));
  const boxes = [...document.querySelectorAll(".candidate")];
  boxes.forEach((box, i) => {
    const pick = (field, value) =>
      box.querySelector(`input[data-field="${field}"][value="${value}"]`).click();
    pick("send", i % 3 === 0 ? "no" : "light_edit");
    pick("vs_draft", i % 3 === 0 ? "worse" : "better");
    pick("empathy", String(i % 3));
    pick("next_steps", "2");
    const rank = box.querySelector('select[data-field="rank"]');
    rank.value = String(i % 3 + 1); rank.dispatchEvent(new Event("change"));
    if (i % 3 === 0) {
      box.querySelector('input[data-tag="garbled"]').click();
      const quote = box.querySelector('input[data-quote="garbled"]');
      quote.value = "drops off"; quote.dispatchEvent(new Event("input"));
    }
  });
  return boxes.length;
})()
"""


def test_fill_export_reload_and_load_back(page: tuple[object, Path, object]) -> None:
    chromium, tmp_path, packet = page
    b: object = chromium
    assert b.js("document.title").startswith("Blind review")  # type: ignore[attr-defined]
    assert "Would you send this reply?" in b.js("document.body.innerText")  # type: ignore[attr-defined]
    assert b.js(FILL) == 6  # type: ignore[attr-defined]
    assert b.js("document.getElementById('progress').textContent") == "graded 6 of 6"  # type: ignore[attr-defined]

    # Export: the JSON the page shows and downloads is a valid grades file for this packet.
    b.js("document.getElementById('export').click()")  # type: ignore[attr-defined]
    exported = b.js("document.getElementById('exported').value")  # type: ignore[attr-defined]
    path = tmp_path / "grades.json"
    path.write_text(exported, encoding="utf-8")
    grades = load_grades(path, Grade)
    assert len(grades) == 6 and {g.reviewer for g in grades} == {"lead-7"}
    assert {g.packet for g in grades} == {packet.packet}  # type: ignore[attr-defined]
    first = next(g for g in grades if g.send == "no")
    assert [(p.tag, p.quote) for p in first.problems] == [("garbled", "drops off")]
    hashes = {c.label + c.sha256 for case in packet.cases for c in case.candidates}  # type: ignore[attr-defined]
    assert {g.label + g.reply_sha256 for g in grades} <= hashes
    downloads = tmp_path / "dl"
    deadline_ok = any(downloads.glob("grades-lead-7-*.json")) or _wait_for_file(downloads)
    assert deadline_ok and json.loads(next(downloads.glob("grades-lead-7-*.json")).read_text()) == json.loads(
        exported
    )

    # It saved as the reviewer went: a reload keeps every grade.
    b.send("Page.reload")  # type: ignore[attr-defined]
    b.wait_for("document.getElementById('progress') && "  # type: ignore[attr-defined]
               "document.getElementById('progress').textContent === 'graded 6 of 6'")  # fmt: skip

    # A fresh browser profile (storage cleared) continues from the grades file.
    b.js("localStorage.clear()")  # type: ignore[attr-defined]
    b.send("Page.reload")  # type: ignore[attr-defined]
    b.wait_for("document.getElementById('progress').textContent.startsWith('graded 0 of 6')")  # type: ignore[attr-defined]
    b.set_files("#load", [path])  # type: ignore[attr-defined]
    b.wait_for("document.getElementById('progress').textContent === 'loaded 6 grades'")  # type: ignore[attr-defined]
    b.js("document.getElementById('export').click()")  # type: ignore[attr-defined]
    again = b.js("document.getElementById('exported').value")  # type: ignore[attr-defined]
    assert json.loads(again) == json.loads(exported)


def _wait_for_file(folder: Path, timeout: float = 10.0) -> bool:
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(folder.glob("grades-lead-7-*.json")):
            return True
        time.sleep(0.1)
    return False
