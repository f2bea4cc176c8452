"""How the engine applies an action's response to the turn, with a scripted action runner: messages,
slots and contexts set and cleared, the next question, and every response it must refuse."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from causette_sdk import ActionRequest, ActionResponse, IntentInfo
from channels.cli.terminal import Palette, explanation_lines
from dialogue import DialogueEngine
from dialogue.actions import DEFAULT_UNAVAILABLE, ActionFault, HttpActionRunner, ScriptedActionRunner
from dialogue.explain import explain
from nlu import Model, load_bot
from nlu.config import ActionsConfig
from tests.support import DEMO_BOT

BOOKING = "je voudrais réserver un scooter rose pour samedi"
UNAVAILABLE = (
    "Je ne peux pas vérifier nos disponibilités pour le moment. Réessayez dans quelques minutes, "
    "ou appelez-nous au 01 06 07 08 09."
)


@pytest.fixture
def scripted() -> ScriptedActionRunner:
    return ScriptedActionRunner()


@pytest.fixture
def engine(demo_model_dir: Path, scripted: ScriptedActionRunner) -> DialogueEngine:
    return DialogueEngine.in_memory(load_bot(DEMO_BOT), Model.load(demo_model_dir), scripted)


async def test_the_request_carries_the_message_intent_slots_and_history(
    engine: DialogueEngine, scripted: ScriptedActionRunner
) -> None:
    await engine.handle("s", "bonjour")
    scripted.expect(ActionResponse.model_validate({"messages": [{"type": "text", "text": "Réservé."}]}))
    turn = await engine.handle("s", BOOKING, channel="websocket")
    (request,) = scripted.calls
    assert (request.action, request.bot, request.conversation_id, request.channel, request.text) == (
        "reserver",
        "Causette Scooters",
        "s",
        "websocket",
        BOOKING,
    )
    assert request.intent.name == "reservation"
    assert request.slots["couleur"].value == {"kind": "Custom", "value": "rose"}
    assert request.slots["date"].entity == "snips/datetime"
    assert [entry.role for entry in request.history] == ["user", "bot"]
    assert turn.responses == ["Réservé."]
    assert turn.action is not None and (turn.action.name, turn.action.outcome) == ("reserver", "ok")


async def test_slots_and_contexts_set_and_cleared(engine: DialogueEngine, scripted: ScriptedActionRunner) -> None:
    await engine.handle("s", "je voudrais louer un scooter")  # sets jourlocation
    scripted.expect(
        ActionResponse.model_validate(
            {
                "messages": [{"type": "text", "text": "C'est noté."}],
                "set_slots": {"numero": "R-2041", "places": 2},
                "clear_slots": ["date"],
                "set_contexts": [{"name": "apres_reservation", "lifespan": 2}],
                "clear_contexts": ["jourlocation"],
            }
        )
    )
    turn = await engine.handle("s", BOOKING)
    assert set(turn.slots) == {"couleur", "numero", "places"}
    assert turn.slots["numero"].text == "R-2041" and turn.slots["places"].value == {"kind": "Number", "value": 2}
    assert turn.contexts == ["apres_reservation"]
    assert turn.action is not None and turn.action.changes.model_dump() == {
        "slots_set": ["numero", "places"],
        "slots_cleared": ["date"],
        "contexts_set": ["apres_reservation"],
        "contexts_cleared": ["jourlocation"],
        "asked": None,
    }


async def test_ask_slot_asks_the_slots_own_question_then_calls_again(
    engine: DialogueEngine, scripted: ScriptedActionRunner
) -> None:
    scripted.expect(ActionResponse(ask_slot="couleur"))
    asked = await engine.handle("s", BOOKING)
    assert asked.responses == ["Quelle couleur préférez-vous : bleu, vert ou rose ?"]
    assert asked.quick_replies == ["Bleu", "Vert", "Rose"]
    assert "couleur" not in asked.slots
    scripted.expect(ActionResponse.model_validate({"messages": [{"type": "text", "text": "Un vert, c'est noté."}]}))
    answered = await engine.handle("s", "vert")
    assert answered.responses == ["Un vert, c'est noté."]
    assert scripted.calls[-1].slots["couleur"].value == {"kind": "Custom", "value": "vert"}


async def test_no_messages_means_the_intents_own_response(
    engine: DialogueEngine, scripted: ScriptedActionRunner
) -> None:
    scripted.expect(ActionResponse())
    turn = await engine.handle("s", BOOKING)
    assert "scooter rose" in turn.responses[0] and turn.action is not None and turn.action.outcome == "ok"


@pytest.mark.parametrize(
    ("response", "reason"),
    [
        ({"ask_slot": "taille"}, "ask_slot 'taille' is not a slot of 'reservation' with a prompt"),
        ({"ask_slot": "numero"}, "ask_slot 'numero' is not a slot of 'reservation' with a prompt"),
    ],
)
async def test_a_response_asking_what_the_intent_lacks_is_a_fault(
    engine: DialogueEngine, scripted: ScriptedActionRunner, response: dict[str, object], reason: str
) -> None:
    scripted.expect(ActionResponse.model_validate(response))
    turn = await engine.handle("s", BOOKING)
    assert turn.responses == [UNAVAILABLE]
    assert turn.action is not None and (turn.action.outcome, turn.action.reason) == ("invalid_response", reason)


async def test_a_fault_keeps_the_slots_and_asks_nothing(engine: DialogueEngine, scripted: ScriptedActionRunner) -> None:
    scripted.expect(ActionFault("timeout", "no answer within 3 s"))
    turn = await engine.handle("s", BOOKING)
    assert turn.responses == [UNAVAILABLE] and set(turn.slots) == {"couleur", "date"}
    assert (await engine.handle("s", "vous ouvrez à quelle heure ?")).intent == "horaires"


async def test_an_intent_without_unavailable_responses_gets_the_french_default(
    engine: DialogueEngine, scripted: ScriptedActionRunner
) -> None:
    engine.brains.current.intents["reservation"].unavailable.clear()
    scripted.expect(ActionFault("unreachable", "connection refused"))
    assert (await engine.handle("s", BOOKING)).responses == [DEFAULT_UNAVAILABLE]


@pytest.mark.parametrize(
    "response",
    [
        {"messages": [{"type": "buttons", "text": "Voir", "buttons": [{"label": "x", "url": "javascript:alert(1)"}]}]},
        {"messages": [{"type": "image", "url": "data:image/png;base64,AAAA", "alt": "x"}]},
        {"messages": [{"type": "text", "text": "a" * 50_000}]},
        {"messages": [{"type": "video", "url": "https://x"}]},
        {"messages": [{"type": "text", "text": "ok"}] * 11},
        {"set_slots": {"mauvais nom": "x"}},
        {"redirect": "https://x"},
    ],
)
def test_hostile_or_malformed_responses_are_refused_by_the_schema(response: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        ActionResponse.model_validate(response)


def test_markup_is_accepted_as_plain_text() -> None:
    markup = "<script>alert(1)</script><b>gras</b>"
    parsed = ActionResponse.model_validate({"messages": [{"type": "text", "text": markup}]})
    assert parsed.messages[0].model_dump()["text"] == markup


def test_an_explanation_names_the_action_without_calling_it(
    engine: DialogueEngine, scripted: ScriptedActionRunner
) -> None:
    why = explain(engine, engine.brains.current, BOOKING, engine.store.new_session("x"))
    assert (why.intent, why.action, why.responses) == ("reservation", "reserver", [])
    assert scripted.calls == []
    assert "  action: reserver answers (called when the turn is taken)" in explanation_lines(why, Palette(False))


async def test_a_timeout_reaching_the_lock_after_a_reload_is_never_waited_for() -> None:
    # The server refuses such a bot at start; a reload could bring one: the runner calls nothing.
    runner = HttpActionRunner.pooled({"SECRET": "s"}, lock_seconds=2)
    config = ActionsConfig.model_validate(
        {"url": "http://127.0.0.1:9/actions", "secret_env": "SECRET", "timeout_seconds": 2}
    )
    request = ActionRequest(
        bot="b", action="a", conversation_id="c", channel="rest", text="t", intent=IntentInfo(name="i", probability=1)
    )
    with pytest.raises(ActionFault) as fault:
        await runner.call(config, request)
    await runner.close()
    assert (fault.value.kind, fault.value.reason) == (
        "not_configured",
        "timeout_seconds 2 reaches the session lock time (2 s)",
    )
