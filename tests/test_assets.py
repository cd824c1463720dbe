"""reader.assets: every static URL fingerprinted and cached for good, what they point at too."""

from __future__ import annotations

import gzip
import re
import subprocess
from pathlib import Path

import brotli
import httpx
import pytest

from reader.assets import (
    BUNDLES,
    EMBED_SCRIPT,
    IMMUTABLE,
    PAGE_SCRIPT,
    REVALIDATE,
    STYLESHEET,
    WEB_FONTS,
    BrokenReference,
    StaticAssets,
)
from reader.paths import STATIC_DIR
from reader.prefs import COOKIE_NAME
from tests.conftest import EN_SLUG, SEED_SLUG

PAGES = ("/", f"/articles/{SEED_SLUG}", f"/articles/{EN_SLUG}", "/preferences", f"/embed/{SEED_SLUG}")
pytestmark = pytest.mark.anyio
STATIC_URL = re.compile(r"""/static/[^"')\s]+""")


async def _static_urls(client: httpx.AsyncClient, url: str, seen: set[str]) -> None:
    """Every static URL a page or static file names, followed through stylesheets and scripts."""
    if url in seen:
        return
    seen.add(url)
    response = await client.get(url)
    assert response.status_code == 200, url
    if url.startswith("/static/") and not url.split("?")[0].endswith((".css", ".js")):
        return
    for found in STATIC_URL.findall(response.text):
        await _static_urls(client, found, seen)


async def test_every_static_url_is_fingerprinted_and_immutable(client: httpx.AsyncClient) -> None:
    seen: set[str] = set()
    for page in PAGES:
        await _static_urls(client, page, seen)
    urls = sorted(url for url in seen if url.startswith("/static/"))
    # Fonts, icons and the font buttons' drawings (from the stylesheet), module imports (from scripts).
    fonts, icons, drawings = "fonts/opendyslexic-latin-400-normal.woff2", "img/tool-icons.svg", "img/font-specimens.svg"
    for expected in (f"/static/{path}?v=" for path in (fonts, icons, drawings)):
        assert any(url.startswith(expected) for url in urls), expected
    assert any(url.startswith("/static/js/read-aloud.js?v=") for url in urls)
    for url in urls:
        assert re.fullmatch(r"/static/[\w./-]+\?v=[0-9a-f]{12}(#[\w-]+)?", url), url
        response = await client.get(url)
        assert response.headers["cache-control"] == IMMUTABLE, url


async def test_a_stale_or_missing_fingerprint_is_revalidated(client: httpx.AsyncClient) -> None:
    stable = await client.get("/static/reader-article.js")
    assert stable.headers["cache-control"] == REVALIDATE
    stale = await client.get("/static/css/reader.css?v=000000000000")
    assert stale.status_code == 200 and stale.headers["cache-control"] == REVALIDATE
    again = await client.get("/static/reader-article.js", headers={"if-none-match": stable.headers["etag"]})
    assert again.status_code == 304
    # The embedders' component loads the stylesheets it needs at their fingerprinted URLs.
    assert re.search(r'new URL\("/static/css/reader\.css\?v=[0-9a-f]{12}", import\.meta\.url\)', stable.text)


def _stylesheets(html: str) -> list[str]:
    return [href.split("?v=")[0] for href in re.findall(r'<link rel="stylesheet" href="([^"]+\?v=[0-9a-f]{12})"', html)]


async def test_the_pages_link_one_stylesheet_and_the_web_fonts_only_where_they_are_used(
    client: httpx.AsyncClient,
) -> None:
    for page in PAGES:
        html = (await client.get(page)).text
        assert re.findall(r'<link rel="stylesheet" href="([^"]+)"', html) == [
            re.findall(rf'href="(/static/{STYLESHEET}\?v=[0-9a-f]{{12}})"', html)[0]
        ]
    bundle = (await client.get(f"/static/{STYLESHEET}")).text
    assert ".reader-panel" in bundle and ".reader-tool-icon" in bundle and "@font-face" not in bundle
    faces = (await client.get(f"/static/{WEB_FONTS}")).text
    assert "font-family:'reader OpenDyslexic'" in faces and 'font-family:"reader OpenDyslexic fallback: Arial"' in faces
    # A web font: its faces too, in the region (a swap brings them). Not in a fragment, whose page declares them.
    web_font = {"cookie": f"{COOKIE_NAME}=1|f:opendyslexic"}
    for page in PAGES:
        html = (await client.get(page, headers=web_font)).text
        assert _stylesheets(html) == [f"/static/{STYLESHEET}", f"/static/{WEB_FONTS}"], page
        assert re.search(rf'<div id="reader"[^>]*>\n<link rel="stylesheet" href="/static/{WEB_FONTS}\?', html), page
    fragment = (await client.get(f"/articles/{SEED_SLUG}/fragment", headers=web_font)).text
    assert 'data-font="opendyslexic"' in fragment and _stylesheets(fragment) == []
    # Atkinson Hyperlegible lacks Vietnamese's letters: a Vietnamese article is in the system font, without them.
    atkinson = {"cookie": f"{COOKIE_NAME}=1|f:atkinson"}
    seed = (await client.get(f"/articles/{SEED_SLUG}", headers=atkinson)).text
    assert 'data-font="sans"' in seed and _stylesheets(seed) == [f"/static/{STYLESHEET}"]
    assert WEB_FONTS in (await client.get(f"/articles/{EN_SLUG}", headers=atkinson)).text


