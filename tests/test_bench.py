"""The benchmark harness's pure pieces (bench/run.py, bench/bare_app.py); no timing is asserted here."""

from __future__ import annotations

import base64
import functools
import gzip
import importlib.util
import json
import math
import os
import sys
import threading
import time
from pathlib import Path
from types import ModuleType

import httpx
import pytest

from reader.importer import drafts_from_files

BENCH = Path(__file__).resolve().parents[1] / "bench"


def _load(name: str) -> ModuleType:
    # bench/ is a folder of scripts, not a package (run.py puts bench/ on sys.path for its own imports).
    spec = importlib.util.spec_from_file_location(f"bench_{name}", BENCH / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


run = _load("run")
bare_app = _load("bare_app")


def test_parse_wrk_reads_the_report_line() -> None:
    output = (
        "Running 1s test @ http://127.0.0.1:8000/\n  1 threads and 64 connections\n"
        '{"requests":5000,"duration_us":1000000,"rps":5000.0,"errors":1,"non2xx":2,'
        '"lat_p50_us":4135,"lat_p99_us":12958,"lat_max_us":20321}\n'
    )
    result = run.parse_wrk(output)
    assert (result.rps, result.p50_ms, result.p99_ms) == (5000.0, 4.135, 12.958)
    assert (result.requests, result.errors, result.non2xx) == (5000, 1, 2)


def test_wrk_script_sets_method_headers_and_body() -> None:
    script = run.wrk_script("POST", {"Cookie": 'reader_prefs=1|s:200"'}, "a=1&b=2\n")
    assert 'wrk.method = "POST"' in script
    assert 'wrk.headers["Cookie"] = "reader_prefs=1|s:200\\034"' in script
    assert 'wrk.body = "a=1&b=2\\010"' in script
    assert "done = function(summary, latency, requests)" in script
    assert run.lua_string("Kạn") == '"K\\225\\186\\161n"'


def test_a_varied_wrk_script_draws_each_request_from_the_choices() -> None:
    varied = run.Varied(("/a", "/a/fragment"), {"User-Agent": ("one", "two"), "Referer": (None, "https://x/")})
    script = run.wrk_script("GET", {"Cookie": "c"}, varied=varied)
    assert 'wrk.headers["Cookie"] = "c"' in script
    assert 'local paths = {"/a", "/a/fragment"}' in script
    assert 'local choices = {{"User-Agent", {"one", "two"}}, {"Referer", {false, "https://x/"}}}' in script
    assert "return wrk.format(wrk.method, paths[math.random(#paths)], h, wrk.body)" in script
    assert "request = function()" not in run.wrk_script("GET", {"Cookie": "c"})
    # The benchmark's: every article of the small set, a page and a fragment each, thousands of combinations.
    scenario = run.varied(run.dataset.SMALL)
    assert scenario.varied and scenario.path == f"/articles/{run.SEED}"
    assert len(set(scenario.varied.paths)) == 2 * len(run.dataset.indices(run.dataset.SMALL)) + 2
    assert len(scenario.varied.paths) * len(run.AGENTS) * len(run.REFERERS) > 3000


def test_medians_ratios_and_verdicts() -> None:
    assert run.median([3.0, 1.0, 2.0, 10.0]) == 2.5
    assert math.isnan(run.median([]))
    assert run.ratio(400, 1000) == 0.4
    assert math.isnan(run.ratio(1, 0))
    ok = run.at_most("RSS", 65, 150, "65 MiB", "≤ 150 MiB")
    over = run.at_most("p99", 3.0, 2.0, "3.0×", "≤ 2×")
    assert ok.met and not over.met and over.by == "50 % over"
    assert run.at_most("p50", 1.1027, 1.1, "1.10×", "≤ 1.1×").by == "0.2 % over"
    assert run.at_most("p99", 9.0, 2.0, "9.0×", "≤ 2×").by == "4.5× over"
    assert run._gap(float("inf"), "short") == "all short"  # a ratio of 0: reader answered nothing
    table = run.markdown_table([ok, over, run.Row("info", "1", "—", None)])
    assert "| p99 | 3.0× | ≤ 2× | **no** (50 % over) |" in table
    assert "| info | 1 | — | — |" in table


def test_the_medians_interval_is_the_order_statistics_the_binomial_allows() -> None:
    # 15 rounds: the 4th smallest to the 4th largest (P(Binomial(15, 1/2) <= 3) = 1.76 % per side).
    assert run.median_interval([float(v) for v in range(15, 0, -1)]) == (8.0, 4.0, 12.0)
    assert run.median_interval([float(v) for v in range(1, 7)]) == (3.5, 1.0, 6.0)  # 6: the extremes, 96.9 %
    assert run.median_interval([1.0, 2.0, 3.0, 4.0, 5.0]) is None  # 5: even the extremes hold it only 93.8 %
    assert run.median_interval([1.0] * 8 + [float("nan")]) is None


def test_a_paired_target_is_met_missed_or_not_resolved_by_its_interval() -> None:
    steady = [1.10, 1.12, 1.11, 1.13, 1.09, 1.12, 1.10, 1.11, 1.14, 1.08]
    met = run.paired("page", steady, 1.0, higher_is_better=True)
    assert met.met is True and not met.unresolved and met.value.startswith("1.11× (95 %: 1.09–1.13×, 10 rounds)")
    missed = run.paired("304", [0.80, 0.82, 0.79, 0.81, 0.80, 0.83, 0.78], 1.0, higher_is_better=True)
    assert missed.met is False and missed.by == "20 % short"
    noisy = [0.7, 1.3, 0.9, 1.2, 1.0, 0.8, 1.1, 1.4, 0.75, 1.05]
    unresolved = run.paired("fragment", noisy, 1.0, higher_is_better=True)
    assert unresolved.met is None and unresolved.unresolved
    few = run.paired("quick", [1.5, 1.6, 1.7], 1.0, higher_is_better=True)  # --quick: no verdict from 3 rounds
    assert few.unresolved and "too few" in few.value
    assert run.paired("p99", steady, 1.5, higher_is_better=False).met is True
    assert run.paired("p99", [1.7, 1.8, 1.75, 1.72, 1.9, 1.76], 1.5, higher_is_better=False).met is False
    table = run.markdown_table([met, missed, unresolved])
    assert "| **no** (20 % short) |" in table and "| fragment | " in table and "| not resolved |" in table


class _FakeLoad:
    """Stands in for run.Load: every run of a server on `port` reports `port` requests per second."""

    duration = 1
    loads: list[float] = []

    def run(self, port: int, scenario: object, duration: int | None = None, *, pinned: bool = True) -> object:
        return run.WrkResult(rps=float(port), p50_ms=1.0, p99_ms=2.0, requests=port, errors=0, non2xx=0)


class _FakeServer:
    def __init__(self, port: int) -> None:
        self.port, self.asks = port, {}

    def rotate(self) -> None:
        pass

    def pids(self) -> list[int]:
        return []


def test_alternate_keeps_each_servers_runs_apart_whatever_the_order(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(run, "GAP_SECONDS", 0.0)
    scenario = run.scenarios("")[0]
    servers = [_FakeServer(1), _FakeServer(2), _FakeServer(3)]
    measured = run.alternate(_FakeLoad(), 4, [("page", scenario, servers)])  # type: ignore[arg-type]
    # Rounds 2 and 4 run the servers in reverse order; each list still holds only its own server's runs.
    assert [[m.wrk.rps for m in runs] for runs in measured["page"]] == [[1.0] * 4, [2.0] * 4, [3.0] * 4]


def _reader_on(port: int, method: str, path: str, headers: dict[str, str] | None = None, body: str = "",
               timeout: float = 30) -> object:  # fmt: skip
    """A stand-in for run.request: a reader whose page names its port, so its ETag is its own."""
    etag = f'"1-{port}"'
    if (headers or {}).get("If-None-Match") == etag:
        return run.Answer(304, [("etag", etag)], b"")
    page = b'<div id="reader" id="reader-main"></div>' if method == "POST" else b"<html></html>"
    return run.Answer(200, [("etag", etag)], page)


def test_each_reader_is_asked_the_conditional_get_with_its_own_etag(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(run, "request", _reader_on)
    cases = run.scenarios('"1-1"')  # as captured from the reader on port 1
    conditional = next(c for c in cases if c.key == "304")
    # Another reader (port 2) answers another's ETag with the whole page, not the 304 meant to be measured.
    with pytest.raises(RuntimeError, match="answered 200, expected 304"):
        run.check_answer(conditional, _reader_on(2, conditional.method, conditional.path, conditional.headers))
    own = run.own_scenarios(2, cases)
    assert [c.key for c in own] == [c.key for c in cases]
    assert next(c for c in own if c.key == "304").headers["If-None-Match"] == '"1-2"'
    assert [c for c in own if c.key != "304"] == [c for c in cases if c.key != "304"]


def test_cpu_per_request_is_the_servers_cpu_over_wrks_requests() -> None:
    wrk = run.WrkResult(rps=10_000, p50_ms=5, p99_ms=9, requests=30_000, errors=0, non2xx=0)
    measured = run.Measured(wrk, server_cpu=2.4, load_cpu=1.0, seconds=3.0)
    assert run.cpu_per_request(measured) == pytest.approx(80.0)
    idle = run.Measured(run.WrkResult(0, 0, 0, 0, 0, 0), server_cpu=0.01, load_cpu=0, seconds=3.0)
    assert run.cpu_per_request(idle) == pytest.approx(10_000.0)  # no division by zero


def test_cpu_ns_is_the_processes_threads_cpu_time_in_nanoseconds() -> None:
    def spin(seconds: float) -> None:
        until = time.thread_time() + seconds
        while time.thread_time() < until:
            pass

    before, process_before = run.cpu_ns([os.getpid()]), time.process_time()
    spinner = threading.Thread(target=spin, args=(0.05,))  # another thread's time counts too
    spinner.start()
    spin(0.05)
    spinner.join()
    used, process_used = (run.cpu_ns([os.getpid()]) - before) / 1e9, time.process_time() - process_before
    assert used >= 0.1
    assert used == pytest.approx(process_used, abs=0.02)
    assert run.cpu_ns([2**22 + 1]) == 0  # no such process (above Linux's pid_max): nothing counted


class _PairServer(_FakeServer):
    def __init__(self, port: int, name: str) -> None:
        super().__init__(port)
        self.name, self.problems = name, []

    def stop(self) -> None:
        pass


def test_side_by_side_judges_each_fresh_pair_by_requests_per_cpu_second(monkeypatch: pytest.MonkeyPatch) -> None:
    # "slow" needs 2 µs of CPU a request, "fast" 1 µs; the scheduler gives them unequal shares of the CPU.
    cost_us, share = {"slow": 2, "fast": 1}, {"slow": 1000, "fast": 3000}
    started: list[str] = []
    servers: dict[int, _PairServer] = {}
    cpu: dict[int, int] = {}

    def start(stack: object, name: str, argv: list[str], workdir: Path) -> _PairServer:
        started.append(name)
        server = servers[len(servers) + 1] = _PairServer(len(servers) + 1, name)
        server.pids = lambda port=server.port: [port]  # type: ignore[method-assign]
        return server

    class Load:
        connections = 64

        def together(self, asked: list[tuple[int, object]], duration: int) -> list[object]:
            got = []
            for port, _ in asked:
                kind = servers[port].name.split("-")[0]
                cpu[port] = cpu.get(port, 0) + share[kind] * duration * cost_us[kind] * 1000
                got.append(run.WrkResult(1.0, 1.0, 1.0, share[kind] * duration, 0, 0))
            return got

    monkeypatch.setattr(run, "start", start)
    monkeypatch.setattr(run, "own_scenarios", lambda port, cases: list(cases))
    monkeypatch.setattr(run, "cpu_ns", lambda pids: cpu.get(pids[0], 0))
    cases = run.scenarios("")[:2]
    slow, fast = run.Contender("slow", ["slow"]), run.Contender("fast", ["fast"], reader=False)
    ratios = run.side_by_side(Load(), 3, cases, slow, fast, Path("/nowhere"), run.Results())  # type: ignore[arg-type]
    # Half the requests per CPU-second, whatever share of the CPU each server got; one figure per pair.
    assert ratios == {"page": [0.5, 0.5, 0.5], "fragment": [0.5, 0.5, 0.5]}
    # Every pair is started anew, the first to start alternating.
    assert started == ["slow-side-0", "fast-side-1", "fast-side-1", "slow-side-0", "slow-side-0", "fast-side-1"]
    row = run.paired("page", [0.96, 0.95, 0.97, 0.96, 0.94, 0.96, 0.95], 0.9, higher_is_better=True, unit="pairs")
    assert "7 pairs" in row.value


def test_page_weight_counts_css_imports_and_scripts_but_not_fonts() -> None:
    page = (
        b'<!doctype html><html><head><link rel="stylesheet" href="/s/a.css?v=1">'
        b'<link rel="preload" as="font" href="/f.woff2"><script src="/s/app.js" defer></script>'
        b'<script src="block.js"></script><script type="module" src="/m.js"></script></head>'
        b'<body><img src="/i.png"><script src="/s/late.js"></script></body></html>'
    )
    files = {
        "/s/a.css?v=1": b'@import url("b.css"); @font-face { src: url(f.woff2) }',
        "/s/b.css": b"body { color: black }",
        "/s/app.js": b"console.log(1)",
        "/articles/block.js": b"alert(1)",
        "/m.js": b"export {}",
        "/s/late.js": b"late()",
    }
    fetched: list[str] = []

    def fetch(url: str) -> bytes:
        fetched.append(url)
        return files[url]

    weight = run.page_weight("/articles/x", page, fetch)
    assert sorted(fetched) == sorted(files)
    expected = sum(len(gzip.compress(data, 6)) for data in [page, *files.values()])
    assert weight.total_gzip == expected
    assert weight.blocking_scripts == ["block.js"]


@pytest.mark.anyio
async def test_bare_app_replays_the_captured_answers(tmp_path: Path) -> None:
    spec = tmp_path / "bare.json"
    spec.write_text(
        json.dumps(
            [
                {
                    "method": "GET",
                    "path": "/a",
                    "conditional": False,
                    "status": 200,
                    "headers": [
                        ["date", "x"],
                        ["content-length", "2"],
                        ["content-type", "text/html"],
                        ["set-cookie", "a=1"],
                        ["set-cookie", "b=2"],
                    ],
                    "body": base64.b64encode(b"hi").decode(),
                },
                {
                    "method": "GET",
                    "path": "/a",
                    "conditional": True,
                    "status": 304,
                    "headers": [["etag", '"1"']],
                    "body": "",
                },
            ]
        )  # fmt: skip
    )
    app = bare_app.create_app(bare_app.load(spec))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        full = await client.get("/a")
        assert (full.status_code, full.text, full.headers.get_list("set-cookie")) == (200, "hi", ["a=1", "b=2"])
        assert "date" not in full.headers
        assert (await client.get("/a", headers={"If-None-Match": '"1"'})).status_code == 304
        assert (await client.post("/nowhere", content=b"x")).status_code == 404


def test_access_lines_are_counted_in_reader_and_uvicorn_output() -> None:
    # The harness counts them to check that every request of a run was logged (and none lost on SIGTERM).
    reader = (
        b"INFO:     [-] Application startup complete.\n"
        b'127.0.0.1 - - [01/Dec/2026:18:31:07 +0000] "GET / HTTP/1.1" 200 10 "-" "wrk" 0.1ms [a]\n'
        b'127.0.0.1 - - [01/Dec/2026:18:31:07 +0000] "GET /x HTTP/1.1" 304 0 "-" "wrk" 0.1ms [b]\n'
        b"INFO:     [-] Shutting down\n"
    )
    uvicorn = b'INFO:     127.0.0.1:5000 - "GET / HTTP/1.1" 200 OK\n' * 2
    assert run.count_access_lines(reader) == 2
    assert run.count_access_lines(reader[reader.index(b"127") :]) == 2  # the first line of a file counts too
    assert run.count_access_lines(uvicorn) == 2
    assert run.count_access_lines(b"") == 0


def test_each_command_rewrites_only_its_own_parts_of_the_performance_page(tmp_path: Path) -> None:
    # bench/run.py (ceiling, workers, method), bench/postgres.py and the Lighthouse budgets each write their
    # own marked part of docs/performance.md at their own time: none may drop or duplicate another's.
    doc = tmp_path / "performance.md"
    results = run.Results(rows=[run.Row("a figure", "1.00×", "≥ 1.00×", True)], notes=["a note"])
    about = {"CPU": "test"}
    run_part = functools.partial(run.document_part, results=results, about=about, command="python bench/run.py")
    run.sections.write_section(doc, run_part("ceiling", quick=True), preamble=run.PREAMBLE)
    assert doc.read_text().startswith(run.PREAMBLE) and run.SMOKE in doc.read_text()
    postgres = run.sections.section("bench/postgres.py", "## PostgreSQL nodes\n\nfigures of PostgreSQL")
    lighthouse = run.sections.section("lighthouse", "## First visit\n\nbudgets")
    for other in (postgres, lighthouse):
        run.sections.write_section(doc, other)
    run.sections.write_section(doc, run_part("workers", quick=False))
    run.sections.write_section(doc, run.design_and_method())
    before = doc.read_text()

    results.rows[0] = run.Row("a figure", "1.10×", "≥ 1.00×", True)  # a second run of the ceiling part only
    run.sections.write_section(doc, run_part("ceiling", quick=False), preamble=run.PREAMBLE)
    text = doc.read_text()
    assert text.count(run.PREAMBLE) == 1 and "1.10×" in text and "1.00× | ≥" in text  # the workers part's
    assert run.SMOKE not in text
    for part in ("bench/run.py: ceiling", "bench/run.py: workers", "bench/run.py: method", "bench/postgres.py",
                 "lighthouse"):  # fmt: skip
        start, end = run.sections.markers(part)
        assert text.count(start) == 1 and text.count(end) == 1 and text.index(start) < text.index(end)
    assert text.index(postgres) > text.index("1.10×") and lighthouse in text
    assert text.replace("1.10×", "1.00×") == before.replace(f" {run.SMOKE}", "")  # nothing else changed
    with pytest.raises(ValueError, match="not a marked section"):
        run.sections.write_section(doc, "## unmarked\n")


def test_the_import_benchmark_builds_articles_of_the_size_asked_that_import(tmp_path: Path) -> None:
    # bench/import_bench.py's files: a news page, dense markup and Markdown, each just under the size in MB.
    import_bench = _load("import_bench")
    for kind, (suffix, make) in import_bench.KINDS.items():
        text = make(0.05)
        assert 0.045e6 < len(text.encode()) <= 0.05e6, kind
        path = tmp_path / f"{kind}.{suffix}"
        path.write_text(text, encoding="utf-8")
        (draft,) = drafts_from_files([path])
        assert draft.lang == "vi" and draft.title and len(draft.body_html) > 20_000, kind
        stored = import_bench.as_stored(draft)
        assert stored.body_html == draft.body_html and stored.slug == draft.slug
    news = import_bench.article_html(0.05)
    assert all(part in news for part in ("<table>", "<script>", "<aside", "<ul>", "<ol>", "<blockquote>", "&nbsp;"))


def test_a_cached_data_set_of_an_older_schema_is_migrated_before_a_token_is_made(tmp_path: Path) -> None:
    # The cache is named by the generator's version only: `reader token create` refuses an older schema, and
    # the workers part made its token on the copy before any `serve` had moved it on.
    import asyncio
    import sqlite3

    from reader.db import SCHEMA_VERSION
    from tests.test_store import _at_schema

    cached = tmp_path / "articles-10-v1.sqlite"
    asyncio.run(_at_schema(cached, 14, []))
    reader_bin = Path(sys.executable).with_name("reader")
    copy = run.working_copy(reader_bin, cached, tmp_path / "articles-10.sqlite")
    assert run.create_token(reader_bin, copy)
    with sqlite3.connect(copy) as conn:
        assert conn.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,)
    conn.close()
