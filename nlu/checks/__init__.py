"""Content checks, in one place.

Errors (nothing is trained from a folder that has one): :mod:`nlu.checks.assembly` while the
parts read from the files are put together, :mod:`nlu.checks.intents` across all intents.
Warnings (content that trains but that an author most likely did not mean): :mod:`nlu.checks.lint`.
Every check reports :class:`~nlu.errors.Problem` values made with ``Problem.at``.
"""

from nlu.checks.assembly import Assembled, assemble
from nlu.checks.intents import check_actions, check_intents
from nlu.checks.lint import RULES, lint

__all__ = ["RULES", "Assembled", "assemble", "check_actions", "check_intents", "lint"]
