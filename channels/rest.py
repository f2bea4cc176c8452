"""The REST channel under ``/api/v1``: conversations, parsing, the model being served."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

import anyio
from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response
from fastapi.responses import JSONResponse

from channels.schemas import (
    LOG_ERRORS,
    SESSION_ID_PATTERN,
    ConversationExport,
    ConversationOut,
    HistoryMessage,
    IntentOut,
    IsoDay,
    MessageIn,
    ModelOut,
    ModelStatus,
    ModelSummary,
    OpenedOut,
    RefusedOut,
    SessionId,
    TextRefused,
    TurnOut,
    check_user_text,
    error_responses,
)
from channels.server.admin import is_admin, require_admin
from channels.server.api_keys import digest, new_secret
from channels.server.ownership import (
    TOKEN_HEADER,
    Caller,
    ConversationAccessDep,
    NotYours,
    OwnerKey,
    access_to,
    not_found,
    optional_caller,
)
from channels.server.ratelimit import Dimension
from channels.server.reload import ReloadResult
from channels.server.services import Services, get_services
from conversation_log import Analytics, ConversationLog
from dialogue import Session, Turn
from dialogue.explain import explain as explain_message

router = APIRouter(prefix="/api/v1")
# A key is optional here: visitors send none (the schema's security says so, for clients and fuzzers).
OPTIONAL_KEY: dict[str, Any] = {"security": [{}, {"HTTPBearer": []}]}
ServicesDep = Annotated[Services, Depends(get_services)]


def checked_text(message: MessageIn, services: Services) -> str:
    """The message text, or a 422 saying why it is refused (empty, too long)."""
    try:
        return check_user_text(message.text, services.settings.max_text_chars)
    except TextRefused as refused:
        raise HTTPException(422, str(refused)) from None


def turn_out(session_id: str, turn: Turn) -> TurnOut:
    """The API shape of a turn of conversation ``session_id`` (as its caller names it)."""
    return TurnOut(
        session_id=session_id,
        messages=turn.messages,
        responses=turn.responses,
        intent=None if turn.intent is None else IntentOut(name=turn.intent, probability=turn.probability),
        contexts=turn.contexts,
        slots=turn.slots,
        quick_replies=turn.quick_replies,
        action=turn.action,
    )


@router.post(
    "/conversations",
    response_model=OpenedOut,
    status_code=201,
    tags=["conversations"],
    responses=error_responses(401, 403, 422, 503),
    openapi_extra=OPTIONAL_KEY,
)
async def open_conversation(
    message: MessageIn, services: ServicesDep, caller: Annotated[Caller | None, Depends(optional_caller)]
) -> OpenedOut:
    """Open a conversation with its first message: the server chooses its id and, for a visitor
    (no credentials), returns the token every later request of it needs."""
    if caller is not None and caller.kind == "admin":
        raise HTTPException(403, "the admin key reads and erases conversations; it does not open them")
    text, session_id = checked_text(message, services), uuid.uuid4().hex
    token = new_secret() if caller is None else None
    owner = caller or Caller("visitor", token=token)
    await services.limiter.hit(Dimension.CONVERSATION, owner.store_id(session_id))

    def claim(session: Session) -> None:
        session.token_hash = None if token is None else digest(token)

    turn = await services.engine.handle(
        owner.store_id(session_id), text, "rest", message_id=message.message_id, guard=claim
    )
    return OpenedOut(**turn_out(session_id, turn).model_dump(), conversation_token=token)


@router.post(
    "/conversations/{session_id}/messages",
    response_model=TurnOut,
    tags=["conversations"],
    responses=error_responses(401, 403, 404, 422, 503),
)
async def post_message(
    session_id: SessionId, message: MessageIn, services: ServicesDep, access: ConversationAccessDep
) -> TurnOut:
    """Send a user message to a conversation and get the bot's reply. A visitor's conversation
    needs its token; an API key may choose the id, which opens the conversation if it is new."""
    if access.caller.kind == "admin":
        raise HTTPException(403, "the admin key reads and erases conversations; it does not speak in them")
    text = checked_text(message, services)
    try:
        turn = await services.engine.handle(
            access.store_id, text, "rest", message_id=message.message_id, guard=access.guard()
        )
    except NotYours:
        raise not_found(session_id) from None
    return turn_out(session_id, turn)


@router.get(
    "/conversations/{session_id}",
    response_model=ConversationOut,
    tags=["conversations"],
    responses=error_responses(401, 404, 422, 503),
)
async def get_conversation(
    session_id: SessionId, services: ServicesDep, access: ConversationAccessDep
) -> ConversationOut:
    """A conversation's recent history (404 when unknown, expired or not the caller's)."""
    await access.session(services)
    history = await services.engine.history(access.store_id)
    if history is None:
        raise not_found(session_id)
    return ConversationOut(session_id=session_id, history=[HistoryMessage.of(entry) for entry in history])


@router.delete(
    "/conversations/{session_id}",
    status_code=204,
    tags=["conversations"],
    responses=error_responses(401, 404, 422, 503),
)
async def delete_conversation(
    session_id: SessionId, request: Request, services: ServicesDep, access: ConversationAccessDep
) -> Response:
    """Forget a conversation: its session and its records in the conversation log (RGPD erasure).

    204, also when there is none (an API key's or the admin's erasure is idempotent); a visitor
    gets 404 when it is unknown, expired or not theirs. A 503 means the log's database could not
    be reached: nothing is promised, try again.
    """
    if access.caller.kind == "visitor":
        await access.session(services)
    await services.store.delete(access.store_id)
    if services.log is not None:
        await services.log.erase(access.store_id)
    return Response(status_code=204, headers=_erase_cors(request, services))


@router.options("/conversations/{session_id}", include_in_schema=False)
async def conversation_preflight(request: Request, services: ServicesDep) -> Response:
    """The browser's question before the widget, on a page of another allowed site, erases its
    conversation (the allowed origins are the chat WebSocket's)."""
    headers = _erase_cors(request, services)
    if headers:
        headers |= {
            "Access-Control-Allow-Methods": "DELETE",
            "Access-Control-Allow-Headers": TOKEN_HEADER,  # the widget proves the conversation is its own
            "Access-Control-Max-Age": "600",
        }
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
    responses={**error_responses(401, 403, 404, 422), **LOG_ERRORS},
)
async def export_conversation(
    session_id: SessionId, services: ServicesDep, access: ConversationAccessDep
) -> ConversationExport:
    """Everything stored about a conversation, as JSON: its session and its log rows. Its owner
    (the visitor's token, the API key) or the admin key may export it; others get 404.

    Texts in the log are masked (e-mail addresses, phone numbers, IBANs, card and social security
    numbers); the session holds the visitor's own words until it expires or is erased.
    """
    log = conversation_log(services)
    if access.caller.kind == "visitor":
        await access.session(services)  # an expired conversation's log is its API key's or the admin's
    rows = await log.export(access.store_id)
    history = await services.engine.history(access.store_id)
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
    since: Annotated[IsoDay | None, Query(description="first day counted (UTC), e.g. 2026-11-01")] = None,
    until: Annotated[IsoDay | None, Query(description="last day counted (UTC)")] = None,
) -> Analytics:
    """The bot's figures from the conversation log (admin key needed): conversations, messages,
    fallback and handoff rates, action failures, top intents, per day, per channel.

    ``since`` after ``until`` is an empty period (no day counted), not an error: the schema cannot
    say that one parameter must not pass the other, and every request it allows is answered."""
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


