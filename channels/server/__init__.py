"""The server's parts: the app factory, settings, services, admin auth, limits, origins, reload, watch."""
