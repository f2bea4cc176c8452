"""Content for actions: an intent names its action; bot.toml says where actions live."""

from __future__ import annotations

from pathlib import Path

import pytest

from channels import Settings, create_app
from nlu import ContentError, load_bot
from tests.support import DEMO_BOT, MINI_BOT, run_cli

INTENTS = """{"intents": [
  {"tag": "dispo", "patterns": ["un scooter est libre ?"], "action": "disponibilite",
   "unavailable": ["Le stock ne répond pas, réessayez plus tard."]},
  {"tag": "bonjour", "patterns": ["bonjour"], "responses": ["Bonjour !"]}
]}
"""


def bot_folder(tmp_path: Path, config: str, intents: str = INTENTS) -> Path:
    (tmp_path / "intents.json").write_text(intents, encoding="utf-8")
    (tmp_path / "bot.toml").write_text(config, encoding="utf-8")
    return tmp_path


def problems(folder: Path) -> list[str]:
    with pytest.raises(ContentError) as error:
        load_bot(folder)
    return [str(problem) for problem in error.value.problems]


def test_an_intent_names_an_action_instead_of_responses(tmp_path: Path) -> None:
    config = '[actions]\nurl = "http://127.0.0.1:8001/actions"\nsecret_env = "SHOP_SECRET"\n'
    bot = load_bot(bot_folder(tmp_path, config))
    dispo = bot.dataset.intent("dispo")
    assert (dispo.action, dispo.responses, dispo.unavailable) == (
        "disponibilite",
        [],
        ["Le stock ne répond pas, réessayez plus tard."],
    )
    actions = bot.config.actions
    assert (actions.url_for("disponibilite"), actions.secret_env, actions.timeout_seconds) == (
        "http://127.0.0.1:8001/actions",
        "SHOP_SECRET",
        3.0,
    )


def test_per_action_urls_win_over_the_base_url(tmp_path: Path) -> None:
    config = (
        '[actions]\nurl = "http://a.example/actions"\n[actions.urls]\ndisponibilite = "https://stock.example/dispo"\n'
    )
    actions = load_bot(bot_folder(tmp_path, config)).config.actions
    assert actions.url_for("disponibilite") == "https://stock.example/dispo"
    assert actions.url_for("autre") == "http://a.example/actions"


def test_an_action_without_a_url_is_an_error_at_its_line(tmp_path: Path) -> None:
    found = problems(bot_folder(tmp_path, 'name = "Boutique"\n'))
    assert found == [
        "intents.json:2: l'intention « dispo » appelle l'action « disponibilite », mais bot.toml ne dit pas où : "
        'ajoutez [actions] url = "http://..." (ou [actions.urls] disponibilite = "http://...")'
    ]


def test_an_intent_without_responses_nor_action_is_still_refused(tmp_path: Path) -> None:
    intents = '{"intents": [\n  {"tag": "x", "patterns": ["bonjour"]}\n]}\n'
    assert problems(bot_folder(tmp_path, "", intents)) == [
        "intents.json:2: intents.0.responses: champ obligatoire manquant"
    ]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("timeout_seconds = 0", "bot.toml:3: actions.timeout_seconds: doit être supérieur à 0"),
        ('url = "ftp://x"', "bot.toml:3: actions.url:"),
        ('secret_env = "pas un nom"', "bot.toml:3: actions.secret_env:"),
        (
            "tiemout_seconds = 2",
            "bot.toml:3: actions: clé inconnue « tiemout_seconds » : vouliez-vous dire « timeout_seconds » ?",
        ),
    ],
)
def test_actions_settings_are_checked_at_their_line(tmp_path: Path, line: str, expected: str) -> None:
    config = f'name = "Boutique"\n[actions]\n{line}\n'
    if not line.startswith("url"):
        config += 'url = "http://127.0.0.1:8001/actions"\n'
    found = problems(bot_folder(tmp_path, config))
    assert len(found) == 1 and found[0].startswith(expected), found


def test_an_action_timeout_at_the_lock_time_is_refused_at_start() -> None:
    # An action runs while its turn holds the conversation's lock: it must end before the lock does.
    with pytest.raises(ValueError) as refused:
        create_app(DEMO_BOT, Settings(redis_lock_seconds=3, redis_wait_seconds=4))
    assert str(refused.value) == (
        "bot.toml [actions] timeout_seconds = 3 must be shorter than the session lock time "
        "CAUSETTE_REDIS_LOCK_SECONDS = 3: lower the timeout, or raise the lock time "
        "(and CAUSETTE_REDIS_WAIT_SECONDS above it)"
    )


def test_a_bot_without_actions_is_not_held_to_the_action_timeout(mini_model_dir: Path) -> None:
    # The default timeout (3 s) is no reason to refuse a bot that calls no action under a short lock.
    app = create_app(MINI_BOT, Settings(model_dir=mini_model_dir, redis_lock_seconds=2, redis_wait_seconds=3))
    assert app.state.services.engine is not None


def test_serve_says_why_it_refuses_the_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CAUSETTE_REDIS_LOCK_SECONDS", "2")
    result = run_cli("serve", DEMO_BOT, "--port", "1")
    assert result.returncode == 2
    assert "causette serve: bot.toml [actions] timeout_seconds = 3 must be shorter" in result.stderr


def test_an_unavailable_text_is_held_to_a_messages_length(tmp_path: Path) -> None:
    config = '[actions]\nurl = "http://127.0.0.1:8001/actions"\n'
    intents = INTENTS.replace("Le stock ne répond pas, réessayez plus tard.", "a" * 2001)
    (found,) = problems(bot_folder(tmp_path, config, intents))
    assert found.startswith("intents.json:3: intents.0.unavailable.0:"), found
