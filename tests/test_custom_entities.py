"""Custom entities: which words match a value, how strictly, and what a closed entity refuses."""

from __future__ import annotations

import pytest

from nlu.dataset import Entity, EntityValue
from nlu.entities.custom import CustomEntities
from nlu.entities.extractor import EntityExtractor

ENTITIES = {
    "couleur": Entity(
        name="couleur",
        values=[EntityValue(value="rouge", synonyms=["écarlate", "rouge vif"]), EntityValue(value="bleu")],
        automatically_extensible=False,
    ),
    "pays": Entity(
        name="pays",
        values=[EntityValue(value="États-Unis", synonyms=["USA"]), EntityValue(value="Côte d'Ivoire")],
        automatically_extensible=True,
    ),
    "lieu": Entity(
        name="lieu",
        values=[
            EntityValue(value="musée du Louvre"),
            EntityValue(value="gare du Nord"),
            EntityValue(value="gare du Sud"),
        ],
        automatically_extensible=False,
        matching_strictness=0.5,
    ),
    "teinte": Entity(
        name="teinte",
        values=[EntityValue(value="vert", synonyms=["émeraude"])],
        automatically_extensible=False,
        use_synonyms=False,
    ),
}


@pytest.fixture
def custom() -> CustomEntities:
    return CustomEntities(ENTITIES)


def found(custom: CustomEntities, text: str, scope: list[str] | None = None) -> list[tuple[str, str, str]]:
    return [(m.entity, m.raw_value, m.value["value"]) for m in custom.find(text, scope)]


@pytest.mark.parametrize(
    ("text", "matches"),
    [
        ("aux Etats-Unis", [("pays", "Etats-Unis", "États-Unis")]),
        ("aux états unis", [("pays", "états unis", "États-Unis")]),
        ("AUX ÉTATS-UNIS", [("pays", "ÉTATS-UNIS", "États-Unis")]),
        ("en cote d'ivoire", [("pays", "cote d'ivoire", "Côte d'Ivoire")]),
        ("un scooter Rouge", [("couleur", "Rouge", "rouge")]),
    ],
)
def test_accents_case_and_hyphens_do_not_matter(
    custom: CustomEntities, text: str, matches: list[tuple[str, str, str]]
) -> None:
    assert found(custom, text) == matches


def test_synonyms_resolve_to_their_value_and_the_longest_wins(custom: CustomEntities) -> None:
    assert found(custom, "un scooter ÉCARLATE") == [("couleur", "ÉCARLATE", "rouge")]
    assert found(custom, "un rouge vif svp") == [("couleur", "rouge vif", "rouge")]
    assert found(custom, "direction les usa") == [("pays", "usa", "États-Unis")]
    assert custom.resolve("couleur", "Ecarlate") == "rouge"


def test_synonyms_are_ignored_when_the_entity_does_not_use_them(custom: CustomEntities) -> None:
    assert found(custom, "un scooter émeraude") == []
    assert custom.resolve("teinte", "émeraude") is None
    assert custom.resolve("teinte", "VERT") == "vert"


def test_a_closed_entity_refuses_values_it_does_not_list(custom: CustomEntities) -> None:
    assert not custom.extensible("couleur")
    assert custom.resolve("couleur", "violet") is None
    assert found(custom, "un scooter violet") == []


def test_an_extensible_entity_takes_an_unknown_value_as_it_is(custom: CustomEntities) -> None:
    assert custom.extensible("pays")
    assert custom.resolve("pays", "Canada") == "Canada"
    assert custom.resolve("pays", "etats unis") == "États-Unis"


def test_a_tagged_span_resolves_only_when_the_entity_accepts_it() -> None:
    extractor = EntityExtractor(ENTITIES)
    assert extractor.resolve("un scooter violet", 11, 17, "couleur") is None
    match = extractor.resolve("un scooter écarlate", 11, 19, "couleur")
    assert match is not None
    assert (match.raw_value, match.value) == ("écarlate", {"kind": "Custom", "value": "rouge"})
    unknown = extractor.resolve("au Canada", 3, 9, "pays")
    assert unknown is not None
    assert unknown.value == {"kind": "Custom", "value": "Canada"}
    assert extractor.resolve("au Canada", 3, 9, "ville") is None  # not an entity of this bot


def test_strictness_sets_how_much_of_a_value_must_be_said(custom: CustomEntities) -> None:
    # With 0.5, two words of "musée du Louvre" are enough, one is not.
    assert found(custom, "rendez-vous du louvre") == [("lieu", "du louvre", "musée du Louvre")]
    assert found(custom, "rendez-vous au Louvre") == []
    assert custom.resolve("lieu", "du Louvre") == "musée du Louvre"
    assert custom.resolve("lieu", "Louvre") is None
    assert found(custom, "devant le musée du Louvre") == [("lieu", "musée du Louvre", "musée du Louvre")]


def test_words_shared_by_two_values_match_neither(custom: CustomEntities) -> None:
    assert found(custom, "à la gare du") == []
    assert found(custom, "à la gare du Nord") == [("lieu", "gare du Nord", "gare du Nord")]
    assert found(custom, "côté du sud") == [("lieu", "du sud", "gare du Sud")]


def test_a_strict_entity_matches_whole_values_only() -> None:
    strict = CustomEntities({"lieu": ENTITIES["lieu"].model_copy(update={"matching_strictness": 1.0})})
    assert found(strict, "rendez-vous du louvre") == []
    assert found(strict, "au musée du Louvre") == [("lieu", "musée du Louvre", "musée du Louvre")]


def test_scope_limits_the_entities_looked_for(custom: CustomEntities) -> None:
    text = "un scooter rouge pour les USA"
    assert found(custom, text, ["pays"]) == [("pays", "USA", "États-Unis")]
    assert [entity for entity, _, _ in found(custom, text)] == ["couleur", "pays"]
