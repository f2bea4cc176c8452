"""Users and signed-in sessions in the database: add, remove, list, sign in (with lockout), sign out.

Sessions are kept server-side: the browser's cookie holds a random token, the database its SHA-256,
the user, a CSRF token, and two times that bound the session (idle and absolute expiry).
"""

from __future__ import annotations

import asyncio
import hashlib
import secrets
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.models import UserRow, WebSessionRow
from accounts.passwords import Passwords, check_strength
from accounts.roles import Role
from conversation_log import LogDatabase

Clock = Callable[[], float]
WRONG_CREDENTIALS = "identifiant ou mot de passe incorrect"


class AccountError(ValueError):
    """A refused account change (duplicate or unknown login, weak password...); French message."""


class AccountsUnavailable(Exception):
    """The accounts' database cannot be reached (answered 503)."""


class SignInRefused(Exception):
    """Wrong login or password, or an account locked after too many failures; French message."""


@dataclass(frozen=True)
class User:
    """An account as the rest of the server sees it (no password hash)."""

    id: int
    login: str
    display_name: str
    role: Role


@dataclass(frozen=True)
class SignedIn:
    """A signed-in browser: who, and the CSRF token its forms must send back."""

    user: User
    csrf_token: str


@dataclass(frozen=True)
class Limits:
    """Session expiry and lockout, from the server's settings."""

    idle_seconds: float = 30 * 60
    absolute_seconds: float = 12 * 3600
    max_failures: int = 5
    lockout_seconds: float = 15 * 60


class Accounts:
    """The account system over a database (the conversation log's URL)."""

    def __init__(
        self, url: str, limits: Limits | None = None, passwords: Passwords | None = None, clock: Clock = time.time
    ) -> None:
        self.database = LogDatabase(url)
        self.limits = limits or Limits()
        self.passwords = passwords or Passwords()
        self.clock = clock  # replaced by tests to move time
        self._migrated = False
        self._migrating = asyncio.Lock()

    async def migrate(self) -> None:
        """Bring the schema (shared with the conversation log) up to date."""
        async with self._migrating:
            if not self._migrated:
                await self.database.migrate()
                self._migrated = True

    @asynccontextmanager
    async def _transaction(self) -> AsyncIterator[AsyncSession]:
        """A database session in one transaction, on an up-to-date schema; driver errors become 503s."""
        try:
            await self.migrate()  # a database down at start is migrated once it answers
            async with self.database.sessions() as session, session.begin():
                yield session
        except (SQLAlchemyError, OSError) as error:
            raise AccountsUnavailable(str(error)) from error

    async def close(self) -> None:
        """Close the pooled connections."""
        await self.database.dispose()

    async def add(self, login: str, display_name: str, role: Role, password: str) -> User:
        """Create an account; refuses an empty or taken login and a weak password."""
        login, display_name = login.strip(), display_name.strip() or login.strip()
        if not login:
            raise AccountError("l'identifiant est vide")
        check_strength(password, login)
        row = UserRow(
            login=login,
            display_name=display_name,
            role=role.value,
            password_hash=self.passwords.hash(password),
            created_at=self.clock(),
            failed_sign_ins=0,
            locked_until=0.0,
        )
        try:
            async with self._transaction() as session:
                session.add(row)
        except AccountsUnavailable as error:
            if isinstance(error.__cause__, IntegrityError):
                raise AccountError(f"l'identifiant « {login} » existe déjà") from None
            raise
        return _user(row)

    async def remove(self, login: str) -> None:
        """Delete an account and sign out its sessions."""
        async with self._transaction() as session:
            user_id = await session.scalar(select(UserRow.id).where(UserRow.login == login))
            if user_id is None:
                raise AccountError(f"aucun compte « {login} »")
            await session.execute(delete(WebSessionRow).where(WebSessionRow.user_id == user_id))
            await session.execute(delete(UserRow).where(UserRow.id == user_id))

    async def list(self) -> list[User]:
        """Every account, by login."""
        async with self._transaction() as session:
            rows = await session.scalars(select(UserRow).order_by(UserRow.login))
            return [_user(row) for row in rows]

    async def sign_in(self, login: str, password: str) -> tuple[str, SignedIn]:
        """Check the password and open a session: its cookie token and who signed in.

        After ``max_failures`` wrong passwords in a row the account is locked for
        ``lockout_seconds`` (even the right password is refused meanwhile). An unknown login costs
        as much time as a wrong password and gets the same message.
        """
        now = self.clock()
        async with self._transaction() as session:
            row = await session.scalar(select(UserRow).where(UserRow.login == login.strip()).with_for_update())
            matches = self.passwords.verify(row.password_hash if row else None, password)
            # The failure count and the lockout are committed with the refusal (raised after the commit).
            refusal = self._judge(row, matches, now)
            if row is not None and refusal is None:
                if self.passwords.needs_rehash(row.password_hash):
                    row.password_hash = self.passwords.hash(password)
                token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
                session.add(
                    WebSessionRow(
                        token_hash=_digest(token), user_id=row.id, csrf_token=csrf, created_at=now, last_seen_at=now
                    )
                )
                signed_in = SignedIn(user=_user(row), csrf_token=csrf)
        if refusal is not None:
            raise refusal
        return token, signed_in

    def _judge(self, row: UserRow | None, matches: bool, now: float) -> SignInRefused | None:
        """Why this sign-in is refused (None: accepted); counts failures and locks the account."""
        if row is None:
            return SignInRefused(WRONG_CREDENTIALS)
        if row.locked_until > now:
            return SignInRefused(_locked_message(row.locked_until - now))
        if matches:
            row.failed_sign_ins, row.locked_until = 0, 0.0
            return None
        row.failed_sign_ins += 1
        if row.failed_sign_ins < self.limits.max_failures:
            return SignInRefused(WRONG_CREDENTIALS)
        row.failed_sign_ins, row.locked_until = 0, now + self.limits.lockout_seconds
        return SignInRefused(_locked_message(self.limits.lockout_seconds))

    async def session(self, token: str) -> SignedIn | None:
        """The signed-in user of a cookie token, or None when unknown or expired (then deleted).

        Each use moves the idle expiry forward; the absolute expiry never moves.
        """
        now = self.clock()
        async with self._transaction() as session:
            found = (
                await session.execute(
                    select(WebSessionRow, UserRow)
                    .join(UserRow, UserRow.id == WebSessionRow.user_id)
                    .where(WebSessionRow.token_hash == _digest(token))
                )
            ).first()
            if found is None:
                return None
            web_session, user = found
            if self._expired(web_session, now):
                await session.delete(web_session)
                return None
            web_session.last_seen_at = now
            return SignedIn(user=_user(user), csrf_token=web_session.csrf_token)

    async def sign_out(self, token: str) -> None:
        """Forget a session (its cookie token stops working at once, in every process)."""
        async with self._transaction() as session:
            await session.execute(delete(WebSessionRow).where(WebSessionRow.token_hash == _digest(token)))

    def _expired(self, web_session: WebSessionRow, now: float) -> bool:
        return (
            now - web_session.last_seen_at > self.limits.idle_seconds
            or now - web_session.created_at > self.limits.absolute_seconds
        )


def _user(row: UserRow) -> User:
    return User(id=row.id, login=row.login, display_name=row.display_name, role=Role(row.role))


def _digest(token: str) -> str:
    # A copy of the database does not hold usable cookies: only their hashes.
    return hashlib.sha256(token.encode()).hexdigest()


def _locked_message(seconds: float) -> str:
    minutes = max(1, round(seconds / 60))
    return f"trop d'essais : compte bloqué, réessayez dans {minutes} min"
