"""The torch networks of the bow backend: a sparse bag (and a text's mean word vector) into one hidden
layer, and the linear classifier averaged with them."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import cast

import numpy as np
import torch
from pydantic import BaseModel, ConfigDict, StrictBool
from safetensors.torch import load_file, save_file
from torch import nn
from torch.nn import functional as F

from nlu.backends.bow.units import check_metadata, write_metadata

# One encoded text: indices of its known features, their tf-idf weights, and its mean word vector
# (None when the network reads no word vectors).
Encoded = tuple[list[int], list[float], np.ndarray | None]
# A batch in EmbeddingBag's flat form: indices, offsets, weights, and the stacked word vectors.
Batch = tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor | None]

UNIT = "networks"
FORMAT = 1
WEIGHTS_FILE = "weights.safetensors"
SHAPE_FILE = "networks.json"


class BagInput(nn.Module):
    """A text's weighted feature bag (EmbeddingBag: a sparse linear layer), plus a linear map of its
    mean word vector when the model reads vectors, plus a bias: ``width`` numbers per text."""

    def __init__(self, n_features: int, width: int, vector_width: int, sparse: bool) -> None:
        super().__init__()
        self.bag = nn.EmbeddingBag(n_features, width, mode="sum", sparse=sparse)
        self.vectors = nn.Linear(vector_width, width, bias=False) if vector_width else None
        self.bias = nn.Parameter(torch.zeros(width))

    def forward(
        self, indices: torch.Tensor, offsets: torch.Tensor, weights: torch.Tensor, vectors: torch.Tensor | None = None
    ) -> torch.Tensor:
        """A batch given in EmbeddingBag's flat (indices, offsets, weights) form, with one mean word
        vector per text when the model reads them."""
        mapped: torch.Tensor = self.bag(indices, offsets, per_sample_weights=weights) + self.bias
        return mapped if self.vectors is None else mapped + self.vectors(vectors)


class BagClassifier(nn.Module):
    """BagInput -> ReLU -> dropout -> linear over the classes."""

    def __init__(self, n_features: int, hidden: int, n_classes: int, dropout: float, vector_width: int = 0) -> None:
        super().__init__()
        # Sparse gradients: a batch touches a few hundred of the tens of thousands of feature rows,
        # and a dense optimiser step over all of them was most of the training time.
        self.input = BagInput(n_features, hidden, vector_width, sparse=True)
        self.dropout = nn.Dropout(dropout)
        self.out = nn.Linear(hidden, n_classes)

    def forward(self, *inputs: torch.Tensor | None) -> torch.Tensor:
        """Logits for a batch in BagInput's form."""
        logits: torch.Tensor = self.out(self.dropout(F.relu(self.input(*inputs))))
        return logits


class LinearClassifier(BagInput):
    """The same inputs straight onto the classes, trained as a one-vs-rest linear SVM (see
    train_linear): one score per class, about +1 for the text's class and -1 for the others.
    It errs on other texts than the hidden-layer networks: mixed with them, it added 0.5 to 0.7
    points to their intent accuracy on MASSIVE fr-FR validation folds."""

    def __init__(self, n_features: int, n_classes: int, vector_width: int = 0) -> None:
        super().__init__(n_features, n_classes, vector_width, sparse=False)
        nn.init.zeros_(self.bag.weight)
        if self.vectors is not None:
            nn.init.zeros_(self.vectors.weight)

    def penalty(self) -> torch.Tensor:
        """Squared L2 norm of every parameter, bias included (as LinearSVC penalises its intercept)."""
        total = torch.zeros(())
        for parameter in self.parameters():
            total = total + (parameter * parameter).sum()
        return total


