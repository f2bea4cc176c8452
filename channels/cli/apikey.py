"""``causette apikey new NAME``: a fresh API key, and the entry that lets the server accept it."""

from __future__ import annotations

import argparse
import sys

from channels.cli.exit_codes import EXIT_USAGE
from channels.server.api_keys import new_key_entry


def cmd_apikey_new(args: argparse.Namespace) -> int:
    """Print a new key (for the client) and, on the next line, its ``NAME:SHA256HEX`` entry (for CAUSETTE_API_KEYS)."""
    try:
        key, entry = new_key_entry(args.name)
    except ValueError as error:
        print(f"causette apikey: {error}", file=sys.stderr)
        return EXIT_USAGE
    print("line 1: the key, for the client (shown once); line 2: the entry for CAUSETTE_API_KEYS", file=sys.stderr)
    print(key)
    print(entry)
    return 0
