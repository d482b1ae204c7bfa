"""The pytest plugin: the ``meets_guidance`` fixture, registered when rewriter is installed.

It is loaded by every pytest run in an environment that has rewriter (entry point
``pytest11``), so it imports nothing heavy until a test asks for the fixture.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest


@pytest.fixture
def meets_guidance() -> Callable[..., Any]:
    """:func:`rewriter.testing.assert_meets_guidance`: ``meets_guidance(reply, channel="chat")``."""
    from rewriter.testing import assert_meets_guidance

    return assert_meets_guidance