@router.post("/parse", tags=["nlu"], responses=error_responses(401, 404, 422, 503), openapi_extra=OPTIONAL_KEY)
async def parse(
    message: MessageIn,
    services: ServicesDep,
    explain: Annotated[bool, Query(description="add why: words and contexts behind the intent")] = False,
    session_id: Annotated[
        str | None,
        Query(
            pattern=SESSION_ID_PATTERN, description="judge contexts as in this conversation (its credentials needed)"
        ),
    ] = None,
    caller: Annotated[Caller | None, Depends(optional_caller)] = None,
    owner_key: OwnerKey = None,
) -> dict[str, Any]:
    """What the model understands of a text: the Snips-shaped parse with ranked alternatives.

    With ``explain=true``, an ``explanation`` says which words pushed the chosen intent and the
    runner-up, and which contexts made each candidate eligible: none are active unless
    ``session_id`` names a conversation, which is read but not changed; it needs the credentials
    its other requests need (401 without, 404 when unknown or not the caller's).
    """
    access = await access_to(session_id, services, caller, owner_key) if explain and session_id else None
    text, brain = checked_text(message, services), services.brains.current
    threads = services.engine.parse_threads  # CPU work, off the event loop (its cost: nlu.explain's bound)
    result = (await anyio.to_thread.run_sync(brain.model.parse, text, limiter=threads)).to_json()
    if explain:
        session = await access.session(services) if access else services.store.new_session("explain")
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
        shared=services.shared.state if services.shared else None,
    )


@router.post(
    "/model/reload",
    response_model=ReloadResult,
    tags=["nlu"],
    dependencies=[Depends(require_admin)],
    responses={
        **error_responses(401, 403),
        422: {
            "model": ReloadResult | RefusedOut,
            "description": "broken content (the old model serves on), or a request body that is not strict JSON",
        },
    },
)
async def reload_model(services: ServicesDep) -> JSONResponse:
    """Check the bot folder again, train a new model if it changed and serve it (admin key needed).

    Answers once the reload is over; conversations keep their contexts. Broken content keeps
    the previous model serving and answers 422 with each problem's file and line.
    """
    result = await services.reloader.reload()
    return JSONResponse(result.model_dump(mode="json"), status_code=422 if result.status == "failed" else 200)
