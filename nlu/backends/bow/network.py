"""The torch networks of the bow backend: a sparse bag (and a text's mean word vector) into one hidden
layer, and the linear classifier averaged with them.

Training only: a trained ensemble hands its weights to forward.FastForward, which parses, saves and
loads them without torch.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from typing import cast

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from nlu.backends.bow.forward import Encoded, EnsembleShape, FastForward

# A batch in EmbeddingBag's flat form: indices, offsets, weights, and the stacked word vectors.
Batch = tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor | None]


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


class Ensemble(nn.Module):
    """The trained model: hidden-layer networks and, when the ``linear`` option is on (by default on
    large datasets), a linear classifier.

    One state_dict names every tensor (networks.0.input.bag.weight, linear.bias...): the names
    FastForward saves and loads.
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

    def forward_pass(self) -> FastForward:
        """The numpy forward pass over these weights (shared with the modules, not copied)."""
        weights = {name: tensor.detach().numpy() for name, tensor in self.state_dict().items()}
        return FastForward(self.shape, weights)


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


class Corpus:
    """Every training document flattened once into EmbeddingBag's form, with its class: a batch is
    then cut out with a few tensor operations rather than rebuilt from Python lists each step."""

    def __init__(self, documents: list[Encoded], labels: list[int]) -> None:
        self.inputs = flatten(documents)
        indices, offsets, _, _ = self.inputs
        self.lengths = torch.diff(offsets, append=torch.tensor([len(indices)]))
        self.labels = torch.tensor(labels)

    def __len__(self) -> int:
        return len(self.labels)

    def batch(self, rows: list[int]) -> tuple[Batch, torch.Tensor]:
        """The documents ``rows`` (positions in the corpus) as a batch, and their classes."""
        selected = torch.tensor(rows)
        indices, offsets, weights, vectors = self.inputs
        lengths = self.lengths[selected]
        batch_offsets = torch.cumsum(lengths, 0) - lengths
        # Each document's features, where they sit in the corpus: its start, plus 0, 1, 2...
        shift = torch.repeat_interleave(offsets[selected] - batch_offsets, lengths)
        positions = shift + torch.arange(int(lengths.sum()))
        batch_vectors = None if vectors is None else vectors[selected]
        return (indices[positions], batch_offsets, weights[positions], batch_vectors), self.labels[selected]


class LazyAdam:
    """Adam for an embedding's sparse gradients: torch's SparseAdam arithmetic (moments and weights
    of the rows a batch touches, updated with the usual bias corrections), done with index_select,
    index_copy and index_add on dense tensors instead of sparse tensor operations, which cost
    SparseAdam twice as much per step on the bow networks' batches."""

    def __init__(
        self, weight: torch.Tensor, learning_rate: float, betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8
    ) -> None:
        self.weight = weight
        self.learning_rate = learning_rate
        self.beta1, self.beta2 = betas
        self.eps = eps
        self.exp_avg = torch.zeros_like(weight)
        self.exp_avg_sq = torch.zeros_like(weight)
        self.steps = 0

    def zero_grad(self) -> None:
        """Forget the last batch's gradient."""
        self.weight.grad = None

    @torch.no_grad()
    def step(self) -> None:
        """Move the rows the last batch touched."""
        if self.weight.grad is None:
            return
        grad = self.weight.grad.coalesce()
        rows, values = grad.indices()[0], grad.values()
        self.steps += 1
        exp_avg = self.exp_avg.index_select(0, rows).mul_(self.beta1).add_(values, alpha=1 - self.beta1)
        exp_avg_sq = self.exp_avg_sq.index_select(0, rows).mul_(self.beta2)
        exp_avg_sq.addcmul_(values, values, value=1 - self.beta2)
        self.exp_avg.index_copy_(0, rows, exp_avg)
        self.exp_avg_sq.index_copy_(0, rows, exp_avg_sq)
        step_size = self.learning_rate * math.sqrt(1 - self.beta2**self.steps) / (1 - self.beta1**self.steps)
        self.weight.index_add_(0, rows, exp_avg.div_(exp_avg_sq.sqrt_().add_(self.eps)), alpha=-step_size)


def optimisers(network: BagClassifier, learning_rate: float) -> list[torch.optim.Optimizer | LazyAdam]:
    """Lazy Adam for the sparse feature rows, Adam for the dense rest."""
    dense = [p for name, p in network.named_parameters() if not name.startswith("input.bag.")]
    return [LazyAdam(network.input.bag.weight, learning_rate), torch.optim.Adam(dense, lr=learning_rate)]


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
