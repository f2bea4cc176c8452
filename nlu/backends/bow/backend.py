"""The bow backend: fit, parse, save and load (intent network plus slot tagger).

A saved bow model is a folder of units, each saving and loading itself (see units.py): the
backend's own ``metadata.json`` and ``bow.json`` (options, labels, which units it holds), then
``vocabulary/``, ``networks/``, ``word_vectors/`` (the vectors, memory-mapped when served) and
``slot_tagger/`` (for bots with slots), each with its ``metadata.json``.
"""

from __future__ import annotations

import math
import random
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

from pydantic import BaseModel, ConfigDict, StrictBool, ValidationError
from safetensors import SafetensorError

from nlu.backends.base import Backend, Progress, no_progress
from nlu.backends.bow.features import Vocabulary, token_features
from nlu.backends.bow.forward import Encoded, EnsembleShape, FastForward
from nlu.backends.bow.noise import noise_phrases
from nlu.backends.bow.options import LARGE_DATASET, BowOptions
from nlu.backends.bow.slots import SlotTagger
from nlu.backends.bow.units import check_metadata, write_metadata
from nlu.backends.bow.word_vectors import WordVectors, vectors_for_language
from nlu.dataset import Dataset
from nlu.entities.extractor import EntityExtractor
from nlu.errors import ModelError
from nlu.out_of_scope import out_of_scope_examples
from nlu.parse_result import IntentGuess, ParseResult, Slot, empty_result
from nlu.text import Token, tokenize

if TYPE_CHECKING:  # torch is imported by training only: a served model parses with numpy
    from nlu.backends.bow.network import BagClassifier, Corpus, Ensemble

UNIT = "bow"
FORMAT = 3  # 2: one bow.json and weights for every part; 3: units that save themselves
STATE_FILE = "bow.json"
# The units' folders inside the model folder.
VOCABULARY = "vocabulary"
NETWORKS = "networks"
WORD_VECTORS = "word_vectors"
SLOT_TAGGER = "slot_tagger"

# Out-of-scope sentences learnt per example of the bot (see nlu.out_of_scope), above the minimum
# sample: on the demo bot's development set, that minimum already sends 99 % of off-topic messages
# to "none"; twice as many sentences start to take on-topic questions with them ("qu'est-ce que
# vous pouvez faire pour moi ?").
OUT_OF_SCOPE_PER_EXAMPLE = 0.4

# A training example: its encoded input and its class (an intent's index, or "none"'s).
Example = tuple[Encoded, int]
P = ParamSpec("P")
R = TypeVar("R")


class _SavedState(BaseModel):
    """The backend's own file: its options, the networks' labels, and which optional units it holds."""

    model_config = ConfigDict(extra="forbid")

    options: dict[str, Any]
    labels: list[str]
    word_vectors: StrictBool
    slot_tagger: StrictBool


