"""Required slots in a conversation: the bot asks, reads the answer next turn, and completes."""

from __future__ import annotations

import random

import pytest

from causette_sdk.messages import MESSAGE, CardMessage, TextMessage, text_form, texts_of
from dialogue import Brain, BrainHolder, DialogueEngine, MemoryStore, SlotValue
from dialogue.slots import MAX_ASKS, pick_response
from nlu import Model, load_bot
from nlu.parse_result import Slot
from nlu.templates import MessageTemplate
from tests.support import BOOKING_BOT

ASK_DATE = "Pour quelle date ?"
ASK_COLOUR = "Quelle couleur : bleu, vert ou rose ?"


@pytest.fixture
def engine(booking_model: Model) -> DialogueEngine:
    bot = load_bot(BOOKING_BOT)
    store = MemoryStore(bot.config.session_ttl_seconds)
    return DialogueEngine(BrainHolder(Brain(bot, booking_model)), store, rng=random.Random(0))


async def test_the_bot_asks_accepts_the_answer_and_completes(engine: DialogueEngine) -> None:
    first = await engine.handle("s", "je voudrais réserver un scooter")
    assert (first.intent, first.responses, first.slots) == ("reservation", [ASK_DATE], {})
    second = await engine.handle("s", "samedi")
    assert second.intent == "reservation"
    assert second.responses == [ASK_COLOUR]
    assert second.quick_replies == ["Bleu", "Vert", "Rose"]
    assert second.slots["date"].entity == "snips/datetime"
    assert second.slots["date"].text.startswith("le samedi ")
    third = await engine.handle("s", "la verte")
    assert third.intent == "reservation" and not third.fallback
    assert third.slots["couleur"].value == {"kind": "Custom", "value": "vert"}
    assert third.responses == [f"C'est noté : un scooter vert, {second.slots['date'].text}."]
    history = await engine.history("s")
    assert history is not None and history[-1].text == third.responses[0]


async def test_slots_given_up_front_are_not_asked_for(engine: DialogueEngine) -> None:
    turn = await engine.handle("s", "je voudrais réserver un scooter rose pour le 3 décembre")
    assert turn.responses[0].startswith("C'est noté : un scooter rose, le ")
    assert "3 décembre" in turn.responses[0]


async def test_only_the_missing_slot_is_asked_for(engine: DialogueEngine) -> None:
    turn = await engine.handle("s", "je voudrais réserver un scooter bleu")
    assert turn.responses == [ASK_DATE]
    assert turn.slots["couleur"].text == "bleu"


async def test_an_answer_that_gives_nothing_repeats_the_question_then_gives_up(engine: DialogueEngine) -> None:
    await engine.handle("s", "je voudrais réserver un scooter")
    for _ in range(MAX_ASKS - 1):
        again = await engine.handle("s", "xqzkwp vbnm")
        assert (again.intent, again.responses) == ("reservation", [ASK_DATE])
    given_up = await engine.handle("s", "xqzkwp vbnm")
    assert given_up.fallback and given_up.responses == ["Désolé, je n'ai pas compris."]
    assert (await engine.handle("s", "xqzkwp vbnm")).fallback  # no longer asking


async def test_another_request_leaves_the_question(engine: DialogueEngine) -> None:
    await engine.handle("s", "je voudrais réserver un scooter")
    turn = await engine.handle("s", "vous ouvrez à quelle heure ?")
    assert turn.intent == "horaires"
    assert turn.responses == ["On est ouvert tous les jours de 9h à 19h."]


async def test_a_new_request_asks_again_for_its_slots(engine: DialogueEngine) -> None:
    await engine.handle("s", "je voudrais réserver un scooter rose pour samedi")
    again = await engine.handle("s", "je voudrais réserver un scooter")
    assert again.responses == [ASK_DATE]


async def test_sessions_keep_their_own_slots(engine: DialogueEngine) -> None:
    await engine.handle("alice", "je voudrais réserver un scooter")
    await engine.handle("bob", "je voudrais réserver un scooter")
    alice = await engine.handle("alice", "samedi")
    assert alice.responses == [ASK_COLOUR] and "date" in alice.slots
    assert "date" not in (await engine.handle("bob", "la rose")).slots


