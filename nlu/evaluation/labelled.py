"""Labelled sets: examples with their intent and slot spans, from a JSONL file or a bot folder.

The JSONL format is MASSIVE's (one object per line): ``{"id", "text", "intent", "slots": [{"slot",
"start", "end", "value"}]}``, offsets in characters, end exclusive.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from pydantic_core import PydanticCustomError

from nlu.bot import Bot
from nlu.dataset import Chunk, Dataset, Entity, EntityValue, Intent, SlotSpec, SourceRef, Utterance
from nlu.errors import ContentError, Problem, validation_problems
from nlu.formats.json_syntax import json_syntax_problem

NOTICE_FILE = "NOTICE.md"


class LabelledSlot(BaseModel):
    """A slot span of a labelled example."""

    model_config = ConfigDict(extra="ignore")

    slot: str = Field(min_length=1)
    start: int = Field(ge=0)
    end: int
    value: str


class LabelledExample(BaseModel):
    """A text with the intent and slots it should be parsed into."""

    model_config = ConfigDict(extra="ignore")

    id: str = ""
    text: str
    intent: str = Field(min_length=1)
    slots: list[LabelledSlot] = Field(default_factory=list)

    @model_validator(mode="after")
    def _spans_match_text(self) -> LabelledExample:
        previous_end = 0
        for slot in sorted(self.slots, key=lambda s: s.start):
            if slot.start < previous_end or self.text[slot.start : slot.end] != slot.value:
                raise PydanticCustomError(
                    "span-mismatch",
                    "slot {slot!r} [{start}:{end}] does not match the text",
                    {"slot": slot.slot, "start": slot.start, "end": slot.end},
                )
            previous_end = slot.end
        return self


@dataclass(frozen=True)
class LabelledSet:
    """Examples to score, and how to build a training dataset from any subset of them."""

    name: str
    examples: list[LabelledExample]
    to_dataset: Callable[[list[int]], Dataset]
    notice: str | None = None  # the data's attribution, to cite with the figures


def read_jsonl(path: Path, language: str = "fr") -> LabelledSet:
    """A JSONL labelled file; ContentError with file:line for unusable lines."""
    examples: list[LabelledExample] = []
    problems: list[Problem] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            examples.append(LabelledExample.model_validate(json.loads(line)))
        except json.JSONDecodeError as error:
            problem = json_syntax_problem(line, error, path.name)
            problems.append(problem.model_copy(update={"line": number}))
        except ValidationError as error:
            problems += [p.model_copy(update={"line": number}) for p in validation_problems(error, path.name)[:1]]
    if problems or not examples:
        raise ContentError(problems or [Problem(file=path.name, line=1, code="no-labelled-example")])

    def to_dataset(indices: list[int]) -> Dataset:
        return dataset_from_examples([examples[i] for i in indices], language)

    return LabelledSet(path.name, examples, to_dataset, read_notice(path.parent))


def read_out_of_scope(path: Path) -> list[str]:
    """Messages a bot should not answer, one per line (blank lines and ``#`` comments skipped)."""
    lines = [line.strip() for line in path.read_text(encoding="utf-8").splitlines()]
    texts = [line for line in lines if line and not line.startswith("#")]
    if not texts:
        raise ContentError([Problem(file=path.name, line=1, code="no-out-of-scope-example")])
    return texts


def read_notice(folder: Path) -> str | None:
    """The first paragraph after the title of a ``NOTICE.md`` next to the data, if there is one."""
    try:
        lines = (folder / NOTICE_FILE).read_text(encoding="utf-8").splitlines()
    except OSError:
        return None
    paragraph: list[str] = []
    for line in lines:
        if line.startswith("#") or (not line.strip() and not paragraph):
            continue
        if not line.strip():
            break
        paragraph.append(line.strip())
    return " ".join(paragraph) or None


def dataset_from_examples(examples: list[LabelledExample], language: str = "fr") -> Dataset:
    """A training dataset from labelled examples.

    Slot types have no entity list of their own: each becomes a custom, extensible entity whose
    values are the spans seen in these examples (so nothing of a test set leaks in).
    """
    by_intent: dict[str, list[Utterance]] = {}
    values: dict[str, dict[str, None]] = {}
    for number, example in enumerate(examples, start=1):
        by_intent.setdefault(example.intent, []).append(_utterance(example, number))
        for slot in example.slots:
            values.setdefault(slot.slot, {})[slot.value] = None
    intents = []
    for name, utterances in by_intent.items():
        slots = {span.slot_name: SlotSpec(entity=span.entity) for u in utterances for span in u.slots}
        intents.append(Intent(name=name, utterances=utterances, slots=slots))
    entities = {
        slot: Entity(name=slot, values=[EntityValue(value=v) for v in found], automatically_extensible=True)
        for slot, found in values.items()
    }
    return Dataset(language=language, intents=intents, entities=entities)


def _utterance(example: LabelledExample, number: int) -> Utterance:
    chunks, position = [], 0
    for slot in sorted(example.slots, key=lambda s: s.start):
        if slot.start > position:
            chunks.append(Chunk(text=example.text[position : slot.start]))
        chunks.append(Chunk(text=slot.value, slot_name=slot.slot, entity=slot.slot))
        position = slot.end
    if position < len(example.text):
        chunks.append(Chunk(text=example.text[position:]))
    return Utterance(chunks=tuple(chunks), source=SourceRef(file=example.id or "example", line=number))


def from_bot(bot: Bot) -> LabelledSet:
    """A bot folder's examples; a training subset keeps the bot's entities and slot declarations."""
    owners = [(i, u) for i, intent in enumerate(bot.dataset.intents) for u in range(len(intent.utterances))]
    examples = [_example(bot.dataset.intents[i].name, bot.dataset.intents[i].utterances[u]) for i, u in owners]

    def to_dataset(indices: list[int]) -> Dataset:
        keep: dict[int, list[Utterance]] = {}
        for index in indices:
            intent, utterance = owners[index]
            keep.setdefault(intent, []).append(bot.dataset.intents[intent].utterances[utterance])
        intents = [
            intent.model_copy(update={"utterances": keep[i]})
            for i, intent in enumerate(bot.dataset.intents)
            if i in keep
        ]
        return bot.dataset.model_copy(update={"intents": intents})

    return LabelledSet(bot.folder.name, examples, to_dataset)


def _example(intent: str, utterance: Utterance) -> LabelledExample:
    slots = [LabelledSlot(slot=s.slot_name, start=s.start, end=s.end, value=s.value) for s in utterance.slots]
    return LabelledExample(text=utterance.text, intent=intent, slots=slots)
