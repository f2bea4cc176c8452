"""The torch network of the bow backend: a sparse bag into one hidden layer."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F


class BagClassifier(nn.Module):
    """EmbeddingBag (a sparse linear layer) -> ReLU -> dropout -> linear over the classes."""

    def __init__(self, n_features: int, hidden: int, n_classes: int, dropout: float) -> None:
        super().__init__()
        # Sparse gradients: a batch touches a few hundred of the tens of thousands of feature rows,
        # and a dense optimiser step over all of them was most of the training time.
        self.bag = nn.EmbeddingBag(n_features, hidden, mode="sum", sparse=True)
        self.hidden_bias = nn.Parameter(torch.zeros(hidden))
        self.dropout = nn.Dropout(dropout)
        self.out = nn.Linear(hidden, n_classes)

    def forward(self, indices: torch.Tensor, offsets: torch.Tensor, weights: torch.Tensor) -> torch.Tensor:
        """Logits for a batch given in EmbeddingBag's flat (indices, offsets, weights) form."""
        hidden = self.bag(indices, offsets, per_sample_weights=weights) + self.hidden_bias
        return self.out(self.dropout(F.relu(hidden)))


class FastForward:
    """The trained networks' forward pass for one input, in numpy, averaged over the networks.

    Per-call overhead dominates for a single short sentence: torch spends ~0.1 ms on dispatch
    where numpy needs a few microseconds for the same arithmetic on the same weights.
    """

    def __init__(self, networks: Iterable[BagClassifier]) -> None:
        self.layers = [
            (n.bag.weight.detach().numpy(), n.hidden_bias.detach().numpy(),
             n.out.weight.detach().numpy().T.copy(), n.out.bias.detach().numpy())
            for n in networks
        ]

    def probabilities(self, indices: list[int], weights: list[float]) -> np.ndarray:
        """Softmax over the classes for one encoded document, averaged over the networks."""
        row = np.asarray(weights, dtype=np.float32)
        total = 0.0
        for bag, hidden_bias, out, out_bias in self.layers:
            logits = np.maximum(row @ bag[indices] + hidden_bias, 0.0) @ out + out_bias
            exp = np.exp(logits - logits.max())
            total = total + exp / exp.sum()
        return total / len(self.layers)


def flatten(batch: list[tuple[list[int], list[float]]]) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Encoded documents -> EmbeddingBag's (indices, offsets, weights)."""
    offsets, indices, weights = [], [], []
    for doc_indices, doc_weights in batch:
        offsets.append(len(indices))
        indices += doc_indices
        weights += doc_weights
    return (
        torch.tensor(indices, dtype=torch.long),
        torch.tensor(offsets, dtype=torch.long),
        torch.tensor(weights, dtype=torch.float32),
    )


def optimisers(network: BagClassifier, learning_rate: float) -> list[torch.optim.Optimizer]:
    """Lazy Adam for the sparse feature rows, Adam for the dense rest."""
    dense = [p for name, p in network.named_parameters() if not name.startswith("bag.")]
    return [torch.optim.SparseAdam(list(network.bag.parameters()), lr=learning_rate),
            torch.optim.Adam(dense, lr=learning_rate)]
