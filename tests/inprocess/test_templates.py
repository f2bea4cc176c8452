"""Slot placeholders in responses and prompts (``nlu.templates``)."""

from __future__ import annotations

import pytest

from nlu.templates import fill, placeholders


@pytest.mark.parametrize(
    ("template", "names"),
    [
        ("C'est noté pour {date}.", ["date"]),
        ("Un scooter {couleur} le {date}, {couleur} donc.", ["couleur", "date"]),
        ("Sans rien à remplir.", []),
        ("Des accolades {1} { date } {} restent.", []),
        ("{pays_fr} et {ville-départ}", ["pays_fr", "ville-départ"]),
    ],
)
def test_placeholders_are_slot_names_in_braces_in_order_without_repeats(template: str, names: list[str]) -> None:
    assert placeholders(template) == names


def test_fill_puts_each_value_in_its_place() -> None:
    filled = fill("Un scooter {couleur} pour le {date}.", {"couleur": "rose", "date": "3 décembre"})
    assert filled == "Un scooter rose pour le 3 décembre."


def test_fill_empties_a_placeholder_without_a_value_and_keeps_other_braces() -> None:
    assert fill("Pour {date} {1} { x }.", {}) == "Pour  {1} { x }."