async def test_a_preview_names_how_the_message_is_read_and_changes_nothing(engine: DialogueEngine) -> None:
    async def read(text: str) -> str:
        session = await engine.store.get("s") or engine.store.new_session("s")
        brain = engine.brains.current
        return engine.preview(brain, session, brain.model.parse(text)).understood_as

    assert await read("je voudrais réserver un scooter") == "new_intent"
    assert await read("xqzkwp vbnm") == "fallback"
    await engine.handle("s", "je voudrais réserver un scooter")
    assert await read("xqzkwp vbnm") == "continue_waiting"
    assert await read("vous ouvrez à quelle heure ?") == "new_intent"
    assert await read("samedi") in ("answer_by_model", "answer_by_entity")
    assert (await engine.handle("s", "samedi")).responses == [ASK_COLOUR], "previews took no turn"


class CountingModel(Model):
    """The booking model, noting each intent the dialogue asks it for slots of."""

    def __init__(self, model: Model) -> None:
        super().__init__(model.backend, model.info)
        self.asked: list[str] = []

    def slots_for_intent(self, text: str, intent: str) -> list[Slot]:
        self.asked.append(intent)
        return super().slots_for_intent(text, intent)


async def test_the_model_is_asked_for_an_intents_slots_at_most_once_per_turn(booking_model: Model) -> None:
    bot = load_bot(BOOKING_BOT)
    model = CountingModel(booking_model)
    engine = DialogueEngine(BrainHolder(Brain(bot, model)), MemoryStore(3600), rng=random.Random(0))
    for text in ("je voudrais réserver un scooter", "je voudrais réserver un scooter", "samedi", "xqzkwp", "la rose"):
        model.asked.clear()
        top = model.parse(text).intent.intent_name
        await engine.handle("s", text)
        assert len(model.asked) == len(set(model.asked)), (text, model.asked)
        assert top not in model.asked, "the parse already holds its best intent's slots"
    model.asked.clear()
    assert (await engine.handle("t", "je voudrais réserver un scooter")).responses == [ASK_DATE]
    again = await engine.handle("t", "j'aimerais réserver")  # the booking again, still without a date
    assert (again.responses, model.asked) == ([ASK_DATE], [])


def _replies(*texts: str) -> list[MessageTemplate]:
    return [MessageTemplate.of(TextMessage(text=text)) for text in texts]


def test_missing_slot_values_never_break_a_response() -> None:
    replies = _replies("Noté pour {date}.", "C'est noté.")
    assert pick_response(replies, {}, random.Random(0)) == TextMessage(text="C'est noté.")
    assert pick_response(_replies("Noté pour {date}."), {}, random.Random(0)) == TextMessage(text="Noté pour .")
    tomorrow = SlotValue(entity="snips/datetime", raw_value="demain", value={}, text="demain")
    chosen = {text_form(pick_response(replies, {"date": tomorrow}, random.Random(seed))) for seed in range(20)}
    assert chosen == {"Noté pour demain.", "C'est noté."}


def test_placeholders_are_filled_in_every_text_of_a_rich_message_but_not_in_links() -> None:
    card = MESSAGE.validate_python(
        {
            "type": "card",
            "title": "Scooter {couleur}",
            "text": "Réservé pour {date}.",
            "image": {"url": "/demo/{couleur}.svg", "alt": "Un scooter {couleur}"},
            "buttons": [
                {"label": "Changer {date}", "payload": "changer la date du {date}"},
                {"label": "Plan", "url": "https://example.org/{couleur}"},
            ],
        }
    )
    rose = SlotValue(entity="couleur", raw_value="rose", value={"value": "rose"}, text="rose")
    tomorrow = SlotValue(entity="snips/datetime", raw_value="demain", value={}, text="demain")
    (template,) = [MessageTemplate.of(card)]
    assert template.slots == {"couleur", "date"}
    filled = pick_response([template], {"couleur": rose, "date": tomorrow}, random.Random(0))
    assert texts_of(filled) == [
        "Scooter rose",
        "Réservé pour demain.",
        "Un scooter rose",
        "Changer demain",
        "changer la date du demain",
        "Plan",
    ]
    assert isinstance(filled, CardMessage) and filled.image is not None
    assert (filled.image.url, filled.buttons[1].url) == ("/demo/{couleur}.svg", "https://example.org/{couleur}")
