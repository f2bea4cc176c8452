"""Training settings of the bow backend: ``[backend_options]`` in bot.toml.

The defaults suit a small bot (a few hundred examples, trained in a second or two). Three of them
(``min_count``, ``networks``, ``linear``) change with the dataset's size when left unset.

Every option has bounds, checked by ``causette check`` (see nlu.config): ``hidden = 100000000``
would ask for tens of gigabytes at training, a typo would silently keep the default. The upper
bounds are far above any useful value, well below what a machine cannot train.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError

LARGE_DATASET = 2000  # training examples from which the size-dependent defaults change
MAX_SEED = 2**32 - 1  # numpy's random generators take seeds below 2**32

NgramLength = Annotated[int, Field(ge=1, le=10)]


class BowOptions(BaseModel):
    """Intent network and slot tagger settings."""

    # Strict: true is not 1, "64" is not 64.
    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False)

    hidden: int = Field(default=128, ge=1, le=1024)
    # Passes over the examples; small bots get more (min_steps), so this sets large datasets': on
    # MASSIVE fr-FR (200 batches an epoch), 10 epochs scored the test set's intents as 20 did (85.4 %)
    # in half the time.
    epochs: int = Field(default=10, ge=1, le=1000)
    min_steps: int = Field(
        default=300, ge=0, le=100_000
    )  # small bots get more epochs: a few batches each would underfit
    batch_size: int = Field(default=64, ge=1, le=4096)
    learning_rate: float = Field(default=3e-3, gt=0, le=1)
    dropout: float = Field(default=0.3, ge=0, lt=1)
    label_smoothing: float = Field(default=0.05, ge=0, lt=1)
    char_ngrams: tuple[NgramLength, NgramLength] = Field(default=(3, 5), strict=False)  # TOML gives a list
    min_count: int | None = Field(default=None, ge=1, le=1000)  # None: 1 below LARGE_DATASET examples, 2 from there
    noise_ratio: float = Field(default=0.15, ge=0, le=10)
    seed: int = Field(default=13, ge=0, le=MAX_SEED)
    # Networks trained from different random starting weights, their probabilities averaged. None: 1
    # below LARGE_DATASET examples, 5 from there; on MASSIVE, 5 networks score 1 to 2 points of intent
    # accuracy above one (the starting weights alone move one network's score by as much), for 5
    # times the training time.
    networks: int | None = Field(default=None, ge=1, le=20)
    # Feed the networks each text's mean pretrained word vector, for languages that have vectors
    # (nlu.backends.bow.word_vectors.PACKAGES). Intent accuracy gained: 4 to 5 points in the demo
    # bot's 5-fold cross-validation, 0.6 to 0.7 on MASSIVE fr-FR validation folds.
    word_vectors: bool = True
    # A linear classifier (a one-vs-rest linear SVM on the same inputs) whose probabilities are
    # mixed with the networks' at ``linear_weight``. None: off below LARGE_DATASET examples, on from there.
    linear: bool | None = None
    linear_weight: float = Field(default=0.5, ge=0, le=1)
    linear_c: float = Field(default=1.0, gt=0, le=1e6)  # inverse L2 penalty, as in scikit-learn's LinearSVC
    linear_iterations: int = Field(default=500, ge=1, le=100_000)  # L-BFGS iterations at most
    threads: int = Field(default=1, ge=1, le=256)  # torch threads while training (see backend.torch_threads)
    # Slot tagger (CRF): L1 and L2 penalties, L-BFGS iterations, and how often a custom-value
    # match is hidden from a training example (see nlu.backends.bow.slots._dropout).
    crf_c1: float = Field(default=0.05, ge=0, le=100)
    crf_c2: float = Field(default=0.05, ge=0, le=100)
    crf_iterations: int = Field(default=100, ge=1, le=10_000)
    gazetteer_dropout: float = Field(default=0.5, ge=0, le=1)

    @field_validator("char_ngrams")
    @classmethod
    def _shortest_first(cls, lengths: tuple[int, int]) -> tuple[int, int]:
        if lengths[0] > lengths[1]:
            raise PydanticCustomError("range-order", "the first number must not exceed the second")
        return lengths
