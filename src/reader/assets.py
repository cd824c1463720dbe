"""Static files: each at a fingerprinted URL (``?v=`` + a hash of the bytes served) that is cached for a year.

The files are read once, on first use, and served from memory. What a file points at is fingerprinted
too, so a repeat visit revalidates nothing but the page: ``url(...)`` in stylesheets (fonts, icons) and
the relative module imports and ``new URL(..., import.meta.url)`` of scripts are rewritten to the
fingerprinted address of their target, and a file's hash is taken after that rewriting (a new font gives
its stylesheet a new address as well). The pages' stylesheets are served as one bundle (BUNDLES), so a first
visit waits for a single stylesheet, served without its comments and idle spaces (scripts without their
comment lines and indentation); the web fonts' faces are a bundle of their own, linked only where a web font
sets the text. Text files are compressed with Brotli once, when first read, and served so to browsers that
accept it (all current ones; others get gzip from reader.middleware.CompressPublic): a first visit is ~4 KiB
smaller (docs/performance.md). A file asked for without its current hash (a stable address an embedder
wrote into their page, like reader-article.js, or an old hash) is served too, but cached for minutes and
revalidated with its ETag.
"""

from __future__ import annotations

import functools
import hashlib
import json
import mimetypes
import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs

import brotli
from markupsafe import Markup
from starlette._utils import get_route_path
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from reader.codings import accepted_codings

FINGERPRINT = "v"
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "public, max-age=300"
# Files served as one, each made of these files in this order. The stylesheet every page links. The web
# fonts' faces (fonts.css) and their metric-matched local fallbacks (font-fallbacks.css, reader.font_fallbacks):
# linked only where the reader's font is one of them (templates/_shell.html), as the faces are 0.8 KiB of a
# first visit that uses none of them. The /embed page's classic scripts, one request instead of two (each
# still runs as if alone: an arrow function around its code, no "use strict" of the file's own), and reader's own
# pages' (the article, the index, /preferences), which also bring a page back from Back or Forward up to date.
STYLESHEET = "css/page.css"
WEB_FONTS = "css/web-fonts.css"
EMBED_SCRIPT = "js/embed-page.js"
PAGE_SCRIPT = "js/settings-page.js"
BUNDLES = {
    STYLESHEET: ("css/reader.css", "css/reading-tools.css"),
    WEB_FONTS: ("css/fonts.css", "css/font-fallbacks.css"),
    EMBED_SCRIPT: ("js/settings-swap.js", "js/reader-embed.js"),
    PAGE_SCRIPT: ("js/settings-swap.js", "js/settings-history.js"),
}

_CSS_URL = re.compile(r"""url\(\s*(?P<quote>["']?)(?P<ref>[^"')\s]+)(?P=quote)\s*\)""")
_CSS_STRING = r"""(?P<string>"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')"""
_CSS_TOKEN = re.compile(_CSS_STRING + r"|(?P<comment>/\*.*?\*/)|\s+", re.S)
# White space that means nothing: around { } ; and , and after a colon (never before one: `a :hover` is not
# `a:hover`), and a rule's last semicolon. Never around + - * / (calc needs them) or inside a string.
_CSS_SPACE = re.compile(_CSS_STRING + r"|(?P<last>\s*;\s*(?=\}))|\s*(?P<mark>[{};,])\s*|(?P<colon>:)\s+|\s+")
# `from "./x.js"`, `import "./x.js"`, `import("./x.js")` and `new URL("x.css", import.meta.url)`.
_JS_IMPORT = re.compile(r"""(?:\bfrom\s*|\bimport\s*\(?\s*)(?P<quote>["'])(?P<ref>\.{1,2}/[^"']+)(?P=quote)""")
_BACKTICK = re.compile(r"(?<!\\)`")
_JS_URL = re.compile(r"""\bnew\s+URL\(\s*(?P<quote>["'])(?P<ref>[^"':]+)(?P=quote)(?=\s*,\s*import\.meta\.url)""")


class BrokenReference(ValueError):
    """A static file points at a static file that does not exist."""


@dataclass(frozen=True, slots=True)
class Asset:
    body: bytes
    media_type: str
    digest: str

    @property
    def brotli(self) -> bytes | None:
        """The body compressed with Brotli, when that makes it smaller (fonts and images are compressed
        already): on the file's first request, not for every file as the first page names them all."""
        return _compressed(self.body, self.media_type)


