"""Ways in: REST, WebSocket and the web chat widget, the CLI; and the app factory.

``create_app`` and ``Settings`` are imported on first use: importing ``channels`` (as every
``causette`` command does) must not load the web stack.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from channels.server.app import create_app
    from channels.server.settings import Settings

__all__ = ["Settings", "create_app"]

_HOMES = {"create_app": "channels.server.app", "Settings": "channels.server.settings"}


def __getattr__(name: str) -> Any:
    """``channels.create_app`` and ``channels.Settings``, loaded from their modules when first asked for."""
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(_HOMES[name]), name)
