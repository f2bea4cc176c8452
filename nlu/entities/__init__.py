"""Entities: builtin ones parsed by the Rust grammar in snips-nlu-parsers, custom value lists.

Submodules are imported directly (``nlu.entities.builtin``, ``nlu.entities.custom``): the builtin
parser loads a native library, which only the code that parses dates and numbers should pay for.
"""
