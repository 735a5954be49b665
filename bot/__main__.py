"""`python -m bot`: run the bot, chat in the console, manage the database and the programs."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys

from bot.admin import CommandLineParser, configure, run_admin
from bot.app import build_app, run_console
from bot.config import ConfigError, Settings, load_settings
from storage import Database

EXIT_CONFIG = 2


def parse_args(argv: list[str]) -> argparse.Namespace:
    """The command line."""
    parser = CommandLineParser(prog="python -m bot", description="Nastavnik mentorship bot")
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("run", help="run the configured messengers, or the console chat if none")
    console = commands.add_parser("console", help="chat with the bot in the terminal")
    console.add_argument(
        "--user", default="console", help="the console user's id (default: console)"
    )
    console.add_argument("--lang", default=None, help="the user's language code, e.g. en")
    db = commands.add_parser("db", help="database schema")
    db_commands = db.add_subparsers(dest="db_command", required=True)
    upgrade = db_commands.add_parser("upgrade", help="apply migrations (default: to the newest)")
    upgrade.add_argument("revision", nargs="?", default="head")
    downgrade = db_commands.add_parser("downgrade", help="revert migrations to a revision")
    downgrade.add_argument("revision")
    admin = commands.add_parser(
        "admin", help="organisations, coordinators, programs, invite links, questionnaires"
    )
    configure(admin)
    return parser.parse_args(argv)


async def run(settings: Settings, args: argparse.Namespace) -> int:
    """Carry out the command."""
    if args.command == "db":
        database = Database(settings.database.url)
        try:
            if args.db_command == "upgrade":
                await database.upgrade(args.revision)
            else:
                await database.downgrade(args.revision)
        finally:
            await database.dispose()
        return 0
    app = await build_app(settings)
    try:
        if args.command == "admin":
            return await run_admin(app, args)
        if args.command in (None, "run") and settings.has_messengers:
            from bot.messengers import run_messengers  # noqa: PLC0415 - slow imports, only here

            await run_messengers(app)
        elif args.command == "console":
            await run_console(app, user_id=args.user, language=args.lang, hint=False)
        else:
            await run_console(app, user_id="console", language=os.environ.get("LANG"), hint=True)
    finally:
        await app.close()
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point; configuration problems end with one line and exit code 2."""
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        settings = load_settings()
    except ConfigError as error:
        print(f"Configuration error: {error}", file=sys.stderr)
        return EXIT_CONFIG
    level = getattr(logging, settings.log.level)
    if args.command in (None, "run", "console", "admin"):
        level = max(level, logging.WARNING)  # keep the terminal chat and command output readable
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    return asyncio.run(run(settings, args))


if __name__ == "__main__":
    sys.exit(main())
