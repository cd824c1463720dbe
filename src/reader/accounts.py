"""Editor accounts, their sessions, API tokens and the server's signing secret.

Their writes say `touches=()`: nothing here shows on a page that reader.response_cache keeps.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
from contextlib import suppress
from dataclasses import dataclass, field

import anyio
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from reader.db import ConflictError, Database, DatabaseUnavailable

NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
MIN_PASSWORD_LENGTH = 10
SESSION_LIFETIME = dt.timedelta(hours=12)
TOKEN_PREFIX = "rdr_"
# How stale an API token's last_used_at may grow before a request with the token writes it again (see
# token_name): `reader token list` tells a token in use from one forgotten, which needs no finer time.
TOKEN_USE_PRECISION = dt.timedelta(minutes=1)

_hasher = PasswordHasher()
# Verified when a name is unknown, so a login takes as long whether or not the account exists.
_DUMMY_HASH = "$argon2id$v=19$m=65536,t=3,p=4$J1liGUdCdlzBwppaBGQ5DA$Wo9w2Et811rIeCw/kkKDL6t/mukILbNEI28zZn2/AXw"


class AccountError(ValueError):
    """An account or token request that cannot be carried out; the message says why."""


@dataclass(frozen=True, slots=True)
class User:
    id: int
    name: str


@dataclass(frozen=True, slots=True)
class Login:
    """A user whose password verify_login has just checked, with the stored hash it was checked against:
    create_session starts a session only while that hash is still the account's (see there)."""

    user: User
    password_hash: str = field(repr=False)


@dataclass(frozen=True, slots=True)
class Listed:
    """An account or API token as `reader user list` / `reader token list` show it: never its secret.
    `last_at`: the account's last sign-in, the token's last use (to the minute); None when never recorded."""

    name: str
    created_at: str
    last_at: str | None


@dataclass(frozen=True, slots=True)
class Session:
    user: User
    csrf_token: str


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def check_name(name: str) -> str:
    """A valid account or token name (letters, digits, . _ -), or AccountError."""
    if not NAME_PATTERN.fullmatch(name):
        raise AccountError("a name is 1 to 64 letters, digits, dots, hyphens or underscores")
    return name


