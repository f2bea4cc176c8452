"""Slots and entities in content files: both layouts load into one dataset; errors give file:line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from nlu import ContentError, load_bot
from nlu.formats.annotations import AnnotationError, parse_pattern
from tests.support import REPO, run_cli

SEED_BOT = REPO / "tests" / "bots" / "seed_snips"
# A bot's files by name: a text file's text, or a JSON file's content.
Files = dict[str, str | dict[str, Any]]

RESPONSES = {"intents": [{"tag": "capitale", "responses": ["Vu : {pays}."]}]}  # completes intent_capitale.txt


def write_bot(folder: Path, files: Files) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        text = content if isinstance(content, str) else json.dumps(content, ensure_ascii=False, indent=1)
        path.write_text(text, encoding="utf-8")
    return folder


def problems(folder: Path) -> str:
    with pytest.raises(ContentError) as caught:
        load_bot(folder)
    return str(caught.value)


def test_the_seed_layouts_mix_in_one_dataset() -> None:
    dataset = load_bot(SEED_BOT).dataset
    assert sorted(dataset.intent_names) == ["salutation", "sayWhatWeekDayOnDate", "searchCountryCapital"]
    capital = dataset.intent("searchCountryCapital")
    assert capital.responses and capital.slots["country"].entity == "country_fr"
    assert capital.slots["country"].required and capital.slots["country"].prompt == "De quel pays ?"
    assert dataset.intent("sayWhatWeekDayOnDate").slots["date"].entity == "snips/datetime"
    country = dataset.entities["country_fr"]
    assert country.automatically_extensible
    assert [v.synonyms for v in country.values if v.value == "États-Unis"] == [["Etats-Unis", "USA", "Amérique"]]


def test_folders_named_intents_and_entities_hold_text_files(tmp_path: Path) -> None:
    bot = write_bot(
        tmp_path / "bot",
        {
            "intents/capitale.txt": (
                "# exemples\n\nla capitale de la [pays:pays](Grèce)\ncapitale du [pays:pays](Japon)\n"
            ),
            "entities/pays.txt": "%closed\nGrèce\nJapon, Nippon\n",
            "reponses.json": RESPONSES,
        },
    )
    dataset = load_bot(bot).dataset
    assert [u.text for u in dataset.intent("capitale").utterances] == ["la capitale de la Grèce", "capitale du Japon"]
    assert not dataset.entities["pays"].automatically_extensible
    assert dataset.entities["pays"].values[1].synonyms == ["Nippon"]


def test_values_annotated_for_an_extensible_entity_join_its_list(tmp_path: Path) -> None:
    bot = write_bot(
        tmp_path / "bot",
        {
            "intent_capitale.txt": "capitale du [pays:pays](Japon)\ncapitale du [pays:pays](Pérou)\n",
            "entity_pays.txt": "Japon\n",
            "r.json": RESPONSES,
        },
    )
    assert [v.value for v in load_bot(bot).dataset.entities["pays"].values] == ["Japon", "Pérou"]


BROKEN: dict[str, tuple[Files, str]] = {
    "unclosed bracket": (
        {"intent_capitale.txt": "capitale du [pays:pays](Japon)\n# note\ncapitale du [pays:pays(Pérou)\n"},
        "intent_capitale.txt:3: exemple « capitale du [pays:pays(Pérou) » : colonne 13 : « [ » n'est jamais fermé",
    ),
    "stray closing bracket": (
        {"intent_capitale.txt": "capitale] du [pays:pays](Japon)\n"},
        "intent_capitale.txt:1: exemple « capitale] du [pays:pays](Japon) » : colonne 9 : « ] » sans « [ » "
        "correspondant",
    ),
    "slot without value": (
        {"intent_capitale.txt": "capitale du [pays:pays] Japon\n"},
        "colonne 24 : [pays:pays] doit être suivi de sa valeur d'exemple entre parenthèses (...)",
    ),
    "slot without entity": (
        {"intent_capitale.txt": "capitale du [pays](Japon)\n"},
        "intent_capitale.txt:1: exemple « capitale du [pays](Japon) » : colonne 13 : [pays] ne nomme pas d'entité",
    ),
    "undefined entity": (
        {"intent_capitale.txt": "capitale du [pays:pays](Japon)\ncapitale de la [pays:payz](Grèce)\n"},
        "intent_capitale.txt:2: l'entité « payz » n'est pas définie",
    ),
    "slot with two entities": (
        {"intent_capitale.txt": "capitale du [pays:pays](Japon)\ncapitale au [pays:snips/datetime](Japon)\n"},
        "intent_capitale.txt:2: le slot « pays » est annoté avec l'entité « snips/datetime » ici mais « pays » "
        "en intent_capitale.txt:1",
    ),
    "unavailable builtin": (
        {"intent_capitale.txt": "capitale du [pays:snips/country](Japon)\n"},
        "intent_capitale.txt:1: l'entité prédéfinie « snips/country » n'est pas disponible",
    ),
    "unknown value of a closed entity": (
        {"entity_pays.txt": "%closed\nJapon\n", "intent_capitale.txt": "capitale du [pays:pays](Japan)\n"},
        "intent_capitale.txt:1: « Japan » n'est pas une valeur de l'entité fermée « pays »",
    ),
    "unknown entity option": (
        {"entity_pays.txt": "Japon\n%fermé\n"},
        "entity_pays.txt:2: option inconnue %fermé",
    ),
    "entity defined twice": (
        {"d.json": {"entities": {"pays": {"values": ["Japon"]}}}},
        "entity_pays.txt:1: l'entité « pays » est déjà définie en d.json:3",
    ),
    "text intent without responses": (
        {"r.json": {"intents": [{"tag": "autre", "patterns": ["bonjour"], "responses": ["b"]}]}},
        "intent_capitale.txt:1: l'intention « capitale » n'a pas de réponses",
    ),
    "JSON intent without patterns nor text file": (
        {"r.json": {"intents": [{"tag": "capitale", "responses": ["b"]}, {"tag": "autre", "responses": ["c"]}]}},
        "r.json:9: l'intention « autre » n'a pas d'exemples",
    ),
    "required slot without prompt": (
        {"r.json": {"intents": [{"tag": "capitale", "responses": ["b"], "slots": {"pays": {"required": True}}}]}},
        "r.json:9: intents.0.slots.pays: un slot obligatoire (required) a besoin d'une question (prompt)",
    ),
    "placeholder that is not a slot": (
        {"r.json": {"intents": [{"tag": "capitale", "responses": ["Vu : {pay}."]}]}},
        "r.json:3: {pay} dans une réponse de l'intention « capitale » n'est pas l'un de ses slots (slots : pays)",
    ),
    "declared entity differs from the annotations": (
        {
            "r.json": {
                "intents": [{"tag": "capitale", "responses": ["b"], "slots": {"pays": {"entity": "snips/number"}}}]
            }
        },
        "r.json:9: le slot « pays » est déclaré avec l'entité « snips/number » mais les exemples l'annotent "
        "avec « pays »",
    ),
    "broken annotation in JSON": (
        {
            "r.json": {
                "intents": [
                    {"tag": "capitale", "responses": ["b"]},
                    {"tag": "x", "patterns": ["un [a:b](c"], "responses": ["d"]},
                ]
            }
        },
        "r.json:12: exemple (patterns) « un [a:b](c » : colonne 9 : la parenthèse « ( » de la valeur du slot "
        "n'est jamais fermée",
    ),
    "text file of no known kind": (
        {"capitale.txt": "capitale du [pays:pays](Japon)\n"},
        "capitale.txt:1: un fichier texte doit être une intention (intent_<nom>.txt) ou une entité (entity_<nom>.txt)",
    ),
}
BASE: Files = {
    "intent_capitale.txt": "capitale du [pays:pays](Japon)\n",
    "entity_pays.txt": "Japon\nGrèce\n",
    "r.json": RESPONSES,
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_broken_slot_content_is_reported_with_file_and_line(tmp_path: Path, case: str) -> None:
    files, expected = BROKEN[case]
    bot = write_bot(tmp_path / "bot", BASE | files)
    assert expected in problems(bot)


def test_the_cli_reports_slot_problems_and_trains_nothing(tmp_path: Path) -> None:
    bot = write_bot(tmp_path / "bot", BASE | BROKEN["undefined entity"][0])
    result = run_cli("train", bot)
    assert result.returncode == 2
    assert "intent_capitale.txt:2: l'entité « payz » n'est pas définie" in result.stderr
    assert not (bot / ".causette").exists()


def test_annotations_cut_patterns_into_chunks() -> None:
    utterance = parse_pattern("Aux [country:country_fr]( Etats-Unis ) quelle est la capitale ?")
    assert utterance.text == "Aux  Etats-Unis  quelle est la capitale ?"
    [slot] = utterance.slots
    assert (slot.slot_name, slot.entity, slot.value) == ("country", "country_fr", "Etats-Unis")
    assert utterance.text[slot.start : slot.end] == "Etats-Unis"
    assert parse_pattern("un smiley :) et (une parenthèse)").slots == []


@pytest.mark.parametrize("pattern", ["[a:b](", "[a:b]()", "[a:[b]](c)", "[1a:b](c)", "[a:b](c [d])"])
def test_malformed_annotations_are_refused(pattern: str) -> None:
    with pytest.raises(AnnotationError, match="column"):
        parse_pattern(pattern)
