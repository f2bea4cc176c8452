"""Train a backend and score it: on a separate test set, or by k-fold cross-validation."""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass, field
from typing import Any

from sklearn.model_selection import StratifiedKFold

from nlu.backends import Backend, Progress, get_backend, no_progress
from nlu.dataset import Dataset
from nlu.evaluation.labelled import LabelledExample, LabelledSet
from nlu.evaluation.metrics import OutOfScopeScores, Scores, out_of_scope_scores, score
from nlu.model import parse_untrusted
from nlu.out_of_scope import decide
from nlu.parse_result import ParseResult


@dataclass(frozen=True)
class OutOfScopeCheck:
    """Messages the bot should not answer, and the threshold below which it answers no intent.

    With such a check every prediction is the bot's decision (``intentName`` null when out of scope
    or below the threshold), so in-scope accuracy and out-of-scope recall are read side by side.
    """

    texts: list[str]
    threshold: float


@dataclass
class Evaluation:
    """Scores of one backend on one protocol, with the costs measured along the way."""

    backend: str
    options: dict[str, Any]
    protocol: str  # "train A, test B" or "k-fold cross-validation of A"
    scores: Scores
    training_seconds: list[float]  # one per trained model
    parse_seconds: list[float]  # one per scored example
    training_examples: int
    notices: list[str] = field(default_factory=list)
    out_of_scope: OutOfScopeScores | None = None  # with an OutOfScopeCheck

    @property
    def median_parse_ms(self) -> float:
        """Median time to parse one example, in milliseconds."""
        return statistics.median(self.parse_seconds) * 1000 if self.parse_seconds else 0.0


def train_and_test(
    train: LabelledSet,
    test: LabelledSet,
    backend: str,
    options: dict[str, Any],
    progress: Progress = no_progress,
    check: OutOfScopeCheck | None = None,
) -> Evaluation:
    """Train on every example of ``train`` and score every example of ``test`` (and the
    out-of-scope messages of ``check``)."""
    dataset = train.to_dataset(list(range(len(train.examples))))
    model, seconds = _fit(backend, options, dataset, progress, "training")
    pairs, parse_seconds = _predict(model, test.examples, progress, "scoring", check)
    return Evaluation(
        backend=backend,
        options=options,
        protocol=f"train on {train.name}, test on {test.name}",
        scores=score(pairs),
        training_seconds=[seconds],
        parse_seconds=parse_seconds,
        training_examples=len(train.examples),
        notices=list(dict.fromkeys(n for n in (train.notice, test.notice) if n)),
        out_of_scope=_out_of_scope([model], check),
    )


def cross_validate(
    data: LabelledSet,
    folds: int,
    backend: str,
    options: dict[str, Any],
    seed: int = 0,
    progress: Progress = no_progress,
    only_first: bool = False,
    check: OutOfScopeCheck | None = None,
) -> Evaluation:
    """Stratified k-fold cross-validation: every example is scored once, by a model that did not
    see it. With ``only_first``, one fold is held out and scored: a validation split, for tuning
    options without ever looking at a test set. The out-of-scope messages of ``check`` are scored
    by every fold's model."""
    if folds < 2:
        raise ValueError("cross-validation needs at least 2 folds")
    assignment = stratified_folds(data.examples, folds, seed)
    pairs, training_seconds, parse_seconds, models = [], [], [], []
    for fold in range(1 if only_first else folds):
        train = [i for i, f in enumerate(assignment) if f != fold]
        test = [data.examples[i] for i, f in enumerate(assignment) if f == fold]
        model, seconds = _fit(backend, options, data.to_dataset(train), progress, f"training {fold + 1}/{folds}")
        fold_pairs, fold_parse = _predict(model, test, progress, f"scoring {fold + 1}/{folds}", check)
        models.append(model)
        pairs += fold_pairs
        training_seconds.append(seconds)
        parse_seconds += fold_parse
    protocol = (
        f"validation on 1/{folds} of {data.name}, held out from training"
        if only_first
        else f"{folds}-fold cross-validation of {data.name}"
    )
    return Evaluation(
        backend=backend,
        options=options,
        protocol=protocol,
        scores=score(pairs),
        training_seconds=training_seconds,
        parse_seconds=parse_seconds,
        training_examples=len(data.examples) * (folds - 1) // folds,
        notices=[data.notice] if data.notice else [],
        out_of_scope=_out_of_scope(models, check),
    )


def stratified_folds(examples: list[LabelledExample], folds: int, seed: int) -> list[int]:
    """A fold number per example; each intent's examples are spread evenly over the folds, and
    small intents do not all fall in the first folds (scikit-learn's ``StratifiedKFold``)."""
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    intents = [example.intent for example in examples]
    assignment = [0] * len(examples)
    for fold, (_, held_out) in enumerate(splitter.split(intents, intents)):
        for index in held_out:
            assignment[index] = fold
    return assignment


def _fit(
    name: str, options: dict[str, Any], dataset: Dataset, progress: Progress, description: str
) -> tuple[Backend, float]:
    backend = get_backend(name)(options)
    started = time.perf_counter()
    backend.fit(dataset, lambda done, total, _: progress(done, total, description))
    return backend, time.perf_counter() - started


def _out_of_scope(models: list[Backend], check: OutOfScopeCheck | None) -> OutOfScopeScores | None:
    """Every model's decision on every out-of-scope message, scored together."""
    if check is None:
        return None
    return out_of_scope_scores(
        [decide(parse_untrusted(model, text), check.threshold) for model in models for text in check.texts]
    )


def _predict(
    backend: Backend,
    examples: list[LabelledExample],
    progress: Progress,
    description: str,
    check: OutOfScopeCheck | None = None,
) -> tuple[list[tuple[LabelledExample, ParseResult]], list[float]]:
    """Each example's parse (the bot's decision when there is an out-of-scope check) and its time."""
    pairs, seconds = [], []
    for done, example in enumerate(examples, start=1):
        started = time.perf_counter()
        result = parse_untrusted(backend, example.text)
        if check is not None:
            result = decide(result, check.threshold)
        seconds.append(time.perf_counter() - started)
        pairs.append((example, result))
        if done % 50 == 0 or done == len(examples):
            progress(done, len(examples), description)
    return pairs, seconds