class BowBackend(Backend):
    """Bag of stems and character n-grams (plus the mean word vector, for languages that have
    vectors), one hidden layer, softmax over intents plus "none" (noise and the out-of-scope
    corpus, see nlu.out_of_scope); on large datasets several such networks averaged and mixed with
    a linear classifier."""

    name = "bow"
    options_model = BowOptions

    def __init__(self, options: dict[str, Any] | None = None) -> None:
        super().__init__(options)
        self.settings = BowOptions.model_validate(self.options)
        self.labels: list[str] = []
        self.vocabulary = Vocabulary([], [])
        self.word_vectors: WordVectors | None = None
        self.ensemble: Ensemble | None = None
        self.slot_tagger: SlotTagger | None = None
        self._forward: FastForward | None = None

    def fit(self, dataset: Dataset, progress: Progress = no_progress) -> None:
        """Train the networks, the linear classifier and the slot tagger; the same dataset and seed
        give the same model.

        The slot tagger, then the linear classifier, train on a second thread while the networks
        train on this one: crfsuite's training is C code that lets go of the GIL, torch's
        operations do too, so on two cores both threads go at once. The networks draw all of
        torch's random numbers, on this thread, and the slot tagger has its own generator: the
        model does not depend on how the threads interleave.
        """
        extractor = EntityExtractor(dataset.entities, dataset.language)
        with (
            torch_threads(self.settings.threads),
            ThreadPoolExecutor(max_workers=1, thread_name_prefix="bow-side") as side,
        ):
            tagger = side.submit(SlotTagger.fit, dataset, extractor, self.settings)
            self._fit_intents(dataset, progress, side)
            self.slot_tagger = tagger.result()

    def _fit_intents(self, dataset: Dataset, progress: Progress, side: ThreadPoolExecutor) -> None:
        import torch

        from nlu.backends.bow.network import Ensemble

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
        samples += [
            (self._features(text), none_label)
            for text in out_of_scope_examples(dataset, settings.seed, OUT_OF_SCOPE_PER_EXAMPLE)
        ]
        encoded = [(self._encode(*tokens_and_features), label) for tokens_and_features, label in samples]
        encoded = [(doc, label) for doc, label in encoded if _known(doc)]
        if not encoded:
            raise ModelError("no training example has a word or character the bow backend can read")
        self.ensemble = Ensemble.untrained(
            EnsembleShape(
                features=len(self.vocabulary.names),
                classes=len(self.labels) + 1,
                hidden=settings.hidden,
                vector_width=self.word_vectors.width if self.word_vectors else 0,
                dropout=settings.dropout,
                networks=settings.networks or (5 if large else 1),
                linear=large if settings.linear is None else settings.linear,
                linear_weight=settings.linear_weight,
            )
        )
        self._train(self.ensemble, encoded, progress, rng, side)
        self._forward = self.ensemble.forward_pass()

    def _train(
        self,
        ensemble: Ensemble,
        encoded: list[Example],
        progress: Progress,
        rng: random.Random,
        side: ThreadPoolExecutor,
    ) -> None:
        """Train the networks one after the other, each from its own random weights, and the
        linear classifier on the ``side`` thread meanwhile; one progress count runs over all of them."""
        from nlu.backends.bow.network import Corpus, train_linear

        settings, networks, linear = self.settings, ensemble.members, ensemble.linear
        corpus = Corpus([doc for doc, _ in encoded], [label for _, label in encoded])
        order = list(range(len(corpus)))
        batches = math.ceil(len(corpus) / settings.batch_size)
        epochs = max(settings.epochs, math.ceil(settings.min_steps / batches))
        tally = _Tally(progress, epochs * len(networks) + (settings.linear_iterations if linear is not None else 0))
        fitted = None
        if linear is not None:
            fitted = side.submit(
                _on_threads(settings.threads, train_linear),
                linear,
                corpus.inputs,
                corpus.labels,
                settings.linear_c,
                settings.linear_iterations,
                lambda done, _: tally.count("linear", done),
            )
        for number, network in enumerate(networks):
            network.train()
            self._epochs(network, corpus, order, epochs, tally.of(number), rng)
            network.eval()
        if fitted is not None:
            fitted.result()

    def _epochs(
        self,
        network: BagClassifier,
        corpus: Corpus,
        order: list[int],
        epochs: int,
        progress: Progress,
        rng: random.Random,
    ) -> None:
        """Train ``network`` for ``epochs`` passes over the corpus, each in an order ``rng`` shuffles."""
        import torch
        from torch.nn import functional as F

        from nlu.backends.bow.network import optimisers

        settings = self.settings
        steppers = optimisers(network, settings.learning_rate)
        for epoch in range(epochs):
            rng.shuffle(order)
            for start in range(0, len(order), settings.batch_size):
                inputs, targets = corpus.batch(order[start : start + settings.batch_size])
                loss = F.cross_entropy(network(*inputs), targets, label_smoothing=settings.label_smoothing)
                for stepper in steppers:
                    stepper.zero_grad()
                torch.autograd.backward(loss)
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

    def probabilities(self, text: str) -> dict[str | None, float] | None:
        """Probability of each intent and of ``None`` (no intent); None when no feature is known."""
        return self._probabilities(tokenize(text))

    def _probabilities(self, tokens: list[Token]) -> dict[str | None, float] | None:
        if self._forward is None:
            raise ModelError("the bow backend has not been trained")
        encoded = self._encode(tokens, token_features(tokens, self.settings.char_ngrams))
        if not _known(encoded):
            return None
        scores = self._forward.probabilities(*encoded).tolist()
        return dict(zip([*self.labels, None], scores, strict=True))

    def parse(self, text: str, top_n: int = 5) -> ParseResult:
        """Rank intents for ``text`` and fill the best one's slots; the out-of-scope class gives
        intentName null (and no slots). The text is tokenised once: the bag, the word vectors and
        the slot tagger read the same tokens."""
        tokens = tokenize(text)
        scores = self._probabilities(tokens)
        if scores is None:
            return empty_result(text)
        none_score = scores.pop(None)
        ranked = sorted(scores.items(), key=lambda item: item[1], reverse=True)
        guesses = [IntentGuess(intentName=name, probability=p) for name, p in ranked[:top_n]]
        best, best_score = ranked[0]
        if best is None or none_score > best_score:
            chosen = IntentGuess(intentName=None, probability=none_score)
            return ParseResult(input=text, intent=chosen, alternatives=guesses)
        slots = self.slot_tagger.tag(text, tokens, best) if self.slot_tagger else []
        return ParseResult(input=text, intent=guesses[0], slots=slots, alternatives=guesses[1:])

    def slots_for_intent(self, text: str, intent: str) -> list[Slot]:
        """The CRF's slots of ``intent`` in ``text``, resolved."""
        return self.slot_tagger.tag(text, tokenize(text), intent) if self.slot_tagger else []

    def save(self, folder: Path) -> None:
        """Each unit saves itself in its own folder; the backend's file says which there are."""
        if self._forward is None:
            raise ModelError("the bow backend has not been trained")
        write_metadata(folder, UNIT, FORMAT)
        state = _SavedState(
            options=self.settings.model_dump(mode="json"),
            labels=self.labels,
            word_vectors=self.word_vectors is not None,
            slot_tagger=self.slot_tagger is not None,
        )
        (folder / STATE_FILE).write_text(state.model_dump_json(), encoding="utf-8")
        self.vocabulary.persist(folder / VOCABULARY)
        self._forward.persist(folder / NETWORKS)
        if self.word_vectors is not None:
            self.word_vectors.persist(folder / WORD_VECTORS)
        if self.slot_tagger is not None:
            self.slot_tagger.persist(folder / SLOT_TAGGER)

    @classmethod
    def load(cls, folder: Path) -> BowBackend:
        """Rebuild from save()'s units; ModelError when they are missing, inconsistent or were
        saved by another version of the backend."""
        try:
            check_metadata(folder, UNIT, FORMAT)
            state = _SavedState.model_validate_json((folder / STATE_FILE).read_text(encoding="utf-8"))
            backend = cls(state.options)
            backend.labels = state.labels
            backend.vocabulary = Vocabulary.from_path(folder / VOCABULARY)
            backend.word_vectors = WordVectors.from_path(folder / WORD_VECTORS) if state.word_vectors else None
            backend._forward = FastForward.from_path(folder / NETWORKS)
            backend.slot_tagger = SlotTagger.from_path(folder / SLOT_TAGGER) if state.slot_tagger else None
        except (ModelError, OSError, ValueError, RuntimeError, SafetensorError, ValidationError) as error:
            raise ModelError(f"cannot load the bow model from {folder}: {error}") from error
        return backend


@contextmanager
def torch_threads(count: int) -> Iterator[None]:
    """Run torch on ``count`` threads, then restore the process's setting.

    The batches are small sparse bags: extra threads only add synchronisation, and on a busy
    machine two threads made training several times slower than one.
    """
    import torch

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


class _Tally:
    """One progress count over parts trained on two threads: each part reports its own steps done,
    the count shown is their sum."""

    def __init__(self, progress: Progress, total: int) -> None:
        self.progress = progress
        self.total = total
        self.done: dict[object, int] = {}
        self.lock = threading.Lock()

    def of(self, part: object) -> Progress:
        """The progress callback of one part."""
        return lambda done, _, __: self.count(part, done)

    def count(self, part: object, done: int) -> None:
        """``part`` has done ``done`` of its steps."""
        with self.lock:
            self.done[part] = done
            self.progress(sum(self.done.values()), self.total, "training")


def _on_threads(count: int, function: Callable[P, R]) -> Callable[P, R]:
    """``function`` run with torch on ``count`` threads: the setting belongs to the thread that makes it."""

    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        import torch

        torch.set_num_threads(count)
        return function(*args, **kwargs)

    return run
