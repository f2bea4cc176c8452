"""Errors found while putting the parts read from a bot's files together: intents, slots, entities.

An intent may come from a JSON entry, a text file, or both (examples in the text file, responses
in the JSON entry). Each slot gets exactly one entity, found in the annotations or declared; every
entity an annotation names must exist. Problems point at the line that causes them.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from nlu.dataset import Entity, EntityValue, Intent, SlotSpec, SourceRef, Utterance
from nlu.entities.builtin import BUILTIN_ENTITIES, is_builtin
from nlu.entities.custom import CustomEntities
from nlu.errors import Problem, sort_problems
from nlu.formats.parts import ContentPart, IntentDetails, IntentPart


@dataclass(frozen=True)
class Assembled:
    """The merged content of a bot folder and every problem found while merging it."""

    intents: list[Intent]
    entities: dict[str, Entity]
    problems: list[Problem]


def assemble(parts: list[ContentPart]) -> Assembled:
    """Merge the parts of every file; unusable pieces are left out and reported."""
    problems = [problem for part in parts for problem in part.problems]
    entities, entity_problems = _collect_entities([e for part in parts for e in part.entities])
    groups: dict[str, list[IntentPart]] = defaultdict(list)
    for part in parts:
        for intent_part in part.intents:
            groups[intent_part.name].append(intent_part)
    intents: list[Intent] = []
    for name, group in groups.items():
        intent, intent_problems = _merge_intent(name, group)
        problems += intent_problems
        if intent is not None:
            intents.append(intent)
    problems += entity_problems + _check_entities(intents, entities)
    return Assembled(intents=intents, entities=entities, problems=problems)


def _collect_entities(found: list[Entity]) -> tuple[dict[str, Entity], list[Problem]]:
    entities: dict[str, Entity] = {}
    problems = []
    for entity in found:
        if entity.name in entities:
            first = entities[entity.name].source
            problems.append(Problem.at(entity.source, "entity-defined-twice", entity=entity.name, first=str(first)))
        elif is_builtin(entity.name):
            problems.append(Problem.at(entity.source, "builtin-entity-name", entity=entity.name))
        else:
            entities[entity.name] = entity
    return entities, problems


def _merge_intent(name: str, group: list[IntentPart]) -> tuple[Intent | None, list[Problem]]:
    """One intent from its JSON entry and/or text file; None when it cannot be built."""
    with_details = [p for p in group if p.details is not None]
    text_only = [p for p in group if p.details is None]
    problems = [
        Problem.at(duplicate.source, "tag-defined-twice", "duplicate-tag", tag=name, first=str(kind[0].source))
        for kind in (with_details, text_only)
        for duplicate in kind[1:]
    ]
    main = with_details[0] if with_details else None
    if main is None or main.details is None:
        problems.append(Problem.at(text_only[0].source, "intent-no-responses", tag=name))
        return None, problems
    if not main.has_patterns and not text_only:
        problems.append(Problem.at(main.source, "intent-no-patterns", tag=name))
    utterances = [u for part in (main, *text_only[:1]) for u in part.utterances]
    details = main.details
    slots, slot_problems = _slots(name, utterances, details)
    intent = Intent(
        name=name,
        utterances=utterances,
        slots=slots,
        responses=details.responses,
        context_set=details.context_set,
        context_filter=details.context_filter,
        quick_replies=details.quick_replies,
        label=details.label,
        action=details.action,
        unavailable=details.unavailable,
        source=main.source,
    )
    return intent, problems + slot_problems


def _slots(name: str, utterances: list[Utterance], details: IntentDetails) -> tuple[dict[str, SlotSpec], list[Problem]]:
    """Each slot's entity, from the annotations, checked against the declarations."""
    annotated: dict[str, tuple[str, SourceRef | None]] = {}
    problems = []
    for utterance in utterances:
        for span in utterance.slots:
            entity, first = annotated.setdefault(span.slot_name, (span.entity, utterance.source))
            if entity != span.entity:
                problems.append(
                    Problem.at(
                        utterance.source,
                        "slot-entity-conflict",
                        slot=span.slot_name,
                        entity=span.entity,
                        other=entity,
                        first=str(first),
                    )
                )
    slots: dict[str, SlotSpec] = {}
    for declared in details.slots:  # declared first: their order is the order questions are asked in
        chosen = annotated[declared.name][0] if declared.name in annotated else declared.entity
        if chosen is None:
            problems.append(Problem.at(declared.source, "slot-without-entity", slot=declared.name, intent=name))
            continue
        if declared.entity and chosen != declared.entity:
            problems.append(
                Problem.at(
                    declared.source,
                    "slot-declared-entity-conflict",
                    slot=declared.name,
                    declared=declared.entity,
                    entity=chosen,
                )
            )
        slots[declared.name] = SlotSpec(
            entity=chosen, required=declared.required, prompt=declared.prompt, quick_replies=declared.quick_replies
        )
    for slot, (entity, _) in annotated.items():
        slots.setdefault(slot, SlotSpec(entity=entity))
    return slots, problems


def _check_entities(intents: list[Intent], entities: dict[str, Entity]) -> list[Problem]:
    """Every annotated entity exists; values of closed entities are known; values annotated
    for an extensible entity are added to its list (as snips-nlu does)."""
    known = CustomEntities(entities)
    problems: list[Problem] = []
    for intent in intents:
        for utterance in intent.utterances:
            for span in utterance.slots:
                problem = _entity_problem(span.entity, span.value, entities, known)
                if problem:
                    problems.append(Problem.at(utterance.source, problem.pop("code"), **problem))
                elif span.entity in entities and known.resolve(span.entity, span.value) == span.value:
                    _add_value(entities[span.entity], span.value)
        annotated = {span.slot_name for u in intent.utterances for span in u.slots}
        for slot, spec in intent.slots.items():
            if slot not in annotated and spec.entity not in entities and spec.entity not in BUILTIN_ENTITIES:
                problem = _entity_problem(spec.entity, None, entities, known) or {}
                detail = problem.pop("code", "")
                problems.append(
                    Problem.at(intent.source, "slot-entity-problem", slot=slot, detail_code=detail, **problem)
                )
    return sort_problems(problems)


def _entity_problem(
    entity: str, value: str | None, entities: dict[str, Entity], known: CustomEntities
) -> dict[str, str] | None:
    """What is wrong with naming ``entity`` (and ``value`` of it): a message code and its parameters."""
    if is_builtin(entity):
        if entity in BUILTIN_ENTITIES:
            return None
        return {"code": "builtin-unavailable", "entity": entity, "available": ", ".join(BUILTIN_ENTITIES)}
    if entity not in entities:
        return {"code": "entity-undefined", "entity": entity}
    if value is not None and known.resolve(entity, value) is None:
        return {"code": "closed-entity-value", "value": value, "entity": entity, "source": str(entities[entity].source)}
    return None


def _add_value(entity: Entity, value: str) -> None:
    if all(item.value != value for item in entity.values):
        entity.values.append(EntityValue(value=value))
