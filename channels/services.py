"""The objects a running server shares between its channels, built once by the app factory."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi.requests import HTTPConnection

from channels.origins import OriginPolicy
from channels.settings import Settings
from dialogue import BrainHolder, DialogueEngine, SessionStore


@dataclass(frozen=True)
class Services:
    """Settings, the serving brain, the session store and the engine over them, allowed origins."""

    settings: Settings
    brains: BrainHolder
    store: SessionStore
    engine: DialogueEngine
    origins: OriginPolicy


def get_services(connection: HTTPConnection) -> Services:
    """FastAPI dependency: the services of the app serving this request or WebSocket."""
    return connection.app.state.services

