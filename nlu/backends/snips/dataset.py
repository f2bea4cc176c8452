"""Our Dataset in snips-nlu's JSON dataset format.

``{"language", "intents": {name: {"utterances": [{"data": [{"text", "entity"?, "slot_name"?}]}]}},
"entities": {custom: {"data": [{"value", "synonyms"}], "use_synonyms", "automatically_extensible",
"matching_strictness"}, "snips/datetime": {}}}``
"""

from __future__ import annotations

from typing import Any

from nlu.dataset import Dataset, Entity, Utterance


def to_snips_dataset(dataset: Dataset) -> dict[str, Any]:
    """The snips-nlu dataset dict for ``dataset`` (builtin entities included as ``{}``)."""
    entities: dict[str, Any] = {name: _entity(entity) for name, entity in dataset.entities.items()}
    entities.update({name: {} for name in dataset.builtin_entities})
    return {
        "language": dataset.language,
        "intents": {
            intent.name: {"utterances": [_utterance(u) for u in intent.utterances]} for intent in dataset.intents
        },
        "entities": entities,
    }


def _utterance(utterance: Utterance) -> dict[str, Any]:
    data = []
    for chunk in utterance.chunks:
        item: dict[str, Any] = {"text": chunk.text}
        if chunk.slot_name and chunk.entity:
            item.update(entity=chunk.entity, slot_name=chunk.slot_name)
        data.append(item)
    return {"data": data}


def _entity(entity: Entity) -> dict[str, Any]:
    return {
        "data": [{"value": v.value, "synonyms": list(v.synonyms)} for v in entity.values],
        "use_synonyms": entity.use_synonyms,
        "automatically_extensible": entity.automatically_extensible,
        "matching_strictness": entity.matching_strictness,
    }
