"""Jinja2: one autoescaping environment per UI language, with gettext and reader's template globals."""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from reader import __version__, i18n
from reader.settings import UI_LANGUAGES


class StaticAssets:
    """Fingerprinted URLs for static files (?v=<hash>) under `prefix`, the path the route table mounts
    them at, and the vendored files' integrity hashes."""

    def __init__(self, directory: Path, prefix: str) -> None:
        self.directory = directory
        self.prefix = prefix
        manifest = directory / "vendor" / "manifest.json"
        self.vendor: dict[str, dict[str, str]] = json.loads(manifest.read_text()) if manifest.exists() else {}

    @functools.cache  # noqa: B019 - one instance per app; the static files do not change while it runs
    def url(self, path: str) -> str:
        digest = hashlib.sha256((self.directory / path).read_bytes()).hexdigest()[:12]
        return f"{self.prefix}/{path}?v={digest}"


def build_id(*directories: Path) -> str:
    """A short hash of reader's version and every template and static file: part of every ETag, so a
    new release never answers 304 for a page it renders differently."""
    digest = hashlib.blake2b(__version__.encode(), digest_size=8)
    for directory in directories:
        for path in sorted(p for p in directory.rglob("*") if p.is_file()):
            digest.update(str(path.relative_to(directory)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _call_in(function: Callable[[str, str], str], lang: str, value: str) -> str:
    return function(value, lang)


class Templates:
    """Renders templates in a UI language; every environment autoescapes."""

    def __init__(
        self,
        directory: Path,
        static: StaticAssets,
        globals_: dict[str, Any] | None = None,
        per_language: dict[str, Callable[[str, str], str]] | None = None,
    ) -> None:
        loader = FileSystemLoader(directory)
        self._environments = {}
        for lang in UI_LANGUAGES:
            # Functions of (value, lang) become functions of value, bound to each environment's language.
            bound = {name: functools.partial(_call_in, fn, lang) for name, fn in (per_language or {}).items()}
            self._environments[lang] = self._environment(loader, lang, static, {**(globals_ or {}), **bound})

    @staticmethod
    def _environment(loader: FileSystemLoader, lang: str, static: StaticAssets, extra: dict[str, Any]) -> Environment:
        env = Environment(
            loader=loader,
            autoescape=select_autoescape(default=True, default_for_string=True),
            undefined=StrictUndefined,
            extensions=["jinja2.ext.i18n"],
            trim_blocks=True,
            lstrip_blocks=True,
            auto_reload=False,
        )
        env.install_gettext_translations(i18n.translations(lang), newstyle=True)  # type: ignore[attr-defined]
        env.globals.update(
            ui_lang=lang,
            static_url=static.url,
            vendor=static.vendor,
            format_date=lambda value: i18n.format_date(value, lang),
            format_number=lambda value: i18n.format_number(value, lang),
            format_percent=lambda value: i18n.format_percent(value, lang),
            **extra,
        )
        return env

    def render(self, template: str, lang: str, /, **context: Any) -> str:
        """Render one template in one UI language."""
        return self._environments[lang].get_template(template).render(**context)
