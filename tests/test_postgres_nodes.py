"""Several `reader serve` nodes on one PostgreSQL database, as docs/deployment.md runs them: shared
articles, freshness across nodes, migrating together, a dropped LISTEN connection, PostgreSQL going away
and coming back, races between nodes, and `reader copy` between the backends.

Times are printed (pytest -s shows them), never asserted: the figures live in bench/postgres.py.
"""

from __future__ import annotations

import json
import sqlite3
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from scripts.pgcluster import PostgresCluster, database_of, free_port, wait_until

from tests.conftest import EN_SLUG, SEED_SLUG, SEED_TITLE, listener_pids, new_pg_database
from tests.serverproc import Server, create_token, http, reader_command
from tests.test_cli import reader

ARTICLE_FIELDS = (
    "slug, lang, title, summary, body_html, body_source, body_format, author, published, source_url, version, "
    "created_at, updated_at"
)


@pytest.fixture
def fresh_database(pg_cluster: PostgresCluster) -> str:
    """An empty database: the first node to start migrates it and adds the demo articles."""
    return new_pg_database(pg_cluster, migrated=False)


StartNode = Callable[[str], Server]


@pytest.fixture
def start_node(tmp_path: Path) -> Iterator[StartNode]:
    """start_node(url) → a running `reader serve` on a free port; every node is stopped afterwards."""
    nodes: list[Server] = []

    def start(url: str) -> Server:
        node = Server(db=url, directory=Path(tempfile.mkdtemp(prefix="node", dir=tmp_path)))
        nodes.append(node)
        return node.start()

    yield start
    for node in nodes:
        node.stop()
    for node in nodes:
        assert "Traceback" not in node.log(), node.log()


def base(node: Server) -> str:
    return node.url


def get(node: Server, path: str) -> httpx.Response:
    return http().get(base(node) + path)


def put_article(node: Server, token: str, slug: str, title: str) -> httpx.Response:
    body = {"title": title, "lang": "en", "body_html": f"<p>{title}</p>", "published": "2026-01-01"}
    return http().put(f"{base(node)}/api/articles/{slug}", json=body, headers={"authorization": f"Bearer {token}"})


def seed_links(html: str) -> int:
    return html.count(f'href="/articles/{SEED_SLUG}"')


def test_two_nodes_serve_one_site(fresh_database: str, start_node: StartNode, tmp_path: Path) -> None:
    """What must show 1: the seed article once on both indexes; token and import with a URL; a PUT through
    node A served by node B (printed: how long that took); the same new slug created through both nodes at
    once: one 201, one 200, never a 500."""
    a, b = start_node(fresh_database), start_node(fresh_database)
    for node in (a, b):
        index = get(node, "/")
        assert index.status_code == 200 and seed_links(index.text) == 1
    token = create_token(fresh_database, "ci")
    source = tmp_path / "imported.json"
    source.write_text(json.dumps({"title": "Imported over the network", "lang": "en", "body_html": "<p>x</p>"}))
    done = reader("import", "--db", fresh_database, str(source))
    assert done.returncode == 0, done.stderr
    assert get(b, "/articles/imported-over-the-network").status_code == 200

    seconds = []
    for n in range(5):
        assert get(b, f"/articles/{EN_SLUG}").status_code == 200  # in B's cache before the write
        title = f"Written through A, number {n}"
        assert put_article(a, token, EN_SLUG, title).status_code == 200
        written = time.monotonic()
        wait_until(lambda title=title: title in get(b, f"/articles/{EN_SLUG}").text, timeout=30, interval=0.005)
        seconds.append(time.monotonic() - written)
    print(
        f"\nwrite through A → served by B: median {statistics.median(seconds) * 1000:.0f} ms, "
        f"max {max(seconds) * 1000:.0f} ms over {len(seconds)} writes"
    )

    with ThreadPoolExecutor(2) as pool:
        for n in range(6):
            slug = f"raced-{n}"
            statuses = sorted(
                pool.map(lambda node, slug=slug: put_article(node, token, slug, slug).status_code, (a, b))
            )
            assert statuses == [200, 201]


