"""The context rules, through the dialogue engine, with a controllable clock."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from dialogue import Brain, BrainHolder, DialogueEngine, MemoryStore
from dialogue.rules import Decision, choose_intent
from nlu import Intent, IntentGuess, Model, load_bot
from tests.support import MINI_BOT

DAY_ANSWER = "Pour les locations du jour, merci d'appeler le 01 06 07 08 09"
QUESTION = "Souhaitez-vous louer pour aujourd'hui ou pour plus tard ?"


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


def make_engine(model: Model, clock: Clock, bot_dir: Path = MINI_BOT) -> DialogueEngine:
    bot = load_bot(bot_dir)
    store = MemoryStore(bot.config.session_ttl_seconds, clock=clock)
    return DialogueEngine(BrainHolder(Brain(bot, model)), store, rng=random.Random(0), clock=clock)


@pytest.fixture
def engine(mini_model: Model, clock: Clock) -> DialogueEngine:
    return make_engine(mini_model, clock)


async def test_seed_conversation_uses_the_context(engine: DialogueEngine) -> None:
    first = await engine.handle("s1", "je voudrais louer un scooter")
    assert first.responses == [QUESTION]
    assert first.contexts == ["jourlocation"]
    assert first.quick_replies == ["Aujourd'hui", "Plus tard"]
    second = await engine.handle("s1", "pour aujourd'hui")
    assert second.intent == "aujourd'hui"
    assert second.responses == [DAY_ANSWER]


async def test_filtered_intent_is_not_eligible_without_its_context(engine: DialogueEngine) -> None:
    turn = await engine.handle("fresh", "pour aujourd'hui")
    assert turn.intent != "aujourd'hui"
    assert turn.responses != [DAY_ANSWER]
    assert turn.fallback


async def test_sessions_do_not_share_contexts(engine: DialogueEngine) -> None:
    await engine.handle("alice", "je voudrais louer un scooter")
    bob = await engine.handle("bob", "pour aujourd'hui")
    alice = await engine.handle("alice", "pour aujourd'hui")
    assert bob.fallback and alice.intent == "aujourd'hui"


async def test_context_expires_after_its_lifespan_in_turns(engine: DialogueEngine) -> None:
    # The mini bot's lifespan is 2 user turns after the one that set the context.
    await engine.handle("s", "je voudrais louer un scooter")
    assert (await engine.handle("s", "a quelle heure ouvrez-vous")).contexts == ["jourlocation"]
    last = await engine.handle("s", "pour aujourd'hui")
    assert last.intent == "aujourd'hui" and last.contexts == []
    assert (await engine.handle("s", "pour aujourd'hui")).fallback


async def test_context_expires_after_its_ttl(engine: DialogueEngine, clock: Clock) -> None:
    await engine.handle("s", "je voudrais louer un scooter")
    clock.now += 601  # context_ttl_seconds = 600
    assert (await engine.handle("s", "pour aujourd'hui")).fallback


async def test_session_expires_after_its_ttl(engine: DialogueEngine, clock: Clock) -> None:
    await engine.handle("s", "je voudrais louer un scooter")
    clock.now += 3601  # session_ttl_seconds = 3600
    assert await engine.history("s") is None
    assert (await engine.handle("s", "horaires")).contexts == []


async def test_empty_context_set_clears_contexts(engine: DialogueEngine) -> None:
    await engine.handle("s", "je voudrais louer un scooter")
    bye = await engine.handle("s", "au revoir")
    assert bye.intent == "au_revoir" and bye.contexts == []
    assert (await engine.handle("s", "pour aujourd'hui")).fallback


async def test_gibberish_falls_back_and_keeps_the_conversation(engine: DialogueEngine) -> None:
    await engine.handle("s", "je voudrais louer un scooter")
    turn = await engine.handle("s", "xqzkwp vbnm")
    assert turn.fallback and turn.intent is None
    assert turn.responses == ["Désolé, je n'ai pas compris."]
    assert turn.contexts == ["jourlocation"]
    assert (await engine.handle("s", "pour aujourd'hui")).intent == "aujourd'hui"


async def test_history_records_both_sides(engine: DialogueEngine) -> None:
    await engine.handle("s", "je voudrais louer un scooter")
    history = await engine.history("s")
    assert history is not None
    assert [(h.role, h.text) for h in history] == [("user", "je voudrais louer un scooter"), ("bot", QUESTION)]


def chosen_intent(decision: Decision) -> str | None:
    """The name of the intent the rules chose; None when they fall back."""
    return decision.chosen.intent if decision.chosen else None


def test_in_context_intent_beats_a_better_unfiltered_one() -> None:
    intents = {
        "meteo": Intent(name="meteo", utterances=[]),
        "plus_tard": Intent(name="plus_tard", utterances=[], context_filter="jourlocation"),
    }
    ranked = [IntentGuess(intentName="meteo", probability=0.6), IntentGuess(intentName="plus_tard", probability=0.3)]
    assert chosen_intent(choose_intent(ranked, intents, {"jourlocation"}, 0.25)) == "plus_tard"
    assert chosen_intent(choose_intent(ranked, intents, set(), 0.25)) == "meteo"
    below = [ranked[0], IntentGuess(intentName="plus_tard", probability=0.2)]
    decision = choose_intent(below, intents, {"jourlocation"}, 0.25)
    assert chosen_intent(decision) == "meteo"
    assert [(c.intent, c.eligible) for c in decision.candidates] == [("meteo", True), ("plus_tard", False)]


def test_nothing_above_the_threshold_means_fallback() -> None:
    intents = {"meteo": Intent(name="meteo", utterances=[])}
    ranked = [IntentGuess(intentName="meteo", probability=0.1)]
    assert choose_intent(ranked, intents, set(), 0.25).chosen is None


async def test_context_set_applies_only_for_the_chosen_intent(engine: DialogueEngine) -> None:
    # "location" ranks high for a rental question but a filtered intent wins in context:
    # then location's context_set must not be (re)applied.
    await engine.handle("s", "je voudrais louer un scooter")
    await engine.handle("s", "horaires")
    turn = await engine.handle("s", "pour aujourd'hui")
    assert turn.intent == "aujourd'hui"
    assert turn.contexts == []  # lifespan used up, not refreshed by a rejected candidate
