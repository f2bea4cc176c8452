"""Turn latency with an action call, next to the same kind of turn without one, in one run.

Two real processes on loopback: ``causette serve intents`` (the demo bot) and its action server
(``python -m examples.scooter_actions``). One client sends, alternately, a message whose intent
calls an action ("où en est ma réservation R-2041 ?": ``suivi_reservation``, a signed HTTP call
and its validated answer) and a message answered from the intent file ("quels sont vos horaires
d'ouverture ?"), each in its own conversation, and times every turn end to end over REST.

    python -m bench.action_latency [--turns 300] [--warmup 30]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import httpx

from bench.processes import REPO, ActionServerProcess, ServerProcess
from bench.stats import percentile, table

SECRET = "bench-actions-secret"
WITH_ACTION = "où en est ma réservation R-2041 ?"
WITHOUT_ACTION = "quels sont vos horaires d'ouverture ?"


def timed_turn(client: httpx.Client, session: str, text: str) -> tuple[float, dict[str, object]]:
    started = time.perf_counter()
    reply = client.post(f"/api/v1/conversations/{session}/messages", json={"text": text})
    elapsed = time.perf_counter() - started
    reply.raise_for_status()
    turn: dict[str, object] = reply.json()
    return elapsed, turn


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--turns", type=int, default=300, help="timed turns of each kind")
    parser.add_argument("--warmup", type=int, default=30, help="untimed turns of each kind first")
    args = parser.parse_args()
    actions = ActionServerProcess(
        "examples.scooter_actions", env={"CAUSETTE_ACTIONS_SECRET": SECRET}, args=("--log-level", "warning")
    )
    with tempfile.TemporaryDirectory() as model_dir:
        env = {"CAUSETTE_ACTIONS_SECRET": SECRET, "CAUSETTE_ACTIONS_URL": actions.actions_url}
        bot = ServerProcess(REPO / "intents", Path(model_dir), env=env, ready_timeout=600)
        try:
            with httpx.Client(base_url=bot.url, timeout=30) as client:
                # The booking the status turns ask about.
                booked = client.post(
                    "/api/v1/conversations/bench-booking/messages",
                    json={"text": "je voudrais réserver un scooter bleu pour le 3 décembre"},
                ).json()
                assert booked["action"]["outcome"] == "ok", booked
                samples: dict[str, list[float]] = {"with": [], "without": []}
                action_ms: list[float] = []
                for round_number in range(args.warmup + args.turns):
                    with_action, turn = timed_turn(client, "bench-with", WITH_ACTION)
                    assert turn["intent"] == {"name": "suivi_reservation", "probability": turn["intent"]["probability"]}  # type: ignore[index]
                    assert turn["action"]["outcome"] == "ok", turn  # type: ignore[index]
                    without_action, plain = timed_turn(client, "bench-without", WITHOUT_ACTION)
                    assert plain["action"] is None, plain
                    if round_number >= args.warmup:
                        samples["with"].append(with_action)
                        samples["without"].append(without_action)
                        action_ms.append(float(turn["action"]["duration_ms"]))  # type: ignore[index]
        finally:
            bot.stop()
            actions.stop()
    rows = [
        [
            label,
            len(samples[key]),
            f"{statistics.median(samples[key]) * 1e3:.2f}",
            f"{percentile(samples[key], 0.95) * 1e3:.2f}",
        ]
        for key, label in (("without", "turn without an action"), ("with", "turn with an action call"))
    ]
    print(table(["turn (REST, one client, loopback)", "turns", "median (ms)", "p95 (ms)"], rows))
    extra = statistics.median(samples["with"]) - statistics.median(samples["without"])
    print(
        f"\nmedian cost of the action: {extra * 1e3:.2f} ms per turn; the call itself as the turn reports it "
        f"(duration_ms): median {statistics.median(action_ms):.2f} ms, p95 {percentile(action_ms, 0.95):.2f} ms"
    )


if __name__ == "__main__":
    main()
