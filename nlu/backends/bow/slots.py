"""The bow backend's slot filler: a CRF tags words with slots, entities resolve their values.

The tagger is a linear-chain CRF (python-crfsuite) over word, neighbour, intent and entity-match
features. It learns free-text slots from the annotated examples; entity matches make it find
dates, numbers and listed values it never saw. Its model is crfsuite's own binary file (no
pickle), kept as bytes and saved in the tagger's folder with the entities it resolves, as JSON.
"""

from __future__ import annotations

import random
import tempfile
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from nlu.backends.bow.options import BowOptions
from nlu.backends.bow.slot_features import entity_tags, sequence_features
from nlu.backends.bow.units import check_metadata, write_metadata
from nlu.dataset import Dataset, Entity, Utterance
from nlu.entities.builtin import EntityMatch, is_builtin
from nlu.entities.extractor import EntityExtractor, to_slot
from nlu.parse_result import Slot
from nlu.text import Token, tokenize

OUTSIDE = "O"
UNIT = "slot_tagger"
FORMAT = 1
CRF_FILE = "model.crfsuite"
TAGGER_FILE = "slot_tagger.json"


class _SavedTagger(BaseModel):
    """What the tagger needs besides its CRF: the slots of each intent and the entities to resolve."""

    model_config = ConfigDict(extra="forbid")

    language: str
    slot_entities: dict[str, dict[str, str]]
    entities: dict[str, Entity]


class SlotTagger:
    """Tags the words of an input with the slots of an intent and resolves their values."""

    def __init__(self, model: bytes, slot_entities: dict[str, dict[str, str]], extractor: EntityExtractor) -> None:
        import pycrfsuite  # imported here: intent-only bots never load it

        self.model = model
        self.slot_entities = slot_entities  # intent -> slot name -> entity
        self.extractor = extractor
        self.entity_scope = sorted({e for slots in slot_entities.values() for e in slots.values()})
        self._tagger = pycrfsuite.Tagger()
        self._tagger.open_inmemory(model)

    @classmethod
    def fit(cls, dataset: Dataset, extractor: EntityExtractor, settings: BowOptions) -> SlotTagger | None:
        """Train on the dataset's annotated examples; None when no intent has a slot."""
        import pycrfsuite

        slot_entities = {i.name: {n: s.entity for n, s in i.slots.items()} for i in dataset.intents}
        if not any(slot_entities.values()):
            return None
        scope = sorted({e for slots in slot_entities.values() for e in slots.values()})
        rng = random.Random(settings.seed)
        trainer = pycrfsuite.Trainer(verbose=False)
        trainer.set_params(
            {
                "c1": settings.crf_c1,
                "c2": settings.crf_c2,
                "max_iterations": settings.crf_iterations,
                "feature.possible_transitions": True,
            }
        )
        for intent in dataset.intents:
            for utterance in intent.utterances:
                tokens = tokenize(utterance.text)
                if tokens:
                    matches = _dropout(extractor.find(utterance.text, scope), settings.gazetteer_dropout, rng)
                    trainer.append(
                        sequence_features(tokens, intent.name, entity_tags(tokens, matches)), _labels(tokens, utterance)
                    )
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / CRF_FILE
            trainer.train(str(path))
            return cls(path.read_bytes(), slot_entities, extractor)

    def persist(self, folder: Path) -> None:
        """Save to ``folder`` (created): its metadata, the CRF in crfsuite's format, the rest as JSON."""
        write_metadata(folder, UNIT, FORMAT)
        (folder / CRF_FILE).write_bytes(self.model)
        saved = _SavedTagger(
            language=self.extractor.language,
            slot_entities=self.slot_entities,
            entities=self.extractor.custom.entities,
        )
        (folder / TAGGER_FILE).write_text(saved.model_dump_json(), encoding="utf-8")

    @classmethod
    def from_path(cls, folder: Path) -> SlotTagger:
        """Load what persist() saved; ModelError for another unit or format."""
        check_metadata(folder, UNIT, FORMAT)
        saved = _SavedTagger.model_validate_json((folder / TAGGER_FILE).read_text(encoding="utf-8"))
        extractor = EntityExtractor(saved.entities, saved.language)
        return cls((folder / CRF_FILE).read_bytes(), saved.slot_entities, extractor)

    def tag(self, text: str, tokens: list[Token], intent: str) -> list[Slot]:
        """The slots of ``intent`` found in ``text`` (whose ``tokens`` the caller has), resolved;
        unresolvable spans are dropped."""
        slots_of_intent = self.slot_entities.get(intent)
        if not slots_of_intent or not tokens:
            return []
        matches = self.extractor.find(text, self.entity_scope)
        labels = self._tagger.tag(sequence_features(tokens, intent, entity_tags(tokens, matches)))
        slots = []
        for slot_name, start, end in _spans(tokens, labels):
            entity = slots_of_intent.get(slot_name)
            if entity is None:  # a slot of another intent
                continue
            resolved = self.extractor.resolve(text, start, end, entity, matches)
            if resolved is not None:
                slots.append(to_slot(resolved, slot_name))
        return _without_overlaps(slots)


def _dropout(matches: list[EntityMatch], rate: float, rng: random.Random) -> list[EntityMatch]:
    """Hide some custom-value matches while training: every annotated value is in the list, so
    without this the tagger would trust the list alone and miss values it does not hold."""
    return [m for m in matches if is_builtin(m.entity) or rng.random() >= rate]


def _labels(tokens: list[Token], utterance: Utterance) -> list[str]:
    """IO labels of the tokens from the utterance's annotated slots: ``I-slot`` for every token of
    a span (the first one too), ``O`` outside.

    Not BIO: a CRF's training costs the square of its number of labels per token, and BIO doubles
    it (111 labels instead of 56 on MASSIVE, four times the cost) to tell apart two spans of the
    same slot side by side, which the datasets hardly have. :func:`_spans` reads both schemes, so
    taggers trained with BIO labels still parse.
    """
    labels = [OUTSIDE] * len(tokens)
    for span in utterance.slots:
        for index, token in enumerate(tokens):
            if token.start < span.end and span.start < token.end:
                labels[index] = f"I-{span.slot_name}"
    return labels


def _spans(tokens: list[Token], labels: list[str]) -> list[tuple[str, int, int]]:
    """(slot name, start, end) of each run of B/I labels; an I after another slot starts a run."""
    spans: list[tuple[str, int, int]] = []
    previous = OUTSIDE
    for token, label in zip(tokens, labels, strict=True):
        if label == OUTSIDE:
            previous = OUTSIDE
            continue
        prefix, slot = label.split("-", 1)
        if prefix == "I" and previous == slot:
            spans[-1] = (slot, spans[-1][1], token.end)
        else:
            spans.append((slot, token.start, token.end))
        previous = slot
    return spans


def _without_overlaps(slots: list[Slot]) -> list[Slot]:
    """Snapping to entity matches can make two slots cover the same words: keep the first."""
    kept: list[Slot] = []
    for slot in slots:
        if all(slot.range.start >= k.range.end or slot.range.end <= k.range.start for k in kept):
            kept.append(slot)
    return kept
