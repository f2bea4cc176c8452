"""Reloading the bot through the admin endpoint, in process: new content served, broken content refused."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from channels import Settings, create_app
from tests.support import API_KEY_HEADERS, BOT_DATA, MINI_BOT

KEY = "cle-de-test-assez-longue"
AUTHORIZED = {"Authorization": f"Bearer {KEY}"}
RELOAD = "/api/v1/model/reload"
OLD_HOURS = "On est ouvert tous les jours de 9h du matin à 19h"
NEW_HOURS = "Nouveaux horaires : de 10h à 18h, tous les jours."
LATER = '"responses": ["Vous pouvez réserver en ligne pour une date ultérieure."]'


@pytest.fixture
def bot(tmp_path: Path) -> Path:
    """A copy of the mini bot that the test may edit."""
    return Path(shutil.copytree(MINI_BOT, tmp_path / "bot", ignore=BOT_DATA))


@pytest.fixture
def editable(bot: Path, tmp_path: Path, mini_model_dir: Path) -> Iterator[TestClient]:
    """The copy served with an admin key, from a copy of its trained model."""
    model_dir = Path(shutil.copytree(mini_model_dir, tmp_path / "model"))
    with TestClient(
        create_app(bot, Settings(model_dir=model_dir, admin_key=SecretStr(KEY))), headers=API_KEY_HEADERS
    ) as test_client:
        yield test_client


def say(client: TestClient, session: str, text: str) -> dict[str, Any]:
    reply = client.post(f"/api/v1/conversations/{session}/messages", json={"text": text})
    assert reply.status_code == 200, reply.text
    turn: dict[str, Any] = reply.json()
    return turn


def edit(bot: Path, old: str, new: str) -> str:
    """Replace ``old`` by ``new`` in the bot's intents file; return the new text."""
    intents = bot / "intents.json"
    text = intents.read_text(encoding="utf-8")
    assert old in text
    intents.write_text(text.replace(old, new), encoding="utf-8")
    return text.replace(old, new)


def test_a_reload_serves_the_edited_content_and_conversations_keep_their_context(
    editable: TestClient, bot: Path
) -> None:
    before = editable.get("/api/v1/model").json()["content_hash"]
    assert say(editable, "kept", "je voudrais louer un scooter")["contexts"] == ["jourlocation"]
    edit(bot, OLD_HOURS, NEW_HOURS)
    reply = editable.post(RELOAD, headers=AUTHORIZED)
    assert reply.status_code == 200, reply.text
    result = reply.json()
    assert result["status"] == "reloaded" and result["problems"] == []
    assert editable.get("/api/v1/model").json()["content_hash"] == result["content_hash"] != before
    assert say(editable, "hours", "vous ouvrez à quelle heure ?")["responses"] == [NEW_HOURS]
    assert say(editable, "kept", "pour aujourd'hui")["intent"]["name"] == "aujourd'hui"


def test_broken_content_keeps_the_old_model_and_names_the_file_and_line(editable: TestClient, bot: Path) -> None:
    serving = editable.get("/api/v1/model").json()["content_hash"]
    broken = edit(bot, LATER, '"responses": []')
    line = next(number for number, text in enumerate(broken.splitlines(), 1) if '"responses": []' in text)
    reply = editable.post(RELOAD, headers=AUTHORIZED)
    assert reply.status_code == 422
    result = reply.json()
    assert (result["status"], result["content_hash"]) == ("failed", serving)
    [problem] = result["problems"]
    assert (problem["file"], problem["line"]) == ("intents.json", line)
    model = editable.get("/api/v1/model", headers=AUTHORIZED).json()
    assert model["content_hash"] == serving
    assert model["last_error"]["problems"] == result["problems"]
    assert say(editable, "hours", "vous ouvrez à quelle heure ?")["responses"] == [OLD_HOURS]
