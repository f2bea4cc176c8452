"""API keys and conversation tokens: how they are made, and how the server keeps them (hashed).

``CAUSETTE_API_KEYS`` holds ``NAME:SHA256HEX`` entries, separated by commas; a file named by
``CAUSETTE_API_KEYS_FILE`` holds more, one a line. Removing an entry (and restarting) revokes
its key. Keys and tokens are 32 random bytes, so a plain SHA-256 is enough to keep them: there
is no dictionary to try.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from pathlib import Path

KEY_NAME_PATTERN = r"^[A-Za-z0-9_-]{1,32}$"
_KEY_ENTRY = re.compile(r"([A-Za-z0-9_-]{1,32}):([0-9a-f]{64})")


def digest(secret: str) -> str:
    """The SHA-256 of a token or key, in hex: what the server keeps instead of the secret."""
    return hashlib.sha256(secret.encode()).hexdigest()


def new_secret() -> str:
    """A fresh conversation token or API key: 32 random bytes, URL-safe."""
    return secrets.token_urlsafe(32)


def parse_api_key_entries(text: str) -> dict[str, str]:
    """``NAME:SHA256HEX`` entries separated by commas or new lines (``#`` starts a comment), as
    name -> digest; ValueError naming the first bad entry."""
    keys: dict[str, str] = {}
    for raw in re.split(r"[,\n]", text):
        entry = raw.split("#", 1)[0].strip()
        if not entry:
            continue
        match = _KEY_ENTRY.fullmatch(entry)
        if match is None:
            shown = entry.split(":", 1)[0]
            raise ValueError(f"API key entry {shown!r}… must be NAME:SHA256HEX (see 'causette apikey new NAME')")
        keys[match.group(1)] = match.group(2)
    return keys


def read_api_keys(entries: str, file: Path | None) -> dict[str, str]:
    """The API keys of the settings: ``CAUSETTE_API_KEYS`` entries and those of its file."""
    keys = parse_api_key_entries(entries)
    if file is not None:
        keys |= parse_api_key_entries(file.read_text(encoding="utf-8-sig"))
    return keys


def new_key_entry(name: str) -> tuple[str, str]:
    """A fresh API key named ``name`` and the ``NAME:SHA256HEX`` line that admits it."""
    if not re.fullmatch(KEY_NAME_PATTERN, name):
        raise ValueError("a key name is 1 to 32 letters, digits, '-' or '_'")
    key = new_secret()
    return key, f"{name}:{digest(key)}"
