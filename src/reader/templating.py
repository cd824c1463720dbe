"""Jinja2: one autoescaping environment per UI language, with gettext and reader's template globals."""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from jinja2 import BytecodeCache, Environment, FileSystemLoader, StrictUndefined, select_autoescape
from jinja2.bccache import Bucket
from jinja2.ext import Extension
from jinja2.lexer import Token, TokenStream

from reader import __version__, i18n
from reader.assets import StaticAssets
from reader.settings import UI_LANGUAGES


def build_id(*directories: Path) -> str:
    """A short hash of reader's version and every template and static file: part of every ETag, so a
    new release never answers 304 for a page it renders differently."""
    digest = hashlib.blake2b(__version__.encode(), digest_size=8)
    for directory in directories:
        for path in sorted(p for p in directory.rglob("*") if p.is_file()):
            digest.update(str(path.relative_to(directory)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


class _CompiledTemplates(BytecodeCache):
    """Compiled templates kept in memory for the whole process, shared by every environment: the two UI
    languages' environments compile the same templates to the same code, and an app made again in the same
    process (the tests make one per test) would otherwise lex, parse and compile every template again on
    its first page, about 0.3 s. Jinja keys a template by its name and file and checks its source's hash,
    so an edited template is compiled anew."""

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        code = self._code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()


_COMPILED = _CompiledTemplates()


class _NoIndent(Extension):
    """HTML templates' own text without the indentation of its lines: the templates are indented to be read,
    and a page sent it, about 100 bytes of an article's first visit in Brotli (docs/performance.md). Only
    the templates' text, when they are compiled: never what a template puts in (an article's body, a
    `<pre>`'s or a textarea's text), nor a message (gettext's strings are in expressions). White space at
    the start of a line is no different from one newline in HTML but inside `<pre>`, `<textarea>` or
    `white-space: pre`, which no template's own text is written in."""

    _INDENT = re.compile(r"\n\s+")

    def filter_stream(self, stream: TokenStream) -> Iterator[Token]:
        html = (stream.name or "").endswith(".html")
        before: Token | None = None
        for token in stream:
            if html and token.type == "data":
                value = self._INDENT.sub("\n", token.value)
                # After a comment's line (the text before it ended with a newline): none.
                if before and before.type == "data" and before.value.endswith("\n"):
                    value = value.lstrip()
                # The template's first line, a line after a block tag's (trim_blocks took the newline the tag
                # ended its line with): its indentation becomes one newline (what comes before is not known).
                elif before is None or (before.type == "block_end" and token.lineno > before.lineno):
                    value = "\n" + value.lstrip() if value[:1].isspace() else value
                token = Token(token.lineno, "data", value)
            before = token
            yield token


def _call_in(function: Callable[[str, str], object], lang: str, value: str) -> object:
    return function(value, lang)


class Templates:
    """Renders templates in a UI language; every environment autoescapes."""

    def __init__(
        self,
        directory: Path,
        static: StaticAssets,
        globals_: dict[str, Any] | None = None,
        per_language: dict[str, Callable[[str, str], object]] | None = None,
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
            extensions=["jinja2.ext.i18n", _NoIndent],
            trim_blocks=True,
            lstrip_blocks=True,
            auto_reload=False,
            bytecode_cache=_COMPILED,
        )
        env.install_gettext_translations(i18n.translations(lang), newstyle=True)  # type: ignore[attr-defined]
        env.globals.update(
            ui_lang=lang,
            static_url=static.url,
            static_links=static.in_html,
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
