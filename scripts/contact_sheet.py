#!/usr/bin/env python3
"""Render the contact sheets in docs/: the Vietnamese seed article in every theme at 100, 200 and 400 %,
on a 1280 × 800 desktop and a 320 × 640 phone, screenshotted in headless Chromium.

The browser gets real voices (the read-aloud tests' private speech-dispatcher with espeak-ng), so the
toolbar shows what a reader whose device can speak Vietnamese sees; without those Debian packages the
sheets show the "no voice" message instead, and the script says so.

Usage (from the repository root, with the test dependencies installed): .venv/bin/python scripts/contact_sheet.py
"""

from __future__ import annotations

import base64
import html
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from tests.browser.speech import SpeechEnvironment, missing_packages  # noqa: E402
from tests.conftest import SEED_SLUG  # noqa: E402
from tests.serverproc import Server  # noqa: E402

THEMES = ["auto", "light", "dark", "sepia", "contrast-dark", "contrast-light"]
SIZES = ["100", "200", "400"]
VIEWPORTS = {"desktop": (1280, 800, 0.25), "phone": (320, 640, 0.5)}
VOICES_LISTED = "() => { const s = document.getElementById('reader-voice'); return s && s.options.length > 1; }"


def main() -> None:
    out_dir = ROOT / "docs"
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as playwright:
        server = Server(db=Path(tmp) / "reader.db", directory=Path(tmp)).start()
        speech = None
        if missing_packages():
            print(f"no voices ({', '.join(missing_packages())} missing): the sheets show the no-voice message")
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        else:
            (Path(tmp) / "speech").mkdir()
            speech = SpeechEnvironment(Path(tmp) / "speech")
            args = [*CHROMIUM_ARGS, "--enable-speech-dispatcher"]
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=args, env=speech.env)
        try:
            for name, (width, height, scale) in VIEWPORTS.items():
                cells: dict[tuple[str, str], str] = {}
                for theme in THEMES:
                    for size in SIZES:
                        context = browser.new_context(viewport={"width": width, "height": height}, locale="vi-VN")
                        cookie = {"name": "reader_prefs", "value": f"1|s:{size}|t:{theme}", "url": server.url + "/"}
                        context.add_cookies([cookie])
                        page = context.new_page()
                        page.goto(f"{server.url}/articles/{SEED_SLUG}")
                        if speech:
                            page.wait_for_function(VOICES_LISTED, timeout=60000)
                        page.evaluate("document.fonts.ready")
                        cells[(theme, size)] = base64.b64encode(page.screenshot()).decode()
                        context.close()
                sheet = browser.new_page(viewport={"width": 6 * (int(width * scale) + 10) + 120, "height": 300})
                sheet.set_content(_sheet_html(cells, int(width * scale), int(height * scale), name))
                target = out_dir / f"contact-sheet-{name}.jpg"
                sheet.screenshot(path=str(target), full_page=True, type="jpeg", quality=80)
                sheet.close()
                print(f"wrote {target.relative_to(ROOT)}")
        finally:
            browser.close()
            server.stop()
            if speech:
                speech.stop()


def _sheet_html(cells: dict[tuple[str, str], str], width: int, height: int, name: str) -> str:
    header = "".join(f"<th scope='col'>{html.escape(theme)}</th>" for theme in THEMES)
    rows = []
    for size in SIZES:
        images = "".join(
            f"<td><img width='{width}' height='{height}' alt='' src='data:image/png;base64,{cells[theme, size]}'></td>"
            for theme in THEMES
        )
        rows.append(f"<tr><th scope='row'>{size} %</th>{images}</tr>")
    return (
        "<!doctype html><html lang='en'><meta charset='utf-8'><style>"
        "body{margin:12px;font:14px system-ui,sans-serif;background:#f4f4f4;color:#111}"
        "table{border-collapse:separate;border-spacing:8px}th{font-weight:600}"
        "img{display:block;border:1px solid #888;background:#fff}</style>"
        f"<h1 style='font-size:16px;margin:0 8px'>reader: the seed article, {name}, every theme × text size</h1>"
        f"<table><tr><th></th>{header}</tr>{''.join(rows)}</table></html>"
    )


if __name__ == "__main__":
    main()
