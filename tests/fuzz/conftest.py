"""The fuzz tests share their strategies through ``fuzz_strategies``.

Test modules are imported by path (``--import-mode=importlib``), so tests/ is not on
sys.path; the strategies are loaded the same way as the fault server, once, here.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

if "fuzz_strategies" not in sys.modules:
    _spec = importlib.util.spec_from_file_location(
        "fuzz_strategies", Path(__file__).with_name("fuzz_strategies.py")
    )
    assert _spec is not None and _spec.loader is not None
    sys.modules["fuzz_strategies"] = _module = importlib.util.module_from_spec(_spec)
    _spec.loader.exec_module(_module)
