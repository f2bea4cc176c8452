"""The ``causette`` command: check, train, test, parse, evaluate, chat and serve from a terminal."""

from channels.cli.main import main

__all__ = ["main"]