# Kept for the process: quality 11 takes about half a second for all of reader's files, which an app made
# again in the same process (the tests make one per test) need not pay again.
@functools.lru_cache(maxsize=256)
def _compressed(body: bytes, media_type: str) -> bytes | None:
    if not media_type.startswith(("text/", "image/svg+xml")):
        return None
    compressed: bytes = brotli.compress(body, quality=11)
    return compressed if len(compressed) < len(body) else None


def _media_type(path: str) -> str:
    media_type = {".woff2": "font/woff2", ".js": "text/javascript", ".svg": "image/svg+xml"}.get(
        posixpath.splitext(path)[1]
    ) or (mimetypes.guess_type(path)[0] or "application/octet-stream")
    return media_type + "; charset=utf-8" if media_type.startswith("text/") else media_type


class StaticAssets:
    """Fingerprinted URLs for static files under `prefix` (the path the route table mounts them at), what
    is served at each, and the vendored files' integrity hashes."""

    def __init__(self, directory: Path, prefix: str) -> None:
        self.directory = directory
        self.prefix = prefix.rstrip("/")
        manifest = directory / "vendor" / "manifest.json"
        self.vendor: dict[str, dict[str, str]] = json.loads(manifest.read_text()) if manifest.exists() else {}

    def url(self, path: str) -> str:
        """The fingerprinted URL of a static file (relative to the static directory)."""
        return f"{self.prefix}/{path}?{FINGERPRINT}={self.files[path].digest}"

    def in_html(self, html: Markup) -> Markup:
        """Markup (an article's body) with its links to static files at their fingerprinted URLs: articles are
        stored with plain ones, which stay valid."""

        def replace(match: re.Match[str]) -> str:
            path = match["path"]
            return f'{match["name"]}="{self.url(path)}"' if path in self.files else match[0]

        link = re.compile(rf'\b(?P<name>src|href)="{re.escape(self.prefix)}/(?P<path>[\w./-]+)"')
        return Markup(link.sub(replace, str(html)))

    def get(self, path: str) -> Asset | None:
        return self.files.get(path)

    @functools.cached_property
    def files(self) -> dict[str, Asset]:
        sources = {p.relative_to(self.directory).as_posix(): p for p in self.directory.rglob("*") if p.is_file()}
        clash = set(BUNDLES) & set(sources)
        if clash:
            raise ValueError(f"a static file has a bundle's name: {sorted(clash)}")
        assets: dict[str, Asset] = {}

        def load(path: str, loading: tuple[str, ...] = ()) -> Asset:
            if path in assets:
                return assets[path]
            if path in loading:
                raise BrokenReference(f"static files refer to each other in a cycle: {' → '.join(loading)}")

            def address(ref: str) -> str:
                target = posixpath.normpath(posixpath.join(posixpath.dirname(path), ref))
                if target not in sources:
                    raise BrokenReference(f"{path} refers to {ref}, which is not a static file")
                return f"{self.prefix}/{target}?{FINGERPRINT}={load(target, (*loading, path)).digest}"

            if path in BUNDLES:
                body = b"\n".join(load(part, (*loading, path)).body for part in BUNDLES[path])
            else:
                body = _rewritten(path, sources[path].read_bytes(), address)
            media_type = _media_type(path)
            assets[path] = Asset(body, media_type, hashlib.sha256(body).hexdigest()[:12])
            return assets[path]

        bundles = [name for name, parts in BUNDLES.items() if all(part in sources for part in parts)]
        for path in sorted([*sources, *bundles]):
            load(path)
        return assets


def _rewritten(path: str, body: bytes, address: Callable[[str], str]) -> bytes:
    """A stylesheet or script with the static files it refers to at their fingerprinted URLs."""
    if path.endswith(".css"):
        patterns = [_CSS_URL]
    elif path.endswith(".js") and not path.startswith("vendor/"):
        patterns = [_JS_IMPORT, _JS_URL]
    else:
        return body
    text = body.decode("utf-8")

    def replace(match: re.Match[str]) -> str:
        ref = match["ref"]
        if ref.startswith(("data:", "#", "/")) or "//" in ref:
            return match[0]
        start, end = (index - match.start() for index in match.span("ref"))
        target, hash_, fragment = ref.partition("#")
        return match[0][:start] + address(target.split("?")[0]) + hash_ + fragment + match[0][end:]

    for pattern in patterns:
        text = pattern.sub(replace, text)
    text = _minified_css(text) if path.endswith(".css") else _without_comment_lines(text)
    return text.encode("utf-8")


