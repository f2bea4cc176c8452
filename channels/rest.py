"""The REST channel under ``/api/v1``: conversations, parsing, the model being served."""

from __future__ import annotations

from typing import Annotated, Any

import anyio
from fastapi import APIRouter, Depends, HTTPException, Query, Response
from fastapi.responses import JSONResponse

from channels.schemas import (
    SESSION_ID_PATTERN,
    ConversationOut,
    HistoryMessage,
    IntentOut,
    MessageIn,
    ModelOut,
    ModelStatus,
    ModelSummary,
    SessionId,
    TextRefused,
    TurnOut,
    check_user_text,
    error_responses,
)
from channels.server.admin import is_admin, require_admin
from channels.server.ratelimit import Dimension
from channels.server.reload import ReloadResult
from channels.server.services import Services, get_services
from dialogue.explain import explain as explain_message

router = APIRouter(prefix="/api/v1")
ServicesDep = Annotated[Services, Depends(get_services)]


async def conversation_rate_limit(session_id: SessionId, services: ServicesDep) -> None:
    """FastAPI dependency: counts the request against its conversation's rate limit (429 over it)."""
    await services.limiter.hit(Dimension.CONVERSATION, session_id)


PerConversation = [Depends(conversation_rate_limit)]


def checked_text(message: MessageIn, services: Services) -> str:
    """The message text, or a 422 saying why it is refused (empty, too long)."""
    try:
        return check_user_text(message.text, services.settings.max_text_chars)
    except TextRefused as refused:
        raise HTTPException(422, str(refused)) from None


@router.post(
    "/conversations/{session_id}/messages",
    response_model=TurnOut,
    tags=["conversations"],
    dependencies=PerConversation,
    responses=error_responses(408, 413, 422, 503),
)
async def post_message(session_id: SessionId, message: MessageIn, services: ServicesDep) -> TurnOut:
    """Send a user message to a conversation and get the bot's reply."""
    turn = await services.engine.handle(session_id, checked_text(message, services))
    return TurnOut(
        session_id=turn.session_id,
        responses=turn.responses,
        intent=None if turn.intent is None else IntentOut(name=turn.intent, probability=turn.probability),
        contexts=turn.contexts,
        slots=turn.slots,
        quick_replies=turn.quick_replies,
    )


@router.get(
    "/conversations/{session_id}",
    response_model=ConversationOut,
    tags=["conversations"],
    dependencies=PerConversation,
    responses=error_responses(404, 422, 503),
)
async def get_conversation(session_id: SessionId, services: ServicesDep) -> ConversationOut:
    """A conversation's recent history (404 when unknown or expired)."""
    history = await services.engine.history(session_id)
    if history is None:
        raise HTTPException(404, f"no conversation {session_id!r}")
    return ConversationOut(session_id=session_id, history=[HistoryMessage.of(entry) for entry in history])


@router.delete(
    "/conversations/{session_id}",
    status_code=204,
    tags=["conversations"],
    dependencies=PerConversation,
    responses=error_responses(422, 503),
)
async def delete_conversation(session_id: SessionId, services: ServicesDep) -> Response:
    """Forget a conversation."""
    await services.store.delete(session_id)
    return Response(status_code=204)


@router.post("/parse", tags=["nlu"], responses=error_responses(408, 413, 422, 503))
async def parse(
    message: MessageIn,
    services: ServicesDep,
    explain: Annotated[bool, Query(description="add why: words and contexts behind the intent")] = False,
    session_id: Annotated[
        str | None, Query(pattern=SESSION_ID_PATTERN, description="judge contexts as in this conversation")
    ] = None,
) -> dict[str, Any]:
    """What the model understands of a text: the Snips-shaped parse with ranked alternatives.

    With ``explain=true``, an ``explanation`` says which words pushed the chosen intent and the
    runner-up, and which contexts made each candidate eligible: none are active unless
    ``session_id`` names a conversation, which is read but not changed.
    """
    text, brain = checked_text(message, services), services.brains.current
    threads = services.engine.parse_threads  # CPU work, off the event loop (its cost: nlu.explain's bound)
    result = (await anyio.to_thread.run_sync(brain.model.parse, text, limiter=threads)).to_json()
    if explain:
        if session_id:
            await services.limiter.hit(Dimension.CONVERSATION, session_id)
        stored = await services.store.get(session_id) if session_id else None
        session = stored or services.store.new_session(session_id or "explain")
        explanation = await anyio.to_thread.run_sync(
            explain_message, services.engine, brain, text, session, limiter=threads
        )
        result["explanation"] = explanation.model_dump()
    return result


@router.get(
    "/model",
    response_model=ModelOut | ModelSummary,
    tags=["nlu"],
    responses=error_responses(403),
    openapi_extra={"security": [{}]},  # the admin key is optional here: without it, the summary
)
async def get_model(services: ServicesDep, admin: Annotated[bool, Depends(is_admin)]) -> ModelOut | ModelSummary:
    """The model being served: its version and status to anyone; with the admin key, its details and
    live reload's state (under way, last result, last error with file and line)."""
    info, reloader = services.brains.current.model.info, services.reloader
    if not admin:
        status: ModelStatus = "reloading" if reloader.progress else "reload_failed" if reloader.last_error else "ok"
        return ModelSummary(content_hash=info.content_hash, status=status)
    return ModelOut(
        **info.model_dump(),
        watching=services.settings.watch,
        reloading=reloader.progress,
        last_reload=reloader.last_result,
        last_error=reloader.last_error,
    )


@router.post(
    "/model/reload",
    response_model=ReloadResult,
    tags=["nlu"],
    dependencies=[Depends(require_admin)],
    responses={
        **error_responses(401, 403),
        422: {"model": ReloadResult, "description": "broken content: the old model serves on"},
    },
)
async def reload_model(services: ServicesDep) -> JSONResponse:
    """Check the bot folder again, train a new model if it changed and serve it (admin key needed).

    Answers once the reload is over; conversations keep their contexts. Broken content keeps
    the previous model serving and answers 422 with each problem's file and line.
    """
    result = await services.reloader.reload()
    return JSONResponse(result.model_dump(mode="json"), status_code=422 if result.status == "failed" else 200)
