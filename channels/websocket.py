"""The chat WebSocket at ``/api/v1/ws``: the web widget's channel.

One connection is one conversation: a new one, whose token the welcome frame carries, or the one
of ``?session_id=`` when the client's first frame, ``resume``, carries its token (otherwise, a new
one again: the answer never says whether the id exists). Frames are read and checked
as they come; user messages are answered one after the other by a separate task, so a client can
still ping while the bot is busy, and a client that leaves mid-turn does not cancel the turn:
it is stored and replayed as history when the client comes back.
"""

from __future__ import annotations

import asyncio
import logging
import re
import uuid

from fastapi import APIRouter, WebSocket
from starlette.types import Message
from starlette.websockets import WebSocketDisconnect, WebSocketDisconnected

from channels.protocol import (
    RESUME_SECONDS,
    BotFrame,
    ErrorFrame,
    HistoryFrame,
    MessageFrame,
    PingFrame,
    PongFrame,
    ResumeFrame,
    ServerFrame,
    TypingFrame,
    WelcomeFrame,
    parse_client_frame,
)
from channels.schemas import SESSION_ID_PATTERN, HistoryMessage, TextRefused, check_user_text
from channels.server.api_keys import digest, new_secret
from channels.server.outages import STORE_UNAVAILABLE, log_store_unavailable
from channels.server.ownership import Caller, NotYours
from channels.server.ratelimit import Dimension, RateLimited, client_address
from channels.server.services import Services, get_services
from dialogue import Session, StoreUnavailable

logger = logging.getLogger(__name__)
router = APIRouter(prefix="/api/v1")

POLICY_VIOLATION = 1008  # WebSocket close code for a refused origin or session id
# A client that goes on sending this many frames in a row over its rate limit is flooding: closed.
REFUSED_FRAMES_BEFORE_CLOSE = 20
_SESSION_ID = re.compile(SESSION_ID_PATTERN)


@router.websocket("/ws")
async def chat_socket(websocket: WebSocket, session_id: str | None = None) -> None:
    """Hold one widget conversation until the client leaves."""
    services = await get_services(websocket)
    if not services.origins.allows(websocket.headers.get("origin"), websocket.headers.get("host")):
        # Closing before accept makes the server answer the handshake with HTTP 403.
        await websocket.close(code=POLICY_VIOLATION)
        return
    await websocket.accept()
    if session_id is not None and not _SESSION_ID.fullmatch(session_id):
        refusal = ErrorFrame(
            code="invalid_session_id", message="session_id must be 1 to 64 letters, digits, '-' or '_'"
        )
        await websocket.send_text(refusal.model_dump_json())
        await websocket.close(code=POLICY_VIOLATION, reason="invalid session_id")
        return
    connection = ChatConnection(websocket, services, uuid.uuid4().hex, new_secret(), fresh=True)
    if session_id is not None:
        await connection.resume(session_id)
    await connection.run()


