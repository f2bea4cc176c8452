"""Real processes for benchmarks and end-to-end tests: the CLI, ``causette serve``, a redis-server,
a PostgreSQL server.

The benchmarks need them as much as the tests do, and benchmarks import no test helpers: both
import them from here. Only the standard library, httpx and redis, which the project depends on.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

REPO = Path(__file__).resolve().parent.parent
# A visitor's conversation with the demo bot, replayed by the load benchmarks.
DEMO_TURNS = (
    "bonjour",
    "je voudrais louer un scooter",
    "pour aujourd'hui",
    "c'est combien ?",
    "vous ouvrez à quelle heure ?",
    "merci, au revoir",
)


# The API key benchmarks and tests send: server-to-server callers may choose conversation ids.
# Every ServerProcess accepts it (the server keeps its hash, as it would a real key's).
BENCH_API_KEY = "bench-key-not-a-secret-0123456789abcdefghijklmnop"
BENCH_API_KEY_ENTRY = "bench:d07515d3bbb475608c9f47520d4e1df9a38010b659345f395423bc0fd7ed8cbd"
API_KEY_HEADERS = {"Authorization": f"Bearer {BENCH_API_KEY}"}


def run_cli(*args: str | Path, stdin: str | None = None, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Run ``causette ARGS`` as a user would, from the repository root."""
    return subprocess.run(
        [sys.executable, "-m", "channels.cli", *map(str, args)],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=timeout,
    )


def free_port() -> int:
    """A TCP port free on loopback right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_until(condition: Callable[[], bool], timeout: float = 60, what: str = "condition") -> None:
    """Poll ``condition()`` until it is true (readiness only: no timing is asserted)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} not reached after {timeout:g} s")
        time.sleep(0.05)


class HttpChildProcess:
    """A web server in a child process on a free loopback port, ready when its ``/healthz``
    answers one of ``ready_statuses``; ``stop`` then ``start`` again keep the port."""

    name: str
    ready_statuses: tuple[int, ...] = (200,)
    ready_timeout: float = 60
    command: list[str]
    env: dict[str, str]
    url: str
    port: int

    def start(self) -> None:
        """Start the server (again, after ``stop``: same port) and wait until it answers."""
        self.process = subprocess.Popen(self.command, cwd=REPO, env=self.env)
        self.wait_ready(self.ready_timeout)

    def alive(self) -> bool:
        """Whether the server process is still running."""
        return self.process.poll() is None

    def wait_ready(self, timeout: float = 120) -> None:
        """Poll /healthz until the server answers."""
        wait_until(self._answers, timeout, f"{self.name} on port {self.port}")

    def _answers(self) -> bool:
        if self.process.poll() is not None:
            raise RuntimeError(f"{self.name} exited with code {self.process.returncode}")
        try:
            return httpx.get(f"{self.url}/healthz", timeout=1).status_code in self.ready_statuses
        except httpx.TransportError:
            return False

    def stop(self) -> None:
        """Terminate the server and wait for it."""
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


class ServerProcess(HttpChildProcess):
    """``causette serve`` in a child process on a free loopback port, started at once; ready when
    /healthz answers, ready (200) or not (503)."""

    name = "server"
    ready_statuses = (200, 503)

    def __init__(
        self,
        bot_dir: Path,
        model_dir: Path,
        env: dict[str, str] | None = None,
        workers: int = 1,
        args: tuple[str, ...] = (),
        ready_timeout: float = 120,
    ) -> None:
        self.port = free_port()
        self.ready_timeout = ready_timeout
        self.url = f"http://127.0.0.1:{self.port}"
        self.command = [
            sys.executable,
            "-m",
            "channels.cli",
            "serve",
            str(bot_dir),
            "--model-dir",
            str(model_dir),
            "--port",
            str(self.port),
            "--workers",
            str(workers),
            "--log-level",
            "warning",
            *args,
        ]
        # Benchmarks measure the server, not its rate limits: off unless the environment says otherwise.
        self.env = {
            "CAUSETTE_RATE_LIMITS": "off",
            "CAUSETTE_API_KEYS": BENCH_API_KEY_ENTRY,
            **os.environ,
            **(env or {}),
        }
        self.start()


