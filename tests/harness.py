"""For the tests and the bench: a small trained bot, and real redis-server and causette processes."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import NamedTuple

import httpx
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from nlu import load_bot, train

REPO = Path(__file__).resolve().parent.parent
READY_TIMEOUT = 60.0  # seconds; generous, for loaded CI machines. Readiness only, never asserted.

LOCATION = "Souhaitez-vous louer pour aujourd'hui ou pour plus tard cette semaine ?"
DAY_RENTAL = "Pour les locations du jour, merci d'appeler le 01 06 07 08 09"

# The seed's scooter shop, with its context turn. A long context lifespan keeps the rule simple for
# the concurrency test: "pour aujourd'hui" is understood once any rental request came before it.
SCOOTER_INTENTS = {"intents": [
    {"tag": "horaires",
     "patterns": ["Vous ouvrez à quelle heure ?", "Quels sont vos horaires d'ouverture ?",
                  "Quand êtes-vous ouvert ?"],
     "responses": ["On est ouvert tous les jours de 9h du matin à 19h"]},
    {"tag": "scooter",
     "patterns": ["Quels scooters avez-vous ?", "Quels types de scooter il y a ?",
                  "Qu'est-ce que vous louez ?"],
     "responses": ["On loue des scooters bleus, des verts et des roses"]},
    {"tag": "location",
     "patterns": ["Peut-on louer un scooter ?", "J'aimerais louer un scooter",
                  "je voudrais louer un scooter", "je veux louer un scooter", "Comment ça marche ?"],
     "responses": [LOCATION],
     "context_set": "jourlocation"},
    {"tag": "aujourd'hui",
     "patterns": ["aujourd'hui", "pour aujourd'hui", "c'est pour aujourd'hui"],
     "responses": [DAY_RENTAL],
     "context_filter": "jourlocation"},
    {"tag": "plus_tard",
     "patterns": ["plus tard", "pour plus tard cette semaine", "dans quelques jours"],
     "responses": ["Vous pouvez réserver sur notre site."],
     "context_filter": "jourlocation"},
]}
BOT_TOML = "name = \"Scooters\"\ncontext_lifespan = 1000\nresponse_seed = 7\n"


class TrainedBot(NamedTuple):
    """A bot folder and its trained model, to pass as ``--model-dir`` so servers need not train."""

    bot_dir: Path
    model_dir: Path


def write_scooter_bot(folder: Path) -> TrainedBot:
    """Write the scooter bot into ``folder``, train it once and save its model there too."""
    bot_dir = folder / "bot"
    bot_dir.mkdir(parents=True)
    (bot_dir / "intents.json").write_text(json.dumps(SCOOTER_INTENTS, ensure_ascii=False), "utf-8")
    (bot_dir / "bot.toml").write_text(BOT_TOML, "utf-8")
    model_dir = folder / "model"
    train(load_bot(bot_dir)).save(model_dir)
    return TrainedBot(bot_dir, model_dir)


def free_port() -> int:
    """A TCP port nobody listens on right now, on loopback."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(condition, timeout: float = READY_TIMEOUT, what: str = "condition") -> None:
    """Poll ``condition()`` until it is true; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} not reached after {timeout:g} s")
        time.sleep(0.05)


class RedisServer:
    """A redis-server of our own on a free loopback port: no persistence unless stopped with save.

    Stopping with ``save=True`` writes its data to ``workdir``, which the next start loads: a
    restart that keeps the data, as a Redis with persistence would.
    """

    def __init__(self, workdir: Path) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError("redis-server is not installed: run scripts/system_deps.sh")
        self.binary = binary
        self.workdir = workdir
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        """The URL clients use."""
        return f"redis://127.0.0.1:{self.port}/0"

    def client(self) -> redis.Redis:
        """A plain synchronous client, for checks and set-up; it does not retry, it reports."""
        return redis.Redis(port=self.port, socket_timeout=5, retry=Retry(NoBackoff(), 0))

    def start(self) -> None:
        """Start and wait until it answers PING."""
        self.workdir.mkdir(parents=True, exist_ok=True)
        log = (self.workdir / "redis.log").open("ab")
        self.process = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.workdir)],
            stdout=log, stderr=subprocess.STDOUT,
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
        """Shut it down (saving its data to ``workdir`` first if ``save``); wait for the exit."""
        if self.process is None:
            return
        self.resume()
        try:
            self.client().shutdown(save=save, nosave=not save)
        except redis.ConnectionError:
            pass  # SHUTDOWN closes the connection instead of answering
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None

    def pause(self) -> None:
        """Freeze the server (SIGSTOP): connections open, nothing answers, no data lost."""
        assert self.process is not None
        self.process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        """Undo ``pause``."""
        if self.process is not None:
            self.process.send_signal(signal.SIGCONT)


class CausetteServer:
    """``causette serve`` in its own process, as an operator starts it."""

    def __init__(self, bot: TrainedBot, env: dict[str, str], log_path: Path, workers: int = 1) -> None:
        self.bot = bot
        self.env = env
        self.log_path = log_path
        self.workers = workers
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        """Base URL of the server."""
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        """Start and wait until ``/healthz`` says ready."""
        self.launch()
        self.wait_ready()

    def launch(self) -> None:
        """Start without waiting: servers launched together start in parallel."""
        command = [sys.executable, "-m", "channels.cli", "serve", str(self.bot.bot_dir),
                   "--model-dir", str(self.bot.model_dir), "--port", str(self.port),
                   "--workers", str(self.workers), "--log-level", "warning"]
        log = self.log_path.open("ab")
        # Only the settings given here: a developer's own CAUSETTE_* must not change the test.
        inherited = {k: v for k, v in os.environ.items() if not k.startswith("CAUSETTE_")}
        self.process = subprocess.Popen(command, cwd=REPO, env={**inherited, **self.env},
                                        stdout=log, stderr=subprocess.STDOUT)

    def wait_ready(self) -> None:
        """Wait until ``/healthz`` says ready; fail at once if the process died."""
        wait_until(self._ready, what=f"causette server on port {self.port}")

    def _ready(self) -> bool:
        if not self.alive():
            raise RuntimeError(f"causette server exited, see {self.log_path}")
        try:
            return httpx.get(f"{self.url}/healthz", timeout=5).status_code == 200
        except httpx.HTTPError:
            return False

    def alive(self) -> bool:
        """Whether the server process is still running."""
        return self.process is not None and self.process.poll() is None

    def stop(self) -> None:
        """Stop as an operator would (SIGTERM), killing it if it does not exit in time."""
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None
