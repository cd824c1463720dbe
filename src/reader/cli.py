"""The `reader` command: serve articles, import them."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import signal
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

from reader import __version__
from reader.accounts import AccountError, AccountStore, check_name
from reader.db import Database, DatabaseError
from reader.demo import seed_demo
from reader.importer import ImportFailure, import_files
from reader.settings import Settings, SettingsError
from reader.store import SQLiteArticleStore

GRACEFUL_SHUTDOWN_SECONDS = 30


class ProgressBar:
    """A one-line progress bar on a terminal; silent when output is not a terminal."""

    def __init__(self, stream: TextIO, label: str, width: int = 30) -> None:
        self.stream = stream
        self.label = label
        self.width = width
        self.enabled = stream.isatty()

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled or total <= 0:
            return
        filled = self.width * done // total
        bar = "#" * filled + "." * (self.width - filled)
        self.stream.write(f"\r{self.label} [{bar}] {done}/{total}")
        if done == total:
            self.stream.write("\n")
        self.stream.flush()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="reader",
        description="An accessibility-focused reader server for news articles.",
        epilog="Environment: READER_DB, READER_DEFAULT_LANG, READER_TRUST_PROXY, READER_PAGE_SIZE, "
        "READER_MAX_BODY_BYTES, READER_RESPONSE_CACHE_BYTES, READER_SEED_DEMO, READER_DEBUG (see README.md).",
    )
    parser.add_argument("--version", action="version", version=f"reader {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    db_help = "SQLite database file (default: $READER_DB, else ./reader.db)"

    serve = commands.add_parser(
        "serve",
        help="start the web server",
        description="Start the web server. A missing or empty database is created and filled with the demo articles.",
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="port to listen on (default: 8000)")
    serve.add_argument("--db", type=Path, help=db_help)

    importer = commands.add_parser(
        "import",
        help="import articles from files",
        description="Import articles from JSON, Markdown (YAML front matter) and HTML files in one "
        "transaction: a malformed file stops the run and nothing is written.",
    )
    importer.add_argument("--db", type=Path, help=db_help)
    importer.add_argument("files", nargs="+", type=Path, metavar="FILE", help=".json, .md or .html file")

    user = commands.add_parser("user", help="manage editor accounts")
    user_commands = user.add_subparsers(dest="user_command", required=True, metavar="ACTION")
    add = user_commands.add_parser(
        "add", help="add an editor account",
        description="Add an editor account. The password is asked for twice on a terminal, or read as the first "
        "line of standard input (e.g. from a secrets manager).",
    )  # fmt: skip
    add.add_argument("name", help="the login name")
    add.add_argument("--db", type=Path, help=db_help)

    token = commands.add_parser("token", help="manage API tokens")
    token_commands = token.add_subparsers(dest="token_command", required=True, metavar="ACTION")
    create = token_commands.add_parser("create", help="create an API token and print it (once)")
    create.add_argument("name", help="a name for the token, e.g. the tool that uses it")
    create.add_argument("--db", type=Path, help=db_help)
    revoke = token_commands.add_parser("revoke", help="revoke an API token")
    revoke.add_argument("name")
    revoke.add_argument("--db", type=Path, help=db_help)
    return parser


def _fail(message: str) -> int:
    print(f"reader: error: {message}", file=sys.stderr)
    return 2


async def _prepare(settings: Settings) -> None:
    db = Database(settings.db_path, read_connections=1, busy_timeout_ms=settings.busy_timeout_ms)
    created = await db.open()
    try:
        if created and settings.seed_demo:
            await seed_demo(SQLiteArticleStore(db))
    finally:
        await db.close()


def _serve(settings: Settings, host: str, port: int) -> int:
    try:
        asyncio.run(_prepare(settings))
    except (DatabaseError, ImportFailure) as exc:
        return _fail(str(exc))
    print(f"reader {__version__}: serving {settings.db_path} at http://{host}:{port}/", file=sys.stderr)
    with _stop_signals_exit_cleanly():
        _run_uvicorn(settings, host, port)
    return 0


@contextmanager
def _stop_signals_exit_cleanly() -> Iterator[None]:
    """uvicorn shuts down gracefully on SIGTERM and SIGINT, then raises the same signal again against the
    handlers it found at start; with the default ones the process dies of it (status -15) after a clean
    shutdown. These handlers take the repeated signal instead, so a requested stop exits 0."""

    def already_handled(number: int, frame: object) -> None:
        """The stop was asked for and carried out: nothing left to do."""

    previous = {number: signal.signal(number, already_handled) for number in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def _run_uvicorn(settings: Settings, host: str, port: int) -> None:
    import uvicorn

    from reader.app import create_app
    from reader.request_id import log_config

    uvicorn.run(
        # _prepare has just checked the file; the lifespan need not read it all again.
        create_app(settings, check_database=False),
        host=host,
        port=port,
        loop="uvloop",
        http="httptools",
        proxy_headers=settings.trust_proxy_headers,
        forwarded_allow_ips="*" if settings.trust_proxy_headers else None,
        server_header=False,
        log_level="info",
        log_config=log_config(),
        # On SIGTERM, requests in flight get this long to finish before they are cancelled (a cancelled
        # write rolls back); the database is closed cleanly after them either way.
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS,
    )


async def _import(settings: Settings, files: Sequence[Path]) -> str:
    db = Database(settings.db_path, read_connections=1, busy_timeout_ms=settings.busy_timeout_ms)
    await db.open()
    try:
        result = await import_files(SQLiteArticleStore(db), files, ProgressBar(sys.stderr, "Checking files"))
    finally:
        await db.close()
    total = result.created + result.updated + result.unchanged
    return (
        f"Imported {total} article{'s' if total != 1 else ''} into {settings.db_path}: "
        f"{result.created} new, {result.updated} updated, {result.unchanged} unchanged."
    )


def _read_password(name: str) -> str:
    if sys.stdin.isatty():
        first = getpass.getpass(f"Password for {name}: ")
        if getpass.getpass("Repeat the password: ") != first:
            raise AccountError("the two passwords differ")
        return first
    return sys.stdin.readline().rstrip("\r\n")


async def _accounts(settings: Settings, args: argparse.Namespace) -> str:
    db = Database(settings.db_path, read_connections=1, busy_timeout_ms=settings.busy_timeout_ms)
    await db.open()
    try:
        accounts = AccountStore(db)
        if args.command == "user":
            check_name(args.name)
            await accounts.add_user(args.name, _read_password(args.name))
            return f"Added the editor account {args.name!r}."
        if args.token_command == "create":
            token = await accounts.create_token(args.name)
            return f"{token}\n(Shown once: store it now. Use it as 'Authorization: Bearer <token>'.)"
        if not await accounts.revoke_token(args.name):
            raise AccountError(f"there is no token named {args.name!r}")
        return f"Revoked the token {args.name!r}."
    finally:
        await db.close()


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    args = _parser().parse_args(argv)
    try:
        settings = Settings.from_env(os.environ, db_path=args.db)
    except SettingsError as exc:
        return _fail(str(exc))
    if args.command == "serve":
        return _serve(settings, args.host, args.port)
    if args.command in ("user", "token"):
        try:
            print(asyncio.run(_accounts(settings, args)))
        except (AccountError, DatabaseError) as exc:
            return _fail(str(exc))
        return 0
    try:
        print(asyncio.run(_import(settings, args.files)))
    except ImportFailure as exc:
        print(f"reader import: {exc}", file=sys.stderr)
        print("reader import: nothing was written.", file=sys.stderr)
        return 1
    except DatabaseError as exc:
        return _fail(str(exc))
    return 0
