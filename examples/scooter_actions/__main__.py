"""``python -m examples.scooter_actions [--host H] [--port P] [--ledger FILE]``.

The shared secret comes from the environment variable the bot's ``[actions] secret_env`` names
(``CAUSETTE_ACTIONS_SECRET`` for the demo).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import uvicorn

from examples.scooter_actions.app import create_app

SECRET_ENV = "CAUSETTE_ACTIONS_SECRET"


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m examples.scooter_actions", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8001)
    parser.add_argument("--ledger", type=Path, help="keep the bookings in this JSON file (default: in memory)")
    parser.add_argument("--log-level", default="info", help="uvicorn's log level (warning: no access log)")
    args = parser.parse_args()
    secret = os.environ.get(SECRET_ENV)
    if not secret:
        print(f"scooter_actions: set {SECRET_ENV} to the secret shared with the bot", file=sys.stderr)
        return 2
    uvicorn.run(create_app(secret, args.ledger), host=args.host, port=args.port, log_level=args.log_level)
    return 0


if __name__ == "__main__":
    sys.exit(main())
