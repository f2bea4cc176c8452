"""The seed's JSON intent files: ``{"intents": [{"tag", "patterns", "responses", ...}]}``."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from nlu.dataset import Intent, SourceRef, Utterance
from nlu.errors import Problem
from nlu.formats.annotations import AnnotationError, parse_pattern
from nlu.formats.located_json import line_of, loads_located


def _non_blank(values: list[str]) -> list[str]:
    for value in values:
        if not value.strip():
            raise ValueError("must not contain empty strings")
    return values


class IntentEntry(BaseModel):
    """One intent as a content author writes it."""

    model_config = ConfigDict(extra="forbid", strict=True)

    tag: str = Field(min_length=1)
    patterns: list[str] = Field(min_length=1)
    responses: list[str] = Field(min_length=1)
    context_set: str | None = None
    context_filter: str | None = Field(default=None, min_length=1)
    quick_replies: list[str] = Field(default_factory=list)

    _check_patterns = field_validator("patterns", "responses", "quick_replies")(_non_blank)

    @field_validator("tag")
    @classmethod
    def _tag_not_blank(cls, tag: str) -> str:
        if not tag.strip():
            raise ValueError("must not be blank")
        return tag


class IntentFile(BaseModel):
    """A whole intent file."""

    model_config = ConfigDict(extra="forbid", strict=True)

    intents: list[IntentEntry] = Field(min_length=1)


def read_intent_file(path: Path, display_name: str) -> tuple[list[Intent], list[Problem]]:
    """Read one JSON intent file into intents, or the problems that stop it from loading."""
    try:
        document = loads_located(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as error:
        return [], [Problem(display_name, 1, f"not UTF-8 text ({error.reason})")]
    except json.JSONDecodeError as error:
        return [], [Problem(display_name, error.lineno, f"invalid JSON: {error.msg}")]
    try:
        parsed = IntentFile.model_validate(document)
    except ValidationError as error:
        return [], [
            Problem(display_name, line_of(document, tuple(e["loc"])), _describe(e))
            for e in error.errors()
        ]
    return _to_intents(parsed, document, display_name)


def _describe(error: dict) -> str:
    where = ".".join(str(part) for part in error["loc"])
    message = error["msg"]
    if error["type"] == "extra_forbidden":
        message = "unknown field"
    return f"{where}: {message}" if where else message


def _to_intents(
    parsed: IntentFile, document: dict, display_name: str
) -> tuple[list[Intent], list[Problem]]:
    intents: list[Intent] = []
    problems: list[Problem] = []
    for index, entry in enumerate(parsed.intents):
        utterances: list[Utterance] = []
        for p_index, pattern in enumerate(entry.patterns):
            line = line_of(document, ("intents", index, "patterns", p_index))
            source = SourceRef(file=display_name, line=line)
            try:
                utterances.append(parse_pattern(pattern, source))
            except AnnotationError as error:
                problems.append(Problem(display_name, line, f"pattern {pattern!r}: {error}"))
        intents.append(
            Intent(
                name=entry.tag,
                utterances=utterances,
                responses=entry.responses,
                context_set=entry.context_set,
                context_filter=entry.context_filter,
                quick_replies=entry.quick_replies,
                source=SourceRef(file=display_name, line=line_of(document, ("intents", index))),
            )
        )
    return intents, problems
