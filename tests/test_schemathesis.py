"""The live OpenAPI schema, checked by schemathesis against a real server: every check, zero failures.

Each operation gets a bounded number of generated requests (valid and invalid: wrong types, missing
fields, hostile strings, unknown methods, missing credentials); every answer must be a status the
schema lists, with a body matching the schema's model for it, and never a 5xx. Rate limits are off:
the run tests the API's logic, not the limits (tests/inprocess/test_rate_limits.py does).
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import BENCH_API_KEY, MINI_BOT, ServerProcess

ADMIN_KEY = "schemathesis-admin-key-0123"
MAX_EXAMPLES = 25  # per operation and phase: about 200 requests, a few seconds

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def server(mini_model_dir: Path) -> Iterator[ServerProcess]:
    """The mini bot served with an admin key, so that the admin endpoints are exercised too."""
    process = ServerProcess(
        MINI_BOT, mini_model_dir, env={"CAUSETTE_ADMIN_KEY": ADMIN_KEY, "CAUSETTE_RATE_LIMITS": "off"}
    )
    yield process
    process.stop()


# Two callers: the admin key (which reads, exports and erases but never speaks in a conversation)
# and a server-to-server API key (which opens conversations, chooses their ids and speaks in them).
CALLERS = {"admin": f"Bearer {ADMIN_KEY}", "api key": f"Bearer {BENCH_API_KEY}"}


@pytest.mark.parametrize("caller", sorted(CALLERS))
def test_schemathesis_finds_no_failure_over_the_live_schema(server: ServerProcess, tmp_path: Path, caller: str) -> None:
    command = [
        sys.executable,
        "-m",
        "schemathesis.cli",
        "run",
        f"{server.url}/openapi.json",
        "--checks",
        "all",
        "--max-examples",
        str(MAX_EXAMPLES),
        "--seed",
        "19",
        "--header",
        f"Authorization: {CALLERS[caller]}",
        "--no-color",
    ]
    # In a folder of its own: schemathesis keeps its example database in the working directory.
    run = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False, cwd=tmp_path)
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
    # Every generated case passed (warnings say which operations this caller may not use).
    (cases,) = [line for line in run.stdout.splitlines() if " generated, " in line]
    assert " failed" not in cases and " passed" in cases, cases
