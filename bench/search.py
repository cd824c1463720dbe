"""Readers' search on 10,000 articles, on SQLite and on PostgreSQL: what the index's search costs the database.

Run from the repository: ``.venv/bin/python bench/search.py`` (a few minutes; ``--runs N`` per figure,
``--write docs/performance.md`` to record its marked part). It builds (once, into ``bench/.data/``) the
10,000-article set of bench/dataset.py, copies it into a throwaway PostgreSQL cluster of its own
(scripts/pgcluster.py) with ``reader copy``'s code, and measures on each backend, in this process, the
median time of one page of results (the count and the page's rows, as reader.store's list_articles asks):

- ``index``: the search as a request makes it (reader.store's list_articles, excerpts made) through each
  backend's index of the words (SQLite FTS5, PostgreSQL GIN over the stored words as they are,
  array_to_tsvector), title matches first; ``excerpts``: of which the page's excerpts;
- ``like``: the other way considered: the same stored words found with LIKE '% word%' (a scan of every
  article), title matches first;
- ``titles``: the search before schema 13, addresses' words only (what it cost to search titles alone).

It also times making the words of every article again (what the first node of the release does after the
migration) and the words of one article (what every save adds), and the index's size.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from contextlib import ExitStack
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
sys.path.insert(0, str(BENCH_DIR))
sys.path.insert(0, str(ROOT))

import dataset  # noqa: E402
from scripts.pgcluster import PostgresCluster, reap_abandoned  # noqa: E402
from sections import write_section  # noqa: E402

from reader.copying import copy_database  # noqa: E402
from reader.db import Database, Row, database_for  # noqa: E402
from reader.search import search_text  # noqa: E402
from reader.slugs import search_words  # noqa: E402
from reader.store import SqlArticleStore, _found  # noqa: E402

ARTICLES = 10_000
PER_PAGE = 20
SECTION = "bench/search.py"
# (what it shows, the search): from a word in one article to one in nearly all.
SEARCHES = [
    ("one article's number", "4321"),
    ("a word in a few articles", "dyslexia"),
    ("two Vietnamese words", "nghị quyết"),
    ("four words, no diacritics", "can bo cong chuc"),
    ("English words", "reading text"),
    ("a one-letter word", "c"),
    ("eight one-letter words", "a b c d e f g h"),
    ("no article", "zzxq"),
]
_FIELDS = "slug, lang, title, summary, author, published, updated_at, status"


async def _page(db: Database, way: str, search: str) -> int:
    """One page of results the `like` or `titles` way, asked as reader.store asks it; the total."""
    words = search_words(search)
    if way == "titles":
        condition = " AND ".join(["('-' || slug) LIKE ?"] * len(words))
        where, params = f"status = 'published' AND {condition}", [f"%-{word}%" for word in words]
        order, ranking = "published DESC, id DESC", []
    else:
        condition = " AND ".join(["(' ' || search_text) LIKE ?"] * len(words))
        where, params = f"status = 'published' AND {condition}", [f"% {word}%" for word in words]
        title = " AND ".join(["(' ' || search_title) LIKE ?"] * len(words))
        order = f"({title}) DESC, published DESC, id DESC"
        ranking = [f"% {word}%" for word in words]
    row = await db.fetch_one(f"SELECT count(*) AS n FROM articles WHERE {where}", params)
    chosen = f"SELECT id FROM articles WHERE {where} ORDER BY {order} LIMIT ? OFFSET 0"
    await db.fetch_all(
        f"SELECT {_FIELDS}, body_html FROM articles WHERE id IN ({chosen}) ORDER BY {order}",
        (*params, *ranking, PER_PAGE, *ranking),
    )
    return int(row["n"]) if row else 0


async def _median_ms(runs: int, work: Callable[[], Awaitable[object]]) -> float:
    await work()  # warm: the pages read once, the statement prepared
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        await work()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


async def measure(db: Database, runs: int) -> dict[str, object]:
    store = SqlArticleStore(db)
    figures: dict[str, object] = {}
    for label, search in SEARCHES:
        listed = await store.list_articles(page=1, per_page=PER_PAGE, search=search)
        assert listed.total == await _page(db, "like", search), f"the two ways disagree on {search!r}"
        row: dict[str, float] = {"found": listed.total}
        row["index"] = await _median_ms(
            runs, lambda search=search: store.list_articles(page=1, per_page=PER_PAGE, search=search)
        )
        for way in ("like", "titles"):
            row[way] = await _median_ms(runs, lambda way=way, search=search: _page(db, way, search))
        page = (
            await db.fetch_all(
                "SELECT title, summary, author, body_html FROM articles WHERE slug IN ({})".format(
                    ",".join("?" * len(listed.items))
                ),
                [item.slug for item in listed.items],
            )
            if listed.items
            else []
        )
        words = search_words(search)

        async def excerpts(page: list[Row] = page, words: list[str] = words) -> object:
            return _found(page, words)

        row["excerpts"] = await _median_ms(runs, excerpts)
        figures[label] = row
        shown = ", ".join(f"{way} {row[way]:.2f} ms" for way in ("index", "excerpts", "like", "titles"))
        print(f"  {db.dialect:10} {label:28} {listed.total:6,} found: {shown}", flush=True)
    # Every article's words made again, as after the migration.
    async with db.transaction() as tx:
        await tx.execute("UPDATE articles SET search_version = 0")
    start = time.perf_counter()
    made = await store.refresh_all_search()
    figures["backfill"] = (made, time.perf_counter() - start)
    print(f"  {db.dialect:10} made the words of {made:,} articles again in {figures['backfill'][1]:.1f} s", flush=True)
    if db.dialect == "postgresql":
        size = await db.fetch_one("SELECT pg_relation_size('articles_words') AS n")
    else:
        size = await db.fetch_one(
            "SELECT sum(pgsize) AS n FROM dbstat WHERE name LIKE 'article_words%' OR name = 'articles_search_order'"
        )
    figures["index_bytes"] = int(size["n"]) if size and size["n"] is not None else 0
    words = await db.fetch_one("SELECT sum(length(search_title) + length(search_text)) AS n FROM articles")
    figures["words_bytes"] = int(words["n"]) if words and words["n"] is not None else 0
    return figures


def words_per_article(count: int = 500) -> float:
    """Milliseconds to make one generated article's words (every save does it)."""
    generator = dataset.Generator()
    drafts = [generator.draft(i) for i in range(count)]
    start = time.perf_counter()
    for d in drafts:
        search_text(d.slug, d.title, d.summary, d.author, d.body_html)
    return (time.perf_counter() - start) * 1000 / count


