"""The validated, backend-neutral training data: intents, their examples, entities.

Every content format (the seed's JSON, the Snips text layout) loads into a :class:`Dataset`;
backends learn from it and the dialogue engine reads responses and context rules from it.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field


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


class Utterance(BaseModel):
    """One example phrase, cut into plain and slot chunks."""

    model_config = ConfigDict(frozen=True)

    chunks: tuple[Chunk, ...]
    source: SourceRef | None = None

    @property
    def text(self) -> str:
        """The phrase as a user would type it, without annotations."""
        return "".join(chunk.text for chunk in self.chunks)

    @classmethod
    def plain(cls, text: str, source: SourceRef | None = None) -> Utterance:
        """An utterance without slots."""
        return cls(chunks=(Chunk(text=text),), source=source)


class Intent(BaseModel):
    """An intent: its examples, its responses and the context rules that link turns."""

    name: str
    utterances: list[Utterance]
    responses: list[str] = Field(default_factory=list)
    context_set: str | None = None
    context_filter: str | None = None
    quick_replies: list[str] = Field(default_factory=list)
    source: SourceRef | None = None


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


def hash_files(paths: list[Path]) -> str:
    """A sha256 over the names and bytes of the content files, order-independent."""
    digest = hashlib.sha256()
    for path in sorted(paths, key=lambda p: p.name):
        digest.update(path.name.encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()