async def test_unknown_files_and_other_methods(client: httpx.AsyncClient) -> None:
    assert (await client.get("/static/css/nope.css")).status_code == 404
    assert (await client.get("/static/../pyproject.toml")).status_code == 404
    assert (await client.post("/static/css/reader.css")).status_code == 405


def test_a_new_font_gives_its_stylesheet_a_new_address(tmp_path: Path) -> None:
    (tmp_path / "css").mkdir()
    (tmp_path / "fonts").mkdir()
    (tmp_path / "css" / "a.css").write_text("@font-face { src: url(../fonts/f.woff2) format('woff2'); }")
    (tmp_path / "fonts" / "f.woff2").write_bytes(b"one")
    before = StaticAssets(tmp_path, "/s").url("css/a.css")
    (tmp_path / "fonts" / "f.woff2").write_bytes(b"two")
    after = StaticAssets(tmp_path, "/s")
    assert before != after.url("css/a.css")
    assert after.url("fonts/f.woff2") in after.files["css/a.css"].body.decode()


def test_module_imports_are_fingerprinted(tmp_path: Path) -> None:
    (tmp_path / "js").mkdir()
    (tmp_path / "js" / "a.js").write_text('import { b } from "./b.js";\nconst c = await import("../c.js");\n')
    (tmp_path / "js" / "b.js").write_text("export const b = 1;\n")
    (tmp_path / "c.js").write_text("export const c = 1;\n")
    assets = StaticAssets(tmp_path, "/s")
    body = assets.files["js/a.js"].body.decode()
    assert f'from "{assets.url("js/b.js")}"' in body and f'import("{assets.url("c.js")}")' in body


def test_a_reference_to_a_missing_file_fails_at_start(tmp_path: Path) -> None:
    (tmp_path / "js").mkdir()
    (tmp_path / "js" / "a.js").write_text('import { b } from "./b.js";\n')
    with pytest.raises(BrokenReference, match="b.js"):
        StaticAssets(tmp_path, "/s").url("js/a.js")


def test_stylesheets_are_served_without_comments_and_idle_spaces_strings_kept(tmp_path: Path) -> None:
    css = (
        "/* why */\n"
        'a::before {\n  content: "  /* kept ; } */  ";\n}\n'
        "@media (min-width: 40em) {\n"
        "  .a :focus-visible, .b > .c { /* why */ margin: calc(1em + 2px) 0 !important; }\n"
        "}\n"
    )
    (tmp_path / "a.css").write_text(css)
    assert StaticAssets(tmp_path, "/s").files["a.css"].body == (
        # The space before a colon stays (`.a :focus-visible` is no `.a:focus-visible`), and those in calc().
        b'a::before{content:"  /* kept ; } */  "}'
        b"@media (min-width:40em){.a :focus-visible,.b > .c{margin:calc(1em + 2px) 0 !important}}"
    )


def test_scripts_are_served_without_comments_and_indentation_template_text_kept(tmp_path: Path) -> None:
    script = (
        "// why\n"
        "const a = 1; // gone too: after code\n"
        'const d = "a // b"; // a quote open before the first //: the line kept whole\n'
        "const e = a / 2; // a slash before (a division, a regular expression): kept whole\n"
        "const f = 'it\\'s'; // an escaped quote closes nothing: gone\n"
        'const g = "\\\\" + " // x"; // an escaped backslash escapes no quote: kept whole\n'
        "const h = 1;// no space before: kept\n"
        "const i = \"'\" + 'x // y'; // a quote of the other kind closes nothing: kept whole\n"
        'const j = "`" + `a // b` + "`"; // a backtick in a string opens no template: kept whole\n'
        "\n"
        "  // indented, why\n"
        "if (a) {\n"
        "  const b = `line  \n"
        "  // a line of the template's text\n"
        "\n"
        "  `;  \n"
        "}\n"
        '    const c = "\\`"; // an escaped backtick starts no template\n'
        "// gone\n"
    )
    (tmp_path / "a.js").write_text(script)
    (tmp_path / "vendor").mkdir()
    (tmp_path / "vendor" / "v.js").write_text(script)
    assets = StaticAssets(tmp_path, "/s")
    assert assets.files["a.js"].body.decode() == (
        "const a = 1;\n"
        'const d = "a // b"; // a quote open before the first //: the line kept whole\n'
        "const e = a / 2; // a slash before (a division, a regular expression): kept whole\n"
        "const f = 'it\\'s';\n"
        'const g = "\\\\" + " // x"; // an escaped backslash escapes no quote: kept whole\n'
        "const h = 1;// no space before: kept\n"
        "const i = \"'\" + 'x // y'; // a quote of the other kind closes nothing: kept whole\n"
        'const j = "`" + `a // b` + "`"; // a backtick in a string opens no template: kept whole\n'
        "if (a) {\n"
        # The template's text keeps its spaces: after its opening backtick, before its closing one.
        "const b = `line  \n"
        "  // a line of the template's text\n"
        "\n"
        "  `;\n"
        "}\n"
        'const c = "\\`";\n'
    )
    assert assets.files["vendor/v.js"].body.decode() == script  # vendored files are served as they came


