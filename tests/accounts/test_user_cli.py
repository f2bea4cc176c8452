"""``causette user add|remove|list`` as a user runs it, in a new process, on a bot folder's default database."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.support import MINI_BOT, run_cli


def test_add_list_remove_an_account(tmp_path: Path) -> None:
    bot = tmp_path / "bot"
    shutil.copytree(MINI_BOT, bot, ignore=shutil.ignore_patterns(".causette"))
    added = run_cli(
        "user", "add", bot, "claire", "--role", "agent", "--name", "Claire D.", "--password-stdin",
        stdin="un-mot-de-passe-solide\n",
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    assert "compte « claire » créé (rôle conseiller" in added.stdout
    assert (bot / ".causette" / "log.sqlite3").exists()  # the bot's data folder, as the server's default

    again = run_cli("user", "add", bot, "claire", "--role", "viewer", "--password-stdin", stdin="autre-mot-de-passe\n")
    assert again.returncode == 1
    assert "l'identifiant « claire » existe déjà" in again.stderr

    listed = run_cli("user", "list", bot)
    assert listed.returncode == 0
    assert listed.stdout.split() == ["claire", "agent", "Claire", "D."]

    removed = run_cli("user", "remove", bot, "claire")
    assert removed.returncode == 0, removed.stderr
    assert "aucun compte" in run_cli("user", "list", bot).stdout
    missing = run_cli("user", "remove", bot, "claire")
    assert missing.returncode == 1
    assert "aucun compte « claire »" in missing.stderr


def test_weak_passwords_are_refused(tmp_path: Path) -> None:
    short = run_cli("user", "add", tmp_path, "dominique", "--role", "author", "--password-stdin", stdin="court\n")
    assert short.returncode == 1
    assert "au moins 12 caractères" in short.stderr
    same = run_cli(
        "user", "add", tmp_path, "dominique-martin", "--role", "author", "--password-stdin", stdin="Dominique-Martin\n"
    )
    assert same.returncode == 1
    assert "ne doit pas être l'identifiant" in same.stderr
    assert "aucun compte" in run_cli("user", "list", tmp_path).stdout


def test_the_cli_knows_the_same_roles_as_the_accounts() -> None:
    from accounts import Role
    from channels.cli.main import ROLES

    assert tuple(role.value for role in Role) == ROLES
