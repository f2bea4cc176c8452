"""Accounts of the web consoles: users with one role each, hashed passwords, signed-in sessions.

One account system serves the author console (/console) and the agent console (/agent). Users and
sessions live in the conversation log's database (same URL setting, same Alembic migrations).
"""

from accounts.roles import Role
from accounts.store import AccountError, Accounts, AccountsUnavailable, SignInRefused, User

__all__ = ["AccountError", "Accounts", "AccountsUnavailable", "Role", "SignInRefused", "User"]
