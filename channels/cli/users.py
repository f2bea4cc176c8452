"""``causette user add|remove|list``: the web consoles' accounts, managed from a terminal (French)."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys
from collections.abc import Awaitable, Callable
from typing import TypeVar

from accounts import AccountError, Accounts, AccountsUnavailable, Role, User
from accounts.passwords import WeakPassword
from channels.server.settings import Settings

EXIT_REFUSED = 1
T = TypeVar("T")


def cmd_user_add(args: argparse.Namespace) -> int:
    """Create an account after asking its password (twice, without echo) or reading it from stdin."""
    try:
        password = _read_password(args.password_stdin)
    except ValueError as error:
        return _refused(error)
    return _run(
        args,
        lambda accounts: accounts.add(args.login, args.name or args.login, Role(args.role), password),
        lambda user: f"compte « {user.login} » créé (rôle {user.role.label}, nom affiché « {user.display_name} »)",
    )


def cmd_user_remove(args: argparse.Namespace) -> int:
    """Delete an account; its open sessions end at once."""
    return _run(args, lambda accounts: accounts.remove(args.login), lambda _: f"compte « {args.login} » supprimé")


def cmd_user_list(args: argparse.Namespace) -> int:
    """Print one account per line: login, role, display name."""

    def table(users: list[User]) -> str:
        if not users:
            return "aucun compte (créez-en un : causette user add BOT_DIR LOGIN --role admin)"
        width = max(len(user.login) for user in users)
        return "\n".join(f"{user.login:<{width}}  {user.role.value:<6}  {user.display_name}" for user in users)

    return _run(args, lambda accounts: accounts.list(), table)


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    password = getpass.getpass("Mot de passe : ")
    if getpass.getpass("Mot de passe (confirmation) : ") != password:
        raise ValueError("les deux mots de passe diffèrent")
    return password


def _run(args: argparse.Namespace, operation: Callable[[Accounts], Awaitable[T]], say: Callable[[T], str]) -> int:
    url = args.database_url or Settings(bot_dir=args.bot_dir).log_database_url()

    async def run() -> T:
        accounts = Accounts(url)
        try:
            return await operation(accounts)
        finally:
            await accounts.close()

    try:
        result = asyncio.run(run())
    except (AccountError, WeakPassword) as error:
        return _refused(error)
    except AccountsUnavailable as error:
        return _refused(f"base des comptes injoignable ({error})")
    print(say(result))
    return 0


def _refused(reason: object) -> int:
    print(f"causette user : {reason}", file=sys.stderr)
    return EXIT_REFUSED
