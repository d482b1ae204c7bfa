from rewriter.check import assess, check_reply, score
from rewriter.models import Channel

REPLY = "As I said before, restart the app. Then reinstall it."
DRAFT = "Restart the app, then reinstall it from https://example.com/app."


def test_without_a_judge_it_is_the_checker_and_its_scores() -> None:
    result = assess(REPLY, channel=Channel.CHAT, customer_name="Dana", draft=DRAFT, customer_message="Help!")
    expected = check_reply(
        REPLY, channel=Channel.CHAT, customer_name="Dana", draft=DRAFT, customer_message="Help!"
    )
    assert result.report == expected and result.scores == score(expected)
    assert result.judge is None and result.judge_cost_usd is None
    failed = {f.rule_id for f in result.report.failures}
    assert {"tone.no-blame", "faithfulness.keep-facts"} <= failed  # blame kept, link dropped
