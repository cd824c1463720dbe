"""`reader serve` as operators run it: the access log counted line by line, and `--workers`.

Real servers in subprocesses (tests/serverproc.py). Nothing here is timed: visibility and flushing are
asserted with generous deadlines; the figures (how soon) come from `bench/run.py --only workers`.
"""

from __future__ import annotations

import fcntl
import http.client
import json
import os
import re
import signal
import socket
import stat
import subprocess
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from reader import __version__
from reader.access_log import COMPILED
from reader.db import SCHEMA_VERSION
from reader.event_loop import listening_processes
from tests.conftest import EDITOR_PASSWORD, SEED_SLUG, csrf_token
from tests.serverproc import Server, add_editor, create_token, new_site, reader_command
from tests.test_access_log import TEXT_LINE

DEADLINE = 30.0  # seconds: far beyond the one second a line may wait, for a loaded machine

# What the release line says of the access log's code (reader.cli.release).
LOG_CODE = "compiled" if COMPILED else "in Python"


def get(port: int, path: str, request_id: str, conn: http.client.HTTPConnection | None = None) -> bytes:
    own = conn is None
    conn = conn or http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request("GET", path, headers={"x-request-id": request_id, "user-agent": "serve-test/1"})
        response = conn.getresponse()
        body = response.read()
        assert response.status in (200, 304) and response.getheader("x-request-id") == request_id
        return body
    finally:
        if own:
            conn.close()


