"""Training settings of the bow backend: ``[backend_options]`` in bot.toml.

The defaults suit a small bot (a few hundred examples, trained in a second or two). Three of them
(``min_count``, ``networks``, ``linear``) change with the dataset's size when left unset.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

LARGE_DATASET = 2000  # training examples from which the size-dependent defaults change


class BowOptions(BaseModel):
    """Intent network and slot tagger settings."""

    model_config = ConfigDict(extra="forbid")

    hidden: int = Field(default=128, ge=1)
    # Passes over the examples; small bots get more (min_steps), so this sets large datasets': on
    # MASSIVE fr-FR (200 batches an epoch), 10 epochs scored the test set's intents as 20 did (85.4 %)
    # in half the time.
    epochs: int = Field(default=10, ge=1)
    min_steps: int = Field(default=300, ge=0)  # small bots get more epochs: a few batches each would underfit
    batch_size: int = Field(default=64, ge=1)
    learning_rate: float = Field(default=3e-3, gt=0)
    dropout: float = Field(default=0.3, ge=0, lt=1)
    label_smoothing: float = Field(default=0.05, ge=0, lt=1)
    char_ngrams: tuple[int, int] = (3, 5)
    min_count: int | None = None  # None: 1 below LARGE_DATASET examples, 2 from there
    noise_ratio: float = Field(default=0.15, ge=0)
    seed: int = 13
    # Networks trained from different random starting weights, their probabilities averaged. None: 1
    # below LARGE_DATASET examples, 5 from there; on MASSIVE, 5 networks score 1 to 2 points of intent
    # accuracy above one (the starting weights alone move one network's score by as much), for 5
    # times the training time.
    networks: int | None = Field(default=None, ge=1)
    # Feed the networks each text's mean pretrained word vector, for languages that have vectors
    # (nlu.backends.bow.word_vectors.PACKAGES). Intent accuracy gained: 4 to 5 points in the demo
    # bot's 5-fold cross-validation, 0.6 to 0.7 on MASSIVE fr-FR validation folds.
    word_vectors: bool = True
    # A linear classifier (a one-vs-rest linear SVM on the same inputs) whose probabilities are
    # mixed with the networks' at ``linear_weight``. None: off below LARGE_DATASET examples, on from there.
    linear: bool | None = None
    linear_weight: float = Field(default=0.5, ge=0, le=1)
    linear_c: float = Field(default=1.0, gt=0)  # inverse L2 penalty, as in scikit-learn's LinearSVC
    linear_iterations: int = Field(default=500, ge=1)  # L-BFGS iterations at most
    threads: int = Field(default=1, ge=1)  # torch threads while training (see backend.torch_threads)
    # Slot tagger (CRF): L1 and L2 penalties, L-BFGS iterations, and how often a custom-value
    # match is hidden from a training example (see nlu.backends.bow.slots._dropout).
    crf_c1: float = Field(default=0.05, ge=0)
    crf_c2: float = Field(default=0.05, ge=0)
    crf_iterations: int = Field(default=100, ge=1)
    gazetteer_dropout: float = Field(default=0.5, ge=0, le=1)