def test_every_script_served_still_parses(tmp_path: Path) -> None:
    """What is taken out of reader's scripts is taken out by lines and patterns, not by a parser: Node checks
    the syntax of every script as served (a module where it imports, exports or reads `import.meta`, a classic
    script otherwise), so a comment mistaken in a string or a template would show here as well as in the
    browser tests."""
    assets = StaticAssets(STATIC_DIR, "/static")
    scripts = {path: asset for path, asset in assets.files.items() if path.endswith(".js")}
    assert len(scripts) > 10
    for path, asset in scripts.items():
        text = asset.body.decode()
        module = re.search(r"^(?:import|export)\b|\bimport\.meta\b", text, re.M) is not None
        served = tmp_path / (path.replace("/", "_") + (".mjs" if module else ".cjs"))
        served.write_text(text)
        checked = subprocess.run(["node", "--check", str(served)], capture_output=True, text=True)
        assert checked.returncode == 0, f"{path}: {checked.stderr}"


def test_a_script_bundle_is_its_parts_each_run_as_if_alone() -> None:
    """The /embed page's classic scripts, and reader's own pages', are served as one file each
    (reader.assets.BUNDLES): each part must wrap its code in a function, so that neither declares a name the
    other sees, nor makes the other strict."""
    assets = StaticAssets(STATIC_DIR, "/static")
    for bundle in (EMBED_SCRIPT, PAGE_SCRIPT):
        parts = [assets.files[part].body.decode() for part in BUNDLES[bundle]]
        assert assets.files[bundle].body.decode() == "\n".join(parts)
        for part in parts:
            assert part.startswith("(() => {\n") and part.endswith("\n})();\n"), part[:80]


async def _raw(client: httpx.AsyncClient, url: str, headers: dict[str, str]) -> tuple[httpx.Response, bytes]:
    # httpx would decode the body itself: read what went over the wire.
    async with client.stream("GET", url, headers=headers) as response:
        return response, b"".join([chunk async for chunk in response.aiter_raw()])


@pytest.mark.parametrize("path", ["vendor/htmx-2.0.11.min.js", STYLESHEET, "js/reading-tools.js"])
async def test_text_files_are_served_with_brotli_to_browsers_that_accept_it(
    client: httpx.AsyncClient, path: str
) -> None:
    plain, plain_bytes = await _raw(client, f"/static/{path}", {"accept-encoding": "identity"})
    digest = plain.headers["etag"].strip('"')
    url = f"/static/{path}?v={digest}"
    packed, packed_bytes = await _raw(client, url, {"accept-encoding": "gzip, deflate, br, zstd"})
    assert packed.headers["content-encoding"] == "br"
    assert brotli.decompress(packed_bytes) == plain_bytes
    assert int(packed.headers["content-length"]) == len(packed_bytes)
    gzipped, gzipped_bytes = await _raw(client, url, {"accept-encoding": "gzip, br;q=0"})
    assert gzipped.headers["content-encoding"] == "gzip" and gzip.decompress(gzipped_bytes) == plain_bytes
    assert len(packed_bytes) < len(gzipped_bytes)
    for response in (plain, packed, gzipped):
        assert response.headers.get_list("vary") == ["Accept-Encoding"], response.headers
    # Each copy has its own strong validator, and revalidates as itself.
    assert packed.headers["etag"] == plain.headers["etag"][:-1] + '-br"'
    assert packed.headers["cache-control"] == IMMUTABLE
    headers = {"accept-encoding": "br", "if-none-match": packed.headers["etag"]}
    again, _ = await _raw(client, url, headers)
    assert again.status_code == 304 and again.headers["etag"] == packed.headers["etag"]
    refetched, _ = await _raw(client, url, {"accept-encoding": "identity", "if-none-match": packed.headers["etag"]})
    assert refetched.status_code == 200 and "content-encoding" not in refetched.headers
