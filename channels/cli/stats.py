"""``causette stats``: the conversation log's figures as readable tables in the terminal (French)."""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import date
from pathlib import Path

from channels.cli.exit_codes import EXIT_USAGE
from channels.server.settings import Settings
from conversation_log import Analytics, LogDatabase, LogUnavailable, analytics
from conversation_log.database import async_url
from nlu.config import load_config

EXIT_NO_LOG = 1


def cmd_stats(args: argparse.Namespace) -> int:
    """Print the figures of the bot's log over the period asked for."""
    try:
        since, until = _day(args.since, "--since"), _day(args.until, "--until")
    except ValueError as error:
        print(f"causette stats : {error}", file=sys.stderr)
        return EXIT_USAGE
    config = load_config(args.bot_dir)
    url = args.database_url or Settings(bot_dir=args.bot_dir).log_database_url()
    database_file = async_url(url).database
    if async_url(url).get_backend_name() == "sqlite" and database_file and not Path(database_file).exists():
        print(f"causette stats : aucun journal de conversations ({database_file} n'existe pas)", file=sys.stderr)
        return EXIT_NO_LOG
    try:
        figures = asyncio.run(_read(url, config.name, since, until))
    except LogUnavailable as error:
        print(f"causette stats : base du journal injoignable ({error.__cause__})", file=sys.stderr)
        return EXIT_NO_LOG
    print(figures.model_dump_json(indent=2) if args.json else "\n".join(report_lines(figures)))
    return 0


def _day(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{option} attend une date AAAA-MM-JJ, pas « {value} »") from None


async def _read(url: str, bot: str, since: date | None, until: date | None) -> Analytics:
    database = LogDatabase(url)
    try:
        return await analytics(database, bot, since, until)
    except Exception as error:  # any driver's error: unreachable, or no log table yet
        raise LogUnavailable(str(error)) from error
    finally:
        await database.dispose()


def report_lines(figures: Analytics) -> list[str]:
    """The figures as a summary and three tables."""
    start = f"du {figures.since}" if figures.since else "depuis le début"
    end = f"au {figures.until}" if figures.until else "jusqu’à aujourd’hui"
    period = f"{start} {end}"
    confidence = "–" if figures.median_confidence is None else f"{figures.median_confidence:.2f}".replace(".", ",")
    lines = [
        f"{figures.bot} — {period}",
        "",
        *table(
            ["indicateur", "valeur"],
            [
                ["conversations", str(figures.conversations)],
                ["messages", str(figures.messages)],
                ["taux de repli (fallback)", _percent(figures.fallback_rate)],
                ["taux de transfert à un humain", _percent(figures.handoff_rate)],
                ["appels d'actions en échec", f"{figures.action_failures} / {figures.action_calls}"],
                ["confiance médiane", confidence],
                ["conversations finies sans repli ni transfert", _percent(figures.ended_without_fallback_or_handoff)],
            ],
        ),
        "",
        "Intentions les plus fréquentes",
        *table(["intention", "messages"], [[item.intent, str(item.turns)] for item in figures.top_intents]),
        "",
        "Par jour",
        *table(
            ["jour", "messages", "replis", "intention principale"],
            [
                [
                    str(day.day),
                    str(day.turns),
                    str(day.fallbacks),
                    max(day.intents, key=day.intents.__getitem__, default="–"),
                ]
                for day in figures.per_day
            ],
        ),
        "",
        "Par canal",
        *table(
            ["canal", "conversations", "messages"],
            [[item.channel, str(item.conversations), str(item.turns)] for item in figures.per_channel],
        ),
    ]
    return lines


def table(header: list[str], rows: list[list[str]]) -> list[str]:
    """A plain-text table: columns as wide as their longest cell, numbers right-aligned."""
    if not rows:
        return ["  (aucune donnée)"]
    widths = [max(len(row[column]) for row in [header, *rows]) for column in range(len(header))]

    def line(cells: list[str]) -> str:
        return "  ".join(
            cell.rjust(width) if _is_number(cell) else cell.ljust(width)
            for cell, width in zip(cells, widths, strict=True)
        ).rstrip()

    return [line(header), "  ".join("-" * width for width in widths), *(line(row) for row in rows)]


def _is_number(cell: str) -> bool:
    return cell.replace(" ", "").replace("/", "").replace("%", "").replace(",", "").replace(".", "").isdigit()


def _percent(share: float) -> str:
    return f"{share * 100:.1f} %".replace(".", ",")