def report(results: dict[str, dict[str, object]], per_article_ms: float, runs: int, loads: tuple[float, ...]) -> str:
    when = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT)
    commit = head.stdout.strip() or "unknown"
    lines = [
        f"<!-- {SECTION}: start -->",
        "## Search on 10,000 articles (bench/search.py)",
        "",
        f"Command: `python bench/search.py --write docs/performance.md`; {runs} runs a figure; load average"
        f" {loads[0]:.1f} at the start, {os.getloadavg()[0]:.1f} at the end; {when}, reader commit {commit}.",
        "",
        "One page of results (20), median ms in the process, warm. `index`: reader's search as a request makes",
        "it (reader.store's list_articles: the count, the page's rows, their excerpts), through each backend's",
        "index of the words (SQLite FTS5, PostgreSQL GIN); of which `excerpts`, making the page's excerpts in",
        "Python. `like`: the same stored words found with LIKE '% word%' instead, which reads every article.",
        "`titles`: the search before schema 13 (the words of addresses, with LIKE), for comparison.",
        "",
        "| search | found | SQLite index | excerpts | like | titles | PostgreSQL index | excerpts | like | titles |",
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    sqlite, pg = results["sqlite"], results["postgresql"]
    for label, search in SEARCHES:
        a, b = sqlite[label], pg[label]
        assert isinstance(a, dict) and isinstance(b, dict)
        cells = [f"{figures[way]:.1f}" for figures in (a, b) for way in ("index", "excerpts", "like", "titles")]
        lines.append(f"| {label} (`{search}`) | {a['found']:,} | " + " | ".join(cells) + " |")
    for name, figures in (("SQLite", sqlite), ("PostgreSQL", pg)):
        made, seconds = figures["backfill"]  # type: ignore[misc]
        lines.append("")
        lines.append(
            f"{name}: the words of all {made:,} articles made again in {seconds:.1f} s (what the first node to"
            f" start does after the migration); the words take {figures['words_bytes'] / 2**20:.1f} MiB in the rows"
            f" and the indexes {figures['index_bytes'] / 2**20:.1f} MiB."
        )
    lines += [
        "",
        f"Making one article's words takes {per_article_ms:.2f} ms (every save).",
        "",
        "Chosen: the indexes. LIKE reads every article's row for every search, so its time grows with the",
        "site; the indexes' time grows with how many articles a search finds (SQLite reads an index of every",
        "article's date, state and title's words to rank a search that finds more than 200, and looks up the",
        "rows of one that finds fewer).",
        f"<!-- {SECTION}: end -->",
    ]
    return "\n".join(lines)


async def _open(target: str | Path) -> Database:
    db = database_for(target)
    await db.open(check=False)
    return db


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--write", type=Path, help="record the figures in this Markdown file")
    args = parser.parse_args()
    source = dataset.ensure(BENCH_DIR / ".data", ARTICLES)
    loads = os.getloadavg()
    results: dict[str, dict[str, object]] = {}
    reap_abandoned("reader-pg-bench-")
    with ExitStack() as stack:
        cluster = stack.enter_context(PostgresCluster.running(prefix="reader-pg-bench-"))
        url = cluster.create_database("search")

        async def run() -> None:
            sqlite = await _open(source)
            try:
                await SqlArticleStore(sqlite).refresh_all_search()  # a set built before schema 13
                target = await _open(url)
                try:
                    start = time.perf_counter()
                    from_db = database_for(source)
                    await from_db.open_for_reading()
                    try:
                        await copy_database(from_db, target, replace=True)
                    finally:
                        await from_db.close()
                    print(f"copied into PostgreSQL in {time.perf_counter() - start:.1f} s", flush=True)
                    await target.fetch_one("ANALYZE articles")
                    results["sqlite"] = await measure(sqlite, args.runs)
                    results["postgresql"] = await measure(target, args.runs)
                finally:
                    await target.close()
            finally:
                await sqlite.close()

        asyncio.run(run())
    text = report(results, words_per_article(), args.runs, loads)
    print(text)
    if args.write:
        write_section(args.write, text)


if __name__ == "__main__":
    main()
