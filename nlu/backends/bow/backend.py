"""The bow backend: fit, parse, save and load (intent network plus slot tagger)."""

from __future__ import annotations

import json
import math
import random
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import torch
from pydantic import TypeAdapter, ValidationError
from safetensors import SafetensorError
from safetensors.torch import load_file, save_file
from torch.nn import functional as F

from nlu.backends.base import Backend, Progress, no_progress
from nlu.backends.bow.features import Vocabulary, token_features
from nlu.backends.bow.network import (
    BagClassifier,
    Encoded,
    Ensemble,
    FastForward,
    LinearClassifier,
    flatten,
    optimisers,
    train_linear,
)
from nlu.backends.bow.noise import noise_phrases
from nlu.backends.bow.options import LARGE_DATASET, BowOptions
from nlu.backends.bow.slots import SlotTagger
from nlu.backends.bow.word_vectors import WordVectors, load_word_vectors, vectors_for_language
from nlu.dataset import Dataset, Entity
from nlu.entities.extractor import EntityExtractor
from nlu.errors import ModelError
from nlu.parse_result import IntentGuess, ParseResult, Slot, empty_result
from nlu.text import Token, tokenize

WEIGHTS_FILE = "weights.safetensors"
STATE_FILE = "bow.json"
STATE_FORMAT = 2  # 2: word vectors and the Ensemble module
SLOTS_FILE = "slots.crfsuite"
_ENTITIES = TypeAdapter(dict[str, Entity])


