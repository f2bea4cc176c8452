"""How the terminal chat shows the bot's answer to a person."""

from __future__ import annotations

from channels.cli.terminal import turn_lines
from dialogue import Turn


def _turn(responses: list[str], quick_replies: list[str]) -> Turn:
    return Turn(
        session_id="s",
        responses=responses,
        intent="location",
        probability=0.9,
        fallback=False,
        contexts=[],
        quick_replies=quick_replies,
    )


def test_quick_replies_line_up_under_the_responses_for_a_person() -> None:
    turn = _turn(["Bonjour !", "Pour quand ?"], ["Aujourd'hui", "Plus tard"])
    assert turn_lines(turn, interactive=True) == [
        "bot > Bonjour !",
        "bot > Pour quand ?",
        "      choix\u00a0: [Aujourd'hui] [Plus tard]",
    ]


def test_piped_answers_are_bare_and_have_no_empty_choice_line() -> None:
    assert turn_lines(_turn(["Bonjour !"], []), interactive=False) == ["Bonjour !"]
    assert turn_lines(_turn(["Pour quand ?"], ["Demain"]), interactive=False) == [
        "Pour quand ?",
        "choix\u00a0: [Demain]",
    ]
