"""Actions: an intent's answer computed by the company's own action server.

``runner`` is how the engine calls an action (over HTTP in a server, scripted in conversation
tests), ``http`` the signed HTTP client, ``breaker`` one circuit breaker per endpoint, ``turn``
the request built from a planned turn and the response applied to it.
"""

from dialogue.actions.breaker import Breakers
from dialogue.actions.faults import ActionFault, FaultKind
from dialogue.actions.http import HttpActionRunner
from dialogue.actions.runner import ActionRunner, NoActionRunner, ScriptedActionRunner
from dialogue.actions.turn import (
    DEFAULT_UNAVAILABLE,
    ActionCall,
    ActionChanges,
    ActionReport,
    action_request,
    run_action,
)

__all__ = [
    "DEFAULT_UNAVAILABLE",
    "ActionCall",
    "ActionChanges",
    "ActionFault",
    "ActionReport",
    "ActionRunner",
    "Breakers",
    "FaultKind",
    "HttpActionRunner",
    "NoActionRunner",
    "ScriptedActionRunner",
    "action_request",
    "run_action",
]