class BowBackend(Backend):
    """Bag of stems and character n-grams (plus the mean word vector, for languages that have
    vectors), one hidden layer, softmax over intents plus "none"; on large datasets several such
    networks averaged and mixed with a linear classifier."""

    name = "bow"

    def __init__(self, options: dict | None = None) -> None:
        super().__init__(options)
        self.settings = BowOptions.model_validate(self.options)
        self.labels: list[str] = []
        self.vocabulary = Vocabulary([], [])
        self.word_vectors: WordVectors | None = None
        self.ensemble = Ensemble([], None, 0.0)
        self.slot_tagger: SlotTagger | None = None
        self._forward: FastForward | None = None

    def fit(self, dataset: Dataset, progress: Progress = no_progress) -> None:
        """Train the networks and the slot tagger; the same dataset and seed give the same model."""
        self._fit_intents(dataset, progress)
        extractor = EntityExtractor(dataset.entities, dataset.language)
        self.slot_tagger = SlotTagger.fit(dataset, extractor, self.settings)

    def _fit_intents(self, dataset: Dataset, progress: Progress) -> None:
        settings = self.settings
        torch.manual_seed(settings.seed)
        rng = random.Random(settings.seed)
        self.labels = dataset.intent_names
        self.word_vectors = vectors_for_language(dataset.language) if settings.word_vectors else None
        samples = [
            (self._features(u.text), label) for label, intent in enumerate(dataset.intents) for u in intent.utterances
        ]
        large = len(samples) >= LARGE_DATASET
        min_count = settings.min_count or (2 if large else 1)
        self.vocabulary = Vocabulary.fit((features for (_, features), _ in samples), min_count)
        none_label = len(self.labels)
        noise_count = max(30, int(len(samples) * settings.noise_ratio))
        samples += [(self._features(text), none_label) for text in noise_phrases(noise_count, rng)]
        encoded = [(self._encode(*tokens_and_features), label) for tokens_and_features, label in samples]
        encoded = [(doc, label) for doc, label in encoded if _known(doc)]
        if not encoded:
            raise ModelError("no training example has a word or character the bow backend can read")
        count = settings.networks or (5 if large else 1)
        linear = large if settings.linear is None else settings.linear
        self.ensemble = self._new_ensemble(count, linear)
        self._train(encoded, progress, rng)
        self._forward = FastForward(self.ensemble)

    def _new_ensemble(self, networks: int, linear: bool) -> Ensemble:
        """Untrained networks (and linear classifier) sized for the vocabulary and the labels (plus "none")."""
        settings, width = self.settings, self.word_vectors.width if self.word_vectors else 0
        features, classes = len(self.vocabulary.names), len(self.labels) + 1
        return Ensemble(
            [BagClassifier(features, settings.hidden, classes, settings.dropout, width) for _ in range(networks)],
            LinearClassifier(features, classes, width) if linear else None,
            settings.linear_weight,
        )

    def _train(self, encoded: list, progress: Progress, rng: random.Random) -> None:
        """Train the networks one after the other, each from its own random weights, then the
        linear classifier; one progress count runs over all of them."""
        settings, networks, linear = self.settings, self.ensemble.networks, self.ensemble.linear
        batches = math.ceil(len(encoded) / settings.batch_size)
        epochs = max(settings.epochs, math.ceil(settings.min_steps / batches))
        total = epochs * len(networks) + (settings.linear_iterations if linear is not None else 0)
        with torch_threads(settings.threads):
            for number, network in enumerate(networks):
                network.train()
                self._epochs(
                    network,
                    encoded,
                    epochs,
                    lambda done, _, what, n=number: progress(n * epochs + done, total, what),
                    rng,
                )
                network.eval()
            if linear is not None:
                train_linear(
                    linear,
                    flatten([doc for doc, _ in encoded]),
                    torch.tensor([label for _, label in encoded]),
                    settings.linear_c,
                    settings.linear_iterations,
                    lambda done, _: progress(total - settings.linear_iterations + done, total, "training"),
                )

    def _epochs(
        self, network: BagClassifier, encoded: list, epochs: int, progress: Progress, rng: random.Random
    ) -> None:
        settings = self.settings
        steppers = optimisers(network, settings.learning_rate)
        for epoch in range(epochs):
            rng.shuffle(encoded)
            for start in range(0, len(encoded), settings.batch_size):
                batch = encoded[start : start + settings.batch_size]
                logits = network(*flatten([doc for doc, _ in batch]))
                targets = torch.tensor([label for _, label in batch])
                loss = F.cross_entropy(logits, targets, label_smoothing=settings.label_smoothing)
                for stepper in steppers:
                    stepper.zero_grad()
                loss.backward()
                for stepper in steppers:
                    stepper.step()
            progress(epoch + 1, epochs, "training")

    def encode(self, text: str) -> Encoded:
        """The networks' input for ``text``: indices of its known features, their tf-idf weights
        and its mean word vector (None without word vectors)."""
        return self._encode(*self._features(text))

    def _features(self, text: str) -> tuple[list[Token], list[str]]:
        """Tokens of ``text`` and the bag's feature names for them."""
        tokens = tokenize(text)
        return tokens, token_features(tokens, self.settings.char_ngrams)

    def _encode(self, tokens: list[Token], features: list[str]) -> Encoded:
        indices, weights = self.vocabulary.encode(features)
        return indices, weights, self.word_vectors.of_tokens(tokens) if self.word_vectors else None

    def probabilities(self, text: str) -> dict[str, float] | None:
        """Probability of each intent and of ``None`` (no intent); None when no feature is known."""
        encoded = self.encode(text)
        if not _known(encoded):
            return None
        scores = self._forward.probabilities(*encoded).tolist()
        return dict(zip([*self.labels, None], scores, strict=True))

    def parse(self, text: str, top_n: int = 5) -> ParseResult:
        """Rank intents for ``text`` and fill the best one's slots; the out-of-scope class gives
        intentName null (and no slots)."""
        scores = self.probabilities(text)
        if scores is None:
            return empty_result(text)
        none_score = scores.pop(None)
        ranked = sorted(scores.items(), key=lambda item: item[1], reverse=True)
        guesses = [IntentGuess(intent_name=name, probability=p) for name, p in ranked[:top_n]]
        if none_score > ranked[0][1]:
            chosen = IntentGuess(intent_name=None, probability=none_score)
            return ParseResult(input=text, intent=chosen, alternatives=guesses)
        slots = self.slots_for_intent(text, guesses[0].intent_name)
        return ParseResult(input=text, intent=guesses[0], slots=slots, alternatives=guesses[1:])

    def slots_for_intent(self, text: str, intent: str) -> list[Slot]:
        """The CRF's slots of ``intent`` in ``text``, resolved."""
        return self.slot_tagger.tag(text, intent) if self.slot_tagger else []

    def save(self, folder: Path) -> None:
        """Weights as safetensors; vocabulary, labels and entities as JSON; the CRF in its format."""
        if not self.ensemble.networks:
            raise ModelError("the bow backend has not been trained")
        save_file({k: v.contiguous() for k, v in self.ensemble.state_dict().items()}, folder / WEIGHTS_FILE)
        state = {
            "options": self.settings.model_dump(mode="json"),
            "networks": len(self.ensemble.networks),
            "linear": self.ensemble.linear is not None,
            "format": STATE_FORMAT,
            "word_vectors": (
                {"package": self.word_vectors.package, "fingerprint": self.word_vectors.fingerprint}
                if self.word_vectors
                else None
            ),
            "labels": self.labels,
            "features": self.vocabulary.names,
            "idf": self.vocabulary.idf,
        }
        if self.slot_tagger is not None:
            (folder / SLOTS_FILE).write_bytes(self.slot_tagger.model)
            extractor = self.slot_tagger.extractor
            state["slots"] = {
                "language": extractor.language,
                "slot_entities": self.slot_tagger.slot_entities,
                "entities": _ENTITIES.dump_python(extractor.custom.entities, mode="json"),
            }
        (folder / STATE_FILE).write_text(json.dumps(state, ensure_ascii=False), encoding="utf-8")

    @classmethod
    def load(cls, folder: Path) -> BowBackend:
        """Rebuild from save()'s files; ModelError when they are missing or inconsistent."""
        try:
            state = json.loads((folder / STATE_FILE).read_text(encoding="utf-8"))
            if state.get("format") != STATE_FORMAT:
                raise ModelError("it was saved by another version of the bow backend; retrain it")
            backend = cls(state["options"])
            backend.labels = list(state["labels"])
            backend.vocabulary = Vocabulary(list(state["features"]), list(state["idf"]))
            backend.word_vectors = _load_vectors(state["word_vectors"])
            tensors = load_file(folder / WEIGHTS_FILE)
            if not isinstance(state["linear"], bool):
                raise ValueError("'linear' is not true or false")
            backend.ensemble = backend._new_ensemble(int(state["networks"]), state["linear"])
            backend.ensemble.load_state_dict(tensors, strict=True)
            backend.ensemble.eval()
            backend.slot_tagger = _load_slot_tagger(folder, state.get("slots"))
        except (
            ModelError,
            OSError,
            ValueError,
            KeyError,
            TypeError,
            RuntimeError,
            SafetensorError,
            ValidationError,
        ) as error:
            raise ModelError(f"cannot load the bow model from {folder}: {error}") from error
        backend._forward = FastForward(backend.ensemble)
        return backend


