"""Out-of-scope detection in both backends, and one decision for parse, explanations and the bot."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.out_of_scope import load_held_out
from dialogue import Brain, BrainHolder, DialogueEngine, MemoryStore
from dialogue.explain import explain
from dialogue.rules import choose_intent
from nlu import Intent, IntentGuess, Model, load_bot, load_or_train
from nlu.dataset import Dataset, Utterance
from nlu.out_of_scope import MAX_EXAMPLES, MIN_EXAMPLES, corpus, out_of_scope_examples
from tests.support import DEMO_BOT, run_cli

BACKENDS = ["bow", "snips"]

# Sentences a visitor of the scooter shop sent: chit-chat, single words, greetings, off-topic questions.
AGREEMENT_TABLE = [
    "ok",
    "lol",
    "bof",
    "bonjour",
    "salut !",
    "merci",
    "au revoir",
    "horaires",
    "scooter",
    "casque",
    "oui",
    "non",
    "quelle heure est-il",
    "c'est quoi la capitale de la France",
    "je m'appelle Paul",
    "mets de la musique",
    "quel temps fera-t-il demain",
    "y a un parking près de chez vous ?",
    "vos tarifs svp",
    "je voudrais louer un scooter",
]


def _one_intent_bot(folder: Path, backend: str) -> Path:
    intents = {
        "intents": [
            {
                "tag": "horaires",
                "patterns": [
                    "vos horaires ?",
                    "vous ouvrez à quelle heure ?",
                    "horaires d'ouverture",
                    "c'est ouvert ?",
                ],
                "responses": ["De 9h à 19h."],
            }
        ]
    }
    (folder / "intents.json").write_text(json.dumps(intents, ensure_ascii=False), encoding="utf-8")
    (folder / "bot.toml").write_text(f'backend = "{backend}"\n', encoding="utf-8")
    return folder


@pytest.fixture(scope="module", params=BACKENDS)
def demo_engine(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> DialogueEngine:
    bot = load_bot(DEMO_BOT)
    bot.config.backend = request.param
    # The run's shared demo model when it is the backend asked for (bow, the demo's own).
    shared = request.getfixturevalue("demo_model_dir") if request.param == "bow" else None
    model = load_or_train(bot, shared or tmp_path_factory.mktemp(f"demo-{request.param}"))
    return DialogueEngine(BrainHolder(Brain(bot, model)), MemoryStore(bot.config.session_ttl_seconds))


@pytest.mark.parametrize("backend", BACKENDS)
async def test_a_one_intent_bot_falls_back_on_what_it_does_not_do(backend: str, tmp_path: Path) -> None:
    bot = load_bot(_one_intent_bot(tmp_path, backend))
    model = load_or_train(bot, tmp_path / ".causette" / "model")
    engine = DialogueEngine(BrainHolder(Brain(bot, model)), MemoryStore(60))
    for text in ["quelle heure est-il", "mets de la musique", "quel temps fait-il à Lyon ?"]:
        assert model.parse(text).intent.intent_name is None, text
        assert (await engine.handle(text, text)).fallback, text
    assert model.parse("vous ouvrez à quelle heure ?").intent.intent_name == "horaires"
    assert (await engine.handle("on-topic", "vos horaires ?")).intent == "horaires"


async def test_parse_explanation_and_turn_agree(demo_engine: DialogueEngine) -> None:
    brain = demo_engine.brains.current
    for number, text in enumerate(AGREEMENT_TABLE):
        parsed = brain.model.parse(text).intent.intent_name
        session = demo_engine.store.new_session(f"explain-{number}")
        explanation = explain(demo_engine, brain, text, session)
        turn = await demo_engine.handle(f"turn-{number}", text)
        assert (turn.intent, turn.fallback) == (explanation.intent, explanation.fallback), text
        if parsed is None:
            assert turn.fallback and turn.intent is None, text
            continue
        judged = next(c for c in explanation.candidates if c.intent == parsed)
        # The parsed intent answers, or is offered in a clarifying question, or the explanation says
        # which context it needs.
        assert turn.intent == parsed or parsed in explanation.clarify or not judged.eligible, text
        assert judged.eligible or judged.reason.startswith("needs context"), text


# What each backend achieves on the held-out sets (bench.out_of_scope prints the same figures:
# bow 96.4 % and 91.1 %, snips 89.6 % and 89.8 %), about a point below for margin. The issue's
# targets are 90 % and 95 %: bow meets the first, not yet the second; snips is just under both.
HELD_OUT_FLOORS = {"bow": (0.95, 0.905), "snips": (0.88, 0.89)}


async def test_the_demo_bot_on_the_held_out_sets(demo_engine: DialogueEngine) -> None:
    held_out = load_held_out()
    off_topic = [await demo_engine.handle(f"held-off-{n}", text) for n, text in enumerate(held_out.off_topic)]
    on_topic = [await demo_engine.handle(f"held-on-{n}", text) for n, (text, _) in enumerate(held_out.on_topic)]
    fallback = sum(turn.fallback for turn in off_topic) / len(off_topic)
    accuracy = sum(
        not turn.fallback and turn.intent == intent
        for turn, (_, intent) in zip(on_topic, held_out.on_topic, strict=True)
    ) / len(on_topic)
    least_fallback, least_accuracy = HELD_OUT_FLOORS[demo_engine.brains.current.bot.config.backend]
    assert fallback >= least_fallback and accuracy >= least_accuracy, (fallback, accuracy)


async def test_off_topic_messages_fall_back(demo_engine: DialogueEngine) -> None:
    for number, text in enumerate(["lol", "bof", "c'est quoi la capitale de la France", "mets de la musique"]):
        turn = await demo_engine.handle(f"off-{number}", text)
        assert turn.fallback and turn.intent is None, text


def test_causette_parse_reports_what_the_bot_does(tmp_path: Path) -> None:
    model_dir = tmp_path / "model"
    result = run_cli("parse", DEMO_BOT, "--model-dir", model_dir, stdin="quel temps fera-t-il demain\nvos horaires ?\n")
    assert result.returncode == 0, result.stderr
    off, on = (json.loads(line) for line in result.stdout.splitlines())
    assert off["intent"]["intentName"] is None
    assert on["intent"]["intentName"] == "horaires"
    bot = load_bot(DEMO_BOT)
    assert Model.load(model_dir).parse("vos horaires ?").to_json() == on
    assert bot.config.threshold <= on["intent"]["probability"]


def test_an_active_context_explains_what_the_parse_alone_does_not() -> None:
    intents = {
        "plus_tard": Intent(name="plus_tard", utterances=[Utterance.plain("demain")], context_filter="jourlocation"),
        "horaires": Intent(name="horaires", utterances=[Utterance.plain("horaires")]),
    }
    ranked = [IntentGuess(intentName="plus_tard", probability=0.4), IntentGuess(intentName="horaires", probability=0.3)]
    in_context = choose_intent(ranked, intents, {"jourlocation"}, 0.25, out_of_scope=True)
    assert in_context.chosen is not None and in_context.chosen.intent == "plus_tard"
    assert "although the parse found no intent" in in_context.chosen.reason
    alone = choose_intent(ranked, intents, set(), 0.25, out_of_scope=True)
    assert alone.chosen is None
    reasons = [c.reason for c in alone.candidates]
    assert reasons == ["needs context 'jourlocation', not active", "the parse found no intent: out of scope"]


def _dataset(texts: list[str]) -> Dataset:
    return Dataset(intents=[Intent(name="bot", utterances=[Utterance.plain(text) for text in texts])])


def test_the_corpus_keeps_away_from_the_bots_own_examples() -> None:
    sentences = corpus()
    own = sentences[:800]
    examples = out_of_scope_examples(_dataset(own), seed=1, per_example=1.0)
    assert MIN_EXAMPLES <= len(examples) <= MAX_EXAMPLES
    assert not set(examples) & set(own)
    # A bot whose examples are the whole corpus (MASSIVE trained as a bot) learns no out-of-scope class.
    assert out_of_scope_examples(_dataset(sentences), seed=1, per_example=1.0) == []
    # A bot that answers "ok" and "super" keeps them.
    kept = out_of_scope_examples(_dataset(["ok", "super", "c'est super merci"]), seed=1, per_example=1.0)
    assert "bof" in kept and "ok" not in kept and "super" not in kept


def test_the_out_of_scope_sample_is_seeded_and_grows_with_the_bot() -> None:
    bot = load_bot(DEMO_BOT)
    first = out_of_scope_examples(bot.dataset, seed=13, per_example=1.0)
    assert first == out_of_scope_examples(bot.dataset, seed=13, per_example=1.0)
    assert first != out_of_scope_examples(bot.dataset, seed=14, per_example=1.0)
    own = sum(len(intent.utterances) for intent in bot.dataset.intents)
    assert len(first) == min(MAX_EXAMPLES, max(MIN_EXAMPLES, own))
    assert len(out_of_scope_examples(_dataset(["bonjour"]), seed=13, per_example=1.0)) == MIN_EXAMPLES
