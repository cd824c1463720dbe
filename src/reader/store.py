"""The article store: the one interface handlers and the importer use, and its SQLite implementation."""

from __future__ import annotations

import datetime as dt
import math
import sqlite3
from collections.abc import Sequence
from typing import Protocol

from reader.db import Database
from reader.models import Article, ArticleDraft, ArticlePage, ArticleSummary, SafeHtml, SaveResult

_COMPARED = ("lang", "title", "summary", "body_html", "body_source", "body_format", "author", "source_url")
_LOOKUP_CHUNK = 500


class ArticleStore(Protocol):
    """What reader needs from storage; a networked backend implements the same methods."""

    async def get_article(self, slug: str) -> Article | None: ...

    async def list_articles(self, *, page: int, per_page: int) -> ArticlePage: ...

    async def save_articles(self, drafts: Sequence[ArticleDraft]) -> SaveResult: ...

    async def delete_article(self, slug: str) -> bool: ...

    async def ping(self) -> bool: ...


def _now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _article(row: sqlite3.Row) -> Article:
    return Article(
        slug=row["slug"],
        lang=row["lang"],
        title=row["title"],
        summary=row["summary"],
        body_html=SafeHtml(row["body_html"]),
        body_source=row["body_source"],
        body_format=row["body_format"],
        author=row["author"],
        published=row["published"],
        source_url=row["source_url"],
        version=row["version"],
        updated_at=row["updated_at"],
    )


class SQLiteArticleStore:
    """ArticleStore over reader's Database."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def get_article(self, slug: str) -> Article | None:
        row = await self.db.fetch_one("SELECT * FROM articles WHERE slug = ?", (slug,))
        return _article(row) if row else None

    async def list_articles(self, *, page: int, per_page: int) -> ArticlePage:
        total_row = await self.db.fetch_one("SELECT count(*) AS n FROM articles")
        total = int(total_row["n"]) if total_row else 0
        pages = max(1, math.ceil(total / per_page))
        page = min(max(1, page), pages)
        rows = await self.db.fetch_all(
            "SELECT slug, lang, title, summary, author, published FROM articles "
            "ORDER BY published DESC, id DESC LIMIT ? OFFSET ?",
            (per_page, (page - 1) * per_page),
        )
        items = [
            ArticleSummary(
                slug=r["slug"],
                lang=r["lang"],
                title=r["title"],
                summary=r["summary"],
                author=r["author"],
                published=r["published"],
            )  # fmt: skip
            for r in rows
        ]
        return ArticlePage(items=items, page=page, pages=pages, total=total)

    async def save_articles(self, drafts: Sequence[ArticleDraft]) -> SaveResult:
        """Create or update every draft in one transaction: all of them are written, or none."""
        now = _now()
        today = dt.date.today().isoformat()
        created: list[dict[str, object]] = []
        updated: list[dict[str, object]] = []
        slugs = [d.slug for d in drafts]
        async with self.db.transaction(touches=slugs) as conn:
            existing: dict[str, sqlite3.Row] = {}
            for start in range(0, len(slugs), _LOOKUP_CHUNK):
                chunk = slugs[start : start + _LOOKUP_CHUNK]
                marks = ",".join("?" * len(chunk))
                rows = await conn.execute_fetchall(f"SELECT * FROM articles WHERE slug IN ({marks})", chunk)
                existing.update({row["slug"]: row for row in rows})
            for draft in drafts:
                values: dict[str, object] = {field: getattr(draft, field) for field in _COMPARED}
                values["slug"] = draft.slug
                values["now"] = now
                old = existing.get(draft.slug)
                if old is None:
                    values["published"] = draft.published or today
                    created.append(values)
                    continue
                values["published"] = draft.published or old["published"]
                if any(old[f] != values[f] for f in (*_COMPARED, "published")):
                    updated.append(values)
            if created:
                await conn.executemany(
                    "INSERT INTO articles (slug, lang, title, summary, body_html, body_source, body_format, "
                    "author, published, source_url, version, created_at, updated_at) VALUES (:slug, :lang, "
                    ":title, :summary, :body_html, :body_source, :body_format, :author, :published, "
                    ":source_url, 1, :now, :now)",
                    created,
                )
            if updated:
                await conn.executemany(
                    "UPDATE articles SET lang = :lang, title = :title, summary = :summary, "
                    "body_html = :body_html, body_source = :body_source, body_format = :body_format, "
                    "author = :author, published = :published, source_url = :source_url, "
                    "version = version + 1, updated_at = :now WHERE slug = :slug",
                    updated,
                )
        return SaveResult(
            created=len(created), updated=len(updated), unchanged=len(drafts) - len(created) - len(updated)
        )

    async def delete_article(self, slug: str) -> bool:
        async with self.db.transaction(touches=(slug,)) as conn:
            cursor = await conn.execute("DELETE FROM articles WHERE slug = ?", (slug,))
            return cursor.rowcount > 0

    async def ping(self) -> bool:
        row = await self.db.fetch_one("SELECT 1 AS ok")
        return bool(row and row["ok"] == 1)
