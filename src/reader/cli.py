"""The `reader` command: serve articles, import them, manage accounts and tokens, migrate and copy databases."""

from __future__ import annotations

import argparse
import asyncio
import functools
import getpass
import os
import signal
import socket
import sys
import unicodedata
import warnings
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import AsyncExitStack, asynccontextmanager, contextmanager, suppress
from pathlib import Path
from typing import TYPE_CHECKING, TextIO, cast

from reader import __version__, access_log
from reader.access_log import FLUSH_BYTES, FLUSH_SECONDS
from reader.accounts import AccountError, AccountStore, Listed, check_name
from reader.copying import SITE_TABLES, CopyRefused, SourceUnavailable, copy_database, counted, from_source
from reader.db import (
    SCHEMA_VERSION,
    ConflictError,
    Database,
    DatabaseError,
    DatabaseUnavailable,
    Seed,
    Transaction,
    database_for,
    describe_target,
    url_identity,
)
from reader.demo import seed_demo
from reader.importer import (
    ImportFailure,
    drafts_from_files,
    layout_findings,
    save_imported,
)
from reader.models import BY_CLI_IMPORT
from reader.settings import (
    ACCESS_LOG_FORMATS,
    ACCESS_LOG_OFF,
    ACCESS_LOG_STDERR,
    ENVIRONMENT,
    Settings,
    SettingsError,
    access_log_destination,
    access_log_format,
    parse_database,
    port,
    workers,
)
from reader.store import SqlArticleStore
from reader.throttle import FAILURE_WINDOW_SECONDS, MAX_FAILURES, LoginThrottle

if TYPE_CHECKING:
    from _typeshed import SupportsWrite
    from starlette.applications import Starlette

GRACEFUL_SHUTDOWN_SECONDS = 30
# What `reader import`, `user` and `token` say of their database in --help: they make none and move none on.
_EXISTING_SITE = (
    "It works on an existing site, one that 'reader serve' or 'reader migrate' made: a missing database, or one "
    "at an older schema, is refused (run 'reader migrate' first)."
)


def release() -> str:
    """What --version and the serving line say: with the schema the code reads and writes, which tells two
    releases apart where the version number does not, e.g. the nodes of a rolling upgrade (docs/deployment.md,
    Upgrades); and whether the access log's compiled part was built at install (reader.access_log.COMPILED:
    without it the log costs a few per cent more of a cached answer, docs/deployment.md)."""
    log = "compiled" if access_log.COMPILED else "in Python"
    return f"reader {__version__} (database schema {SCHEMA_VERSION}, access log {log})"


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


class _Parser(argparse.ArgumentParser):
    """argparse's parser, whose usage and errors show the arguments they quote (unrecognized arguments: it
    writes them as given) with every character visible, as the other messages do (visible)."""

    def _print_message(self, message: str, file: SupportsWrite[str] | None = None) -> None:
        super()._print_message(visible_lines(message), file)


