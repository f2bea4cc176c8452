"""Causette's SDK: what an action server needs to speak with a Causette bot."""
