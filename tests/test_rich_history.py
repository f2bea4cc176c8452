"""A conversation's rich messages survive the session store: the history a widget replays after a
reconnection holds each message as sent, through real Redis."""

from __future__ import annotations

import uuid
from pathlib import Path

from causette_sdk.messages import CarouselMessage, TextMessage, text_form
from dialogue import Brain, BrainHolder, DialogueEngine, RedisStore
from nlu import Model, load_bot
from tests.support import DEMO_BOT, RedisServer


async def test_the_history_in_redis_keeps_each_typed_message(redis_server: RedisServer, demo_model_dir: Path) -> None:
    bot = load_bot(DEMO_BOT)
    store = RedisStore.from_url(redis_server.url, 60, prefix=f"rich-{uuid.uuid4().hex}:")
    engine = DialogueEngine(BrainHolder(Brain(bot, Model.load(demo_model_dir))), store)
    try:
        scooters = await engine.handle("rich", "Quels scooters avez-vous ?")
        rental = await engine.handle("rich", "je voudrais louer un scooter")
        history = await engine.history("rich")
    finally:
        await store.close()
    assert history is not None
    [user, carousel, _, question] = history
    assert (user.role, user.message) == ("user", None)
    assert isinstance(carousel.message, CarouselMessage) and [carousel.message] == scooters.messages
    assert carousel.text == text_form(carousel.message)
    assert isinstance(question.message, TextMessage) and [question.message] == rental.messages
    assert question.quick_replies == question.message.quick_replies == ["Aujourd'hui", "Plus tard"]
