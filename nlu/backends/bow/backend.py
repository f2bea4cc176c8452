"""The bow backend: fit, parse, save and load."""

from __future__ import annotations

import json
import math
import random
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import torch
from pydantic import BaseModel, ConfigDict, ValidationError
from safetensors import SafetensorError
from safetensors.torch import load_file, save_file
from torch.nn import functional as F

from nlu.backends.base import Backend, Progress, no_progress
from nlu.backends.bow.features import Vocabulary, text_features
from nlu.backends.bow.network import BagClassifier, FastForward, flatten
from nlu.backends.bow.noise import noise_phrases
from nlu.dataset import Dataset
from nlu.errors import ModelError
from nlu.parse_result import IntentGuess, ParseResult, empty_result

WEIGHTS_FILE = "weights.safetensors"
STATE_FILE = "bow.json"


class BowOptions(BaseModel):
    """Training settings of the bow backend (``[backend_options]`` in bot.toml)."""

    model_config = ConfigDict(extra="forbid")

    hidden: int = 128
    epochs: int = 20
    min_steps: int = 300  # small bots get more epochs: a few batches each would underfit
    batch_size: int = 64
    learning_rate: float = 3e-3
    dropout: float = 0.3
    label_smoothing: float = 0.05
    char_ngrams: tuple[int, int] = (3, 5)
    min_count: int | None = None  # None: 1 for small bots, 2 for large datasets
    noise_ratio: float = 0.15
    seed: int = 13
    threads: int = 1  # torch threads while training: the ops are small, more threads only contend


@contextmanager
def torch_threads(count: int) -> Iterator[None]:
    """Run a block with ``count`` torch threads, then restore the previous setting."""
    previous = torch.get_num_threads()
    torch.set_num_threads(count)
    try:
        yield
    finally:
        torch.set_num_threads(previous)


class BowBackend(Backend):
    """Bag of stems and character n-grams, one hidden layer, softmax over intents plus "none"."""

    name = "bow"

    def __init__(self, options: dict | None = None) -> None:
        super().__init__(options)
        self.settings = BowOptions.model_validate(self.options)
        self.labels: list[str] = []
        self.vocabulary = Vocabulary([], [])
        self.network: BagClassifier | None = None
        self._forward: FastForward | None = None

    def fit(self, dataset: Dataset, progress: Progress = no_progress) -> None:
        """Train the network; the same dataset and seed give the same weights."""
        settings = self.settings
        torch.manual_seed(settings.seed)
        rng = random.Random(settings.seed)
        self.labels = dataset.intent_names
        samples = [
            (text_features(u.text, settings.char_ngrams), label)
            for label, intent in enumerate(dataset.intents)
            for u in intent.utterances
        ]
        min_count = settings.min_count or (1 if len(samples) < 2000 else 2)
        self.vocabulary = Vocabulary.fit((features for features, _ in samples), min_count)
        none_label = len(self.labels)
        noise_count = max(30, int(len(samples) * settings.noise_ratio))
        samples += [
            (text_features(text, settings.char_ngrams), none_label)
            for text in noise_phrases(noise_count, rng)
        ]
        encoded = [(self.vocabulary.encode(f), label) for f, label in samples]
        encoded = [(doc, label) for doc, label in encoded if doc[0]]
        self.network = BagClassifier(
            len(self.vocabulary.names), settings.hidden, none_label + 1, settings.dropout
        )
        with torch_threads(settings.threads):
            self._train(encoded, progress, rng)
        self._forward = FastForward(self.network)

    def _train(self, encoded: list, progress: Progress, rng: random.Random) -> None:
        settings, network = self.settings, self.network
        optimiser = torch.optim.Adam(network.parameters(), lr=settings.learning_rate)
        batches = math.ceil(len(encoded) / settings.batch_size)
        epochs = max(settings.epochs, math.ceil(settings.min_steps / batches))
        network.train()
        for epoch in range(epochs):
            rng.shuffle(encoded)
            for start in range(0, len(encoded), settings.batch_size):
                batch = encoded[start : start + settings.batch_size]
                logits = network(*flatten([doc for doc, _ in batch]))
                targets = torch.tensor([label for _, label in batch])
                loss = F.cross_entropy(logits, targets, label_smoothing=settings.label_smoothing)
                optimiser.zero_grad()
                loss.backward()
                optimiser.step()
            progress(epoch + 1, epochs, "training")
        network.eval()

    def probabilities(self, text: str) -> dict[str, float] | None:
        """Probability of each intent and of ``None`` (no intent); None when no feature is known."""
        indices, weights = self.vocabulary.encode(text_features(text, self.settings.char_ngrams))
        if not indices:
            return None
        scores = self._forward.probabilities(indices, weights).tolist()
        return dict(zip([*self.labels, None], scores))

    def parse(self, text: str, top_n: int = 5) -> ParseResult:
        """Rank intents for ``text``; the out-of-scope class gives intentName null."""
        scores = self.probabilities(text)
        if scores is None:
            return empty_result(text)
        none_score = scores.pop(None)
        ranked = sorted(scores.items(), key=lambda item: item[1], reverse=True)
        guesses = [IntentGuess(intent_name=name, probability=p) for name, p in ranked[:top_n]]
        if none_score > ranked[0][1]:
            chosen = IntentGuess(intent_name=None, probability=none_score)
            return ParseResult(input=text, intent=chosen, alternatives=guesses)
        return ParseResult(input=text, intent=guesses[0], alternatives=guesses[1:])

    def save(self, folder: Path) -> None:
        """Weights as safetensors, vocabulary and labels as JSON."""
        if self.network is None:
            raise ModelError("the bow backend has not been trained")
        save_file({k: v.contiguous() for k, v in self.network.state_dict().items()}, folder / WEIGHTS_FILE)
        state = {
            "options": self.settings.model_dump(mode="json"),
            "labels": self.labels,
            "features": self.vocabulary.names,
            "idf": self.vocabulary.idf,
        }
        (folder / STATE_FILE).write_text(json.dumps(state, ensure_ascii=False), encoding="utf-8")

    @classmethod
    def load(cls, folder: Path) -> BowBackend:
        """Rebuild from save()'s files; ModelError when they are missing or inconsistent."""
        try:
            state = json.loads((folder / STATE_FILE).read_text(encoding="utf-8"))
            backend = cls(state["options"])
            backend.labels = list(state["labels"])
            backend.vocabulary = Vocabulary(list(state["features"]), list(state["idf"]))
            tensors = load_file(folder / WEIGHTS_FILE)
            backend.network = BagClassifier(
                len(backend.vocabulary.names),
                backend.settings.hidden,
                len(backend.labels) + 1,
                backend.settings.dropout,
            )
            backend.network.load_state_dict(tensors, strict=True)
        except (OSError, ValueError, KeyError, TypeError, RuntimeError, SafetensorError, ValidationError) as error:
            raise ModelError(f"cannot load the bow model from {folder}: {error}") from error
        backend.network.eval()
        backend._forward = FastForward(backend.network)
        return backend
