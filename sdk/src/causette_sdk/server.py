"""Declare actions in a FastAPI app (``pip install causette-sdk[server]``).

```python
from fastapi import FastAPI
from causette_sdk import ActionRequest, ActionResponse, TextMessage
from causette_sdk.server import ActionRouter

actions = ActionRouter(secret=os.environ["CAUSETTE_ACTIONS_SECRET"])

@actions.action("disponibilite")
async def disponibilite(request: ActionRequest) -> ActionResponse:
    return ActionResponse(messages=[TextMessage(text="Il est libre !")])

app = FastAPI()
app.include_router(actions.router)      # POST /actions
```

Every request's signature is checked on the raw body before anything else: a forged, replayed or
expired call gets 401 and never reaches an action. An action the router does not know gets 404,
a body outside the protocol 422.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import JSONResponse
from pydantic import ValidationError

from causette_sdk.protocol import ActionRequest, ActionResponse
from causette_sdk.signature import DEFAULT_TOLERANCE_SECONDS, SIGNATURE_HEADER, SignatureError, SignatureVerifier

Action = Callable[[ActionRequest], Awaitable[ActionResponse]]

log = logging.getLogger("causette_sdk")


class ActionRouter:
    """The actions of one action server, behind one signed endpoint (``path``, default ``/actions``)."""

    def __init__(
        self,
        secret: str | bytes,
        path: str = "/actions",
        tolerance_seconds: float = DEFAULT_TOLERANCE_SECONDS,
        verifier: SignatureVerifier | None = None,
    ) -> None:
        self.verifier = verifier or SignatureVerifier(secret, tolerance_seconds)
        self.actions: dict[str, Action] = {}
        self.router = APIRouter()
        self.router.add_api_route(path, self._endpoint, methods=["POST"], include_in_schema=True, tags=["actions"])

    def action(self, name: str) -> Callable[[Action], Action]:
        """Decorator: run the decorated coroutine for requests naming action ``name``."""

        def register(function: Action) -> Action:
            if name in self.actions:
                raise ValueError(f"action {name!r} is declared twice")
            self.actions[name] = function
            return function

        return register

    async def _endpoint(self, request: Request) -> JSONResponse:
        """Check the signature, read the request, run its action, answer its response."""
        body = await request.body()
        try:
            self.verifier.verify(request.headers.get(SIGNATURE_HEADER), body)
        except SignatureError as refused:
            log.warning("refused an action call: %s (%s)", refused, refused.reason)
            raise HTTPException(401, f"signature refused: {refused.reason}") from None
        try:
            action_request = ActionRequest.model_validate_json(body)
        except ValidationError as error:
            raise HTTPException(422, error.errors(include_url=False, include_context=False)) from None
        action = self.actions.get(action_request.action)
        if action is None:
            raise HTTPException(404, f"no action {action_request.action!r}")
        response = await action(action_request)
        return JSONResponse(response.model_dump(mode="json", exclude_none=True))
