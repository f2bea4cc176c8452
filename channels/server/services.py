"""The objects a running server shares between its channels, built once by the app factory."""

from __future__ import annotations

from dataclasses import dataclass, field

from fastapi.requests import HTTPConnection

from accounts import Accounts
from channels.server.model_sync import SharedModels
from channels.server.origins import OriginPolicy
from channels.server.ratelimit import RateLimiter
from channels.server.reload import Reloader
from channels.server.settings import Settings
from conversation_log import ConversationLog
from dialogue import BrainHolder, DialogueEngine, SessionStore
from dialogue.actions import HttpActionRunner


@dataclass(frozen=True)
class Services:
    """Settings, the serving brain, the session store, the engine, allowed origins, the reloader,
    the rate limiter, the API keys (name -> SHA-256 of the key), the action client, the log, and,
    with Redis, the models shared by every process."""

    settings: Settings
    brains: BrainHolder
    store: SessionStore
    engine: DialogueEngine
    origins: OriginPolicy
    reloader: Reloader
    limiter: RateLimiter
    actions: HttpActionRunner
    accounts: Accounts  # the consoles' accounts and signed-in sessions
    shared: SharedModels | None = None
    log: ConversationLog | None = None  # None when the operator turned the conversation log off
    api_keys: dict[str, str] = field(default_factory=dict)


async def get_services(connection: HTTPConnection) -> Services:
    """FastAPI dependency: the services of the app serving this request or WebSocket.

    A coroutine: FastAPI runs a plain function dependency in a worker thread, and that hand-off
    cost a REST turn more than the work it did.
    """
    services: Services = connection.app.state.services
    return services
