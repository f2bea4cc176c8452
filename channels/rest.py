"""The REST channel under ``/api/v1``: conversations, parsing, the model being served."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response
from fastapi.responses import JSONResponse

from channels.schemas import (
    LOG_ERRORS,
    SESSION_ID_PATTERN,
    ConversationExport,
    ConversationOut,
    HistoryMessage,
    IntentOut,
    MessageIn,
    ModelOut,
    SessionId,
    TextRefused,
    TurnOut,
    check_user_text,
    error_responses,
)
from channels.server.admin import require_admin
from channels.server.reload import ReloadResult
from channels.server.services import Services, get_services
from conversation_log import Analytics, ConversationLog
from dialogue.explain import explain as explain_message

router = APIRouter(prefix="/api/v1")
ServicesDep = Annotated[Services, Depends(get_services)]


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
    responses=error_responses(413, 422, 503),
)
async def post_message(session_id: SessionId, message: MessageIn, services: ServicesDep) -> TurnOut:
    """Send a user message to a conversation and get the bot's reply."""
    turn = await services.engine.handle(session_id, checked_text(message, services), channel="rest")
    return TurnOut(
        session_id=turn.session_id,
        messages=turn.messages,
        responses=turn.responses,
        intent=None if turn.intent is None else IntentOut(name=turn.intent, probability=turn.probability),
        contexts=turn.contexts,
        slots=turn.slots,
        quick_replies=turn.quick_replies,
        action=turn.action,
    )


@router.get(
    "/conversations/{session_id}",
    response_model=ConversationOut,
    tags=["conversations"],
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
    responses=error_responses(422, 503),
)
async def delete_conversation(session_id: SessionId, request: Request, services: ServicesDep) -> Response:
    """Forget a conversation: its session and its records in the conversation log (RGPD erasure).

    Anyone holding the conversation id may erase it (the visitor's widget keeps it), as may the
    admin key. A 503 means the log's database could not be reached: nothing is promised, try again.
    """
    await services.store.delete(session_id)
    if services.log is not None:
        await services.log.erase(session_id)
    return Response(status_code=204, headers=_erase_cors(request, services))


@router.options("/conversations/{session_id}", include_in_schema=False)
async def conversation_preflight(request: Request, services: ServicesDep) -> Response:
    """The browser's question before the widget, on a page of another allowed site, erases its
    conversation (the allowed origins are the chat WebSocket's)."""
    headers = _erase_cors(request, services)
    if headers:
        headers |= {"Access-Control-Allow-Methods": "DELETE", "Access-Control-Max-Age": "600"}
    return Response(status_code=204, headers=headers)


def _erase_cors(request: Request, services: ServicesDep) -> dict[str, str]:
    """CORS headers letting an allowed page's script delete a conversation; none for others."""
    origin = request.headers.get("origin")
    if origin is None or not services.origins.allows(origin, request.headers.get("host")):
        return {}
    return {"Access-Control-Allow-Origin": origin, "Vary": "Origin"}


def conversation_log(services: Services) -> ConversationLog:
    """The served log, or a 404 saying it is off."""
    if services.log is None:
        raise HTTPException(404, "the conversation log is off (CAUSETTE_CONVERSATION_LOG=false)")
    return services.log


@router.get(
    "/conversations/{session_id}/export",
    response_model=ConversationExport,
    tags=["conversations", "conversation log"],
    dependencies=[Depends(require_admin)],
    responses={**error_responses(401, 403, 422), **LOG_ERRORS},
)
async def export_conversation(session_id: SessionId, services: ServicesDep) -> ConversationExport:
    """Everything stored about a conversation, as JSON (admin key needed): its session and its log rows.

    Texts in the log are masked (e-mail addresses, phone numbers, IBANs, card and social security
    numbers); the session holds the visitor's own words until it expires or is erased.
    """
    rows = await conversation_log(services).export(session_id)
    history = await services.engine.history(session_id)
    session = None if history is None else [HistoryMessage.of(entry) for entry in history]
    return ConversationExport(session_id=session_id, session=session, log=rows)


@router.get(
    "/analytics",
    response_model=Analytics,
    tags=["conversation log"],
    dependencies=[Depends(require_admin)],
    responses={**error_responses(401, 403, 422), **LOG_ERRORS},
)
async def get_analytics(
    services: ServicesDep,
    since: Annotated[date | None, Query(description="first day counted (UTC), e.g. 2026-11-01")] = None,
    until: Annotated[date | None, Query(description="last day counted (UTC)")] = None,
) -> Analytics:
    """The bot's figures from the conversation log (admin key needed): conversations, messages,
    fallback and handoff rates, action failures, top intents, per day, per channel."""
    if since is not None and until is not None and since > until:
        raise HTTPException(422, f"since ({since}) is after until ({until})")
    return await conversation_log(services).analytics(since, until)


@router.get(
    "/conversation-log",
    tags=["conversation log"],
    dependencies=[Depends(require_admin)],
    responses={**error_responses(401, 403), 404: LOG_ERRORS[404]},
)
async def get_log_status(services: ServicesDep) -> dict[str, Any]:
    """The log's metrics (admin key needed): events recorded, written, dropped, waiting; database up."""
    return conversation_log(services).status()


@router.post("/parse", tags=["nlu"], responses=error_responses(413, 422, 503))
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
    result = brain.model.parse(text).to_json()
    if explain:
        stored = await services.store.get(session_id) if session_id else None
        session = stored or services.store.new_session(session_id or "explain")
        result["explanation"] = explain_message(services.engine, brain, text, session).model_dump()
    return result


@router.get("/model", response_model=ModelOut, tags=["nlu"])
async def get_model(services: ServicesDep) -> ModelOut:
    """The model being served, and live reload's state: under way, last result, last error."""
    info, reloader = services.brains.current.model.info, services.reloader
    return ModelOut(
        **info.model_dump(),
        watching=services.settings.watch,
        reloading=reloader.progress,
        last_reload=reloader.last_result,
        last_error=reloader.last_error,
        shared=services.shared.state if services.shared else None,
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
