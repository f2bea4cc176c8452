"""The Snips text layout: one text file per intent, one per custom entity.

- ``intent_<name>.txt`` (or ``intents/<name>.txt``): one example per line, slots annotated
  ``[slot:entity](value)``.
- ``entity_<name>.txt`` (or ``entities/<name>.txt``): one value per line, followed by its synonyms,
  comma-separated (CSV: quote a value that holds a comma). Option lines start with ``%``:
  ``%closed`` (only listed values are accepted), ``%extensible`` (the default: unseen values
  too), ``%strictness 0.8`` (a value matches on 80 % of its words), ``%no-synonyms``.

In both, blank lines (spaces and zero-width characters only) and lines starting with ``#`` are
ignored. Responses, context rules and slot questions of a text-layout intent go in a JSON entry
with the same tag and no ``patterns``.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path, PurePath

from causette_sdk.messages import has_visible_text
from nlu.dataset import Entity, EntityValue, SourceRef, Utterance
from nlu.errors import ContentError, Problem
from nlu.formats.annotations import AnnotationError, parse_pattern
from nlu.formats.parts import ContentPart, IntentPart
from nlu.formats.reading import read_content_text
from nlu.messages import ParamValue

INTENT_PREFIX, ENTITY_PREFIX = "intent_", "entity_"
INTENT_FOLDER, ENTITY_FOLDER = "intents", "entities"
# Spaces, the soft hyphen, zero-width spaces, joiners and direction marks, word joiners, byte-order marks.
_INVISIBLE = r"[\s\u00ad\u200b-\u200f\u2060-\u2064\ufeff]"
_INVISIBLE_EDGES = re.compile(rf"^{_INVISIBLE}+|{_INVISIBLE}+$")


def text_file_role(relative: PurePath) -> tuple[str, str] | None:
    """``("intent"|"entity", name)`` for a text file of the layout, None for any other file."""
    if relative.suffix != ".txt":
        return None
    stem, folder = relative.stem, relative.parent.name
    for prefix, folder_name, role in (
        (INTENT_PREFIX, INTENT_FOLDER, "intent"),
        (ENTITY_PREFIX, ENTITY_FOLDER, "entity"),
    ):
        if stem.startswith(prefix) and len(stem) > len(prefix):
            return role, stem[len(prefix) :]
        if folder == folder_name and len(relative.parts) > 1:
            return role, stem
    return None


def read_text_file(path: Path, display_name: str, relative: PurePath) -> ContentPart:
    """Read an intent or entity text file; a file of neither kind is a problem."""
    role = text_file_role(relative)
    if role is None:
        return ContentPart(problems=[Problem(file=display_name, line=1, code="text-file-role")])
    try:
        lines = read_content_text(path, display_name).splitlines()
    except ContentError as error:
        return ContentPart(problems=error.problems)
    kind, name = role
    reader = _read_intent if kind == "intent" else _read_entity
    return reader(name, list(_content_lines(lines)), display_name)


def _content_lines(lines: list[str]) -> list[tuple[int, str]]:
    """(line number, text) of lines that are neither blank nor comments, without the spaces and
    zero-width characters around them (a stray one must not turn ``%closed`` into a value)."""
    trimmed = [(number, _trim(line)) for number, line in enumerate(lines, start=1)]
    return [(number, line) for number, line in trimmed if has_visible_text(line) and not line.startswith("#")]


def _trim(text: str) -> str:
    """``text`` without the spaces and invisible characters around it."""
    return _INVISIBLE_EDGES.sub("", text)


def _read_intent(name: str, lines: list[tuple[int, str]], file: str) -> ContentPart:
    part = ContentPart()
    utterances: list[Utterance] = []
    for number, line in lines:
        try:
            utterances.append(parse_pattern(line, SourceRef(file=file, line=number)))
        except AnnotationError as error:
            part.problems.append(Problem(file=file, line=number, code="bad-example", params=error.problem_params(line)))
    if not lines:
        part.problems.append(Problem(file=file, line=1, code="intent-without-example", params={"intent": name}))
    part.intents.append(
        IntentPart(name=name, utterances=utterances, source=SourceRef(file=file, line=lines[0][0] if lines else 1))
    )
    return part


def _read_entity(name: str, lines: list[tuple[int, str]], file: str) -> ContentPart:
    part = ContentPart()
    entity = Entity(name=name, values=[], source=SourceRef(file=file, line=1))
    for number, line in lines:
        if line.startswith("%"):
            problem = _apply_option(entity, line[1:].split())
            if problem:
                code, params = problem
                part.problems.append(Problem(file=file, line=number, code=code, params=params))
            continue
        forms = [_trim(form) for form in next(csv.reader([line], skipinitialspace=True)) if has_visible_text(form)]
        if forms:
            entity.values.append(EntityValue(value=forms[0], synonyms=forms[1:]))
    if not entity.values:
        part.problems.append(Problem(file=file, line=1, code="entity-without-value", params={"entity": name}))
    part.entities.append(entity)
    return part


def _apply_option(entity: Entity, words: list[str]) -> tuple[str, dict[str, ParamValue]] | None:
    """Apply one ``%`` option line to ``entity``; the problem with it (code, parameters), if any."""
    match words:
        case ["closed"]:
            entity.automatically_extensible = False
        case ["extensible"]:
            entity.automatically_extensible = True
        case ["no-synonyms"]:
            entity.use_synonyms = False
        case ["strictness", number]:
            try:
                strictness = float(number.replace(",", "."))
            except ValueError:
                strictness = -1.0
            if not 0.0 < strictness <= 1.0:
                return "option-strictness", {"number": number}
            entity.matching_strictness = strictness
        case _:
            return "option-unknown", {"option": " ".join(words)}
    return None
