"""The REST channel under ``/api/v1``: conversations, parsing, the model being served."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Response

from channels.schemas import (
    ConversationOut, IntentOut, MessageIn, ModelOut, SessionId, TextRefused, TurnOut, check_user_text,
)
from channels.services import Services, get_services

router = APIRouter(prefix="/api/v1")
ServicesDep = Annotated[Services, Depends(get_services)]


def checked_text(message: MessageIn, services: Services) -> str:
    """The message text, or a 422 saying why it is refused (empty, too long)."""
    try:
        return check_user_text(message.text, services.settings.max_text_chars)
    except TextRefused as refused:
        raise HTTPException(422, str(refused)) from None


@router.post("/conversations/{session_id}/messages", response_model=TurnOut, tags=["conversations"])
async def post_message(session_id: SessionId, message: MessageIn, services: ServicesDep) -> TurnOut:
    """Send a user message to a conversation and get the bot's reply."""
    turn = await services.engine.handle(session_id, checked_text(message, services))
    return TurnOut(
        session_id=turn.session_id,
        responses=turn.responses,
        intent=None if turn.fallback else IntentOut(name=turn.intent, probability=turn.probability),
        contexts=turn.contexts,
        slots=turn.slots,
        quick_replies=turn.quick_replies,
    )


@router.get("/conversations/{session_id}", response_model=ConversationOut, tags=["conversations"])
async def get_conversation(session_id: SessionId, services: ServicesDep) -> ConversationOut:
    """A conversation's recent history (404 when unknown or expired)."""
    history = await services.engine.history(session_id)
    if history is None:
        raise HTTPException(404, f"no conversation {session_id!r}")
    return ConversationOut(session_id=session_id, history=history)


@router.delete("/conversations/{session_id}", status_code=204, tags=["conversations"])
async def delete_conversation(session_id: SessionId, services: ServicesDep) -> Response:
    """Forget a conversation."""
    await services.store.delete(session_id)
    return Response(status_code=204)


@router.post("/parse", tags=["nlu"])
async def parse(message: MessageIn, services: ServicesDep) -> dict[str, Any]:
    """What the model understands of a text: the Snips-shaped parse with ranked alternatives."""
    return services.brains.current.model.parse(checked_text(message, services)).to_json()


@router.get("/model", response_model=ModelOut, tags=["nlu"])
async def get_model(services: ServicesDep) -> ModelOut:
    """The model being served."""
    info = services.brains.current.model.info
    return ModelOut(**info.model_dump(include=set(ModelOut.model_fields)))
