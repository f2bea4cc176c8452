"""Clarifying questions: the bot asks which intent was meant, the visitor clicks, the talk goes on."""

from __future__ import annotations

import json
import random
from collections.abc import Mapping
from pathlib import Path

import pytest

from channels.cli.terminal import Palette, explanation_lines
from dialogue import Brain, BrainHolder, DialogueEngine, MemoryStore
from dialogue.explain import explain
from nlu import Bot, Model, load_bot
from tests.support import DEMO_BOT

# Wide enough that any message whose two best intents are allowed by the context rules is ambiguous.
ALWAYS_ASK = {"clarify_margin": 1.0, "clarify_band": 0.25}


@pytest.fixture(scope="module")
def demo_model(demo_model_dir: Path) -> Model:
    return Model.load(demo_model_dir)


def _engine(model: Model, settings: Mapping[str, object], labels: dict[str, str] | None = None) -> DialogueEngine:
    bot = load_bot(DEMO_BOT)
    named = [i.model_copy(update={"label": (labels or {}).get(i.name, i.label)}) for i in bot.dataset.intents]
    bot = Bot(
        folder=bot.folder,
        config=bot.config.model_copy(update=settings),
        dataset=bot.dataset.model_copy(update={"intents": named}),
    )
    return DialogueEngine(BrainHolder(Brain(bot, model)), MemoryStore(60), rng=random.Random(0))


async def test_a_click_on_a_button_continues_with_the_chosen_intent(demo_model: Model) -> None:
    engine = _engine(demo_model, ALWAYS_ASK, labels={"tarifs": "Nos tarifs"})
    ranked = [g.intent_name for g in demo_model.parse("le prix pour louer un scooter").ranked][:2]
    assert set(ranked) == {"tarifs", "location"}, "the test needs a message the demo bot finds ambiguous"
    brain = engine.brains.current
    question = await engine.handle("s", "le prix pour louer un scooter")
    labels = [
        "Nos tarifs" if name == "tarifs" else brain.intents[name].button_label for name in ranked if name is not None
    ]
    assert (question.intent, question.fallback) == (None, True)
    assert question.quick_replies == labels
    assert question.responses == [f"Vous voulez parler de : {labels[0]} · {labels[1]} ?"]
    chosen = await engine.handle("s", brain.intents["location"].button_label)  # as the widget sends it
    assert (chosen.intent, chosen.fallback) == ("location", False)
    assert chosen.responses[0] in brain.intents["location"].response_texts
    assert chosen.contexts == ["jourlocation"]
    # The chosen intent's context holds: "plus_tard" (which needs it) is offered, then answers.
    assert "Plus tard" in (await engine.handle("s", "pour demain")).quick_replies
    assert (await engine.handle("s", "plus tard")).intent == "plus_tard"


async def test_a_typed_label_answers_the_question(demo_model: Model) -> None:
    engine = _engine(demo_model, ALWAYS_ASK, labels={"tarifs": "Nos tarifs"})
    await engine.handle("s", "le prix pour louer un scooter")
    assert (await engine.handle("s", "nos tarifs !")).intent == "tarifs"


async def test_a_label_without_a_question_is_an_ordinary_message(demo_model: Model) -> None:
    engine = _engine(demo_model, {"clarify": False}, labels={"tarifs": "Horaires"})
    assert (await engine.handle("s", "Horaires")).intent == "horaires"


async def test_a_clear_message_gets_no_question(demo_model: Model) -> None:
    engine = _engine(demo_model, {})
    turn = await engine.handle("s", "quels sont vos horaires d'ouverture ?")
    assert (turn.intent, turn.quick_replies) == ("horaires", [])


async def test_without_clarifying_questions_the_best_intent_answers(demo_model: Model) -> None:
    best = demo_model.parse("le prix pour louer un scooter").intent.intent_name
    engine = _engine(demo_model, {"clarify": False})
    assert (await engine.handle("s", "le prix pour louer un scooter")).intent == best


async def test_the_explanation_shows_the_question(demo_model: Model) -> None:
    engine = _engine(demo_model, ALWAYS_ASK)
    brain = engine.brains.current
    explanation = explain(engine, brain, "le prix pour louer un scooter", engine.store.new_session("x"))
    assert explanation.understood_as == "clarify"
    assert set(explanation.clarify) == {"tarifs", "location"}
    assert explanation.quick_replies == [brain.intents[name].button_label for name in explanation.clarify]
    first, second = explanation.clarify
    labels = [brain.intents[name].button_label for name in (first, second)]
    lines = explanation_lines(explanation, Palette(enabled=False))
    assert lines[0] == "clarify  <- 'le prix pour louer un scooter'"
    assert lines[1] == f"  asks: Vous voulez parler de : {labels[0]} · {labels[1]} ?"
    assert lines[2] == f"  options: [{labels[0]}] -> {first}, [{labels[1]}] -> {second}"


def test_an_intent_label_defaults_to_its_name_in_words() -> None:
    intent = load_bot(DEMO_BOT).dataset.intent("prix_location").model_copy(update={"label": None})
    assert intent.button_label == "Prix location"
    assert intent.model_copy(update={"label": "Combien ?"}).button_label == "Combien ?"


def test_an_author_names_the_button_in_the_intent_file(tmp_path: Path) -> None:
    intents = {
        "intents": [
            {"tag": "prix_location", "label": "Prix d'une location", "patterns": ["combien"], "responses": ["15 €"]},
            {"tag": "horaires", "patterns": ["vos horaires"], "responses": ["9 h - 19 h"]},
        ]
    }
    (tmp_path / "intents.json").write_text(json.dumps(intents), encoding="utf-8")
    dataset = load_bot(tmp_path).dataset
    assert dataset.intent("prix_location").button_label == "Prix d'une location"
    assert dataset.intent("horaires").button_label == "Horaires"
