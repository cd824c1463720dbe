"""First-visit budgets, checked by Lighthouse on a live server (tests/lighthouse.py): accessibility and
best practices 1.0, ≤ 40 KiB and no font with the default font, only OpenDyslexic's files (the first one
preloaded) when it is chosen, every static file fingerprinted and cached for good. None of these depends
on machine load; the performance score and the timings do, so they are benchmark figures
(bench/lighthouse.py, docs/performance.md), not assertions."""

from __future__ import annotations

import re
import urllib.request
from collections.abc import Iterator

import pytest

from reader.assets import IMMUTABLE
from tests import lighthouse
from tests.serverproc import Server

DEFAULT_FONT_BUDGET = 40 * 1024
FINGERPRINTED = re.compile(r"/static/[\w./-]+\?v=[0-9a-f]{12}")

pytestmark = pytest.mark.skipif(not lighthouse.LIGHTHOUSE.exists(), reason="npm ci installs lighthouse")


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, lighthouse.Report]]:
    """One cold-cache run per page, on a fresh database."""
    base = tmp_path_factory.mktemp("lighthouse")
    with Server(db=base / "reader.db", directory=base) as server:
        runs = lighthouse.run_all(server.url, base, figures=False)
        yield {report.visit.name: report for report in runs}


def _default_font(reports: dict[str, lighthouse.Report]) -> list[lighthouse.Report]:
    return [report for report in reports.values() if not report.visit.cookie]


def test_accessibility_and_best_practices_are_perfect(reports: dict[str, lighthouse.Report]) -> None:
    for name, report in reports.items():
        assert report.scores["accessibility"] == 1.0, name
        assert report.scores["best-practices"] == 1.0, name


def test_the_default_font_downloads_no_font(reports: dict[str, lighthouse.Report]) -> None:
    # The settings page too, whose readability panel is open: its font buttons show each web font's name
    # drawn in it, an image (reader.specimens).
    for report in _default_font(reports):
        assert report.fonts == [], report.visit.name


def test_the_font_buttons_drawing_loads_only_with_the_panel_open(reports: dict[str, lighthouse.Report]) -> None:
    def drawings(report: lighthouse.Report) -> list[str]:
        return [request["url"] for request in report.requests if "/static/img/font-specimens.svg" in request["url"]]

    assert len(drawings(reports["settings"])) == 1
    others = {name: drawings(report) for name, report in reports.items() if name != "settings"}
    assert all(found == [] for found in others.values()), others


def test_a_first_visit_with_the_default_font_is_at_most_40_kib(reports: dict[str, lighthouse.Report]) -> None:
    over = {r.visit.name: r.transfer_bytes for r in _default_font(reports) if r.transfer_bytes > DEFAULT_FONT_BUDGET}
    assert over == {}


def test_opendyslexic_loads_only_its_own_files_the_first_preloaded(reports: dict[str, lighthouse.Report]) -> None:
    fonts = reports["seed article, OpenDyslexic"].fonts
    assert fonts, "the chosen font is used"
    assert all("/static/fonts/opendyslexic-" in font["url"] for font in fonts)
    assert "/static/fonts/opendyslexic-latin-400-normal.woff2" in fonts[0]["url"] and fonts[0]["isLinkPreload"]


def test_every_static_file_is_fingerprinted_and_immutable(reports: dict[str, lighthouse.Report]) -> None:
    for name, report in reports.items():
        assert report.audits["cache-insight"]["score"] == 1, name  # Lighthouse 13's uses-long-cache-ttl
        for request in report.requests:
            url = request["url"]
            if "/static/" in url:
                assert FINGERPRINTED.search(url), url
                with urllib.request.urlopen(url) as response:
                    assert response.headers["cache-control"] == IMMUTABLE, url