def _minified_css(text: str) -> str:
    """A stylesheet without its comments and without the white space that means nothing, the rest of it one
    space (strings kept as they are): the comments say why for whoever edits the source, and are 40 % of its
    gzipped bytes; the spaces another 150 bytes of a first visit in Brotli."""
    text = _CSS_TOKEN.sub(lambda match: match["string"] or ("" if match["comment"] else " "), text)

    def tightened(match: re.Match[str]) -> str:
        return match["string"] or match["mark"] or match["colon"] or ("" if match["last"] else " ")

    return _CSS_SPACE.sub(tightened, text).strip()


def _without_comment_lines(script: str) -> str:
    """A script without its comment lines, blank lines and indentation (none inside a template literal, whose
    lines are its text): like a stylesheet's, its comments are for whoever edits it, and a third of its gzipped
    bytes; the indentation is 3 % more in Brotli. A comment after code goes too where that is sure without a
    parser (_code_before_comment); ~0.3 KiB of an article's first visit. No line of reader's ends in a
    backslash, which would carry a string over to the next one."""
    kept = []
    in_template = False
    for line in script.split("\n"):
        starts_in_template = in_template
        if not starts_in_template and (not line.strip() or line.lstrip().startswith("//")):
            continue
        in_template ^= len(_BACKTICK.findall(line)) % 2 == 1
        # A template's own text keeps its spaces: at the start of a line it began on, at the end of one it ends on.
        if not starts_in_template:
            line = line.lstrip()
            if not in_template:
                line = _code_before_comment(line)
        if not in_template:
            line = line.rstrip()
        kept.append(line)
    return "\n".join(kept) + "\n"


def _code_before_comment(line: str) -> str:
    """A line of code without the comment after it, when the line's first `//` surely starts one: after a
    space, with no other slash before it (a division or a regular expression) and no string or template
    still open before it (read as a script reads them: a quote closes only its own kind, a backslash escapes
    the next character). Any other line is kept whole: a comment left in costs bytes, a string cut short would
    break the script."""
    code, slashes, _ = line.partition("//")
    if not slashes or not code.endswith((" ", "\t")) or "/" in code:
        return line
    quote, escaped = "", False
    for char in code:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif quote:
            quote = "" if char == quote else quote
        elif char in "\"'`":
            quote = char
    return line if quote else code.rstrip()


class StaticApp:
    """Serves StaticAssets: immutable for a year at the current fingerprint, revalidated otherwise."""

    def __init__(self, assets: StaticAssets) -> None:
        self.assets = assets

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["method"] not in ("GET", "HEAD"):
            raise HTTPException(status_code=405, headers={"Allow": "GET, HEAD"})
        asset = self.assets.get(get_route_path(scope).lstrip("/"))
        if asset is None:
            raise HTTPException(status_code=404)
        asked = parse_qs(scope.get("query_string", b"").decode("latin-1")).get(FINGERPRINT, [])
        request_headers = Headers(scope=scope)
        # The Brotli copy is another representation, with its own strong validator: CompressPublic names it
        # ("-br" inside the quotes) and adds Vary: Accept-Encoding, as for every answer it passes on.
        encoded = asset.brotli if "br" in accepted_codings(scope["headers"]) else None
        etag = f'"{asset.digest}"'
        headers = {"etag": etag, "cache-control": IMMUTABLE if asked == [asset.digest] else REVALIDATE}
        if etag in request_headers.get("if-none-match", ""):
            response = Response(status_code=304, headers=headers)
        else:
            content = asset.body if encoded is None else encoded
            body = b"" if scope["method"] == "HEAD" else content
            response = Response(body, media_type=asset.media_type, headers=headers)
            response.headers["content-length"] = str(len(content))
            if encoded is not None:
                response.headers["content-encoding"] = "br"
        await response(scope, receive, send)