class RedisServer:
    """A redis-server of the tests' own on a free loopback port, without persistence.

    ``stop(save=True)`` writes the data to ``workdir`` first, and the next ``start`` loads it: a
    restart that keeps the data, as a Redis with persistence would.
    """

    def __init__(self, workdir: Path) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError("redis-server is not installed: run scripts/system_deps.sh")
        self.binary = binary
        self.workdir = workdir
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None

    def client(self) -> redis.Redis:
        """A synchronous client for checks and set-up; it reports errors instead of retrying."""
        return redis.Redis(port=self.port, socket_timeout=5, retry=Retry(NoBackoff(), 0))

    def start(self) -> None:
        """Start and wait until it answers PING."""
        self.workdir.mkdir(parents=True, exist_ok=True)
        log = (self.workdir / "redis.log").open("ab")
        self.process = subprocess.Popen(
            [
                self.binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.workdir),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        wait_until(self._answers, what=f"redis-server on port {self.port}")

    def _answers(self) -> bool:
        if self.process is None or self.process.poll() is not None:
            raise RuntimeError(f"redis-server exited, see {self.workdir / 'redis.log'}")
        try:
            return bool(self.client().ping())
        except redis.RedisError:
            return False

    def stop(self, save: bool = False) -> None:
        """Shut it down (saving its data to ``workdir`` first if ``save``) and wait for the exit."""
        if self.process is None:
            return
        self.resume()
        with contextlib.suppress(redis.ConnectionError):  # SHUTDOWN closes the connection instead of answering
            self.client().shutdown(save=save, nosave=not save)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None

    def pause(self) -> None:
        """Freeze the server (SIGSTOP): connections stay open, nothing answers, no data is lost."""
        assert self.process is not None
        self.process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        """Undo ``pause``."""
        if self.process is not None:
            self.process.send_signal(signal.SIGCONT)


POSTGRES_PORT = 5432


def postgres_answers(port: int = POSTGRES_PORT) -> bool:
    """Whether a PostgreSQL server (or anything) listens on 127.0.0.1:``port``."""
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex(("127.0.0.1", port)) == 0


class PostgresServer:
    """A PostgreSQL server of the tests' own: ``initdb`` into a new temporary folder, on a free
    loopback port, trust authentication for the ``postgres`` user. Run as the ``postgres`` system
    user when this process is root (PostgreSQL refuses to run as root), so the folder is its own,
    outside pytest's private temporary tree. ``stop`` and ``start`` again keep the data;
    ``remove`` stops it and deletes the folder.
    """

    def __init__(self) -> None:
        binaries = sorted(glob.glob("/usr/lib/postgresql/*/bin"))
        if not binaries:
            raise RuntimeError("PostgreSQL is not installed: run scripts/system_deps.sh")
        self.bin = Path(binaries[-1])
        self.workdir = Path(tempfile.mkdtemp(prefix="causette-postgres-"))
        self.data = self.workdir / "data"
        self.port = free_port()
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"
        self.as_user: list[str] = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        self._initdb()

    def _run(self, *command: str | Path) -> None:
        done = subprocess.run([*self.as_user, *map(str, command)], capture_output=True, text=True, timeout=120)
        if done.returncode:
            raise RuntimeError(f"{Path(command[0]).name} failed ({done.returncode}): {done.stderr or done.stdout}")

    def _initdb(self) -> None:
        if self.as_user:
            postgres = pwd.getpwnam("postgres")
            os.chown(self.workdir, postgres.pw_uid, postgres.pw_gid)
        self._run(self.bin / "initdb", "-D", self.data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")

    def start(self) -> None:
        """Start the server (again, after ``stop``) and wait until it accepts connections."""
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={self.workdir} -c fsync=off"
        self._run(
            self.bin / "pg_ctl", "-D", self.data, "-l", self.workdir / "postgres.log", "-o", options, "-w", "start"
        )

    def stop(self) -> None:
        """Stop the server at once (``-m fast``: connections are cut, as in a crash of the network)."""
        self._run(self.bin / "pg_ctl", "-D", self.data, "-m", "fast", "-w", "stop")

    def running(self) -> bool:
        """Whether the server is up (its pid file is there)."""
        return (self.data / "postmaster.pid").exists()

    def remove(self) -> None:
        """Stop the server if it runs, and delete its folder."""
        if self.running():
            self.stop()
        shutil.rmtree(self.workdir, ignore_errors=True)


class ActionServerProcess(HttpChildProcess):
    """An action server, ``python -m MODULE --port P [ARGS]``, in a child process on a free loopback
    port; started at once, ready when its ``/healthz`` answers."""

    name = "action server"

    def __init__(self, module: str, env: dict[str, str] | None = None, args: tuple[str, ...] = ()) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.command = [sys.executable, "-m", module, "--port", str(self.port), *args]
        self.env = {**os.environ, **(env or {})}
        self.start()

    @property
    def actions_url(self) -> str:
        """Where action requests are POSTed."""
        return f"{self.url}/actions"
