"""Password hashing (argon2id through argon2-cffi) and the minimum a password must meet."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 12


class WeakPassword(ValueError):
    """A password refused before it is hashed; the message is French, for the person choosing it."""


def check_strength(password: str, login: str) -> None:
    """Refuse a password that is too short or that repeats the login."""
    if len(password) < MIN_LENGTH:
        raise WeakPassword(f"le mot de passe doit compter au moins {MIN_LENGTH} caractères")
    if password.strip().casefold() == login.strip().casefold():
        raise WeakPassword("le mot de passe ne doit pas être l'identifiant")


class Passwords:
    """Hashes and verifies passwords; says when a stored hash was made with older parameters."""

    def __init__(self, hasher: PasswordHasher | None = None) -> None:
        self.hasher = hasher or PasswordHasher()
        # Verified when the login is unknown, so that an unknown login takes as long as a wrong password.
        self._decoy = self.hasher.hash("causette-decoy-password")

    def hash(self, password: str) -> str:
        """An argon2id hash of ``password``, with its salt and parameters."""
        return self.hasher.hash(password)

    def verify(self, stored: str | None, password: str) -> bool:
        """Whether ``password`` matches ``stored`` (None: an unknown login, checked against a decoy)."""
        try:
            return self.hasher.verify(stored or self._decoy, password) and stored is not None
        except (VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, stored: str) -> bool:
        """Whether ``stored`` was made with other parameters than today's (rehashed at sign-in)."""
        return self.hasher.check_needs_rehash(stored)
