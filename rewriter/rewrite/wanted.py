"""What the customer hoped to get, in their own words, named in the sentence before the draft's "no".

Blind readers graded "I know this isn't the answer you were hoping for." generic (1 of
2) in every refusal reply it opened, and read a sentence that names the customer's own
thing as listening. Which words of the message name what they asked for is a copy, a
task the embedded model does well and one that can be checked: the copy must stand in
the message as written (with the message's own "a" or "the"; one word alone needs one),
be at most ``MAX_WORDS`` long, not be cut off before a clause of its own ("a code" of "a
code that doesn't work"), hold no clause word, "not", number or code (it names a thing,
not a sentence), and share
a content word with the draft's sentence that says no ("two-way sync with Google
Sheets" for "Two-way sync with Google Sheets is not possible"): a copy the refusal does
not speak of ("a scam", "a depot") is about something else, and the plain sentence is
used. The request is made only for a draft that says no to a customer who wrote in, and
a backend failure costs only the naming.
"""

from __future__ import annotations

import re
from typing import Any

from rewriter.check.deterministic import lexicon
from rewriter.check.facts import extract_facts
from rewriter.llm import ChatClient
from rewriter.models import RewriteRequest, Usage
from rewriter.prompts import render
from rewriter.rewrite.policy_lines import stems
from rewriter.rewrite.stake import after_first_word, clause_words, found_in, in_second_person, leads
from rewriter.text import extract_json_object

WANTED = "{asked}"
MAX_WORDS = 7
# A thing of more words than this that the draft's "no" names word for word is said twice
# in a row ("... hoping for two-way sync with Google Sheets. Unfortunately two-way sync
# with Google Sheets is not possible"): both readers ranked that reply below the plain
# sentence and one tagged it repetition; "dark mode", "a family plan" they ranked first.
REPEATED_WORDS = 2
_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"asked_for": {"type": "string", "maxLength": 80}},
    "required": ["asked_for"],
    "additionalProperties": False,
}
_WORD = re.compile(r"[\w'’-]+")


def ask_wanted(
    client: ChatClient, request: RewriteRequest, language: str, refusal: str, usage: Usage
) -> str | None:
    """What the customer hoped for, copied by the model and checked, or ``None``.

    Raises:
        ConfigError, LLMError: The backend failed; the caller keeps the plain sentence.
    """
    message = request.customer_message or ""
    messages = [
        {"role": "system", "content": render("wanted.system.md")},
        {"role": "user", "content": render("wanted.user.md", customer_message=message)},
    ]
    response = client.complete(messages, _SCHEMA, max_tokens=40, temperature=0.0)
    usage.add(response.prompt_tokens or 0, response.completion_tokens or 0, requests=response.requests)
    try:
        data = extract_json_object(response.text)
    except ValueError:
        return None
    return wanted(data.get("asked_for") if isinstance(data, dict) else None, message, refusal, language)


def wanted(quoted: object, message: str, refusal: str, language: str) -> str | None:
    """The copy as the message says it, in the second person, or ``None`` when it cannot be used."""
    if not isinstance(quoted, str):
        return None
    text = " ".join(quoted.split()).strip(" .,;:!?\"'“”«»")
    message = " ".join(message.split())
    words = _WORD.findall(text.lower())
    opening = {w.lower() for w in leads(language)}
    if not words or len(words) > MAX_WORDS:
        return None
    found = found_in(text, message)
    if found is None and len(words) > 1 and (words[0] in opening or len(words[0]) <= 3):
        found = found_in(after_first_word(text), message)  # "a dark mode" for "no dark mode"
    if found is None:
        return None  # not the customer's words
    start = found.start()
    before = re.search(r"([\w'’]+)\s+$", message[:start])
    if before and before.group(1).lower() in opening:
        start = before.start(1)  # the message's own "a": "a family plan", "un mode sombre"
    said = message[start : found.end()]
    said_words = _WORD.findall(said.lower())
    if said_words[0] not in opening and len(said_words) < 2:
        return None  # "refund" from "Refund it.": a verb as often as a thing
    clause = {w.lower() for w in clause_words(language)}
    after = _WORD.match(message[found.end() :].lstrip())
    if after and after.group(0).lower() in clause:
        return None  # "a code" of "a code that doesn't work": cut off, it names another thing
    if (
        clause & set(said_words)
        or lexicon(language, "negation").search(said)
        or extract_facts(said)
        or re.search(r"\d", said)
    ):
        return None  # a sentence, a "never", a number or a code is no thing hoped for
    if not stems(said, language) & stems(refusal, language):
        return None  # not what the draft says no to
    named = [w for w in said_words if w not in opening]
    if len(named) > REPEATED_WORDS and found_in(" ".join(named), refusal):
        return None  # the "no" says it again word for word, right after: read as repetition
    everyday = lexicon(language, "everyday_acronyms")
    said = _WORD.sub(  # "a MANAGER", shouted, is "a manager"; "VAT" stays
        lambda m: (
            m.group(0).lower() if m.group(0).isupper() and not everyday.fullmatch(m.group(0)) else m.group(0)
        ),
        said,
    )
    return in_second_person(said[:1].lower() + said[1:], language)