class ChatConnection:
    """One open socket on one conversation: reads frames, answers messages in order."""

    def __init__(self, websocket: WebSocket, services: Services, session_id: str, token: str, fresh: bool) -> None:
        self.websocket = websocket
        self.services = services
        self.session_id = session_id
        self.caller = Caller("visitor", token=token)
        self.fresh = fresh  # opened by this connection: its first turn stores the token's hash
        self.first_frame: Message | None = None  # read while waiting for ``resume``, not one
        self.pending: asyncio.Queue[MessageFrame | None] = asyncio.Queue()
        self.connected = True
        self.address = client_address(websocket.scope)
        self.refused_in_a_row = 0

    async def resume(self, session_id: str) -> None:
        """Take conversation ``session_id`` if the first frame is ``resume`` with its token."""
        try:
            async with asyncio.timeout(RESUME_SECONDS):
                message = await self.websocket.receive()
        except TimeoutError:
            return
        frame = parse_client_frame(message.get("text") or "")
        if not isinstance(frame, ResumeFrame):
            self.first_frame = message  # a client that does not resume: answered in the new one
            return
        claimed = Caller("visitor", token=frame.token)
        try:
            stored = await self.services.store.get(session_id)
        except StoreUnavailable:
            stored = None
            unknown = False  # cannot tell now: every turn's guard checks the token anyway
        else:
            unknown = stored is None or not claimed.admits(stored)
        if not unknown:
            self.session_id, self.caller, self.fresh = session_id, claimed, False

    def guard(self, session: Session) -> None:
        """Inside each turn's transaction: the first turn of a new conversation claims it for the
        connection's token; any other turn needs that token."""
        if self.fresh and session.token_hash is None and session.turns == 0:
            session.token_hash = digest(self.caller.token or "")
        elif not self.caller.admits(session):
            raise NotYours(self.session_id)

    async def run(self) -> None:
        """Greet, replay the history, then read until the client leaves and the turns are done."""
        await self.send(
            WelcomeFrame(
                session_id=self.session_id,
                max_text_chars=self.services.settings.max_text_chars,
                token=self.caller.token if self.fresh else None,
            )
        )
        await self.send(await self.history())
        answering = asyncio.create_task(self.answer_messages())
        try:
            await self.read_frames()
        finally:
            self.connected = False
            self.pending.put_nowait(None)  # the answering task ends once the queue is drained
            await answering

    async def history(self) -> HistoryFrame | ErrorFrame:
        """The conversation so far, or why it cannot be read."""
        try:
            if not self.fresh and not await self.still_yours():
                return HistoryFrame(messages=[])
            entries = await self.services.engine.history(self.session_id)
        except StoreUnavailable as error:
            log_store_unavailable(error)
            return ErrorFrame(code="store_unavailable", message=STORE_UNAVAILABLE)
        return HistoryFrame(messages=[HistoryMessage.of(entry) for entry in entries or []])

    async def still_yours(self) -> bool:
        """Whether the resumed conversation admits the token (checked again: it may have been
        resumed while the store was down, unverified)."""
        stored = await self.services.store.get(self.session_id)
        return stored is not None and self.caller.admits(stored)

    async def read_frames(self) -> None:
        """Answer or queue every frame until the client disconnects."""
        while True:
            message, self.first_frame = self.first_frame or await self.websocket.receive(), None
            if message["type"] == "websocket.disconnect":
                return
            reply = await self.rate_limit(message) or self.take(message)
            if reply is not None:
                await self.send(reply)
            if self.refused_in_a_row >= REFUSED_FRAMES_BEFORE_CLOSE:
                await self.websocket.close(code=POLICY_VIOLATION, reason="rate limit exceeded")
                return

    async def rate_limit(self, message: Message) -> ErrorFrame | None:
        """Count a frame (pings included) against the address's and the conversation's limits."""
        try:
            await self.services.limiter.hit(Dimension.ADDRESS, self.address)
            await self.services.limiter.hit(Dimension.CONVERSATION, self.session_id)
        except RateLimited as limited:
            self.refused_in_a_row += 1
            frame = parse_client_frame(message.get("text") or "")
            return ErrorFrame(
                code="rate_limited",
                message=str(limited),
                retry_after=limited.retry_after,
                reply_to=frame.id if isinstance(frame, MessageFrame) else None,  # the widget marks that message
            )
        self.refused_in_a_row = 0
        return None

    def take(self, message: Message) -> ServerFrame | None:
        """Queue a valid user message (None); anything else gets its reply right away."""
        text = message.get("text")
        if text is None:
            return ErrorFrame(code="binary_frame", message="frames must be JSON text, not binary")
        limit = self.services.settings.ws_max_frame_bytes
        if len(text.encode()) > limit:
            return ErrorFrame(code="frame_too_large", message=f"frame is larger than {limit} bytes")
        frame = parse_client_frame(text)
        if isinstance(frame, ErrorFrame):
            return frame
        if isinstance(frame, PingFrame):
            return PongFrame()
        if isinstance(frame, ResumeFrame):
            return ErrorFrame(code="invalid_frame", message="'resume' must be the first frame, after ?session_id=")
        return self.enqueue(frame)

    def enqueue(self, frame: MessageFrame) -> ErrorFrame | None:
        """Queue a user message for the answering task, or say why it is refused."""
        try:
            check_user_text(frame.text, self.services.settings.max_text_chars)
        except TextRefused as refused:
            return ErrorFrame(code=refused.code, message=str(refused), reply_to=frame.id)
        limit = self.services.settings.ws_max_pending
        if self.pending.qsize() >= limit:
            return ErrorFrame(
                code="too_many_pending",
                reply_to=frame.id,
                message=f"{limit} messages are already waiting for an answer",
            )
        self.pending.put_nowait(frame)
        return None

    async def answer_messages(self) -> None:
        """Answer queued messages in order until the end marker."""
        while (frame := await self.pending.get()) is not None:
            await self.send(TypingFrame(active=True))
            await self.send(await self.answer(frame))
            await self.send(TypingFrame(active=False))

    async def answer(self, frame: MessageFrame) -> BotFrame | ErrorFrame:
        """One turn of the conversation; it completes even if the client has left."""
        try:
            turn = await self.services.engine.handle(
                self.session_id, frame.text, message_id=frame.message_id, guard=self.guard, channel="websocket"
            )
        except NotYours:
            return ErrorFrame(code="not_found", reply_to=frame.id, message="this conversation is not yours, or expired")
        except StoreUnavailable as error:
            log_store_unavailable(error)
            return ErrorFrame(
                code="store_unavailable", reply_to=frame.id, message=f"{STORE_UNAVAILABLE}; message not processed"
            )
        except Exception:
            # One failed turn must not leave the widget waiting forever for every later message.
            logger.exception("turn failed in session %s", self.session_id)
            return ErrorFrame(code="internal_error", reply_to=frame.id, message="the turn failed")
        return BotFrame(
            messages=turn.messages,
            intent=None if turn.fallback else turn.intent,
            reply_to=frame.id,
        )

    async def send(self, frame: ServerFrame) -> None:
        """Send a frame if the client is still there; a departed client is not an error."""
        if not self.connected:
            return
        try:
            await self.websocket.send_text(frame.model_dump_json())
        except (WebSocketDisconnect, WebSocketDisconnected):
            self.connected = False
