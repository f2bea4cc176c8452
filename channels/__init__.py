"""Ways in: REST, WebSocket and the web chat widget, the CLI; and the app factory."""

from channels.server.app import create_app
from channels.server.settings import Settings

__all__ = ["Settings", "create_app"]
