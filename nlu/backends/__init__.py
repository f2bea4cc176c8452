"""The backend registry: built-in backends plus those third-party packages declare.

A package adds a backend with an entry point in the ``causette.backends`` group, e.g.
``[project.entry-points."causette.backends"] mine = "my_pkg.backend:MyBackend"``.
"""

from __future__ import annotations

import importlib
from importlib.metadata import entry_points

from pydantic import BaseModel

from nlu.backends.base import Backend, Progress, no_progress

ENTRY_POINT_GROUP = "causette.backends"

# Imported on first use only: the snips backend pulls in scikit-learn and Rust libraries.
BUILTIN_BACKENDS: dict[str, str] = {
    "bow": "nlu.backends.bow.backend:BowBackend",
    "snips": "nlu.backends.snips.backend:SnipsBackend",
}

# Each built-in backend's options model, importable without the backend's heavy dependencies.
BUILTIN_OPTIONS: dict[str, str] = {
    "bow": "nlu.backends.bow.options:BowOptions",
    "snips": "nlu.backends.snips.options:SnipsOptions",
}


def available_backends() -> list[str]:
    """Names of every backend that can be selected in ``bot.toml``."""
    names = set(BUILTIN_BACKENDS) | {ep.name for ep in entry_points(group=ENTRY_POINT_GROUP)}
    return sorted(names)


def get_backend(name: str) -> type[Backend]:
    """The backend class registered under ``name``; ValueError for an unknown name."""
    for entry_point in entry_points(group=ENTRY_POINT_GROUP):
        if entry_point.name == name:
            declared: type[Backend] = entry_point.load()
            return declared
    if name not in BUILTIN_BACKENDS:
        raise ValueError(f"unknown backend {name!r}; available: {', '.join(available_backends())}")
    module_name, class_name = BUILTIN_BACKENDS[name].split(":")
    builtin: type[Backend] = getattr(importlib.import_module(module_name), class_name)
    return builtin


def backend_options_model(name: str) -> type[BaseModel] | None:
    """The model ``[backend_options]`` must match for backend ``name``; None when it declares none.

    A third-party backend declares its model as the class attribute ``options_model``.
    """
    if name in BUILTIN_OPTIONS and not any(ep.name == name for ep in entry_points(group=ENTRY_POINT_GROUP)):
        module_name, class_name = BUILTIN_OPTIONS[name].split(":")
        model: type[BaseModel] = getattr(importlib.import_module(module_name), class_name)
        return model
    return get_backend(name).options_model


__all__ = ["Backend", "Progress", "available_backends", "backend_options_model", "get_backend", "no_progress"]
