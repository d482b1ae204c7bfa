"""Check a reply: the guidance rules, the faithfulness guard, the LLM judge and scores.

Everything here judges a finished reply and never writes one, so ``rewriter check``,
the rewrite loop and the eval harness all stand on the same verdicts.
"""

from rewriter.check.assess import Assessment, assess
from rewriter.check.checker import check_reply, resolve_language, with_judge
from rewriter.check.facts import Fact, FactKind, extract_facts, occurs_in
from rewriter.check.guard import check_faithfulness, draft_facts
from rewriter.check.guidance import load_guidance
from rewriter.check.judge import JudgeResult, judge
from rewriter.check.rules import CheckKind, Family, Guidance, Phrase, Rule
from rewriter.check.scores import Scores, score

__all__ = [
    "Assessment",
    "CheckKind",
    "Fact",
    "FactKind",
    "Family",
    "Guidance",
    "JudgeResult",
    "Phrase",
    "Rule",
    "Scores",
    "assess",
    "check_faithfulness",
    "check_reply",
    "draft_facts",
    "extract_facts",
    "judge",
    "load_guidance",
    "occurs_in",
    "resolve_language",
    "score",
    "with_judge",
]
