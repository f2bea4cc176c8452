"""The bow networks' forward pass in numpy: what parsing runs, saved and loaded without torch.

Training builds the torch modules of network.py; their weights are saved here under the torch
state_dict's names (networks.0.input.bag.weight, linear.bias...) in safetensors, and a serving
process loads them with safetensors' numpy API, so that it never imports torch.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
from pydantic import BaseModel, ConfigDict, StrictBool
from safetensors.numpy import load_file, save_file

from nlu.backends.bow.units import check_metadata, write_metadata
from nlu.errors import ModelError

# One encoded text: indices of its known features, their tf-idf weights, and its mean word vector
# (None when the network reads no word vectors).
Encoded = tuple[list[int], list[float], np.ndarray | None]

UNIT = "networks"
FORMAT = 1
WEIGHTS_FILE = "weights.safetensors"
SHAPE_FILE = "networks.json"

# Softmax sharpness for the linear classifier's hinge scores (about +-1), so that its confident
# answers weigh like the networks' confident softmaxes.
LINEAR_SHARPNESS = 3.0


class EnsembleShape(BaseModel):
    """The sizes and settings an ensemble is built from, before its weights are trained or loaded."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    features: int
    classes: int  # the intents plus "none"
    hidden: int
    vector_width: int  # 0: no word vectors
    dropout: float
    networks: int
    linear: StrictBool  # "no" or 0 is a damaged file, not false
    linear_weight: float

    def weight_shapes(self) -> dict[str, tuple[int, ...]]:
        """Every weight's state_dict name and shape."""
        shapes: dict[str, tuple[int, ...]] = {}
        for number in range(self.networks):
            shapes |= _input_shapes(f"networks.{number}.input.", self.hidden, self)
            shapes[f"networks.{number}.out.weight"] = (self.classes, self.hidden)
            shapes[f"networks.{number}.out.bias"] = (self.classes,)
        if self.linear:
            shapes |= _input_shapes("linear.", self.classes, self)
        return shapes


def _input_shapes(prefix: str, width: int, shape: EnsembleShape) -> dict[str, tuple[int, ...]]:
    """The weights of one BagInput: the bag, the word vectors' map (when read), the bias."""
    shapes = {f"{prefix}bag.weight": (shape.features, width), f"{prefix}bias": (width,)}
    if shape.vector_width:
        shapes[f"{prefix}vectors.weight"] = (width, shape.vector_width)
    return shapes


class FastForward:
    """The ensemble's forward pass for one input, in numpy: the networks' softmaxes averaged, then
    mixed with the linear classifier's.

    Per-call overhead dominates for a single short sentence: torch spends ~0.1 ms on dispatch
    where numpy needs a few microseconds for the same arithmetic on the same weights.
    """

    def __init__(self, shape: EnsembleShape, weights: Mapping[str, np.ndarray]) -> None:
        expected = shape.weight_shapes()
        found = {name: tuple(array.shape) for name, array in weights.items()}
        if found != expected:
            raise ModelError(f"the networks' weights do not match their shape {shape.model_dump()}")
        self.shape = shape
        self.weights = dict(weights)
        self.networks = [
            (
                _NumpyInput(weights, f"networks.{number}.input."),
                weights[f"networks.{number}.out.weight"].T.copy(),
                weights[f"networks.{number}.out.bias"],
            )
            for number in range(shape.networks)
        ]
        self.linear = _NumpyInput(weights, "linear.") if shape.linear else None
        self.linear_weight = shape.linear_weight if shape.linear else 0.0

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

    def persist(self, folder: Path) -> None:
        """Save to ``folder`` (created): its metadata, its shape as JSON and its weights as safetensors."""
        write_metadata(folder, UNIT, FORMAT)
        (folder / SHAPE_FILE).write_text(self.shape.model_dump_json(), encoding="utf-8")
        save_file({name: np.ascontiguousarray(array) for name, array in self.weights.items()}, folder / WEIGHTS_FILE)

    @classmethod
    def from_path(cls, folder: Path) -> FastForward:
        """Load what persist() saved; ModelError for another unit or format, or weights that do not
        match the saved shape."""
        check_metadata(folder, UNIT, FORMAT)
        shape = EnsembleShape.model_validate_json((folder / SHAPE_FILE).read_text(encoding="utf-8"))
        return cls(shape, load_file(folder / WEIGHTS_FILE))


class _NumpyInput:
    """A BagInput's arithmetic for one text, in numpy, from the weights under ``prefix``."""

    def __init__(self, weights: Mapping[str, np.ndarray], prefix: str) -> None:
        self.bag = weights[f"{prefix}bag.weight"]
        vectors = weights.get(f"{prefix}vectors.weight")
        self.vectors = None if vectors is None else vectors.T.copy()
        self.bias = weights[f"{prefix}bias"]

    def __call__(self, row: np.ndarray, indices: list[int], vector: np.ndarray | None) -> np.ndarray:
        mapped: np.ndarray = row @ self.bag[indices] + self.bias
        if self.vectors is not None and vector is not None:
            mapped = mapped + vector @ self.vectors
        return mapped


def _softmax(logits: np.ndarray) -> np.ndarray:
    exp = np.exp(logits - logits.max())
    probabilities: np.ndarray = exp / exp.sum()
    return probabilities
