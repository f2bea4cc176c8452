"""The seed's JSON intent files: ``{"intents": [{"tag", "patterns", "responses", ...}]}``.

A response is a text, as in the seed, or a message object with a ``type``: ``text`` (with
``quick_replies``), ``buttons``, ``image``, ``card`` or ``carousel`` (see
:mod:`causette_sdk.messages`); slot placeholders such as ``{date}`` may appear in any of its texts.

Two more additions to the seed's format, both optional:

- an intent may declare its ``slots``: ``{"date": {"required": true, "prompt": "Pour quelle
  date ?"}}``; the entity comes from the annotations or is given as ``"entity"``;
- a file may define custom ``entities``: ``{"couleur": {"values": ["bleu", ["vert", "verte"]],
  "automatically_extensible": false}}`` (a list is a value followed by its synonyms);
- an intent may name an ``action`` its answer comes from (then ``responses`` are optional) and
  ``unavailable`` responses, said when the action cannot answer.

An intent entry without ``patterns`` completes a Snips-style text file of the same name
(``intent_<tag>.txt``) with responses and context rules.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from causette_sdk.messages import (
    MAX_LABEL_CHARS,
    MAX_QUICK_REPLIES,
    MAX_TEXT_CHARS,
    Message,
    TextMessage,
    has_visible_text,
)
from nlu.dataset import ACTION_NAME, Entity, EntityValue, SourceRef, Utterance
from nlu.errors import ContentError, Problem, validation_problems
from nlu.formats.annotations import AnnotationError, parse_pattern
from nlu.formats.json_syntax import json_syntax_problem
from nlu.formats.located_json import line_of, loads_located
from nlu.formats.parts import ContentPart, DeclaredSlot, IntentDetails, IntentPart
from nlu.formats.reading import nesting_problem, read_content_text


def _non_blank(values: list[str] | None) -> list[str] | None:
    """``values`` when each shows something: ``" "`` and zero-width characters alone are empty."""
    for value in values or []:
        if not has_visible_text(value):
            raise PydanticCustomError("blank-string", "must not contain empty strings")
    return values


def _visible(text: str | None) -> str | None:
    """``text`` when it shows something (or is None)."""
    if text is not None and not has_visible_text(text):
        raise PydanticCustomError("blank-tag", "must not be blank")
    return text


def _text_as_message(value: Any) -> Any:
    """A plain response is a text message; an object is validated as a message; anything else is
    refused here, with words for authors, rather than by every member of the message union."""
    if isinstance(value, str):
        return {"type": "text", "text": value}
    if not isinstance(value, dict):
        raise PydanticCustomError("response-type", "a response is a text or a message object with a type")
    return value


Response = Annotated[Message, BeforeValidator(_text_as_message)]
QuickReply = Annotated[str, Field(max_length=MAX_LABEL_CHARS)]  # a label, as in a text message


class SlotEntry(BaseModel):
    """A slot declared by an intent: what fills it, and the question asking for it."""

    model_config = ConfigDict(extra="forbid", strict=True)

    entity: str | None = Field(default=None, min_length=1)
    required: bool = False
    prompt: str | None = Field(default=None, min_length=1, max_length=MAX_TEXT_CHARS)
    quick_replies: list[QuickReply] = Field(default_factory=list, max_length=MAX_QUICK_REPLIES)

    _check_replies = field_validator("quick_replies")(_non_blank)
    _check_prompt = field_validator("prompt")(_visible)

    @model_validator(mode="after")
    def _required_has_prompt(self) -> SlotEntry:
        if self.required and not self.prompt:
            raise PydanticCustomError("required-slot-prompt", "a required slot needs a prompt")
        return self


class IntentEntry(BaseModel):
    """One intent as a content author writes it."""

    model_config = ConfigDict(extra="forbid", strict=True)

    tag: str = Field(min_length=1)
    patterns: Annotated[list[str], Field(min_length=1)] | None = None
    # Before ``responses``: an intent that names an action may leave its responses out.
    action: str | None = Field(default=None, pattern=ACTION_NAME)
    responses: list[Response] | None = Field(default=None, validate_default=True)
    # Said as a text message when the action fails: a text's limits apply.
    unavailable: list[Annotated[str, Field(max_length=MAX_TEXT_CHARS)]] = Field(default_factory=list)
    context_set: str | None = None
    context_filter: str | None = Field(default=None, min_length=1)
    quick_replies: list[QuickReply] = Field(default_factory=list, max_length=MAX_QUICK_REPLIES)
    slots: dict[str, SlotEntry] = Field(default_factory=dict)
    label: str | None = Field(default=None, min_length=1, max_length=40)

    _check_patterns = field_validator("patterns", "quick_replies", "unavailable")(_non_blank)
    _check_texts = field_validator("tag", "label")(_visible)

    @field_validator("responses")
    @classmethod
    def _responses_or_action(cls, responses: list[Message] | None, info: ValidationInfo) -> list[Message] | None:
        if info.data.get("action") is not None:
            return responses
        if responses is None:
            raise PydanticCustomError("missing", "Field required")
        if not responses:
            raise PydanticCustomError(
                "too_short", "List should have at least 1 item", {"min_length": 1, "actual_length": 0}
            )
        return responses

    @model_validator(mode="after")
    def _quick_replies_follow_a_text(self) -> IntentEntry:
        # Quick replies are offered under a text; a card or a carousel has buttons of its own.
        if self.quick_replies and not all(isinstance(r, TextMessage) for r in self.responses or []):
            raise PydanticCustomError("quick-replies-need-text", "quick_replies need text responses")
        return self


class EntityEntry(BaseModel):
    """A custom entity: values (a list is a value then its synonyms) and how it matches."""

    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False)

    values: list[str | Annotated[list[str], Field(min_length=1)]] = Field(min_length=1)
    automatically_extensible: bool = True
    use_synonyms: bool = True
    matching_strictness: float = Field(default=1.0, gt=0.0, le=1.0)

    @field_validator("values")
    @classmethod
    def _values_not_blank(cls, values: list[str | list[str]]) -> list[str | list[str]]:
        for value in values:
            _non_blank([value] if isinstance(value, str) else value)
        return values


class IntentFile(BaseModel):
    """A whole intent file: intents, entities, or both."""

    model_config = ConfigDict(extra="forbid", strict=True)

    intents: list[IntentEntry] = Field(default_factory=list)
    entities: dict[str, EntityEntry] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _not_empty(self) -> IntentFile:
        if not self.intents and not self.entities:
            raise PydanticCustomError("empty-file", "the file defines nothing")
        return self


def read_intent_file(path: Path, display_name: str) -> ContentPart:
    """Read one JSON content file into intent parts and entities, or the problems found."""
    try:
        text = read_content_text(path, display_name)
    except ContentError as error:
        return ContentPart(problems=error.problems)
    if too_deep := nesting_problem(text, display_name, "json"):
        return ContentPart(problems=[too_deep])
    try:
        document = loads_located(text)
    except json.JSONDecodeError as error:
        return ContentPart(problems=[json_syntax_problem(text, error, display_name)])
    try:
        parsed = IntentFile.model_validate(document)
    except ValidationError as error:
        return ContentPart(
            problems=validation_problems(error, display_name, lambda loc: line_of(document, loc), IntentFile)
        )
    part = ContentPart()
    for index, entry in enumerate(parsed.intents):
        _add_intent(part, entry, document, display_name, index)
    for name, entity in parsed.entities.items():
        line = line_of(document, ("entities", name))
        part.entities.append(_to_entity(name, entity, SourceRef(file=display_name, line=line)))
    return part


def _add_intent(part: ContentPart, entry: IntentEntry, document: Any, file: str, index: int) -> None:
    utterances: list[Utterance] = []
    for p_index, pattern in enumerate(entry.patterns or []):
        line = line_of(document, ("intents", index, "patterns", p_index))
        try:
            utterances.append(parse_pattern(pattern, SourceRef(file=file, line=line)))
        except AnnotationError as error:
            part.problems.append(
                Problem(file=file, line=line, code="bad-pattern", params=error.problem_params(pattern))
            )
    slots = [
        DeclaredSlot(
            name=name,
            entity=slot.entity,
            required=slot.required,
            prompt=slot.prompt,
            quick_replies=slot.quick_replies,
            source=SourceRef(file=file, line=line_of(document, ("intents", index, "slots", name))),
        )
        for name, slot in entry.slots.items()
    ]
    details = IntentDetails(
        responses=entry.responses or [],
        context_set=entry.context_set,
        context_filter=entry.context_filter,
        quick_replies=entry.quick_replies,
        slots=slots,
        label=entry.label,
        action=entry.action,
        unavailable=entry.unavailable,
    )
    part.intents.append(
        IntentPart(
            name=entry.tag,
            utterances=utterances,
            details=details,
            has_patterns=entry.patterns is not None,
            source=SourceRef(file=file, line=line_of(document, ("intents", index))),
        )
    )


def _to_entity(name: str, entry: EntityEntry, source: SourceRef) -> Entity:
    values = [
        EntityValue(value=v) if isinstance(v, str) else EntityValue(value=v[0], synonyms=v[1:]) for v in entry.values
    ]
    return Entity(
        name=name,
        values=values,
        automatically_extensible=entry.automatically_extensible,
        use_synonyms=entry.use_synonyms,
        matching_strictness=entry.matching_strictness,
        source=source,
    )
