"""The held-out out-of-scope sets have the shape their measurements rely on (see their README)."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from nlu import Dataset, load_bot
from nlu.text import fold
from tests.support import DEMO_BOT, REPO

DATA = REPO / "tests" / "data" / "out_of_scope"
MASSIVE_TRAIN = Path("/work/shared/datasets/massive-fr/train.jsonl")


def normalised(text: str) -> str:
    """Text compared without case, accents or punctuation: "C'est où ?" == "c est ou"."""
    return " ".join(re.sub(r"[\W_]+", " ", fold(text)).split())


def off_topic() -> list[str]:
    return (DATA / "off_topic.txt").read_text(encoding="utf-8").splitlines()


def on_topic() -> list[dict[str, str]]:
    lines = (DATA / "on_topic.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


@pytest.fixture(scope="module")
def demo() -> Dataset:
    return load_bot(DEMO_BOT).dataset


def test_off_topic_set_has_at_least_600_distinct_messages() -> None:
    messages = off_topic()
    assert len(messages) >= 600
    assert all(message.strip() == message and message for message in messages)
    assert len({normalised(message) or message for message in messages}) == len(messages)


def test_on_topic_set_has_at_least_300_distinct_labelled_lines() -> None:
    lines = on_topic()
    assert len(lines) >= 300
    assert all(set(line) == {"text", "intent"} and line["text"].strip() for line in lines)
    assert len({normalised(line["text"]) for line in lines}) == len(lines)


def test_every_on_topic_intent_exists_in_the_demo_bot_and_has_no_context_filter(demo: Dataset) -> None:
    # Each line is measured on a fresh conversation, where a context-filtered intent cannot win.
    answerable = {intent.name for intent in demo.intents if intent.context_filter is None}
    assert {line["intent"] for line in on_topic()} <= answerable


def test_every_answerable_intent_is_measured_at_least_ten_times(demo: Dataset) -> None:
    counts = Counter(line["intent"] for line in on_topic())
    answerable = [intent.name for intent in demo.intents if intent.context_filter is None]
    assert {name: counts[name] for name in answerable if counts[name] < 10} == {}


def test_no_held_out_text_is_a_training_pattern(demo: Dataset) -> None:
    patterns = {normalised(utterance.text) for intent in demo.intents for utterance in intent.utterances}
    held_out = [line["text"] for line in on_topic()] + off_topic()
    assert [text for text in held_out if normalised(text) in patterns] == []


@pytest.mark.skipif(
    not MASSIVE_TRAIN.is_file(),
    reason=f"MASSIVE fr-FR train is not at {MASSIVE_TRAIN} (not shipped with the repository)",
)
def test_no_off_topic_message_is_in_massive_train() -> None:
    with MASSIVE_TRAIN.open(encoding="utf-8") as lines:
        train = {normalised(json.loads(line)["text"]) for line in lines if line.strip()}
    assert [message for message in off_topic() if normalised(message) in train] == []
