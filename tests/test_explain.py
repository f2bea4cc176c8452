"""Explanations: the words that matter for the seed's sentences, and the contexts behind a choice."""

from __future__ import annotations

import math
from pathlib import Path

import httpx
import pytest

from channels import Settings, create_app
from dialogue import ActiveContext, Brain, BrainHolder, DialogueEngine, MemoryStore
from dialogue.explain import Explanation, explain
from nlu import Model, load_bot
from tests.support import API_KEY_HEADERS, DEMO_BOT, ServerProcess, run_cli


@pytest.fixture(scope="module")
def engine(demo_model_dir: Path) -> DialogueEngine:
    bot = load_bot(DEMO_BOT)
    return DialogueEngine(BrainHolder(Brain(bot, Model.load(demo_model_dir))), MemoryStore(3600))


def why(engine: DialogueEngine, text: str, *contexts: str) -> Explanation:
    session = engine.store.new_session("explain")
    session.contexts = [ActiveContext(name=name, turns_left=1, expires_at=math.inf) for name in contexts]
    return explain(engine, engine.brains.current, text, session)


def strongest(explanation: Explanation, intent: str, count: int) -> set[str]:
    [words] = [w for w in explanation.words if w.intent == intent]
    ranked = sorted(words.words, key=lambda word: word.log_odds, reverse=True)
    return {word.word for word in ranked[:count]}


@pytest.mark.parametrize(
    ("text", "intent", "words"),
    [
        ("je voudrais louer un scooter", "location", {"louer"}),
        # "vous", a pronoun, pushes least (which of the three others leads moves with the content).
        ("Quels scooter avez-vous ?", "scooter", {"Quels", "scooter", "avez"}),
        ("Qu'est-ce que vous louez ?", "scooter", {"louez"}),
        ("Vous ouvrez à quelle heure ?", "horaires", {"ouvrez"}),
    ],
)
def test_the_seed_sentences_are_explained_by_their_meaningful_words(
    engine: DialogueEngine, text: str, intent: str, words: set[str]
) -> None:
    explanation = why(engine, text)
    assert explanation.intent == intent
    assert strongest(explanation, intent, len(words)) == words
    chosen, runner_up = explanation.words
    assert chosen.intent == intent and runner_up.intent != intent
    pushes = {word.word: word.push for word in chosen.words}
    assert all(pushes[word] > 0 for word in words)


def test_a_word_pushes_the_runner_up_away(engine: DialogueEngine) -> None:
    # Renting and booking share "scooter": "louer" is what tells them apart.
    explanation = why(engine, "je voudrais louer un scooter")
    assert explanation.intent == "location"
    location, reservation = explanation.words
    assert reservation.intent == "reservation"
    pushes = {w.word: w.push for w in location.words}
    assert pushes["louer"] > 0 and pushes["scooter"] > 0
    assert {w.word: w.push for w in reservation.words}["louer"] < 0


def test_contexts_say_why_an_intent_could_not_answer(engine: DialogueEngine) -> None:
    alone = why(engine, "pour aujourd'hui")
    assert alone.fallback and alone.active_contexts == []
    assert alone.words[0].intent == "aujourd'hui"  # the model's best guess is still explained
    [day] = [c for c in alone.candidates if c.intent == "aujourd'hui"]
    assert not day.eligible and "jourlocation" in day.reason
    in_context = why(engine, "pour aujourd'hui", "jourlocation")
    assert in_context.intent == "aujourd'hui" and in_context.active_contexts == ["jourlocation"]
    [day] = [c for c in in_context.candidates if c.intent == "aujourd'hui"]
    assert day.eligible and "is active" in day.reason


def test_rest_explains_against_a_conversation_without_changing_it(demo_server: ServerProcess) -> None:
    api, key = f"{demo_server.url}/api/v1", API_KEY_HEADERS
    httpx.post(f"{api}/conversations/why-1/messages", json={"text": "je voudrais louer un scooter"}, headers=key)
    plain = httpx.post(f"{api}/parse?explain=true", json={"text": "pour aujourd'hui"}).json()
    assert plain["explanation"]["fallback"] is True
    explain = {"explain": "true", "session_id": "why-1"}
    assert httpx.post(f"{api}/parse", params=explain, json={"text": "pour aujourd'hui"}).status_code == 401
    reply = httpx.post(f"{api}/parse", params=explain, json={"text": "pour aujourd'hui"}, headers=key)
    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert body["intent"]["intentName"] == "aujourd'hui"  # the Snips JSON is still there
    assert body["explanation"]["intent"] == "aujourd'hui"
    assert body["explanation"]["active_contexts"] == ["jourlocation"]
    history = httpx.get(f"{api}/conversations/why-1", headers=key).json()["history"]
    assert len(history) == 2
    assert "explanation" not in httpx.post(f"{api}/parse", json={"text": "bonjour"}).json()
    bad = httpx.post(f"{api}/parse", params={"explain": "true", "session_id": "a b"}, json={"text": "x"})
    assert bad.status_code == 422


async def test_a_pending_slot_question_is_explained_as_the_turn_that_follows(demo_model_dir: Path) -> None:
    app = create_app(DEMO_BOT, Settings(model_dir=demo_model_dir))
    async with httpx.AsyncClient(
        headers=API_KEY_HEADERS, transport=httpx.ASGITransport(app=app), base_url="http://localhost"
    ) as client:
        talk = "/api/v1/conversations/booking-1/messages"
        asked = (await client.post(talk, json={"text": "je voudrais réserver un scooter"})).json()
        assert asked["responses"] == ["Pour quelle date souhaitez-vous réserver ?"]
        readings = []
        for text in ("le 14 juillet 2030", "rose"):
            explained = await client.post(
                "/api/v1/parse", params={"explain": "true", "session_id": "booking-1"}, json={"text": text}
            )
            assert explained.status_code == 200, explained.text
            why = explained.json()["explanation"]
            turn = (await client.post(talk, json={"text": text})).json()
            assert why["intent"] == turn["intent"]["name"] == "reservation"
            assert (why["slots"], why["fallback"], why["action"]) == (
                turn["slots"],
                False,
                turn["action"] and turn["action"]["name"],
            )
            if why["action"] is None:  # an action's answer is known once it is called, by the turn
                assert (why["responses"], why["quick_replies"]) == (turn["responses"], turn["quick_replies"])
            readings.append(why["understood_as"])
        assert readings[1] in ("answer_by_model", "answer_by_entity")
        assert (why["action"], why["responses"]) == ("reserver", [])  # the colour completes the booking
        assert turn["slots"]["couleur"]["value"] == {"kind": "Custom", "value": "rose"}
        assert set(turn["slots"]["couleur"]) == {"entity", "rawValue", "value", "text"}  # the seed's JSON shape
        history = (await client.get("/api/v1/conversations/booking-1")).json()["history"]
        assert len(history) == 6, "explaining takes no turn"


def test_cli_explains_in_plain_text_when_piped(demo_model_dir: Path) -> None:
    result = run_cli("parse", "--explain", "--model-dir", demo_model_dir, DEMO_BOT, "je voudrais louer un scooter")
    assert result.returncode == 0, result.stderr
    first, chosen = result.stdout.splitlines()[:2]
    assert first.startswith("location")
    assert "louer(+" in chosen and "scooter(+" in chosen
    assert "\033[" not in result.stdout