@contextmanager
def torch_threads(count: int) -> Iterator[None]:
    """Run torch on ``count`` threads, then restore the process's setting.

    The batches are small sparse bags: extra threads only add synchronisation, and on a busy
    machine two threads made training several times slower than one.
    """
    previous = torch.get_num_threads()
    torch.set_num_threads(count)
    try:
        yield
    finally:
        torch.set_num_threads(previous)


def _known(encoded: Encoded) -> bool:
    """Whether the networks can read anything of a text: a known feature, or a word with a vector."""
    indices, _, vector = encoded
    return bool(indices) or (vector is not None and bool(vector.any()))


def _load_vectors(saved: dict | None) -> WordVectors | None:
    """The word vectors a model was trained with; ModelError when the installed ones differ."""
    if saved is None:
        return None
    vectors = load_word_vectors(saved["package"])
    if vectors.fingerprint != saved["fingerprint"]:
        raise ModelError(f"it was trained with other word vectors than the installed {saved['package']}; retrain it")
    return vectors


def _load_slot_tagger(folder: Path, state: dict | None) -> SlotTagger | None:
    """The slot tagger saved with the network, if the bot had slots."""
    if state is None:
        return None
    extractor = EntityExtractor(_ENTITIES.validate_python(state["entities"]), state["language"])
    return SlotTagger((folder / SLOTS_FILE).read_bytes(), dict(state["slot_entities"]), extractor)
