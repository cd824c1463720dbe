"""`reader serve` in a subprocess on a port the OS picks, on its own database: the one way the tests (browser,
shutdown, start-up), the benchmark and the scripts run the real server and its command line."""

from __future__ import annotations

import asyncio
import functools
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import TypeVar

import httpx

from reader.db import database_for
from reader.event_loop import listening_processes

Target = TypeVar("Target", Path, str)
_RUNNING = re.compile(r"Uvicorn running on http://([\d.]+):(\d+)")


@functools.cache
def http() -> httpx.Client:
    """One client for requests to the servers: `httpx.get()` and the like build an SSL context each time
    (about 50 ms), even for plain http. It keeps no connection, so each request opens its own (with
    --workers, any worker may answer it)."""
    return httpx.Client(timeout=30, limits=httpx.Limits(max_keepalive_connections=0))


def reader_command(*args: str) -> list[str]:
    """The command line of `reader …` with this interpreter."""
    return [sys.executable, "-m", "reader", *args]


def reader_cli(*args: str, stdin: str | None = None) -> str:
    """Run `reader …` to completion (it must succeed); its output."""
    done = subprocess.run(reader_command(*args), input=stdin, capture_output=True, text=True, check=True)
    return done.stdout


def new_site(db: Target) -> Target:
    """`db` made a site with nothing in it (reader's schema, no demo articles), as `READER_SEED_DEMO=false
    reader migrate` makes one: `reader import`, `user` and `token` use a site, and make none."""

    async def migrate() -> None:
        opened = database_for(db)
        await opened.open()
        await opened.close()

    # In a thread of its own: callers may be async tests, with an event loop running in this one.
    with ThreadPoolExecutor(1) as thread:
        thread.submit(asyncio.run, migrate()).result()
    return db


def create_token(db: Path | str, name: str = "tests") -> str:
    """An API token, made the way an operator makes one (`reader token create`)."""
    return reader_cli("token", "create", name, "--db", str(db)).strip()


def add_editor(db: Path | str, name: str, password: str) -> None:
    """An editor account, made the way an operator makes one: `reader user add` with the password on stdin."""
    reader_cli("user", "add", name, "--db", str(db), stdin=password + "\n")


@dataclass
class Server:
    """`reader serve --port 0` on `db`, writing its output into `directory` (server.out, server.err).

    `start()` returns once every process listens (after the lifespan has opened the database);
    `url` is then the server's address. As a context manager it starts and stops the server."""

    db: Path | str  # a SQLite file or a postgresql:// URL
    directory: Path
    env: Mapping[str, str] = field(default_factory=dict)
    # More `reader serve` flags, and worker processes (--workers): start() waits until every one serves.
    args: Sequence[str] = ()
    workers: int = 1
    process: subprocess.Popen[bytes] | None = None
    port: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def stdout_path(self) -> Path:
        return self.directory / "server.out"

    @property
    def stderr_path(self) -> Path:
        return self.directory / "server.err"

    def log(self) -> str:
        """Everything the server wrote (the access log and uvicorn's messages go to stderr)."""
        return self.stderr_path.read_text(errors="replace") + self.stdout_path.read_text(errors="replace")

    def start(self, timeout: float = 60.0) -> Server:
        with self.stdout_path.open("wb") as out, self.stderr_path.open("wb") as err:
            workers = ("--workers", str(self.workers)) if self.workers != 1 else ()
            self.process = subprocess.Popen(
                reader_command("serve", "--port", "0", "--db", str(self.db), *workers, *self.args),
                stdout=out,
                stderr=err,
                cwd=self.directory,
                env={**os.environ, **self.env},
                start_new_session=True,  # its own process group: stop() can kill workers it leaves behind
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            log = self.stderr_path.read_text(errors="replace")
            found = _RUNNING.search(log)
            # The supervisor reserves the port before the workers start; each one then listens on its own.
            if found and len(listening_processes(log)) >= self.workers:
                self.port = int(found.group(2))
                return self
            if self.process.poll() is not None:
                raise RuntimeError(f"reader serve exited with {self.process.returncode}:\n{self.log()}")
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"reader serve did not start in {timeout} s:\n{self.log()}")

    def terminate(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)

    def wait(self, timeout: float = 60.0) -> int:
        assert self.process is not None
        return self.process.wait(timeout=timeout)

    def stop(self) -> None:
        """Stop the server if it still runs (SIGTERM, then SIGKILL): for clean-ups."""
        if self.process is None or self.process.poll() is not None:
            return
        self.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def __enter__(self) -> Server:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.stop()
