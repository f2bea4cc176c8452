"""The four roles and what each may do. An account has exactly one role."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """What an account may do in the consoles.

    - admin: everything, including managing accounts;
    - author: reads and changes the bot's content (author console);
    - agent: takes and answers conversations handed to a person (agent console); never changes content;
    - viewer: reads the author console; changes nothing.
    """

    ADMIN = "admin"
    AUTHOR = "author"
    AGENT = "agent"
    VIEWER = "viewer"

    @property
    def label(self) -> str:
        """The role's French name, shown to the signed-in person."""
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.ADMIN: "administrateur",
    Role.AUTHOR: "auteur",
    Role.AGENT: "conseiller",
    Role.VIEWER: "lecteur",
}
CONSOLE_ROLES = (Role.ADMIN, Role.AUTHOR, Role.VIEWER)  # who may open the author console
AGENT_ROLES = (Role.ADMIN, Role.AGENT)  # who may open the agent console