def load(port: int, prefix: str, count: int, threads: int = 4, path: str = f"/articles/{SEED_SLUG}") -> set[str]:
    """`count` GETs over `threads` keep-alive connections, each with its own X-Request-ID; the ids sent."""
    ids = [f"{prefix}-{n}" for n in range(count)]

    def run(mine: list[str]) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        for request_id in mine:
            get(port, path, request_id, conn)
        conn.close()

    workers = [threading.Thread(target=run, args=(ids[n::threads],)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return set(ids)


def logged_ids(text: str) -> list[str]:
    ids = []
    for line in text.splitlines():
        found = TEXT_LINE.fullmatch(line)
        if found:
            ids.append(found["id"])
    return ids


def eventually(check: Callable[[], bool], within: float = DEADLINE) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.05)
    return check()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    running = Server(db=tmp_path / "reader.db", directory=tmp_path)
    yield running
    running.stop()


# ---------------------------------------------------------------- the access log, counted


def test_every_request_is_logged_without_a_shutdown_and_none_is_lost_on_sigterm(server: Server) -> None:
    log = server.directory / "access.log"
    server.args = ["--access-log", str(log)]
    server.start()
    first = load(server.port, "before", 300)
    # Far below 64 KiB, so only the half-second flush can write these while the server keeps running.
    assert eventually(lambda: len(logged_ids(log.read_text())) >= len(first))
    assert sorted(logged_ids(log.read_text())) == sorted(first)

    second = load(server.port, "last", 200)
    server.terminate()  # at once: these lines are still in memory
    assert server.wait() == 0
    ids = logged_ids(log.read_text())
    assert len(ids) == len(first) + len(second) and set(ids) == first | second  # none missing, none twice
    assert len(log.read_text().splitlines()) == len(ids)  # and nothing else in the file
    assert "Traceback" not in server.log()


def test_sighup_writes_the_log_out_and_stops_nothing(server: Server) -> None:
    # Left to its default, SIGHUP (logrotate's postrotate, a closed terminal) killed a one-process server at
    # once: exit 129, its buffered lines lost, the database's -wal and -shm left behind.
    log = server.directory / "access.log"
    server.args = ["--access-log", str(log)]
    server.start()
    sent = load(server.port, "hangup", 20, threads=2)
    assert server.process is not None
    server.process.send_signal(signal.SIGHUP)
    assert eventually(lambda: "SIGHUP: the access log is written out" in server.log())
    assert sorted(logged_ids(log.read_text())) == sorted(sent)  # at once, not half a second later
    assert server.process.poll() is None
    after = load(server.port, "after", 5, threads=1)
    server.terminate()
    assert server.wait() == 0
    assert set(logged_ids(log.read_text())) == sent | after
    assert not (server.directory / "reader.db-wal").exists()


def test_the_default_is_standard_error_in_text(server: Server) -> None:
    server.start()
    sent = load(server.port, "stderr", 20, threads=2)
    server.terminate()
    assert server.wait() == 0
    assert sorted(logged_ids(server.stderr_path.read_text())) == sorted(sent)
    assert server.stdout_path.read_text() == ""


def test_the_serving_line_names_the_port_bound_also_for_port_0(server: Server) -> None:
    server.start()  # `--port 0`: the kernel picks one
    server.terminate()
    assert server.wait() == 0
    ours = [line for line in server.stderr_path.read_text().splitlines() if line.startswith("reader ")]
    # And the schema the release reads and writes: two releases of one version number differ there, and a
    # rolling upgrade's logs say which node runs which.
    release = rf"reader {re.escape(__version__)} \(database schema {SCHEMA_VERSION}, access log {LOG_CODE}\)"
    assert len(ours) == 1 and re.fullmatch(rf"{release}: serving \S+ at http://127\.0\.0\.1:{server.port}/", ours[0])


# ---------------------------------------------------------------- workers


def worker_pids(server: Server) -> set[int]:
    """The supervisor's worker processes (not multiprocessing's resource tracker, its other child)."""
    assert server.process is not None
    pids: set[int] = set()
    for children in Path(f"/proc/{server.process.pid}/task").glob("*/children"):
        pids |= {int(pid) for pid in children.read_text().split()}
    return {pid for pid in pids if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()}


def owner_of(connection: http.client.HTTPConnection, pids: set[int], server_port: int) -> int | None:
    """The worker process holding the server side of an open connection (from /proc)."""
    assert connection.sock is not None
    client_port = connection.sock.getsockname()[1]
    inode = None
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for row in Path(table).read_text().splitlines()[1:]:
            fields = row.split()
            local, remote = fields[1], fields[2]
            if int(local.rsplit(":", 1)[1], 16) == server_port and int(remote.rsplit(":", 1)[1], 16) == client_port:
                inode = fields[9]
    if inode is None:
        return None
    for pid in pids:
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            try:
                if os.readlink(fd) == f"socket:[{inode}]":
                    return pid
            except OSError:
                continue
    return None


def put_article(port: int, token: str, slug: str, title: str, status: str | None = None) -> None:
    """A PUT of the article at `slug`; with `status`, one that publishes it or keeps it back as a draft."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    fields = {"title": title, "lang": "en", "body_markdown": f"Body of {title}."}
    body = json.dumps(fields | ({"status": status} if status else {}))
    conn.request(
        "PUT", f"/api/articles/{slug}", body=body,
        headers={"content-type": "application/json", "authorization": f"Bearer {token}"},
    )  # fmt: skip
    response = conn.getresponse()
    assert response.status in (200, 201), response.read()
    response.read()
    conn.close()


def start_two_workers(server: Server) -> tuple[str, Path, set[int]]:
    """`reader serve --workers 2 --access-log FILE` on the server's database: an API token, the log file and
    the two workers' process ids."""
    token = create_token(new_site(server.db))
    log = server.directory / "access.log"
    server.workers = 2
    server.args = ["--access-log", str(log)]
    server.start()
    pids = worker_pids(server)
    started = {int(pid) for pid in re.findall(r"Started server process \[(\d+)\]", server.log())}
    assert len(pids) == 2 and started == pids
    return token, log, pids


def test_workers_start_serve_share_every_write_and_stop_with_0(server: Server) -> None:
    token, log, pids = start_two_workers(server)

    slug = "shared-by-workers"
    put_article(server.port, token, slug, "Version one")
    # Both workers keep version one in their answer caches.
    served_by: set[int | None] = set()
    for n in range(40):
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
        assert b"Version one" in get(server.port, f"/articles/{slug}", f"warm-{n}", conn)
        served_by.add(owner_of(conn, pids, server.port))
        conn.close()
    assert served_by == pids  # the kernel handed connections to both

    put_article(server.port, token, slug, "Version two")  # through one worker
    # The other worker must show it too: 20 new connections in a row, among them both workers', all fresh.
    streak: list[int | None] = []
    asked = 0
    deadline = time.monotonic() + DEADLINE
    while time.monotonic() < deadline and not (len(streak) >= 20 and set(streak) == pids):
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
        body = get(server.port, f"/articles/{slug}", f"fresh-{asked}", conn)
        asked += 1
        owner = owner_of(conn, pids, server.port)
        conn.close()
        streak = [*streak, owner] if b"Version two" in body else []
    assert len(streak) >= 20 and set(streak) == pids

    server.terminate()
    assert server.wait() == 0
    output = server.log()
    assert output.count("Application shutdown complete.") == 2 and output.count("Finished server process") == 2
    assert "Traceback" not in output
    assert not any(Path(f"/proc/{pid}").exists() for pid in pids)
    # Every request of every worker in the log (the PUTs' lines too), each line whole.
    lines = log.read_text().splitlines()
    assert all(TEXT_LINE.fullmatch(line) for line in lines) and len(lines) == 2 + 40 + asked
    assert set(logged_ids(log.read_text())) >= {f"warm-{n}" for n in range(40)} | {f"fresh-{n}" for n in range(asked)}


def test_every_worker_follows_a_rotated_log_into_the_new_file(server: Server) -> None:
    # logrotate's usual way, with no signal: rename the file while the server runs. Each worker's next batch
    # goes to a new file of the log's name; the old one keeps what was written before, and nothing is lost.
    log = server.directory / "access.log"
    server.workers = 2
    server.args = ["--access-log", str(log)]
    server.start()  # on a new database: the demo articles are there
    pids = worker_pids(server)
    assert len(pids) == 2

    def load_both(prefix: str) -> set[str]:
        """Requests on new connections until both workers have served some (the kernel picks the worker)."""
        sent: set[str] = set()
        owners: set[int | None] = set()
        while len(sent) < 20 or owners != pids:
            conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
            request_id = f"{prefix}-{len(sent)}"
            get(server.port, f"/articles/{SEED_SLUG}", request_id, conn)
            owners.add(owner_of(conn, pids, server.port))
            conn.close()
            sent.add(request_id)
        return sent

    before = load_both("before")
    assert eventually(lambda: set(logged_ids(log.read_text())) == before)
    rotated = log.with_name("access.log.1")
    log.rename(rotated)
    after = load_both("after")
    assert eventually(lambda: log.exists() and set(logged_ids(log.read_text())) == after)
    server.terminate()
    assert server.wait() == 0
    assert sorted(logged_ids(rotated.read_text())) == sorted(before)
    assert sorted(logged_ids(log.read_text())) == sorted(after)  # each once
    assert "Traceback" not in server.log()


def test_sigterm_lets_every_workers_in_flight_request_finish(server: Server) -> None:
    # A slow client on each worker: the headers and half the body of a PUT are in when SIGTERM comes, so
    # each worker is certainly inside a request (no guessing how long work takes). Both must finish, the
    # supervisor exit 0, and both lines be in the access log.
    token, log, pids = start_two_workers(server)
    held: dict[int, http.client.HTTPConnection] = {}
    for n in range(200):
        if len(held) == len(pids):
            break
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=120)
        get(server.port, "/healthz", f"probe-{n}", conn)  # accepted and served: its worker holds it now
        owner = owner_of(conn, pids, server.port)
        if owner is not None and owner not in held:
            held[owner] = conn
        else:
            conn.close()
    assert set(held) == pids
    bodies = {}
    for pid, conn in held.items():
        body = json.dumps({"title": f"Written in {pid}'s shutdown", "lang": "en", "body_markdown": "Body."}).encode()
        conn.putrequest("PUT", f"/api/articles/shutdown-{pid}")
        headers = {"content-type": "application/json", "authorization": f"Bearer {token}",
                   "x-request-id": f"in-flight-{pid}", "content-length": str(len(body))}  # fmt: skip
        for name, value in headers.items():
            conn.putheader(name, value)
        conn.endheaders()
        conn.send(body[: len(body) // 2])
        bodies[pid] = body
    time.sleep(0.5)  # for each worker to read the head and half the body (as in tests/test_shutdown.py)
    server.terminate()
    assert eventually(lambda: _refuses_connections(server.port))  # every worker is shutting down
    assert server.process is not None and server.process.poll() is None
    assert all(Path(f"/proc/{pid}").exists() for pid in pids)  # waiting for their requests
    for pid, conn in held.items():
        conn.send(bodies[pid][len(bodies[pid]) // 2 :])
        response = conn.getresponse()
        assert response.status == 201, response.read()
        assert json.loads(response.read())["title"] == f"Written in {pid}'s shutdown"
        conn.close()
    assert server.wait() == 0
    output = server.log()
    assert output.count("Finished server process") == 2 and "Traceback" not in output
    ids = logged_ids(log.read_text())
    assert {f"in-flight-{pid}" for pid in pids} <= set(ids)


def _refuses_connections(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except OSError:
        return True
    return False


def sign_in_through(server: Server, worker: int, pids: set[int], password: str) -> int:
    """One sign-in attempt on a connection the given worker holds (new connections until one lands on it):
    the form, then the post, on that connection. Its status."""
    while True:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
        conn.request("GET", "/editor/login")
        form = conn.getresponse()
        html = form.read().decode()
        if owner_of(conn, pids, server.port) == worker:
            break
        conn.close()
    cookie = "; ".join(value.split(";", 1)[0] for name, value in form.getheaders() if name.lower() == "set-cookie")
    body = urllib.parse.urlencode({"name": "someone", "password": password, "csrf_token": csrf_token(html)})
    conn.request(
        "POST", "/editor/login", body=body,
        headers={"content-type": "application/x-www-form-urlencoded", "cookie": cookie},
    )  # fmt: skip
    answer = conn.getresponse()
    answer.read()
    conn.close()
    return answer.status


def test_failed_sign_ins_across_workers_are_throttled_as_on_one(server: Server) -> None:
    # The counts live in the database: five wrong passwords, alternately through each worker, and the
    # sixth attempt, even with the right password, waits — as it would on one worker.
    add_editor(new_site(server.db), "someone", EDITOR_PASSWORD)
    server.workers = 2
    server.start()
    first, second = sorted(worker_pids(server))
    statuses = [sign_in_through(server, (first, second)[n % 2], {first, second}, "wrong") for n in range(5)]
    statuses.append(sign_in_through(server, second, {first, second}, EDITOR_PASSWORD))
    assert statuses == [401] * 5 + [429]
    server.terminate()
    assert server.wait() == 0


def test_workers_write_whole_lines_into_a_shared_pipe(server: Server) -> None:
    # A FIFO stands for a pipe to a log collector: both workers write into it at once, in batches far over
    # PIPE_BUF (long user agents fill 64 KiB quickly). The pipe holds only 4 KiB and its reader is slow, so
    # a longer write has to wait for room, and another worker's write would get in between its parts.
    fifo = server.directory / "access.fifo"
    os.mkfifo(fifo)
    received = bytearray()
    stopped = threading.Event()
    reading = threading.Thread(target=_read_slowly, args=(fifo, received, stopped))
    reading.start()
    server.workers = 2
    server.args = ["--access-log", str(fifo)]
    server.start()
    assert stat.S_ISFIFO(fifo.stat().st_mode)

    agent = "serve-test/1 " + "x" * 1500
    sent: set[str] = set()

    def run(prefix: str) -> None:
        for n in range(150):
            conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)  # new ones: both workers
            request_id = f"{prefix}-{n}"
            conn.request(
                "GET", f"/articles/{SEED_SLUG}?n={n}", headers={"x-request-id": request_id, "user-agent": agent}
            )
            response = conn.getresponse()
            response.read()
            assert response.status == 200
            conn.close()
            sent.add(request_id)

    threads = [threading.Thread(target=run, args=(f"pipe{t}",)) for t in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    server.terminate()
    assert server.wait() == 0
    stopped.set()
    reading.join(timeout=DEADLINE)
    lines = bytes(received).decode().splitlines()
    broken = [line for line in lines if not TEXT_LINE.fullmatch(line)]
    assert broken == []
    assert sorted(logged_ids("\n".join(lines))) == sorted(sent)


def _read_slowly(fifo: Path, into: bytearray, stopped: threading.Event) -> None:
    """Read the FIFO a little at a time until the server has exited and nothing is left. Non-blocking: there
    are moments with no writer at all (between `reader serve`'s check of the file and its workers' start)."""
    fd = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, 4096)
    try:
        while True:
            try:
                chunk = os.read(fd, 2048)
            except BlockingIOError:
                chunk = None
            if chunk:
                into += chunk
            elif stopped.is_set():
                return
            time.sleep(0.001)
    finally:
        os.close(fd)


# ---------------------------------------------------------------- flags


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--workers", "0"], "--workers must be at least 1"),
        (["--workers", "two"], "--workers must be a whole number"),
        (["--access-log", "/nonexistent-dir/access.log"], "cannot write the access log /nonexistent-dir/access.log"),
        (["--access-log-format", "xml"], "invalid choice: 'xml'"),
    ],
)
def test_unusable_flags_stop_serve_with_a_message(tmp_path: Path, args: list[str], message: str) -> None:
    done = subprocess.run(
        reader_command("serve", "--port", "0", "--db", str(tmp_path / "reader.db"), *args),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2 and message in done.stderr
    assert "Traceback" not in done.stderr


def test_a_second_server_on_the_same_port_stops_instead_of_sharing_it(server: Server) -> None:
    # Workers listen with SO_REUSEPORT, which would let another reader started on the port by mistake join
    # them and take half their connections; it must stop instead, in one line, before it creates or changes
    # a database (it used to say uvicorn's "[Errno 98]", exit 3, after creating and filling a new one).
    server.start()
    other = server.directory / "other.db"
    done = subprocess.run(
        reader_command("serve", "--port", str(server.port), "--db", str(other)),
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    said = f"reader: error: cannot listen on 127.0.0.1:{server.port}: Address already in use\n"
    assert done.returncode == 2 and done.stderr == said and not other.exists()
    with socket.create_server(("127.0.0.1", 0)) as taken:  # and a port anything else holds
        port = taken.getsockname()[1]
        done = subprocess.run(
            reader_command("serve", "--port", str(port), "--db", str(other)), capture_output=True, text=True, timeout=60
        )
    said = f"reader: error: cannot listen on 127.0.0.1:{port}: Address already in use\n"
    assert done.returncode == 2 and done.stderr == said and not other.exists()
    done = subprocess.run(
        reader_command("serve", "--host", "0.0.0.0.0", "--port", "0", "--db", str(other)),
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 2 and done.stderr.startswith("reader: error: cannot listen on 0.0.0.0.0:0: ")
    assert len(done.stderr.splitlines()) == 1 and not other.exists()


def test_the_environment_sets_workers_and_a_json_log(server: Server) -> None:
    log = server.directory / "access.json"
    server.env = {"READER_WORKERS": "2", "READER_ACCESS_LOG": str(log), "READER_ACCESS_LOG_FORMAT": "json"}
    server.start()  # waits for server.workers (1) to listen: the environment must bring the second
    assert eventually(lambda: len(listening_processes(server.log())) == 2)
    assert len(worker_pids(server)) == 2
    sent = load(server.port, "env", 10, threads=2)
    server.terminate()
    assert server.wait() == 0
    records = [json.loads(line) for line in log.read_text().splitlines()]
    assert sorted(r["request_id"] for r in records) == sorted(sent)
    assert all(r["status"] == 200 and r["user_agent"] == "serve-test/1" for r in records)


def test_a_publish_or_unpublish_through_one_worker_shows_on_every_worker(server: Server) -> None:
    """Both workers keep the article's page and the index in their answer caches; an unpublish through one of
    them takes the article off both (a 404, gone from the index and the feed), and a publish brings it back on
    both."""
    token, _, pids = start_two_workers(server)
    slug = "now-you-see-it"
    put_article(server.port, token, slug, "Now you see it", "published")

    def answers(conn: http.client.HTTPConnection) -> tuple[int, bool, bool]:
        """The article page's status and whether the index and the feed list it, over one connection (one
        worker)."""
        seen = []
        for path in (f"/articles/{slug}", "/", "/feed.xml"):
            conn.request("GET", path)
            response = conn.getresponse()
            seen.append((response.status, b"Now you see it" in response.read()))
        return seen[0][0], seen[1][1], seen[2][1]

    def streak_of(expected: tuple[int, bool, bool]) -> bool:
        """20 new connections in a row answered `expected`, among them both workers'."""
        streak: list[int | None] = []
        deadline = time.monotonic() + DEADLINE
        while time.monotonic() < deadline and not (len(streak) >= 20 and set(streak) == pids):
            conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
            seen = answers(conn)
            owner = owner_of(conn, pids, server.port)
            conn.close()
            streak = [*streak, owner] if seen == expected else []
        return len(streak) >= 20 and set(streak) == pids

    assert streak_of((200, True, True))  # in both workers' caches
    put_article(server.port, token, slug, "Now you see it", "draft")
    assert streak_of((404, False, False))
    put_article(server.port, token, slug, "Now you see it", "published")
    assert streak_of((200, True, True))


def test_a_password_file_warning_is_said_once_by_a_server_of_workers(
    tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """The supervisor checks the database before it starts the workers, and says so in reader's one line;
    the workers (spawned: Python's own warning format, its source file and `warnings.warn(` line) say nothing
    more of it."""
    import shlex

    from tests.conftest import new_pg_database

    url = new_pg_database(request.getfixturevalue("pg_cluster"))  # no password in it: the file is asked
    passfile = tmp_path / "pg pass"
    passfile.write_text("*:*:*:*:not-sent\n")
    passfile.chmod(0o644)
    running = Server(db=url, directory=tmp_path, env={"PGPASSFILE": str(passfile)}, workers=2)
    running.start()
    try:
        load(running.port, "pgpass", 4, threads=2, path="/")  # both workers have their pools' connections open
    finally:
        running.terminate()
        assert running.wait() == 0
    said = (
        f"reader: warning: the password file {passfile} was ignored: it has group or world access, and "
        f"PostgreSQL's clients read one only with permissions 0600 or less (chmod 600 {shlex.quote(str(passfile))})"
    )
    warned = [line for line in running.stderr_path.read_text().splitlines() if "warn" in line.lower()]
    assert warned == [said]