def test_a_publish_or_unpublish_through_one_node_shows_on_the_other(fresh_database: str, start_node: StartNode) -> None:
    """Node B keeps the article's page, its embed, the index and the feed in its answer cache; an unpublish
    through node A takes the article off B's views at once (a 404, gone from the lists), a publish brings it
    back."""
    a, b = start_node(fresh_database), start_node(fresh_database)
    token = create_token(fresh_database, "ci")
    slug = "seen-on-both-nodes"

    def put(status: str) -> None:
        body = {"title": "Seen on both nodes", "lang": "en", "body_html": "<p>x</p>", "status": status}
        answer = http().put(f"{base(a)}/api/articles/{slug}", json=body, headers={"authorization": f"Bearer {token}"})
        assert answer.status_code in (200, 201), answer.text

    def on_b() -> tuple[int, int, bool, bool]:
        page, embed = get(b, f"/articles/{slug}"), get(b, f"/embed/{slug}")
        listed = ("Seen on both nodes" in get(b, path).text for path in ("/", "/feed.xml"))
        return (page.status_code, embed.status_code, *listed)

    put("published")
    wait_until(lambda: on_b() == (200, 200, True, True), timeout=30, interval=0.01)
    assert on_b() == (200, 200, True, True)  # kept in B's cache now
    for status, expected in (("draft", (404, 404, False, False)), ("published", (200, 200, True, True))):
        put(status)
        wait_until(lambda expected=expected: on_b() == expected, timeout=30, interval=0.01)


def test_three_nodes_starting_together_migrate_and_seed_once(
    pg_cluster: PostgresCluster, fresh_database: str, start_node: StartNode
) -> None:
    """What must show 2."""
    with ThreadPoolExecutor(3) as pool:
        nodes = list(pool.map(lambda _: start_node(fresh_database), range(3)))
    for node in nodes:
        assert get(node, "/healthz").status_code == 200
        assert seed_links(get(node, "/").text) == 1
    database = database_of(fresh_database)
    assert pg_cluster.psql("SELECT count(*) FROM articles", database) == "3"
    assert pg_cluster.psql("SELECT version FROM reader_schema", database) != ""


def test_a_killed_listening_connection_reconnects_and_drops_the_cache(
    pg_cluster: PostgresCluster, fresh_database: str, start_node: StartNode
) -> None:
    node = start_node(fresh_database)
    database = database_of(fresh_database)
    wait_until(lambda: len(listener_pids(pg_cluster, database)) == 1, timeout=30)
    (first,) = listener_pids(pg_cluster, database)
    assert SEED_TITLE in get(node, f"/articles/{SEED_SLUG}").text
    # A change nobody announces (as one made while the node was not listening would be): the node keeps
    # serving the page it has.
    pg_cluster.psql(f"UPDATE articles SET title = 'Changed unannounced' WHERE slug = '{SEED_SLUG}'", database)
    assert SEED_TITLE in get(node, f"/articles/{SEED_SLUG}").text
    assert pg_cluster.psql(f"SELECT pg_terminate_backend({first})", database) == "t"
    wait_until(lambda: listener_pids(pg_cluster, database) not in ([], [first]), timeout=30)
    # Listening again, it cannot know what it missed: every cached page is dropped.
    wait_until(lambda: "Changed unannounced" in get(node, f"/articles/{SEED_SLUG}").text, timeout=30)
    assert "reconnecting" in node.log()


@pytest.fixture
def own_cluster() -> Iterator[PostgresCluster]:
    """A cluster for one test that stops and starts it: the worker's shared one stays up for the others."""
    with PostgresCluster.running(prefix="reader-pg-outage-") as cluster:
        yield cluster


