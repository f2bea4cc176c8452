"""The validated, backend-neutral training data: intents, their examples, entities.

Every content format (the seed's JSON, the Snips text layout) loads into a :class:`Dataset`;
backends learn from it and the dialogue engine reads responses and context rules from it.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from causette_sdk.messages import Message, text_form
from nlu.entities.builtin import is_builtin

ACTION_NAME = r"^[A-Za-z0-9_-]{1,64}$"  # as the action protocol names actions


class SourceRef(BaseModel):
    """Where something was written: a file and a 1-based line, for error messages."""

    model_config = ConfigDict(frozen=True)

    file: str
    line: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


class Chunk(BaseModel):
    """A piece of an example phrase; a slot chunk also names its slot and entity."""

    model_config = ConfigDict(frozen=True)

    text: str
    slot_name: str | None = None
    entity: str | None = None


class SlotSpan(BaseModel):
    """Where a slot sits in an utterance's text (end exclusive)."""

    model_config = ConfigDict(frozen=True)

    slot_name: str
    entity: str
    start: int
    end: int
    value: str


class Utterance(BaseModel):
    """One example phrase, cut into plain and slot chunks."""

    model_config = ConfigDict(frozen=True)

    chunks: tuple[Chunk, ...]
    source: SourceRef | None = None

    @property
    def text(self) -> str:
        """The phrase as a user would type it, without annotations."""
        return "".join(chunk.text for chunk in self.chunks)

    @property
    def slots(self) -> list[SlotSpan]:
        """The annotated slots with their character offsets in :attr:`text`."""
        spans, position = [], 0
        for chunk in self.chunks:
            end = position + len(chunk.text)
            if chunk.slot_name and chunk.entity:
                spans.append(
                    SlotSpan(slot_name=chunk.slot_name, entity=chunk.entity, start=position, end=end, value=chunk.text)
                )
            position = end
        return spans

    @classmethod
    def plain(cls, text: str, source: SourceRef | None = None) -> Utterance:
        """An utterance without slots."""
        return cls(chunks=(Chunk(text=text),), source=source)


class SlotSpec(BaseModel):
    """A slot of an intent: the entity that fills it and whether the dialogue must ask for it."""

    entity: str
    required: bool = False
    prompt: str | None = None
    quick_replies: list[str] = Field(default_factory=list)


class Intent(BaseModel):
    """An intent: its examples, its slots, its responses and the context rules that link turns."""

    name: str
    utterances: list[Utterance]
    slots: dict[str, SlotSpec] = Field(default_factory=dict)
    responses: list[Message] = Field(default_factory=list)
    context_set: str | None = None
    context_filter: str | None = None
    quick_replies: list[str] = Field(default_factory=list)
    label: str | None = None  # its button in a clarifying question; None: made from the name
    action: str | None = None  # the action server's action that answers, once the required slots are filled
    unavailable: list[str] = Field(default_factory=list)  # said when the action cannot answer
    source: SourceRef | None = None

    @property
    def response_texts(self) -> list[str]:
        """Its responses as texts, as a turn's ``responses`` gives them (placeholders unfilled)."""
        return [text_form(response) for response in self.responses]

    @property
    def button_label(self) -> str:
        """The label of its button in a clarifying question: the author's, else its name as words."""
        return self.label or self.name.replace("_", " ").capitalize()

    @property
    def required_slots(self) -> list[str]:
        """Names of the slots the dialogue asks for until they are filled, in declaration order."""
        return [name for name, spec in self.slots.items() if spec.required]


class EntityValue(BaseModel):
    """A canonical value of a custom entity and the synonyms that resolve to it."""

    value: str
    synonyms: list[str] = Field(default_factory=list)


class Entity(BaseModel):
    """A custom entity (a list of values); an extensible one also accepts unseen values."""

    name: str
    values: list[EntityValue]
    automatically_extensible: bool = True
    use_synonyms: bool = True
    matching_strictness: float = 1.0
    source: SourceRef | None = None


class Dataset(BaseModel):
    """All the content of one bot, validated, ready for a backend to learn."""

    language: str = "fr"
    intents: list[Intent]
    entities: dict[str, Entity] = Field(default_factory=dict)
    content_hash: str = ""

    def intent(self, name: str) -> Intent:
        """The intent called ``name`` (KeyError when there is none)."""
        for intent in self.intents:
            if intent.name == name:
                return intent
        raise KeyError(name)

    @property
    def intent_names(self) -> list[str]:
        """Intent names in file order."""
        return [intent.name for intent in self.intents]

    @property
    def slot_entities(self) -> dict[str, set[str]]:
        """Every slot name used by any intent, with the entities it is filled by."""
        found: dict[str, set[str]] = {}
        for intent in self.intents:
            for name, spec in intent.slots.items():
                found.setdefault(name, set()).add(spec.entity)
        return found

    @property
    def builtin_entities(self) -> list[str]:
        """The builtin entities (``snips/...``) some intent's slot uses, sorted."""
        return sorted({s.entity for i in self.intents for s in i.slots.values() if is_builtin(s.entity)})


def hash_files(paths: list[Path], root: Path) -> str:
    """A sha256 over the paths (relative to ``root``) and bytes of the content files, order-independent."""
    digest = hashlib.sha256()
    for path in sorted(paths):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()
