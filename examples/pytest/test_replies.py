"""Canned replies checked the way code is checked (run: pytest examples/pytest).

`meets_guidance` is the fixture rewriter's pytest plugin registers; it fails the test
with every rule the reply breaks, the words it rests on and the fix.
"""

from __future__ import annotations

from typing import Any

import pytest

from rewriter.testing import assert_meets_guidance

PASSWORD_RESET = """Hi Sam,

Being locked out right before you need your files is stressful.

1. Open https://example.com/reset and enter your email.
2. Follow the link we send you within 10 minutes.

If the email does not arrive, reply here and I will check it.

Best regards,
Lena"""


def test_the_password_reset_macro_meets_the_guidance(meets_guidance: Any) -> None:
    """The fixture: call it with the reply and where it goes."""
    meets_guidance(PASSWORD_RESET, channel="email", customer_name="Sam")


def test_a_scolding_macro_is_caught_with_its_words() -> None:
    """The same assertion, imported: what a failure says."""
    with pytest.raises(AssertionError, match=r'tone\.no-blame .*\n.*evidence: "As I said before"'):
        assert_meets_guidance("Hi Sam,\n\nAs I said before, use the reset link.\n\nBest regards,\nLena")