class AccountStore:
    """Users, sessions and API tokens in reader's database; secrets are stored only as hashes."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def add_user(self, name: str, password: str) -> None:
        """Create an editor account; AccountError if the name is taken or the password too short."""
        check_name(name)
        self._check_password(password)
        hashed = await anyio.to_thread.run_sync(_hasher.hash, password)
        try:
            async with self.db.transaction(touches=()) as tx:
                await tx.execute(
                    "INSERT INTO users (name, password_hash, created_at) VALUES (?, ?, ?)",
                    (name, hashed, _now().isoformat()),
                )
        except ConflictError:
            # Names are unique whatever their case, also against another node adding the same one.
            raise AccountError(await self._taken("users", "an account", name)) from None

    async def users(self) -> list[Listed]:
        """Every editor account, by name, with when it last signed in."""
        rows = await self.db.fetch_all("SELECT name, created_at, last_sign_in_at FROM users ORDER BY lower(name)")
        return [Listed(str(row["name"]), str(row["created_at"]), row["last_sign_in_at"]) for row in rows]

    async def set_password(self, name: str, password: str) -> int:
        """Give an account a new password (the rules of add_user) and end every session it has, so that a
        reset after a suspected compromise signs the account out everywhere; how many sessions ended.
        AccountError for an unknown account or a password too short."""
        self._check_password(password)
        hashed = await anyio.to_thread.run_sync(_hasher.hash, password)
        async with self.db.transaction(touches=()) as tx:
            # Locked (PostgreSQL) so that a sign-in's create_session, which locks the same row, runs wholly
            # before this transaction (and its session is deleted below) or wholly after (and finds the new
            # hash): none slips a session in between the DELETE and the commit.
            row = await tx.fetch_one("SELECT id FROM users WHERE lower(name) = lower(?)" + tx.row_lock, (name,))
            if row is None:
                raise AccountError(f"there is no account named {name!r}")
            await tx.execute("UPDATE users SET password_hash = ? WHERE id = ?", (hashed, row["id"]))
            return await tx.execute("DELETE FROM sessions WHERE user_id = ?", (row["id"],))

    async def remove_user(self, name: str) -> str:
        """Remove an account and its sessions; the name as it was stored. What the account saved or deleted
        keeps its name as text (articles' saved_by, deleted_by): no row refers to the account but its
        sessions, which are deleted here (not left to ON DELETE CASCADE, which SQLite applies only on a
        connection with foreign keys on). AccountError for an unknown account."""
        async with self.db.transaction(touches=()) as tx:
            # Locked as in set_password: a sign-in under way either has its session deleted here or finds
            # no account.
            sql = "SELECT id, name FROM users WHERE lower(name) = lower(?)" + tx.row_lock
            row = await tx.fetch_one(sql, (name,))
            if row is None:
                raise AccountError(f"there is no account named {name!r}")
            await tx.execute("DELETE FROM sessions WHERE user_id = ?", (row["id"],))
            await tx.execute("DELETE FROM users WHERE id = ?", (row["id"],))
        return str(row["name"])

    async def user_name(self, name: str) -> str | None:
        """The account's name as stored (names are case-insensitive), or None when there is none."""
        row = await self.db.fetch_one("SELECT name FROM users WHERE lower(name) = lower(?)", (name,))
        return str(row["name"]) if row else None

    async def tokens(self) -> list[Listed]:
        """Every API token, by name: its name, when it was made and last used, never its secret (only a hash is
        kept)."""
        rows = await self.db.fetch_all("SELECT name, created_at, last_used_at FROM api_tokens ORDER BY lower(name)")
        return [Listed(str(row["name"]), str(row["created_at"]), row["last_used_at"]) for row in rows]

    @staticmethod
    def _check_password(password: str) -> None:
        if len(password) < MIN_PASSWORD_LENGTH:
            raise AccountError(f"the password must be at least {MIN_PASSWORD_LENGTH} characters")

    async def _taken(self, table: str, what: str, name: str) -> str:
        """Why `name` cannot be added to `table`: the name as it is stored, which may differ from the one asked
        for in case only ("ED1" when "ed1" exists), and then that names are compared without their case."""
        assert table in ("users", "api_tokens")  # never from input: the statement is written with it
        row = await self.db.fetch_one(f"SELECT name FROM {table} WHERE lower(name) = lower(?)", (name,))  # noqa: S608
        stored = str(row["name"]) if row else name
        if stored == name:
            return f"{what} named {name!r} already exists"
        return f"{what} named {stored!r} already exists (names are case-insensitive: {name!r} is the same name)"

    async def verify_login(self, name: str, password: str) -> Login | None:
        """The user for a correct name and password, else None (in about the same time either way)."""
        row = None
        # A name no account can have is not looked up: lower() differs between Python and the databases
        # outside ASCII, and the throttle counts attempts by the Python one.
        if NAME_PATTERN.fullmatch(name):
            row = await self.db.fetch_one(
                "SELECT id, name, password_hash FROM users WHERE lower(name) = lower(?)", (name,)
            )
        stored = row["password_hash"] if row else _DUMMY_HASH

        def verify() -> bool:
            try:
                return _hasher.verify(stored, password)
            except (VerificationError, InvalidHashError):
                return False

        if not await anyio.to_thread.run_sync(verify) or row is None:
            return None
        return Login(User(id=row["id"], name=row["name"]), str(stored))

    async def create_session(self, login: Login) -> str | None:
        """A new session for a verified login; the token for the cookie (stored only as a hash), or None when
        the account's password changed, or the account was removed, since verify_login read it.

        The password takes verify_login a hundred milliseconds or more; `reader user password` or `user
        remove` may end the account's sessions meanwhile, and a session started after that with the old
        password would outlive the reset. So the session is inserted only where the account still has the
        hash that was verified, in the same statement; on PostgreSQL that statement also locks the account's
        row (row_lock, which set_password and remove_user take too), so it waits for a reset under way and
        then reads the new hash. SQLite's write transactions run one at a time anyway.

        The account's last sign-in is the session's start, written in the same transaction (on the row
        already locked)."""
        token = secrets.token_urlsafe(32)
        now = _now()
        async with self.db.transaction(touches=()) as tx:
            await tx.execute("DELETE FROM sessions WHERE expires_at < ?", (now.isoformat(),))
            inserted = await tx.execute(
                "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at) "
                "SELECT ?, id, ?, ?, ? FROM users WHERE id = ? AND password_hash = ?" + tx.row_lock,
                (_digest(token), secrets.token_urlsafe(32), now.isoformat(), (now + SESSION_LIFETIME).isoformat(),
                 login.user.id, login.password_hash),
            )  # fmt: skip
            if inserted:
                await tx.execute("UPDATE users SET last_sign_in_at = ? WHERE id = ?", (now.isoformat(), login.user.id))
        return token if inserted else None

    async def session(self, token: str) -> Session | None:
        """The live session for a token, or None."""
        row = await self.db.fetch_one(
            "SELECT users.id, users.name, sessions.csrf_token FROM sessions JOIN users ON users.id = sessions.user_id "
            "WHERE sessions.token_hash = ? AND sessions.expires_at > ?",
            (_digest(token), _now().isoformat()),
        )
        if row is None:
            return None
        return Session(user=User(id=row["id"], name=row["name"]), csrf_token=row["csrf_token"])

    async def end_session(self, token: str) -> None:
        async with self.db.transaction(touches=()) as tx:
            await tx.execute("DELETE FROM sessions WHERE token_hash = ?", (_digest(token),))

    async def create_token(self, name: str) -> str:
        """A new API token, returned once; AccountError if the name is taken."""
        check_name(name)
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        try:
            async with self.db.transaction(touches=()) as tx:
                await tx.execute(
                    "INSERT INTO api_tokens (name, token_hash, created_at) VALUES (?, ?, ?)",
                    (name, _digest(token), _now().isoformat()),
                )
        except ConflictError:
            raise AccountError(await self._taken("api_tokens", "a token", name) + "; revoke it first") from None
        return token

    async def revoke_token(self, name: str) -> bool:
        async with self.db.transaction(touches=()) as tx:
            return await tx.execute("DELETE FROM api_tokens WHERE lower(name) = lower(?)", (name,)) > 0

    async def token_name(self, token: str) -> str | None:
        """The name of a valid API token, else None. Its use is recorded (last_used_at), to the minute."""
        if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
            return None
        row = await self.db.fetch_one(
            "SELECT id, name, last_used_at FROM api_tokens WHERE token_hash = ?", (_digest(token),)
        )
        if row is None:
            return None
        now = _now()
        stale = (now - TOKEN_USE_PRECISION).isoformat()
        # Written at most once a minute per token, not on every request: a write transaction on each API
        # request would take SQLite's one write lock (and fsync) for every read a script makes, and on
        # PostgreSQL update the same row on every node at once, each update a dead tuple to vacuum.
        if row["last_used_at"] is None or str(row["last_used_at"]) <= stale:
            await self._token_used(row["id"], now, stale)
        return str(row["name"])

    async def _token_used(self, token_id: int, now: dt.datetime, stale: str) -> None:
        """Record a token's use unless another request already did within the minute. The condition is checked
        again in the UPDATE: requests with one token seeing the same stale time at once (other processes,
        other nodes) write it once. On PostgreSQL the second UPDATE waits for the first one's row lock, then
        reads the row as committed (READ COMMITTED) and finds it recent; SQLite's writes run one at a time.
        (Times are ISO 8601 in UTC, the same length: they compare as strings.)"""
        # Bookkeeping only: a database that cannot take the write now (SQLite locked past its busy timeout, a
        # read-only file, a PostgreSQL standby) must not fail a request that reads; the next request writes it.
        with suppress(DatabaseUnavailable):
            async with self.db.transaction(touches=()) as tx:
                await tx.execute(
                    "UPDATE api_tokens SET last_used_at = ? "
                    "WHERE id = ? AND (last_used_at IS NULL OR last_used_at <= ?)",
                    (now.isoformat(), token_id, stale),
                )

    async def secret(self, name: str) -> str:
        """A server secret (created on first use), e.g. the key that signs session cookies."""
        row = await self.db.fetch_one("SELECT value FROM secrets WHERE name = ?", (name,))
        if row:
            return str(row["value"])
        # Several nodes may start at once: the first one's value stays, and every node reads that one.
        async with self.db.transaction(touches=()) as tx:
            await tx.execute(
                "INSERT INTO secrets (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING",
                (name, secrets.token_hex(32)),
            )
            stored = await tx.fetch_one("SELECT value FROM secrets WHERE name = ?", (name,))
        if stored is None:  # inserted or kept just now, in this transaction: only a broken database says so
            raise RuntimeError(f"the secret {name!r} was stored but cannot be read back")
        return str(stored["value"])


def sign(key: str, value: str) -> str:
    """`value.signature` (HMAC-SHA256, URL-safe)."""
    mac = hmac.new(key.encode(), value.encode(), hashlib.sha256).hexdigest()[:32]
    return f"{value}.{mac}"


def unsign(key: str, signed: str) -> str | None:
    """The value of a signed string, or None when the signature does not match."""
    value, _, mac = signed.rpartition(".")
    # Bytes: compare_digest refuses str with non-ASCII characters, and a cookie may hold any.
    if not value or not hmac.compare_digest(sign(key, value).encode(), signed.encode()):
        return None
    return value
