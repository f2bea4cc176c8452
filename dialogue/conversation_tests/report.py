"""Readable results: one line per conversation, and for a failure, expected against got.

The text is the same on a terminal and in a CI report; a ``Paint`` function adds colours where
the caller wants them (the dialogue layer knows nothing of terminals).
"""

from __future__ import annotations

from collections.abc import Callable

from dialogue.conversation_tests.runner import ConversationOutcome

# (text, role) -> text; roles: "pass", "fail", "expected", "got", "hint".
Paint = Callable[[str, str], str]


def plain(text: str, role: str) -> str:
    """No styling."""
    return text


def outcome_lines(outcome: ConversationOutcome, paint: Paint = plain) -> list[str]:
    """``PASS file:line name``, or ``FAIL`` followed by the failing turn's differences."""
    case = outcome.case
    if outcome.passed:
        return [f"{paint('PASS', 'pass')} {case.file}:{case.line} {case.name} ({len(outcome.turns)} turns)"]
    return [f"{paint('FAIL', 'fail')} {case.file}:{case.line} {case.name}", *failure_lines(outcome, paint)]


def failure_lines(outcome: ConversationOutcome, paint: Paint = plain) -> list[str]:
    """The failing turn: what the user said, then each difference as expected / got."""
    failure = outcome.failure
    if failure is None:
        return []
    number = outcome.turns.index(failure) + 1
    lines = [f"  {failure.case.file}:{failure.case.line}: turn {number}, user > {failure.case.expect.user}"]
    width = max(len(m.what) for m in failure.mismatches)
    for mismatch in failure.mismatches:
        lines.append(f"    {mismatch.what:<{width}}  expected: {paint(mismatch.expected, 'expected')}")
        lines.append(f"    {'':<{width}}  got:      {paint(mismatch.got, 'got')}")
        if mismatch.hint:
            lines.append(f"    {'':<{width}}  {paint('hint: ' + mismatch.hint, 'hint')}")
    if outcome.not_run:
        lines.append(f"  ({outcome.not_run} later turn(s) not played)")
    return lines


def summary_line(outcomes: list[ConversationOutcome]) -> str:
    """How many conversations passed and failed."""
    failed = sum(not outcome.passed for outcome in outcomes)
    return f"{len(outcomes)} conversation(s): {len(outcomes) - failed} passed, {failed} failed"
