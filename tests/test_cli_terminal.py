"""How the terminal chat shows the bot's answer to a person."""

from __future__ import annotations

from causette_sdk.messages import MESSAGES, AnyMessage, TextMessage
from channels.cli.terminal import turn_lines
from dialogue import Turn


def _turn(responses: list[str], quick_replies: list[str]) -> Turn:
    """Texts, the last one offering ``quick_replies``."""
    *first, last = responses
    return _rich([*(TextMessage(text=text) for text in first), TextMessage(text=last, quick_replies=quick_replies)])


def _rich(messages: list[AnyMessage]) -> Turn:
    return Turn(session_id="s", messages=messages, intent="location", probability=0.9, fallback=False, contexts=[])


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


def test_rich_messages_read_as_text_buttons_in_brackets_links_shown_images_by_their_alt_text() -> None:
    messages = MESSAGES.validate_python(
        [
            {
                "type": "buttons",
                "text": "Où nous trouver",
                "buttons": [
                    {"label": "Plan", "url": "https://www.openstreetmap.org/?mlat=48.85"},
                    {"label": "Nos horaires", "payload": "horaires"},
                ],
            },
            {"type": "image", "url": "/demo/rose.svg", "alt": "Un scooter rose"},
            {
                "type": "carousel",
                "cards": [
                    {
                        "title": "Rose",
                        "text": "Léger",
                        "image": {"url": "/r.svg", "alt": "Scooter rose"},
                        "buttons": [{"label": "Réserver", "payload": "réserver un scooter rose"}],
                    },
                    {"title": "Vert", "text": "Rapide"},
                ],
            },
        ]
    )
    assert turn_lines(_rich(messages), interactive=True) == [
        "bot > Où nous trouver",
        "      [Plan] (https://www.openstreetmap.org/?mlat=48.85) [Nos horaires]",
        "bot > [image : Un scooter rose]",
        "bot > 1. Rose",
        "      Léger",
        "      [image : Scooter rose]",
        "      [Réserver]",
        "      2. Vert",
        "      Rapide",
    ]