def test_postgresql_going_away_and_coming_back(own_cluster: PostgresCluster, start_node: StartNode) -> None:
    """What must show 3: cached pages 200, anything needing the database 503 with Retry-After (never a 500
    or a traceback), /healthz 503, writes refused and not half-done, and a write succeeding soon after
    PostgreSQL is back (printed: how soon)."""
    pg_cluster = own_cluster
    url = pg_cluster.create_database("site")
    node = start_node(url)
    token = create_token(url, "ci")
    cached = get(node, f"/articles/{SEED_SLUG}")
    assert cached.status_code == 200
    index = get(node, "/")
    pg_cluster.stop("fast")
    try:
        again = get(node, f"/articles/{SEED_SLUG}")
        assert (again.status_code, again.text) == (200, cached.text)
        assert get(node, "/").text == index.text
        page = get(node, f"/articles/{EN_SLUG}")
        assert page.status_code == 503 and page.headers["retry-after"].isdigit()
        assert page.headers["content-type"].startswith("text/html") and "<h1" in page.text
        assert get(node, "/healthz").status_code == 503
        write = put_article(node, token, "written-while-down", "Written while down")
        assert write.status_code == 503 and write.headers["retry-after"].isdigit()
        assert write.json()["error"]["status"] == 503
    finally:
        pg_cluster.start()
    restarted = time.monotonic()
    assert get(node, "/api/articles/written-while-down").status_code in (404, 503)  # nothing half-written

    def write_succeeds() -> bool:
        return put_article(node, token, "written-after", "Written after").status_code == 201

    wait_until(write_succeeds, timeout=60, interval=0.05)
    print(f"\nwrite through the node succeeded {time.monotonic() - restarted:.2f} s after PostgreSQL restarted")
    assert get(node, "/healthz").status_code == 200
    assert get(node, "/api/articles/written-while-down").status_code == 404
    assert " 500 " not in node.log()


def test_serve_with_nothing_listening_is_one_line_naming_the_host(tmp_path: Path) -> None:
    """What must show 4."""
    port = free_port()
    done = subprocess.run(
        reader_command("serve", "--port", "0", "--db", f"postgresql://reader:secret@127.0.0.1:{port}/site"),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=tmp_path,
    )
    assert done.returncode == 2
    assert len(done.stderr.splitlines()) == 1 and done.stderr.startswith("reader: error: ")
    assert f"127.0.0.1:{port}" in done.stderr and "secret" not in done.stderr


def sqlite_articles(path: Path) -> list[tuple[object, ...]]:
    with sqlite3.connect(path) as conn:
        rows = conn.execute(f"SELECT {ARTICLE_FIELDS} FROM articles ORDER BY id").fetchall()
    conn.close()
    return rows


def test_copy_from_sqlite_to_postgresql_and_back(pg_cluster: PostgresCluster, tmp_path: Path) -> None:
    """What must show 5: the same articles (every field), accounts and tokens after the round trip."""
    url = new_pg_database(pg_cluster, migrated=False)
    source, back = tmp_path / "demo.db", tmp_path / "back.db"

    def succeeds(*args: str) -> str:
        done = reader(*args)
        assert done.returncode == 0, done.stderr
        return done.stdout

    succeeds("migrate", "--db", str(source))
    token = succeeds("token", "create", "ci", "--db", str(source)).strip()
    assert "Copied 3 articles" in succeeds("copy", str(source), url)
    assert "Copied 3 articles, 0 editor accounts and 1 API token from" in succeeds("copy", url, str(back))
    assert sqlite_articles(back) == sqlite_articles(source) and len(sqlite_articles(source)) == 3
    with sqlite3.connect(back) as conn:
        assert conn.execute("SELECT name FROM api_tokens").fetchall() == [("ci",)]
    conn.close()
    refused = reader("copy", str(source), url)
    assert refused.returncode == 2 and "is not empty" in refused.stderr
    assert token.startswith("rdr_")