class EnsembleShape(BaseModel):
    """The sizes and settings an Ensemble is built from, before its weights are trained or loaded."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    features: int
    classes: int  # the intents plus "none"
    hidden: int
    vector_width: int  # 0: no word vectors
    dropout: float
    networks: int
    linear: StrictBool  # "no" or 0 is a damaged file, not false
    linear_weight: float


class Ensemble(nn.Module):
    """The trained model: hidden-layer networks and, when the ``linear`` option is on (by default on
    large datasets), a linear classifier.

    One state_dict names every tensor (networks.0.input.bag.weight, linear.bias...), for safetensors.
    """

    def __init__(
        self, networks: Iterable[BagClassifier], linear: LinearClassifier | None, linear_weight: float
    ) -> None:
        super().__init__()
        self.networks = nn.ModuleList(networks)
        self.linear = linear
        self.linear_weight = linear_weight if linear is not None else 0.0

    @classmethod
    def untrained(cls, shape: EnsembleShape) -> Ensemble:
        """Networks (and linear classifier) with their random starting weights."""
        return cls(
            [
                BagClassifier(shape.features, shape.hidden, shape.classes, shape.dropout, shape.vector_width)
                for _ in range(shape.networks)
            ],
            LinearClassifier(shape.features, shape.classes, shape.vector_width) if shape.linear else None,
            shape.linear_weight,
        )

    @property
    def members(self) -> list[BagClassifier]:
        """The hidden-layer networks, typed."""
        return [cast(BagClassifier, network) for network in self.networks]

    @property
    def shape(self) -> EnsembleShape:
        """What untrained() needs to rebuild this ensemble, read off its modules."""
        first = self.members[0]
        vectors = first.input.vectors
        return EnsembleShape(
            features=first.input.bag.num_embeddings,
            classes=first.out.out_features,
            hidden=first.out.in_features,
            vector_width=0 if vectors is None else vectors.in_features,
            dropout=first.dropout.p,
            networks=len(self.networks),
            linear=self.linear is not None,
            linear_weight=self.linear_weight,
        )

    def persist(self, folder: Path) -> None:
        """Save to ``folder`` (created): its metadata, its shape as JSON and its weights as safetensors."""
        write_metadata(folder, UNIT, FORMAT)
        (folder / SHAPE_FILE).write_text(self.shape.model_dump_json(), encoding="utf-8")
        save_file({name: tensor.contiguous() for name, tensor in self.state_dict().items()}, folder / WEIGHTS_FILE)

    @classmethod
    def from_path(cls, folder: Path) -> Ensemble:
        """Load what persist() saved, ready to predict; ModelError for another unit or format."""
        check_metadata(folder, UNIT, FORMAT)
        shape = EnsembleShape.model_validate_json((folder / SHAPE_FILE).read_text(encoding="utf-8"))
        ensemble = cls.untrained(shape)
        ensemble.load_state_dict(load_file(folder / WEIGHTS_FILE), strict=True)
        ensemble.eval()
        return ensemble


# Softmax sharpness for the linear classifier's hinge scores (about +-1), so that its confident
# answers weigh like the networks' confident softmaxes.
LINEAR_SHARPNESS = 3.0


class FastForward:
    """The ensemble's forward pass for one input, in numpy: the networks' softmaxes averaged, then
    mixed with the linear classifier's.

    Per-call overhead dominates for a single short sentence: torch spends ~0.1 ms on dispatch
    where numpy needs a few microseconds for the same arithmetic on the same weights.
    """

    def __init__(self, ensemble: Ensemble) -> None:
        self.networks = [
            (_NumpyInput(n.input), _numpy(n.out.weight).T.copy(), _numpy(n.out.bias)) for n in ensemble.members
        ]
        self.linear = None if ensemble.linear is None else _NumpyInput(ensemble.linear)
        self.linear_weight = ensemble.linear_weight

    def probabilities(self, indices: list[int], weights: list[float], vector: np.ndarray | None) -> np.ndarray:
        """Probabilities over the classes for one encoded document."""
        row = np.asarray(weights, dtype=np.float32)
        total = np.zeros((), dtype=np.float32)
        for layer, out, out_bias in self.networks:
            total = total + _softmax(np.maximum(layer(row, indices, vector), 0.0) @ out + out_bias)
        networks = total / len(self.networks)
        if self.linear is None:
            return networks
        linear = _softmax(LINEAR_SHARPNESS * self.linear(row, indices, vector))
        return (1 - self.linear_weight) * networks + self.linear_weight * linear


class _NumpyInput:
    """A BagInput's arithmetic for one text, in numpy."""

    def __init__(self, layer: BagInput) -> None:
        self.bag = _numpy(layer.bag.weight)
        self.vectors = None if layer.vectors is None else _numpy(layer.vectors.weight).T.copy()
        self.bias = _numpy(layer.bias)

    def __call__(self, row: np.ndarray, indices: list[int], vector: np.ndarray | None) -> np.ndarray:
        mapped: np.ndarray = row @ self.bag[indices] + self.bias
        if self.vectors is not None and vector is not None:
            mapped = mapped + vector @ self.vectors
        return mapped


