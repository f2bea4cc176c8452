"""Example programs built on Causette (see README.md)."""
