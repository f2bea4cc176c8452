"""Why an action call gave no usable answer."""

from __future__ import annotations

from typing import Literal

FaultKind = Literal[
    "not_configured",  # no URL for the action, or its secret is not in the environment
    "circuit_open",  # the endpoint kept failing: not called until the breaker's pause is over
    "unreachable",  # the connection was refused (after one retry) or the host is unknown
    "timeout",  # no complete answer within the bot's timeout_seconds
    "http_status",  # an answer, but not 2xx
    "too_large",  # an answer larger than the runner accepts
    "invalid_json",  # an answer that is not JSON
    "invalid_response",  # JSON outside the protocol's schema, or naming what the intent lacks
    "no_result",  # a conversation test declared no action_result for the turn
]


class ActionFault(Exception):
    """An action call that failed; the visitor gets the intent's ``unavailable`` answer instead."""

    def __init__(self, kind: FaultKind, reason: str) -> None:
        super().__init__(f"{kind}: {reason}")
        self.kind: FaultKind = kind
        self.reason = reason
