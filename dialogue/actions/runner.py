"""How the engine calls actions: an :class:`ActionRunner`, chosen by whoever builds the engine.

A server injects :class:`~dialogue.actions.http.HttpActionRunner` (signed HTTP calls); conversation
tests inject :class:`ScriptedActionRunner`, which answers what the test declares for the turn, so
that content authors test their bot without its backend.
"""

from __future__ import annotations

from typing import Protocol

from causette_sdk.protocol import ActionRequest, ActionResponse
from dialogue.actions.faults import ActionFault
from nlu.config import ActionsConfig


class ActionRunner(Protocol):
    """Runs one action call: its validated response, or ActionFault saying why there is none."""

    async def call(self, config: ActionsConfig, request: ActionRequest) -> ActionResponse:
        """Call ``request.action`` where ``config`` says actions live."""
        ...


class NoActionRunner:
    """For engines built without actions: every call is a fault (the intent's unavailable answer)."""

    async def call(self, config: ActionsConfig, request: ActionRequest) -> ActionResponse:
        """Always ActionFault: nothing can run actions here."""
        raise ActionFault("not_configured", "this engine runs no actions")


class ScriptedActionRunner:
    """Answers each call with the result set for the coming turn by :meth:`expect`, once."""

    def __init__(self) -> None:
        self._next: ActionResponse | ActionFault | None = None
        self.calls: list[ActionRequest] = []

    def expect(self, result: ActionResponse | ActionFault | None) -> None:
        """What the next call returns (or raises); None: a call is a ``no_result`` fault."""
        self._next = result

    async def call(self, config: ActionsConfig, request: ActionRequest) -> ActionResponse:
        """The scripted result, used up by this call."""
        self.calls.append(request)
        result, self._next = self._next, None
        if result is None:
            raise ActionFault("no_result", f"no action_result declared for action {request.action!r} in this turn")
        if isinstance(result, ActionFault):
            raise result
        return result