def _parser() -> argparse.ArgumentParser:
    width = max(len(name) for name, _ in ENVIRONMENT)
    parser = _Parser(
        prog="reader",
        description="An accessibility-focused reader server for news articles.",
        epilog="environment variables (README.md, Configuration):\n"
        + "\n".join(f"  {name:<{width}}  {meaning}" for name, meaning in ENVIRONMENT),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=release())
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    db_help = (
        "a SQLite file, or a postgresql://user:password@host:port/dbname URL (default: $READER_DB, else ./reader.db)"
    )

    serve = commands.add_parser(
        "serve",
        help="start the web server",
        description="Start the web server. A missing or empty database is created and filled with the demo articles.",
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    # Checked with the settings (reader.settings.port): a port out of range is one line, before the database.
    serve.add_argument("--port", default="8000", help="port to listen on (default: 8000)")
    serve.add_argument("--db", help=db_help)
    serve.add_argument(
        "--workers",
        metavar="N",
        help="server processes sharing the port, each with its own answer cache; 'auto' is one per CPU "
        "(default: $READER_WORKERS, else 1)",
    )
    serve.add_argument(
        "--access-log",
        metavar="PATH",
        help=f"where the access log goes: a file (appended to), '{ACCESS_LOG_STDERR}' or '{ACCESS_LOG_OFF}' "
        f"(default: $READER_ACCESS_LOG, else {ACCESS_LOG_STDERR}); written when {FLUSH_BYTES // 1024} KiB "
        f"gather or the oldest line is {FLUSH_SECONDS:g} s old",
    )
    serve.add_argument(
        "--access-log-format",
        choices=ACCESS_LOG_FORMATS,
        help="text (Combined Log Format, then duration and request id) or json, one object per line "
        "(default: $READER_ACCESS_LOG_FORMAT, else text)",
    )

    importer = commands.add_parser(
        "import",
        help="import articles from files",
        description="Import articles from JSON, Markdown (YAML front matter) and HTML files in one "
        "transaction: a malformed file stops the run and nothing is written. " + _EXISTING_SITE,
    )
    importer.add_argument("--db", help=db_help)
    importer.add_argument(
        "--lang", metavar="TAG",
        help="the language (a BCP 47 tag: vi, en) of articles whose file says none (HTML without <html lang>, "
        "Markdown or JSON without lang, every .txt file), before Word's <body lang> and the lang of its text; "
        "without it, such a file takes Word's marking, or is refused",
    )  # fmt: skip
    importer.add_argument(
        "--drafts", action="store_true",
        help="save new articles as drafts (off the site) unless their file says status or draft; articles "
        "already stored keep their state (the editor's import page does this unless told otherwise)",
    )  # fmt: skip
    importer.add_argument(
        "files", nargs="+", type=Path, metavar="FILE", help=".json, .md/.markdown, .html/.htm or .txt (plain text) file"
    )

    user = commands.add_parser(
        "user", help="manage editor accounts", description="Manage editor accounts. " + _EXISTING_SITE
    )
    user_commands = user.add_subparsers(dest="user_command", required=True, metavar="ACTION")
    add = user_commands.add_parser(
        "add", help="add an editor account",
        description="Add an editor account. The password is asked for twice on a terminal, or read as the first "
        "line of standard input (e.g. from a secrets manager).",
    )  # fmt: skip
    add.add_argument("name", help="the login name")
    add.add_argument("--db", help=db_help)
    listing = user_commands.add_parser(
        "list", help="list the editor accounts",
        description="List the editor accounts: each one's name, when it was created and when it last signed "
        "in ('never' if it has not signed in since reader began recording sign-ins), a line each.",
    )  # fmt: skip
    listing.add_argument("--db", help=db_help)
    password = user_commands.add_parser(
        "password", help="set an account's password and sign it out everywhere",
        description="Set a new password for an account, read as 'user add' reads it (asked for twice on a "
        "terminal, else the first line of standard input), and end every session the account has.",
    )  # fmt: skip
    password.add_argument("name", help="the login name")
    password.add_argument("--db", help=db_help)
    remove = user_commands.add_parser(
        "remove", help="remove an editor account and its sessions",
        description="Remove an editor account and end its sessions; what it saved keeps its name. Asks for the "
        "name to be typed again on a terminal; elsewhere --yes is needed.",
    )  # fmt: skip
    remove.add_argument("name", help="the login name")
    remove.add_argument("--yes", action="store_true", help="remove without asking")
    remove.add_argument("--db", help=db_help)
    unlock = user_commands.add_parser(
        "unlock", help="let an account locked out by wrong passwords sign in again",
        description=f"Forget the failed sign-ins that hold an account back (after {MAX_FAILURES} in "
        f"{FAILURE_WINDOW_SECONDS // 60} minutes), with those they counted against the client address that made "
        "them; --all forgets every one.",
    )  # fmt: skip
    unlock_whom = unlock.add_mutually_exclusive_group(required=True)
    unlock_whom.add_argument("name", nargs="?", help="the login name")
    unlock_whom.add_argument("--all", action="store_true", help="every account and client address")
    unlock.add_argument("--db", help=db_help)

    token = commands.add_parser("token", help="manage API tokens", description="Manage API tokens. " + _EXISTING_SITE)
    token_commands = token.add_subparsers(dest="token_command", required=True, metavar="ACTION")
    create = token_commands.add_parser(
        "create", help="create an API token and print it (once)",
        description="Create an API token and print it once on standard output, alone, so that "
        "TOKEN=$(reader token create NAME) holds exactly the token; advice goes to standard error.",
    )  # fmt: skip
    create.add_argument("name", help="a name for the token, e.g. the tool that uses it")
    create.add_argument("--db", help=db_help)
    revoke = token_commands.add_parser("revoke", help="revoke an API token")
    revoke.add_argument("name")
    revoke.add_argument("--db", help=db_help)
    token_list = token_commands.add_parser(
        "list", help="list the API tokens",
        description="List the API tokens: each one's name, when it was created and when it was last used (to "
        "the minute; 'never' when it has not been), a line each (a token itself is never shown again: only its "
        "hash is stored).",
    )  # fmt: skip
    token_list.add_argument("--db", help=db_help)

    migrate = commands.add_parser(
        "migrate", help="bring a database's schema up to date",
        description="Create or upgrade the database's schema (serve does this too; on PostgreSQL, nodes "
        "starting together migrate once). A new database gets the demo articles unless READER_SEED_DEMO=false.",
    )  # fmt: skip
    migrate.add_argument("--db", help=db_help)

    copy = commands.add_parser(
        "copy", help="copy a whole site from one database to another",
        description="Copy articles, editor accounts (with their sessions), API tokens and the server's secrets "
        "from SOURCE to TARGET (each a SQLite file or a postgresql:// URL) in one transaction on TARGET.",
    )  # fmt: skip
    copy.add_argument("source", metavar="SOURCE", help="the database to copy from")
    copy.add_argument("target", metavar="TARGET", help="the database to copy to (created when missing)")
    copy.add_argument("--replace", action="store_true", help="overwrite a TARGET that already holds a site")
    return parser


# What stops a command that uses a database, answered with one line and exit status 2.
DATABASE_FAILURES = (DatabaseError, DatabaseUnavailable, ConflictError)


# C0 and C1 controls, line and paragraph separators, surrogates (a file name's undecodable bytes), unassigned,
# and the format characters (Cf): bidi controls reorder what follows them on the line (a path or flag shown
# backwards), and the invisible ones (zero-width space, word joiner, BOM, soft hyphen, tag characters) make two
# paths look alike or hide text. Except the joiners, which are content: ZWJ joins emoji sequences (👨‍👩), ZWNJ
# Persian and Indic words.
_UNSEEN_CATEGORIES = frozenset({"Cc", "Zl", "Zp", "Cs", "Cn", "Cf"})
_JOINERS = frozenset("\u200c\u200d")


def _unseen(char: str) -> bool:
    return unicodedata.category(char) in _UNSEEN_CATEGORIES and char not in _JOINERS


def visible(text: str) -> str:
    """`text` with every character a terminal would obey or cannot show (C0 and C1 controls, line and
    paragraph separators, format characters but the joiners, surrogates, unassigned code points) written as
    its escape (\\x1b, \\u2028), as repr() writes them; the rest is left as it is: Vietnamese, the no-break
    spaces Word's text holds (U+00A0, U+202F), the ideographic space, the ZWJ of an emoji sequence
    (str.isprintable() refuses all of these, and they were shown escaped). What reader says on a terminal
    quotes paths, flags and the contents of import files that may come from anyone: a raw ESC there would be
    obeyed by the terminal (clear the screen, recolour, retitle the window), not shown."""
    return "".join(char.encode("unicode_escape").decode("ascii") if _unseen(char) else char for char in text)


def visible_lines(text: str) -> str:
    """`text` made visible line by line: its line breaks kept (visible would write them as \\n)."""
    return "\n".join(visible(line) for line in text.split("\n"))


def _show(text: str) -> None:
    """Lines on standard output (a command's summary, which names its databases), each made visible."""
    print(visible_lines(text))


def _say(line: str) -> None:
    """One line on standard error, every character of it visible (whatever part of it came from input)."""
    print(visible(line), file=sys.stderr)


def _fail(message: str | Exception, database: str | Path | None = None) -> int:
    """Say `message` as one error line; exit status 2. A DatabaseUnavailable names `database` (the one the
    command writes to), as the other database errors name theirs."""
    if isinstance(message, DatabaseUnavailable):
        # Locked past the busy timeout, read-only, a full disk: the command did not change anything.
        where = f"{describe_target(database)}: " if database is not None else ""
        reason = (
            "the disk is full" if message.full else f"the database could not be used: {' '.join(str(message).split())}"
        )
        message = f"{where}{reason}; nothing was written"
    elif isinstance(message, ConflictError):
        message = "another writer changed the same data at the same moment; nothing was written (run it again)"
    _say(f"reader: error: {message}")
    return 2


@asynccontextmanager
async def _opened(
    target: str | Path,
    settings: Settings,
    *,
    seed: Seed | None = None,
    reading: bool = False,
    create: bool = False,
    upgrade: bool = False,
) -> AsyncIterator[tuple[Database, bool]]:
    """A command's database for the command's length: (database, just created). Opened for writing, or with
    `reading` opened as it is (reader copy's source). Its schema must be this reader's: one is made only
    with `create` (a missing or empty database) and an older one migrated only with `upgrade` (serve,
    migrate); else the one line says to run `reader migrate` (Database.open)."""
    db = database_for(target, read_connections=1, busy_timeout_ms=settings.busy_timeout_ms)
    if reading:
        await db.open_for_reading()
        created = False
    else:
        created = await db.open(seed=seed, create=create, upgrade=upgrade)
    try:
        yield db, created
    finally:
        await db.close()


async def _prepare(settings: Settings, *, search: bool = False) -> str:
    """Open, migrate and (when new) fill the database with the demo articles; what was done. With `search`,
    also make every article's stale search words (reader.store's refresh_search), which a server does in the
    background as it starts."""
    added: list[int] = []

    async def seed(tx: Transaction) -> None:
        added.append((await seed_demo(tx)).created)

    seeding = seed if settings.seed_demo else None
    async with _opened(settings.database, settings, seed=seeding, create=True, upgrade=True) as (db, created):
        made = await SqlArticleStore(db).refresh_all_search() if search else 0
        done = f"; made the search words of {counted(made, SITE_TABLES['articles'])}" if made else ""
        if added:
            return f"created the schema and added {added[0]} demo articles{done}"
        return ("created the schema" if created else "the schema is up to date") + done


def _serve_flags(args: argparse.Namespace) -> dict[str, object]:
    """`reader serve`'s own flags as Settings fields (None: not given)."""
    if args.command != "serve":
        return {}
    return {
        "workers": workers("--workers", args.workers) if args.workers is not None else None,
        "access_log": access_log_destination("--access-log", args.access_log) if args.access_log is not None else None,
        "access_log_format": access_log_format("--access-log-format", args.access_log_format)
        if args.access_log_format is not None
        else None,
    }


def workers_warning(count: int, cpus: int) -> str | None:
    """Advice when `count` workers would be far more than `cpus` can run: each is a whole process with its
    own answer cache and database connections, and past about two per CPU (gunicorn's documentation advises
    2 × CPUs + 1 for workers that wait on I/O) they add memory and contention, not throughput. A warning,
    not a refusal: an operator may know better (a CPU count a container reports wrong, a test)."""
    most = 2 * cpus + 1
    if count <= most:
        return None
    return (
        f"{count} worker processes on {cpus} CPU{'s' if cpus != 1 else ''}: more than 2 × CPUs + 1 ({most}) "
        "adds memory and contention, not speed ('auto' starts one per CPU)"
    )


def _serve(settings: Settings, host: str, port: int) -> int:
    from reader.event_loop import reserve_address

    def unusable(exc: OSError) -> int:
        shown = f"[{host}]" if ":" in host else host
        return _fail(f"cannot listen on {shown}:{port}: {exc.strerror or exc}")

    if (advice := workers_warning(settings.workers, workers("auto", "auto"))) is not None:
        _say(f"reader: warning: {advice}")
    # The address is tried first: a port another server holds (a second reader started by mistake) or a host
    # that is none is said in one line before a database is created or changed. It is reserved only after
    # the database is ready, though: a reservation is a socket other servers could still join until it
    # listens (reader.event_loop), so it is held for as short a time as before.
    try:
        reserve_address(host, port).close()
    except OSError as exc:
        return unusable(exc)
    except (TypeError, UnicodeError):  # the socket module's "encoding of hostname failed" (IDNA)
        return _fail(f"cannot listen on {host}:{port}: not a host name or address")
    # Everything that can be wrong with the database or the access log file is found here, once, before any
    # worker starts: the workers skip the whole-file check.
    try:
        asyncio.run(_prepare(settings))
    except (*DATABASE_FAILURES, ImportFailure) as exc:
        return _fail(exc, settings.database)
    if settings.access_log not in (ACCESS_LOG_STDERR, ACCESS_LOG_OFF):
        try:
            os.close(os.open(settings.access_log, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o640))
        except OSError as exc:
            return _fail(f"cannot write the access log {settings.access_log}: {exc.strerror}")
    try:
        address = reserve_address(host, port)
    except OSError as exc:  # taken while the database was prepared
        return unusable(exc)
    with address, _stop_signals_exit_cleanly():
        return _run_uvicorn(settings, address)


def _announce(settings: Settings, host: str, port: int) -> None:
    """The first line an operator reads: what is served, where (the port bound, also for --port 0), how."""
    target = describe_target(settings.database)
    processes = f", {settings.workers} worker processes" if settings.workers > 1 else ""
    # An IPv6 literal goes in brackets in a URL (RFC 3986, 3.2.2): http://:::8875/ is no address.
    shown = f"[{host}]" if ":" in host else host
    _say(f"{release()}: serving {target} at http://{shown}:{port}/{processes}")


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


def _run_uvicorn(settings: Settings, address: socket.socket) -> int:
    """Serve on `address` (reader.event_loop.reserve_address) until SIGTERM or SIGINT with uvicorn, in this
    process or in `settings.workers` processes under uvicorn's supervisor; the exit status."""
    import uvicorn
    from uvicorn.config import STARTUP_FAILURE
    from uvicorn.supervisors import Multiprocess

    from reader.event_loop import announce_address
    from reader.http_protocol import ReaderHttpProtocol
    from reader.request_id import log_config

    host, port = address.getsockname()[:2]
    config = uvicorn.Config(
        # A factory each worker calls for its own app, carrying the parsed settings: pickled into the
        # worker processes (uvicorn starts them with multiprocessing's spawn), nothing re-read from the
        # environment. _prepare has just checked the database; the lifespan need not read it all again.
        functools.partial(_worker_app, settings),
        factory=True,
        host=host,
        port=port,
        workers=settings.workers,
        # uvloop, accepting new connections in batches: under load, libuv's one accept per turn of the
        # loop left connections queued for seconds (reader.event_loop).
        loop="reader.event_loop:new_event_loop",
        # uvicorn's httptools protocol with limits on a request's head (its size and how long it takes) and
        # on how long its body may pause (reader.http_protocol). A partial (the config is pickled into
        # worker processes), which uvicorn only calls, as it would the class its type says.
        # reader serves no WebSockets: an upgrade request is an ordinary request (and the protocol's
        # handling of what follows a head, reader.http_protocol, need not keep uvicorn's upgrade path).
        ws="none",
        http=cast(
            "type[asyncio.Protocol]",
            functools.partial(
                ReaderHttpProtocol,
                head_timeout=settings.head_timeout,
                body_timeout=settings.body_timeout,
                embed_origins=settings.embed_origins,
            ),
        ),
        proxy_headers=settings.trust_proxy_headers,
        # Only these may say who the client is: uvicorn takes the right-most X-Forwarded-For address that
        # is not one of them (a client can write anything to the left).
        forwarded_allow_ips=list(settings.trusted_proxies) if settings.trust_proxy_headers else None,
        server_header=False,
        log_level="info",
        log_config=log_config(),
        # reader writes its own access log (reader.access_log), a line formatted once per request and
        # written in batches; uvicorn's would cost a logging record and a write per request.
        access_log=False,
        # On SIGTERM, requests in flight get this long to finish before they are cancelled (a cancelled
        # write rolls back); the database is closed cleanly after them either way.
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS,
    )
    # The address is reserved (by _serve); every process listens on a socket of its own bound to it, and the
    # kernel spreads new connections evenly over them (reader.event_loop).
    sockets = [address]
    announce_address(address)
    _announce(settings, host, port)
    if settings.workers == 1:
        server = uvicorn.Server(config)
        server.run(sockets=sockets)
        return 0 if server.started else STARTUP_FAILURE
    # On SIGTERM or SIGINT the supervisor sends SIGTERM to every worker, each finishes its requests in
    # flight and flushes its access log, and the supervisor waits for them all.
    supervisor = Multiprocess(config, sockets=sockets)
    supervisor.run()
    failed = any(process.exitcode == STARTUP_FAILURE for process in supervisor.processes)
    return STARTUP_FAILURE if failed else 0


def _worker_app(settings: Settings) -> Starlette:
    """The app one process of `reader serve` serves (uvicorn calls this in each worker it starts)."""
    from reader.app import create_app

    if settings.workers > 1:
        # A spawned worker starts with Python's own warning format (the library's source file and line, not
        # the operator's), and would repeat the password-file warning the supervisor said as it checked the
        # database, once per worker.
        warnings.showwarning = _show_warning
        warnings.filterwarnings("ignore", message="password file ", category=UserWarning)
    return create_app(settings, check_database=False)


async def _import(settings: Settings, files: Sequence[Path], *, lang: str | None = None, drafts: bool = False) -> str:
    async with _opened(settings.database, settings) as (db, _):
        progress = ProgressBar(sys.stderr, "Checking files")
        store = SqlArticleStore(db)
        read, result = await save_imported(
            store, drafts_from_files(files, progress, settings.zone, lang=lang), by=BY_CLI_IMPORT, as_drafts=drafts
        )
    total = result.created + result.updated + result.unchanged
    # What the editor's check page would say of each article, said now on standard error (warnings: the
    # articles are imported all the same), a line a finding, before the summary on standard output.
    for draft, issues in layout_findings(read, "en"):
        for issue in issues:
            _say(f"reader import: warning: {draft.slug}: {issue['message']}")
    return (
        f"Imported {total} article{'s' if total != 1 else ''} into {describe_target(settings.database)}: "
        f"{result.created} new, {result.updated} updated, {result.unchanged} unchanged."
    )


def _read_password(name: str) -> str:
    if sys.stdin.isatty():
        first = getpass.getpass(f"Password for {name}: ")
        if getpass.getpass("Repeat the password: ") != first:
            raise AccountError("the two passwords differ")
        return first
    return sys.stdin.readline().rstrip("\r\n")


def _listed(items: Sequence[Listed], last: str, none: str) -> str:
    """Names, creation times and the last sign-ins or uses (`last` says which; "never" when none is
    recorded) in columns, or `none`."""
    if not items:
        return none
    width = max(len(item.name) for item in items)
    return "\n".join(
        f"{item.name:<{width}}  created {item.created_at}  {last} {item.last_at or 'never'}" for item in items
    )


def _confirm_removal(name: str) -> None:
    """Ask for the name to be typed again; AccountError unless it is, or when no one can be asked."""
    if not sys.stdin.isatty():
        raise AccountError(f"not removing {name!r}: run it on a terminal to confirm, or add --yes")
    try:
        typed = input(f"Removing the account {name!r} and its sessions. Type its name to confirm: ")
    except EOFError:  # Ctrl-D: no answer is no
        typed = ""
    if typed.strip() != name:
        raise AccountError(f"not removing {name!r}: the name typed differs")


async def _users(accounts: AccountStore, db: Database, args: argparse.Namespace) -> str:
    if args.user_command == "add":
        check_name(args.name)
        await accounts.add_user(args.name, _read_password(args.name))
        return f"Added the editor account {args.name!r}."
    if args.user_command == "list":
        return _listed(await accounts.users(), "last sign-in", "There are no editor accounts.")
    if args.user_command == "unlock":
        if args.all:
            forgotten = await LoginThrottle(db).unlock(None)
            return f"Forgot every failed sign-in ({forgotten}): every account and address may sign in."
        name = await accounts.user_name(args.name)
        if name is None:
            raise AccountError(f"there is no account named {args.name!r}")
        forgotten = await LoginThrottle(db).unlock(name)
        return f"Unlocked {name!r}: forgot {forgotten} failed sign-in{'s' if forgotten != 1 else ''}."
    # password, remove: the account must exist before a password is asked for or a removal confirmed.
    name = await accounts.user_name(args.name)
    if name is None:
        raise AccountError(f"there is no account named {args.name!r}")
    if args.user_command == "password":
        ended = await accounts.set_password(name, _read_password(name))
        return f"Set the password of {name!r} and ended its {ended} session{'s' if ended != 1 else ''}."
    if not args.yes:
        _confirm_removal(name)
    await accounts.remove_user(name)
    return f"Removed the editor account {name!r} and its sessions."


async def _accounts(settings: Settings, args: argparse.Namespace) -> str:
    async with _opened(settings.database, settings) as (db, _):
        accounts = AccountStore(db)
        if args.command == "user":
            return await _users(accounts, db, args)
        if args.token_command == "list":
            return _listed(await accounts.tokens(), "last used", "There are no API tokens.")
        if args.token_command == "create":
            token = await accounts.create_token(args.name)
            # Only the token on standard output: TOKEN=$(reader token create NAME) must hold it alone.
            print("(Shown once: store it now. Use it as 'Authorization: Bearer <token>'.)", file=sys.stderr)
            return token
        if not await accounts.revoke_token(args.name):
            raise AccountError(f"there is no token named {args.name!r}")
        return f"Revoked the token {args.name!r}."


async def _migrate(settings: Settings) -> str:
    done = await _prepare(settings, search=True)
    return f"{describe_target(settings.database)}: {done}."


def _same_database(source: str | Path, target: str | Path) -> bool:
    if isinstance(source, Path) and isinstance(target, Path):
        # ./a.db and a.db, a symbolic link and its file, two hard links: one file.
        if source.exists() and target.exists():
            return source.samefile(target)
        return source.resolve() == target.resolve()
    if isinstance(source, str) and isinstance(target, str):
        return url_identity(source) == url_identity(target)
    return False


async def _copy(settings: Settings, source_at: str | Path, target_at: str | Path, replace: bool) -> str:
    if _same_database(source_at, target_at):
        raise CopyRefused("SOURCE and TARGET are the same database")
    if isinstance(source_at, Path) and not source_at.is_file():
        raise CopyRefused(f"{source_at}: no such database file")
    # A SQLite target the copy creates is removed again if the copy fails (a full disk, a damaged source):
    # "the target is as it was" (docs/deployment.md), and an empty site left there would be taken for one.
    created = isinstance(target_at, Path) and not target_at.exists()
    try:
        async with AsyncExitStack() as opened:
            with from_source():
                from_db, _ = await opened.enter_async_context(_opened(source_at, settings, reading=True))
            # A missing or empty target is made (the copy's documented use); an older one is refused.
            to_db, _ = await opened.enter_async_context(_opened(target_at, settings, create=True))
            # One PostgreSQL database under two names (127.0.0.1 and localhost): asked of the server, before
            # anything is written (opening the target found the source's schema there, current, and left it).
            if await from_db.is_same_as(to_db):
                raise CopyRefused(f"SOURCE and TARGET are the same database ({from_db.target} is {to_db.target})")
            result = await copy_database(from_db, to_db, replace=replace)
    except BaseException:
        if created and isinstance(target_at, Path):
            for suffix in ("", "-wal", "-shm", "-journal"):
                with suppress(FileNotFoundError):
                    os.unlink(f"{target_at}{suffix}")
        raise
    return (
        f"Copied {counted(result.articles, SITE_TABLES['articles'])}, {counted(result.accounts, SITE_TABLES['users'])} "
        f"and {counted(result.tokens, SITE_TABLES['api_tokens'])} from {from_db.target} to {to_db.target}."
    )


def _show_warning(
    message: Warning | str, category: type[Warning], filename: str, lineno: int, file: object = None,
    line: str | None = None,
) -> None:  # fmt: skip
    """A warning from a library (asyncpg's about a password file it ignored) as one `reader: warning:` line,
    without the source file and line Python's own format adds: those are the library's, not the operator's."""
    text = " ".join(str(message).split())
    if "password file" in text:
        from reader.backends.postgresql import password_file_warning

        text = password_file_warning(text) or text
    _say(f"reader: warning: {text}")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    with warnings.catch_warnings():
        warnings.showwarning = _show_warning
        return _command(argv)


def _command(argv: Sequence[str] | None) -> int:
    args = _parser().parse_args(argv)
    # reader copy names both of its databases: READER_DB is not one of them (nor checked).
    environ = {k: v for k, v in os.environ.items() if k != "READER_DB"} if args.command == "copy" else os.environ
    try:
        settings = Settings.from_env(environ, db=getattr(args, "db", None), **_serve_flags(args))
        listen_port = port("--port", args.port) if args.command == "serve" else 0
    except SettingsError as exc:
        return _fail(exc)
    if args.command == "serve":
        return _serve(settings, args.host, listen_port)
    if args.command in ("user", "token"):
        try:
            _show(asyncio.run(_accounts(settings, args)))
        except (AccountError, *DATABASE_FAILURES) as exc:
            return _fail(exc, settings.database)
        return 0
    if args.command == "migrate":
        try:
            _show(asyncio.run(_migrate(settings)))
        except (*DATABASE_FAILURES, ImportFailure) as exc:
            return _fail(exc, settings.database)
        return 0
    if args.command == "copy":
        try:
            # Checked before anything is opened, as --db is (with the PG* variables asyncpg would read).
            source, target = (
                parse_database("SOURCE", args.source, environ),
                parse_database("TARGET", args.target, environ),
            )
            _show(asyncio.run(_copy(settings, source, target, args.replace)))
        except (CopyRefused, SettingsError, *DATABASE_FAILURES) as exc:
            # The database that failed: mostly the target (locked, full), but a source may fail over mid-copy.
            return _fail(exc, args.source if isinstance(exc, SourceUnavailable) else args.target)
        return 0
    try:
        _show(asyncio.run(_import(settings, args.files, lang=args.lang, drafts=args.drafts)))
    except ImportFailure as exc:
        _say(f"reader import: {exc}")
        print("reader import: nothing was written.", file=sys.stderr)
        return 1
    except DATABASE_FAILURES as exc:
        return _fail(exc, settings.database)
    return 0
