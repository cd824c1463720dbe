"""A throwaway PostgreSQL cluster for the tests (tests/) and the benchmarks (bench/), which both import it
from here: Debian's `postgresql` binaries, run as the `postgres` user (PostgreSQL refuses to run as root)
in a new directory under /tmp that only that user (and root) can enter, with durability off (fsync,
full-page writes, synchronous commit: nothing here must survive a crash).

By default the cluster listens on a unix socket in that directory only, with no TCP port: other local
users cannot reach it (initdb's `trust` applies to that socket alone), and there is no port to race other
test processes for. `tcp=True` adds 127.0.0.1 on a free port, where a generated password is required.

    with PostgresCluster.running() as cluster:
        url = cluster.create_database("mine")

Each directory records the process that owns it; `reap_abandoned()` stops and removes the clusters of
processes that died without cleaning up (a killed test worker).
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

SUPERUSER = "postgres"
FAST = ("-c", "fsync=off", "-c", "full_page_writes=off", "-c", "synchronous_commit=off")
# The unix socket's name (.s.PGSQL.5432) inside the cluster's own directory: no two clusters share one.
SOCKET_PORT = 5432
OWNER_FILE = "owner.pid"
PREFIX = "reader-pg-"
BIND_ATTEMPTS = 5


def postgres_bin(root: Path = Path("/usr/lib/postgresql")) -> Path | None:
    """The newest installed ROOT/VERSION/bin (15, 9.6; a directory not named by a version comes last)."""

    def version(pg_ctl: Path) -> tuple[int, ...]:
        parts = pg_ctl.parent.parent.name.split(".")
        return tuple(int(part) for part in parts) if all(part.isdigit() for part in parts) else (-1,)

    found = sorted(root.glob("*/bin/pg_ctl"), key=version)
    return found[-1].parent if found else None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def database_of(url: str) -> str:
    """The database name in a URL made by PostgresCluster.url."""
    return urlsplit(url).path.lstrip("/")


def _as_postgres(*argv: str | Path) -> list[str]:
    prefix = ["runuser", "-u", SUPERUSER, "--"] if os.geteuid() == 0 else []
    return [*prefix, *map(str, argv)]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@dataclass
class PostgresCluster:
    bin_dir: Path
    directory: Path
    port: int = SOCKET_PORT
    tcp: bool = False
    password: str = ""

    @property
    def data(self) -> Path:
        return self.directory / "data"

    @property
    def log(self) -> Path:
        return self.directory / "server.log"

    def url(self, database: str = "postgres") -> str:
        if self.tcp:
            return f"postgresql://{SUPERUSER}:{self.password}@127.0.0.1:{self.port}/{database}"
        return f"postgresql://{SUPERUSER}@/{database}?host={self.directory}&port={self.port}"

    @classmethod
    def create(cls, prefix: str = PREFIX, *, tcp: bool = False) -> PostgresCluster:
        """initdb in a new directory under /tmp that the postgres user owns (not yet started)."""
        bin_dir = postgres_bin()
        if bin_dir is None:
            raise RuntimeError("PostgreSQL is not installed (apt-get install postgresql; scripts/test does)")
        directory = Path(tempfile.mkdtemp(prefix=prefix, dir="/tmp"))  # mode 0700
        (directory / OWNER_FILE).write_text(f"{os.getpid()}\n")
        if os.geteuid() == 0:
            shutil.chown(directory, SUPERUSER, SUPERUSER)
        cluster = cls(bin_dir, directory, tcp=tcp, password=secrets.token_urlsafe(18) if tcp else "")
        try:
            password_file = directory / "password"
            password_file.write_text(cluster.password or secrets.token_urlsafe(18))
            if os.geteuid() == 0:
                shutil.chown(password_file, SUPERUSER, SUPERUSER)
            cluster._run(
                bin_dir / "initdb", "-D", cluster.data, "-U", SUPERUSER, "--auth-local=trust",
                "--auth-host=scram-sha-256", f"--pwfile={password_file}", "-E", "UTF8", "--locale=C.UTF-8",
                "--no-sync", "--no-instructions",
            )  # fmt: skip
            password_file.unlink()
        except BaseException:
            cluster.remove()
            raise
        return cluster

    @classmethod
    @contextmanager
    def running(cls, prefix: str = PREFIX, *, tcp: bool = False) -> Iterator[PostgresCluster]:
        """A started cluster, stopped and removed afterwards (also when the block fails)."""
        cluster = cls.create(prefix, tcp=tcp)
        try:
            cluster.start()
            yield cluster
        finally:
            cluster.remove()

    def _run(self, *argv: str | Path) -> None:
        done = subprocess.run(_as_postgres(*argv), capture_output=True, text=True, cwd=self.directory, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"{Path(argv[0]).name} failed ({done.returncode}): {done.stderr or done.stdout}")

    def start(self) -> None:
        """Start the server; with TCP, on a free port (another one if that was taken meanwhile)."""
        for attempt in range(BIND_ATTEMPTS if self.tcp else 1):
            if self.tcp:
                self.port = free_port()
            listen = "-c listen_addresses=127.0.0.1" if self.tcp else "-c listen_addresses=''"
            options = " ".join((f"-p {self.port}", listen, f"-c unix_socket_directories={self.directory}", *FAST))
            try:
                self._run(
                    self.bin_dir / "pg_ctl", "-D", self.data, "-l", self.log, "-o", options, "-w", "-t", "60", "start"
                )
                return
            except RuntimeError:
                taken = "could not bind" in self.log.read_text(errors="replace")
                if not (self.tcp and taken) or attempt == BIND_ATTEMPTS - 1:
                    raise

    def stop(self, mode: str = "fast") -> None:
        self._run(self.bin_dir / "pg_ctl", "-D", self.data, "-m", mode, "-w", "-t", "60", "stop")

    def is_running(self) -> bool:
        return (self.data / "postmaster.pid").exists()

    def psql(self, sql: str, database: str = "postgres") -> str:
        """Run SQL with psql (over the unix socket); its unaligned, tuples-only output."""
        done = subprocess.run(
            _as_postgres(self.bin_dir / "psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1",
                         "-h", self.directory, "-p", str(self.port), "-U", SUPERUSER, "-d", database, "-c", sql),
            capture_output=True, text=True, cwd=self.directory, check=False,
        )  # fmt: skip
        if done.returncode != 0:
            raise RuntimeError(f"psql failed: {done.stderr}")
        return done.stdout.strip()

    def create_database(self, name: str, template: str | None = None) -> str:
        """A new database (a copy of `template` when given); its URL."""
        copy = f" TEMPLATE {template} STRATEGY FILE_COPY" if template else ""
        self.psql(f"CREATE DATABASE {name}{copy}")
        return self.url(name)

    def remove(self) -> None:
        """Stop the server (at once) if it runs, and delete everything."""
        if self.is_running():
            try:
                self.stop("immediate")
            except RuntimeError:
                pass
        shutil.rmtree(self.directory, ignore_errors=True)


def reap_abandoned(prefix: str = PREFIX) -> list[Path]:
    """Stop and remove the clusters under /tmp whose owning process has died; the directories removed.
    A directory without an owner (still being made, or made by an older helper) is left alone."""
    bin_dir = postgres_bin()
    reaped = []
    for directory in Path("/tmp").glob(f"{prefix}*"):
        try:
            owner = int((directory / OWNER_FILE).read_text())
        except (OSError, ValueError):
            continue
        if bin_dir is None or _alive(owner):
            continue
        PostgresCluster(bin_dir, directory).remove()
        reaped.append(directory)
    return reaped


def wait_until(condition: Callable[[], object], timeout: float, interval: float = 0.02) -> float:
    """Poll `condition()` until it is true; the seconds that took (TimeoutError past `timeout`)."""
    start = time.monotonic()
    while not condition():
        if time.monotonic() - start > timeout:
            raise TimeoutError(f"not within {timeout} s")
        time.sleep(interval)
    return time.monotonic() - start
