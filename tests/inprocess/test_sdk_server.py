"""The SDK's action endpoint refuses forged, replayed and expired calls (401) before any action runs."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from causette_sdk import SIGNATURE_HEADER, ActionRequest, ActionResponse, SignatureVerifier, TextMessage, sign
from causette_sdk.server import ActionRouter
from causette_sdk.signature import SignatureError
from tests.support import REPO

SECRET = "s3cret-partagé"
REQUEST = {
    "version": 1,
    "bot": "Causette Scooters",
    "action": "disponibilite",
    "conversation_id": "visitor-42",
    "channel": "rest",
    "text": "un scooter rose est-il libre samedi ?",
    "intent": {"name": "reservation", "probability": 0.93},
    "slots": {
        "couleur": {
            "entity": "couleur",
            "rawValue": "rose",
            "value": {"kind": "Custom", "value": "rose"},
            "text": "rose",
        }
    },
    "contexts": [],
}


@pytest.fixture
def served() -> tuple[TestClient, list[ActionRequest]]:
    """An action server with one action that records what it receives."""
    received: list[ActionRequest] = []
    actions = ActionRouter(secret=SECRET)

    @actions.action("disponibilite")
    async def disponibilite(request: ActionRequest) -> ActionResponse:
        received.append(request)
        return ActionResponse(messages=[TextMessage(text="Oui, un scooter rose est libre.")], set_slots={"libre": True})

    app = FastAPI()
    app.include_router(actions.router)
    return TestClient(app), received


def post(client: TestClient, body: bytes, signature: str | None) -> tuple[int, Any]:
    headers = {"content-type": "application/json"} | ({SIGNATURE_HEADER: signature} if signature else {})
    answer = client.post("/actions", content=body, headers=headers)
    return answer.status_code, answer.json()


def test_a_signed_request_runs_its_action(served: tuple[TestClient, list[ActionRequest]]) -> None:
    client, received = served
    body = json.dumps(REQUEST).encode()
    status, answer = post(client, body, sign(SECRET, body))
    assert status == 200
    assert [(m["type"], m["text"]) for m in answer["messages"]] == [("text", "Oui, un scooter rose est libre.")]
    assert answer["set_slots"] == {"libre": True}
    assert received[0].slots["couleur"].value == {"kind": "Custom", "value": "rose"}


@pytest.mark.parametrize(
    ("signature", "reason"),
    [
        (None, "missing"),
        ("v1=abc", "malformed"),
        ("t=notanumber,v1=abc", "malformed"),
        (lambda body: sign("another secret", body), "mismatch"),  # forged: the wrong key
        (lambda body: sign(SECRET, body + b" "), "mismatch"),  # the body was changed after signing
        (lambda body: sign(SECRET, body, int(time.time()) - 3600), "expired"),
        (lambda body: sign(SECRET, body, int(time.time()) + 3600), "expired"),  # from the future
    ],
)
def test_forged_and_expired_calls_are_refused(
    served: tuple[TestClient, list[ActionRequest]], signature: str | Callable[[bytes], str] | None, reason: str
) -> None:
    client, received = served
    body = json.dumps(REQUEST).encode()
    header = signature(body) if callable(signature) else signature
    status, answer = post(client, body, header)
    assert (status, answer) == (401, {"detail": f"signature refused: {reason}"})
    assert received == []


def test_a_replayed_request_is_refused(served: tuple[TestClient, list[ActionRequest]]) -> None:
    client, received = served
    body = json.dumps(REQUEST).encode()
    signature = sign(SECRET, body)
    assert post(client, body, signature)[0] == 200
    assert post(client, body, signature) == (401, {"detail": "signature refused: replayed"})
    assert len(received) == 1
    # The same body signed anew (another second) is a new request.
    assert post(client, body, sign(SECRET, body, int(time.time()) - 1))[0] == 200


def test_unknown_actions_and_bodies_outside_the_protocol(served: tuple[TestClient, list[ActionRequest]]) -> None:
    client, _ = served
    unknown = json.dumps(REQUEST | {"action": "annuler"}).encode()
    assert post(client, unknown, sign(SECRET, unknown)) == (404, {"detail": "no action 'annuler'"})
    broken = json.dumps({"version": 1, "action": "disponibilite"}).encode()
    status, answer = post(client, broken, sign(SECRET, broken))
    assert status == 422 and any(issue["loc"] == ["conversation_id"] for issue in answer["detail"])


def test_the_replay_memory_forgets_what_the_window_refuses_anyway() -> None:
    now = [1_000_000.0]
    verifier = SignatureVerifier(SECRET, tolerance_seconds=60, clock=lambda: now[0])
    for second in range(100):
        verifier.verify(sign(SECRET, b"{}", 1_000_000 + second), b"{}")
        now[0] += 1
    assert len(verifier._seen) <= 61
    with pytest.raises(SignatureError) as refused:
        verifier.verify(sign(SECRET, b"{}", 1_000_000 + 99), b"{}")
    assert refused.value.reason == "replayed"


def test_two_alike_requests_in_one_second_are_not_a_replay(served: tuple[TestClient, list[ActionRequest]]) -> None:
    # The same visitor asking the same thing twice within a second: each request has its own id,
    # so its own signature, and neither looks like a replay of the other.
    client, received = served
    fields = {key: value for key, value in REQUEST.items() if key != "version"}
    now = int(time.time())
    for _ in range(2):
        body = ActionRequest.model_validate(fields).model_dump_json().encode()
        assert post(client, body, sign(SECRET, body, now))[0] == 200
    assert len(received) == 2 and received[0].request_id != received[1].request_id


def test_the_readme_example_is_a_working_action_server(monkeypatch: pytest.MonkeyPatch) -> None:
    readme = (REPO / "sdk" / "README.md").read_text(encoding="utf-8")
    (example,) = re.findall(r"```python\n(# shop_actions\.py.*?)```", readme, re.DOTALL)
    monkeypatch.setenv("CAUSETTE_ACTIONS_SECRET", SECRET)
    namespace: dict[str, Any] = {}
    exec(compile(example, "sdk/README.md", "exec"), namespace)
    client = TestClient(namespace["app"])
    date: dict[str, Any] = {"entity": "snips/datetime", "rawValue": "samedi", "text": "le samedi 5 décembre 2026"}
    date["value"] = {"kind": "InstantTime", "value": "2026-12-05 00:00:00 +00:00", "grain": "Day"}
    request: dict[str, Any] = json.loads(json.dumps(REQUEST))
    request["action"], request["slots"]["date"] = "reserver", date
    body = json.dumps(request).encode()
    status, answer = post(client, body, sign(SECRET, body))
    assert status == 200 and answer["set_slots"] == {"numero": "R-2041"}
    assert answer["messages"][0]["text"] == "C'est réservé : un scooter rose, le samedi 5 décembre 2026."
    again = json.dumps(json.loads(body) | {"conversation_id": "visitor-43"}).encode()
    status, answer = post(client, again, sign(SECRET, again))
    assert status == 200 and answer["ask_slot"] == "couleur"
