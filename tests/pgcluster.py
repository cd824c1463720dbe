"""A throwaway PostgreSQL cluster for tests and benchmarks: Debian's `postgresql` binaries, run as the
`postgres` user (PostgreSQL refuses to run as root) in a directory under /tmp that user owns, on a free
port, with durability off (fsync, full-page writes, synchronous commit: nothing here must survive a crash).

    with PostgresCluster.start() as cluster:
        url = cluster.create_database("mine")
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

SUPERUSER = "postgres"
FAST = ("-c", "fsync=off", "-c", "full_page_writes=off", "-c", "synchronous_commit=off")


def postgres_bin() -> Path | None:
    """The newest installed /usr/lib/postgresql/N/bin, if any."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), key=lambda p: int(p.parent.parent.name))
    return found[-1].parent if found else None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _as_postgres(*argv: str | Path) -> list[str]:
    prefix = ["runuser", "-u", SUPERUSER, "--"] if os.geteuid() == 0 else []
    return [*prefix, *map(str, argv)]


@dataclass
class PostgresCluster:
    bin_dir: Path
    directory: Path
    port: int

    @property
    def data(self) -> Path:
        return self.directory / "data"

    @property
    def log(self) -> Path:
        return self.directory / "server.log"

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    @classmethod
    def create(cls, prefix: str = "reader-pg-") -> PostgresCluster:
        """initdb in a new directory under /tmp that the postgres user owns (not yet started)."""
        bin_dir = postgres_bin()
        if bin_dir is None:
            raise RuntimeError("PostgreSQL is not installed (apt-get install postgresql; scripts/test does)")
        directory = Path(tempfile.mkdtemp(prefix=prefix, dir="/tmp"))
        if os.geteuid() == 0:
            shutil.chown(directory, SUPERUSER, SUPERUSER)
        cluster = cls(bin_dir, directory, free_port())
        try:
            cluster._run(
                bin_dir / "initdb", "-D", cluster.data, "-U", SUPERUSER, "-A", "trust", "-E", "UTF8",
                "--locale=C.UTF-8", "--no-sync", "--no-instructions",
            )  # fmt: skip
        except BaseException:
            cluster.remove()
            raise
        return cluster

    @classmethod
    @contextmanager
    def running(cls, prefix: str = "reader-pg-") -> Iterator[PostgresCluster]:
        """A started cluster, stopped and removed afterwards (also when the block fails)."""
        cluster = cls.create(prefix)
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
        options = " ".join(
            (f"-p {self.port}", "-c listen_addresses=127.0.0.1", f"-c unix_socket_directories={self.directory}", *FAST)
        )
        self._run(self.bin_dir / "pg_ctl", "-D", self.data, "-l", self.log, "-o", options, "-w", "-t", "60", "start")

    def stop(self, mode: str = "fast") -> None:
        self._run(self.bin_dir / "pg_ctl", "-D", self.data, "-m", mode, "-w", "-t", "60", "stop")

    def is_running(self) -> bool:
        return (self.data / "postmaster.pid").exists()

    def psql(self, sql: str, database: str = "postgres") -> str:
        """Run SQL with psql; its unaligned, tuples-only output."""
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


def wait_until(condition: object, timeout: float, interval: float = 0.02) -> float:
    """Poll `condition()` until it is true; the seconds that took (TimeoutError past `timeout`)."""
    assert callable(condition)
    start = time.monotonic()
    while not condition():
        if time.monotonic() - start > timeout:
            raise TimeoutError(f"not within {timeout} s")
        time.sleep(interval)
    return time.monotonic() - start