def _softmax(logits: np.ndarray) -> np.ndarray:
    exp = np.exp(logits - logits.max())
    probabilities: np.ndarray = exp / exp.sum()
    return probabilities


def _numpy(tensor: torch.Tensor) -> np.ndarray:
    array: np.ndarray = tensor.detach().numpy()
    return array


def flatten(batch: list[Encoded]) -> Batch:
    """Encoded documents -> EmbeddingBag's (indices, offsets, weights), and their stacked word vectors."""
    offsets: list[int] = []
    indices: list[int] = []
    weights: list[float] = []
    for doc_indices, doc_weights, _ in batch:
        offsets.append(len(indices))
        indices += doc_indices
        weights += doc_weights
    rows = [vector for _, _, vector in batch if vector is not None]
    vectors = torch.from_numpy(np.stack(rows)) if rows else None
    return (
        torch.tensor(indices, dtype=torch.long),
        torch.tensor(offsets, dtype=torch.long),
        torch.tensor(weights, dtype=torch.float32),
        vectors,
    )


def optimisers(network: BagClassifier, learning_rate: float) -> list[torch.optim.Optimizer]:
    """Lazy Adam for the sparse feature rows, Adam for the dense rest."""
    dense = [p for name, p in network.named_parameters() if not name.startswith("input.bag.")]
    return [
        torch.optim.SparseAdam(list(network.input.bag.parameters()), lr=learning_rate),
        torch.optim.Adam(dense, lr=learning_rate),
    ]


def train_linear(
    linear: LinearClassifier,
    inputs: Batch,
    labels: torch.Tensor,
    c: float,
    max_iterations: int,
    progress: Callable[[int, int], None],
) -> None:
    """Fit ``linear`` as scikit-learn's LinearSVC would (one-vs-rest squared hinge summed over the
    texts, plus ``|w|^2 / (2 c)``; here divided by the number of texts), full batch with L-BFGS:
    the optimum of a convex problem, not a noisy descent."""
    targets = -torch.ones(len(labels), linear.bias.shape[0])
    targets[torch.arange(len(labels)), labels] = 1.0
    strength = 1.0 / (2 * c * len(labels))
    # history_size: each remembered step is two copies of every weight (15 MB each on MASSIVE).
    solver = torch.optim.LBFGS(
        linear.parameters(),
        max_iter=max_iterations,
        history_size=10,
        line_search_fn="strong_wolfe",
        tolerance_grad=1e-6,
        tolerance_change=1e-9,
    )
    evaluations = 0

    def closure() -> torch.Tensor:
        nonlocal evaluations
        solver.zero_grad()
        margins = torch.clamp(1 - targets * linear(*inputs), min=0)
        loss = (margins * margins).sum(dim=1).mean() + strength * linear.penalty()
        torch.autograd.backward(loss)
        evaluations += 1
        progress(min(evaluations, max_iterations), max_iterations)
        return loss

    solver.step(closure)  # type: ignore[no-untyped-call]  # torch leaves LBFGS.step unannotated
    progress(max_iterations, max_iterations)  # L-BFGS usually converges before its last iteration
