"""The article store: the one interface handlers and the importer use, over either database backend."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Collection, Sequence
from typing import Protocol

from reader.cpu_work import off_the_loop
from reader.db import ConflictError, Database, Row, Transaction
from reader.migrations import POSTGRESQL_WORDS
from reader.models import (
    PUBLISHED,
    Article,
    ArticleDraft,
    ArticlePage,
    ArticleSummary,
    DeletedArticle,
    DeletedSummary,
    Page,
    RevisionSummary,
    SafeHtml,
    SaveResult,
)
from reader.search import EXCERPT_HTML, Marked, SearchText, excerpt, excerpt_source, in_words, marked, search_text
from reader.slugs import search_words

_COMPARED = ("lang", "title", "summary", "body_html", "body_source", "body_format", "author", "source_url")
_LOOKUP_CHUNK = 500
# Attempts at a save that lost a race to create the same slug (each attempt sees the winner's row).
_SAVE_ATTEMPTS = 3
# A new article's version goes on from the last one of an article deleted under its slug, or of one renamed
# away from it (whether that one is still on the site or deleted), if any (a parameter: the slug).
_NEW_VERSION = (
    "1 + coalesce((SELECT max(version) FROM (SELECT slug, version FROM deleted_articles UNION ALL "
    "SELECT slug, version FROM article_redirects UNION ALL SELECT slug, version FROM deleted_redirects) AS known "
    "WHERE slug = ?), 0)"
)
# Columns in the order of _new_row: (slug, *_COMPARED, published, status, created_at, updated_at, saved_by,
# search_title, search_text, feed_slug, slug, slug, slug, slug); saved_by_version, search_version and
# feed_version are the version (migrations._SAVED_BY, _SEARCH_COLUMNS, _FEED_ID): the feed's id of an
# article created where another one was (a version above 1) is told from that one's by it.
_INSERT = (
    "INSERT INTO articles (slug, lang, title, summary, body_html, body_source, body_format, author, source_url, "
    "published, status, created_at, updated_at, saved_by, search_title, search_text, feed_slug, version, "
    "saved_by_version, search_version, feed_version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
    f"{_NEW_VERSION}, {_NEW_VERSION}, {_NEW_VERSION}, {_NEW_VERSION})"
)
# The slug an article's feed id is made from: its current one while it has none of its own (migrations._FEED_ID).
_FEED_SLUG = "coalesce(feed_slug, slug) AS feed_slug"
# What readers may see (the reads' `drafts=False`): published articles only. A draft is answered for as an
# article that does not exist, at its address and at the old ones that lead to it.
_PUBLIC = "status = 'published'"
# An article's row as a version of its history, before an update or a delete replaces it.
_REVISION_COLUMNS = (
    "slug", "version", "lang", "title", "summary", "body_html", "body_source", "body_format", "author", "published",
    "source_url", "status",
)  # fmt: skip
_KEEP_REVISION = (
    f"INSERT INTO article_revisions ({', '.join(_REVISION_COLUMNS)}, saved_at, saved_by) "
    f"VALUES ({', '.join('?' * (len(_REVISION_COLUMNS) + 2))}) ON CONFLICT (slug, version) DO NOTHING"
)
# Who saved the version an article's row is at (_saved_by, in SQL).
_ROW_SAVED_BY = "CASE WHEN saved_by_version = version THEN saved_by ELSE '' END"
# The same, from the article's row as it is when the statement runs (with the transaction's row_lock after
# "slug = ?": the version the update that follows replaces, whoever wrote it).
_KEEP_CURRENT = (
    f"INSERT INTO article_revisions ({', '.join(_REVISION_COLUMNS)}, saved_at, saved_by) "
    f"SELECT {', '.join(_REVISION_COLUMNS)}, updated_at, {_ROW_SAVED_BY} FROM articles WHERE slug = ?{{row_lock}} "
    "ON CONFLICT (slug, version) DO NOTHING"
)
# What a delete remembers of the article: its slug and last version (_INSERT), when and by whom (the list
# of deleted articles).
_REMEMBER_DELETED = (
    "INSERT INTO deleted_articles (slug, version, deleted_at, deleted_by) VALUES (?, ?, ?, ?) "
    "ON CONFLICT (slug) DO UPDATE SET version = excluded.version, deleted_at = excluded.deleted_at, "
    "deleted_by = excluded.deleted_by"
)
# Deleted articles with their last versions. deleted_articles keeps a slug's row once an article is created
# again under it (_INSERT goes on from its version): such a slug is not a deleted article any more. A delete
# from before article_revisions kept nothing to restore, and is not listed either.
_DELETED = (
    " FROM deleted_articles d JOIN article_revisions r ON r.slug = d.slug AND r.version = d.version"
    " WHERE NOT EXISTS (SELECT 1 FROM articles a WHERE a.slug = d.slug)"
)
_DELETED_FIELDS = ("slug", "version", "lang", "title", "deleted_at", "deleted_by")
# (Every right-hand side reads the row as it was: saved_by_version and search_version are the new version.)
_UPDATE = (
    "UPDATE articles SET lang = ?, title = ?, summary = ?, body_html = ?, body_source = ?, body_format = ?, "
    "author = ?, source_url = ?, published = ?, status = ?, version = version + 1, updated_at = ?, saved_by = ?, "
    "saved_by_version = version + 1, search_title = ?, search_text = ?, search_version = version + 1 "
    "WHERE slug = ?"
)
# A rename: the same, with the new slug first, and the version the rename was asked for (after the old slug).
# The feed's id stays (migrations._FEED_ID): an article that has none of its own yet (stored before schema 14,
# or by a node of the release before) keeps the one made from the address it leaves.
_MOVE = (
    "UPDATE articles SET slug = ?, feed_slug = coalesce(feed_slug, slug), lang = ?, title = ?, summary = ?, "
    "body_html = ?, body_source = ?, body_format = ?, author = ?, source_url = ?, published = ?, status = ?, "
    "version = version + 1, updated_at = ?, saved_by = ?, saved_by_version = version + 1, search_title = ?, "
    "search_text = ?, search_version = version + 1 "
    "WHERE slug = ? AND version = ?"
)
# Articles whose words (reader.search) were made from another version than theirs, or not yet made: written by
# a node of the release before schema 13, or stored before it (migrations._SEARCH_COLUMNS). Indexed apart.
_STALE = "search_version <> version"
# How many stale articles refresh_search makes the words of at a time, and about how much of their text (a
# first article longer than that alone): their words are made outside any transaction, and written in one.
SEARCH_BATCH = 20
SEARCH_BATCH_CHARS = 262_144
_REFRESH = (
    "UPDATE articles SET search_title = ?, search_text = ?, search_version = ? WHERE id = ? AND version = ? "
    f"AND {_STALE}"
)
# Articles whose stored words begin with each of a search's words, through each backend's index of them
# (migrations._SQLITE_SEARCH, _POSTGRESQL_SEARCH): the condition, and its one parameter made from the words
# (each [a-z0-9]+, reader.slugs: nothing in them is syntax to either query language).
# On SQLite the `+` keeps the id out of the planner's look-ups: it then reads what the results are filtered
# and ranked by from an index of its own (migrations._SQLITE_SEARCH), not from each row found, whose pages
# it would read to the end (bench/search.py). That index is read whole, though (4 ms for 10,000 articles,
# ten times as long for ten times as many): a search that finds few articles (_FEW) looks them up instead.
_WORDS_MATCH: dict[str, tuple[str, Callable[[list[str]], str]]] = {
    "sqlite": (
        "+id IN (SELECT rowid FROM article_words WHERE article_words MATCH ?)",
        lambda words: " AND ".join(f'"{word}"*' for word in words),
    ),
    "postgresql": (
        f"{POSTGRESQL_WORDS} @@ ?::text::tsquery",
        lambda words: " & ".join(f"'{_tsquery_quoted(word)}':*" for word in words),
    ),
}
# At most this many articles found, SQLite reads their rows rather than the index of them all: each costs about
# 10 µs (its pages read to the end), the index about 0.4 µs an article on the site (bench/search.py).
_FEW = 200
# Found by its title: each word begins one of the title's (the words, and so the LIKE patterns, hold no
# wildcard). The articles found so come first.
_IN_TITLE = "(' ' || search_title) LIKE ?"
# A new article at an address takes it over: the redirect from there (to the article once there) goes.
_DROP_REDIRECT = "DELETE FROM article_redirects WHERE slug = ?"
# A deleted article's old addresses go with it (left, they would lead to whatever article is made at its
# address), kept with its delete (parameters: when it was made, the address) to be given back by a restore.
_REMEMBER_REDIRECTS = (
    "INSERT INTO deleted_redirects (slug, target, version, deleted_at) SELECT slug, target, version, ? "
    "FROM article_redirects WHERE target = ? ORDER BY slug "
    "ON CONFLICT (slug) DO UPDATE SET target = excluded.target, version = excluded.version, "
    "deleted_at = excluded.deleted_at"
)
_DROP_REDIRECTS_TO = "DELETE FROM article_redirects WHERE target = ?"
# The old addresses a restore gives back (parameters: the address, when the delete was made): those of that
# delete which nobody has taken since. Taken: an article is there, or another article's redirect (the
# insert's conflict), or a deleted article's history is kept there (to be restored at that address, which
# must find it free: as a rename onto it is refused, _rename). Those stay as they are.
_GIVEN_BACK = (
    " FROM deleted_redirects r WHERE r.target = ? AND r.deleted_at = ?"
    " AND NOT EXISTS (SELECT 1 FROM articles a WHERE a.slug = r.slug)"
    " AND NOT EXISTS (SELECT 1 FROM deleted_articles d WHERE d.slug = r.slug)"
    " AND NOT EXISTS (SELECT 1 FROM article_revisions v WHERE v.slug = r.slug)"
)
_GIVE_BACK = (
    "INSERT INTO article_redirects (slug, target, version) SELECT r.slug, r.target, r.version" + _GIVEN_BACK
    + " ON CONFLICT (slug) DO NOTHING"
)  # fmt: skip
# And the restore is done with them all, given back or not. A delete's rows that no restore takes (an
# article was made at its address again, or a node of an older release restored it) stay, as
# deleted_articles' rows do: an article created at one of those addresses goes on from their versions
# (_NEW_VERSION).
_FORGET_REDIRECTS = "DELETE FROM deleted_redirects WHERE target = ? AND deleted_at = ?"
# The old address of a renamed article, leading to its new one, with the last version it had there.
_ADD_REDIRECT = (
    "INSERT INTO article_redirects (slug, target, version) VALUES (?, ?, ?) "
    "ON CONFLICT (slug) DO UPDATE SET target = excluded.target, version = excluded.version"
)


class SlugTaken(ConflictError):
    """A rename to an address that another article has (`deleted`: had, and its history is kept there, to
    be looked at and restored): nothing was written."""

    def __init__(self, slug: str, *, deleted: bool = False) -> None:
        super().__init__(f"the address {slug!r} is {'kept for a deleted article' if deleted else 'taken'}")
        self.slug = slug
        self.deleted = deleted


class OldAddressTaken(SlugTaken):
    """A create or rename (asked with `may_take`) to another article's old address that it was not allowed to
    take: links there lead to the article at `target`. Nothing was written."""

    def __init__(self, slug: str, target: str) -> None:
        super().__init__(slug)
        self.target = target


class SameArticleTwice(Exception):
    """An import that would save one article twice: `slug` is an old address of the article at `target`,
    which another of its articles is saved at (or leads to as well): nothing was written."""

    def __init__(self, slug: str, target: str) -> None:
        super().__init__(f"{slug!r} leads to {target!r}, which the same save writes too")
        self.slug = slug
        self.target = target


class ArticleStore(Protocol):
    """What reader needs from storage; a networked backend implements the same methods. Each write's `by` is
    who makes it, kept with the version it saves or with its delete (reader.models.BY_TOKEN).

    The reads of articles by address and the list give readers' view unless asked for drafts (`drafts=True`:
    the editor, and the API with a token): a draft is then not there at all, and neither is an old address
    that leads to one. The other reads (history, deleted articles) are the editor's."""

    async def get_article(self, slug: str, *, drafts: bool = False) -> Article | None: ...

    async def list_articles(
        self, *, page: int, per_page: int, search: str = "", drafts: bool = False
    ) -> ArticlePage: ...

    async def save_articles(self, drafts: Sequence[ArticleDraft], *, by: str = "") -> SaveResult: ...

    async def save_article(self, draft: ArticleDraft, *, by: str = "") -> tuple[Article, bool]: ...

    async def create_article(
        self, draft: ArticleDraft, *, by: str = "", may_take: Collection[str] | None = None
    ) -> Article | None: ...

    async def update_article(self, draft: ArticleDraft, *, version: int, by: str = "") -> Article | None: ...

    async def delete_article(self, slug: str, *, version: int | None = None, by: str = "") -> bool: ...

    async def list_revisions(self, slug: str, *, before: int, page: int, per_page: int) -> Page[RevisionSummary]: ...

    async def get_revision(self, slug: str, version: int) -> Article | None: ...

    async def list_deleted(self, *, page: int, per_page: int) -> Page[DeletedSummary]: ...

    async def get_deleted(self, slug: str) -> DeletedArticle | None: ...

    async def restore_deleted(self, draft: ArticleDraft, *, version: int, by: str = "") -> Article | None: ...

    async def rename_article(
        self, slug: str, new_slug: str, *, version: int, draft: ArticleDraft | None = None, by: str = "",
        may_take: Collection[str] | None = None,
    ) -> Article | None: ...  # fmt: skip

    async def get_redirect(self, slug: str, *, drafts: bool = False) -> str | None: ...

    async def list_old_addresses(self, slug: str) -> list[str]: ...

    async def refresh_all_search(self) -> int: ...

    async def ping(self) -> bool: ...


def _tsquery_quoted(word: str) -> str:
    """A word inside the quotes of a tsquery's term, taken as it is (no parser: the index's words are not
    parsed either, migrations.POSTGRESQL_WORDS); a search's words are [a-z0-9]+, but nothing in one could
    end the term."""
    return word.replace("\\", "\\\\").replace("'", "''")


def _now(timespec: str = "seconds") -> str:
    """The time now, UTC, in ISO 8601; to the millisecond for a delete, so that the list of deleted articles
    puts two deletes of one second in their order (HTML's <time> takes no finer fraction)."""
    return dt.datetime.now(dt.UTC).isoformat(timespec=timespec).replace("+00:00", "Z")


def _article(row: Row, *, kept: bool = False) -> Article:
    """The article in a row of articles, or (`kept`) of article_revisions, whose saved_by is its version's."""
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
        saved_by=row["saved_by"] if kept else _saved_by(row),
        status=row["status"],
    )


def _saved_by(row: Row) -> str:
    """Who saved the version an article's row is at: "" when a node of the release before schema 9 wrote
    that version (it moves the version on, not saved_by_version: saved_by is the version before's)."""
    return str(row["saved_by"]) if row["saved_by_version"] == row["version"] else ""


class SqlArticleStore:
    """ArticleStore over reader's Database, SQLite or PostgreSQL alike."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def get_article(self, slug: str, *, drafts: bool = False) -> Article | None:
        """The article at `slug`; a draft only with `drafts` (else None, as for no article)."""
        public = "" if drafts else f" AND {_PUBLIC}"
        row = await self.db.fetch_one("SELECT * FROM articles WHERE slug = ?" + public, (slug,))
        return _article(row) if row else None

    async def list_articles(self, *, page: int, per_page: int, search: str = "", drafts: bool = False) -> ArticlePage:
        """One page of the articles, newest first (with `drafts`, the drafts among them).

        With `search`, only those with a word that begins with each of its words, in their title, lead, body
        text, author or address, all spelled without diacritics or case (reader.search), so that "bắc kạn",
        "Bac Kan" and "bac ka" all find "Bắc Kạn nâng cao…": first those whose title has them all, then the
        others, each newest first; each result with an excerpt of its lead and text around where its words
        are (None when its title has them all, or its lead and text none: its lead is shown as it is) and its
        author marked when a word is there. A search without such words (only punctuation, or a script that
        has no Latin letters) finds the articles whose title holds it as typed."""
        conditions, matching, ranking = [] if drafts else [_PUBLIC], list[str](), list[str]()
        words = search_words(search) if search else []
        order = "published DESC, id DESC"
        if words:
            condition, query = _WORDS_MATCH[self.db.dialect]
            if self.db.dialect == "sqlite" and await _few_found(self.db, query(words)):
                condition = condition.removeprefix("+")
            conditions.append(condition)
            matching.append(query(words))
            order = f"({' AND '.join([_IN_TITLE] * len(words))}) DESC, {order}"
            ranking = [f"% {word}%" for word in words]
        elif search:
            conditions.append("lower(title) LIKE lower(?) ESCAPE '\\'")
            typed = search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            matching.append(f"%{typed}%")
        where = " WHERE " + " AND ".join(conditions) if conditions else ""
        total_row = await self.db.fetch_one("SELECT count(*) AS n FROM articles" + where, matching)
        total = int(total_row["n"]) if total_row else 0
        page, pages = Page.bounds(total, per_page, page)
        fields = "slug, lang, title, summary, author, published, updated_at, status, feed_version, " + _FEED_SLUG
        if words:
            # The page's ids first, then their rows: ordered with every row's columns, SQLite would read each
            # article found whole (its sorter holds what the statement selects).
            chosen = f"SELECT id FROM articles{where} ORDER BY {order} LIMIT ? OFFSET ?"
            # Of the body, what an excerpt is looked for in (reader.search.excerpt_source), and one character
            # more to tell whether it goes on.
            body = f"substr(body_html, 1, {EXCERPT_HTML + 1}) AS body_html"
            rows = await self.db.fetch_all(
                f"SELECT {fields}, {body} FROM articles WHERE id IN ({chosen}) ORDER BY {order}",
                (*matching, *ranking, per_page, (page - 1) * per_page, *ranking),
            )
        else:
            rows = await self.db.fetch_all(
                f"SELECT {fields} FROM articles{where} ORDER BY {order} LIMIT ? OFFSET ?",
                (*matching, per_page, (page - 1) * per_page),
            )
        found = await off_the_loop(_found, rows, words) if words else [(None, None)] * len(rows)
        items = [
            ArticleSummary(
                slug=r["slug"],
                lang=r["lang"],
                title=r["title"],
                summary=r["summary"],
                author=r["author"],
                published=r["published"],
                updated_at=r["updated_at"],
                status=r["status"],
                feed_slug=r["feed_slug"],
                feed_version=r["feed_version"],
                excerpt=text,
                author_marked=author,
            )  # fmt: skip
            for r, (text, author) in zip(rows, found, strict=True)
        ]
        return Page(items=items, page=page, pages=pages, total=total)

    async def refresh_search(self, *, batch: int = SEARCH_BATCH) -> int:
        """Make the words (reader.search) of up to `batch` articles whose words are stale (_STALE) again, fewer
        when their text passes SEARCH_BATCH_CHARS: how many were looked at."""
        count, _ = await self._refresh_after(0, batch)
        return count

    async def _refresh_after(self, after: int, batch: int) -> tuple[int, int | None]:
        """refresh_search of the stale articles after the id `after`: how many were looked at, and the last
        one's id while more may follow (None: no stale article is left after it).

        The words are made in a worker thread before any transaction, then written in a short one (on SQLite
        it holds the write lock for the writes alone: made inside it, 20 articles of 1 MB held it 7.3 s, and
        another process's write gave up after its 5 s busy timeout). Each write is only for the version the
        words were made from, and only while its words are still stale: a save meanwhile wins, and when another
        process or node made the same words at the same time (neither claims the articles: that would be a
        write of its own, for work that is rare, at upgrades, and bounded by a batch), the second writes
        nothing."""
        sizes = await self.db.fetch_all(
            "SELECT id, length(title) + length(summary) + length(author) + length(body_html) AS size"
            f" FROM articles WHERE {_STALE} AND id > ? ORDER BY id LIMIT ?",
            (after, batch),
        )
        if not sizes:
            return 0, None
        chosen: list[int] = []
        total = 0
        for row in sizes:
            if chosen and total + int(row["size"]) > SEARCH_BATCH_CHARS:
                break
            chosen.append(row["id"])
            total += int(row["size"])
        rows = await self.db.fetch_all(
            "SELECT id, version, slug, title, summary, author, body_html FROM articles"
            f" WHERE id IN ({','.join('?' * len(chosen))}) AND {_STALE}",
            chosen,
        )
        made = await off_the_loop(_made_again, rows)
        if made:
            async with self.db.transaction(touches=[row["slug"] for row in rows]) as tx:
                await tx.execute_many(_REFRESH, made)
        more = len(chosen) < len(sizes) or len(sizes) == batch
        return len(chosen), chosen[-1] if more else None

    async def refresh_all_search(self) -> int:
        """refresh_search until no article's words are stale (each looked at once: one made stale again
        meanwhile, by a node of the release before, waits for the next call); how many were looked at."""
        done: int = 0
        after: int | None = 0
        while after is not None:
            count, after = await self._refresh_after(after, SEARCH_BATCH)
            done += count
        return done

    async def save_articles(self, drafts: Sequence[ArticleDraft], *, by: str = "") -> SaveResult:
        """Create or update every draft in one transaction: all of them are written, or none; `by`: who.
        A draft at an old address of a renamed article updates that article (save_drafts' `followed`): an
        import of the file it came from, as it was named, must not take its old links away from it.

        Another node may create one of the slugs between this transaction's look-up and its insert; the
        insert then breaks the slug's uniqueness, nothing is written, and the save runs again, finding that
        article to update. The same when an old address leads elsewhere than it did a moment before.
        """
        words = await drafts_words(drafts)
        for attempt in range(_SAVE_ATTEMPTS):
            try:
                return await self._save(drafts, words, by)
            except ConflictError:
                if attempt == _SAVE_ATTEMPTS - 1:
                    raise
        raise AssertionError("unreachable")

    async def _save(self, drafts: Sequence[ArticleDraft], words: Sequence[SearchText], by: str) -> SaveResult:
        # The articles the drafts' old addresses lead to are touched too: looked up first, as the
        # transaction's keys are named before it starts (save_drafts checks them again inside it).
        slugs = [d.slug for d in drafts]
        targets = set((await _leads(self.db, slugs)).values())
        async with self.db.transaction(touches=[*slugs, *sorted(targets)]) as tx:
            return await save_drafts(tx, drafts, words, by=by, followed=targets)

    async def save_article(self, draft: ArticleDraft, *, by: str = "") -> tuple[Article, bool]:
        """Create or update one article; the article as this write left it (read in its own transaction:
        a write from another client a moment later does not change the answer) and whether it was created."""
        words = await drafts_words([draft])
        for attempt in range(_SAVE_ATTEMPTS):
            try:
                async with self.db.transaction(touches=(draft.slug,)) as tx:
                    result = await save_drafts(tx, [draft], words, by=by)
                    return await _written(tx, draft.slug), result.created > 0
            except ConflictError:  # another node created the slug meanwhile (see save_articles)
                if attempt == _SAVE_ATTEMPTS - 1:
                    raise
        raise AssertionError("unreachable")

    async def create_article(
        self, draft: ArticleDraft, *, by: str = "", may_take: Collection[str] | None = None
    ) -> Article | None:
        """Create an article under a slug no other article has: the article written, or None (nothing
        written) when one has. An old address of another article is taken over (its links lead here now),
        unless `may_take` is given and does not name it: OldAddressTaken (_check_old_address)."""
        (words,) = await drafts_words([draft])
        row = _new_row(draft, words, _now(), dt.date.today().isoformat(), by)
        async with self.db.transaction(touches=(draft.slug,)) as tx:
            if may_take is not None:
                await tx.lock(_addressing(draft.slug))
                await _check_old_address(tx, draft.slug, None, may_take)
            if await tx.execute(_INSERT + " ON CONFLICT (slug) DO NOTHING", row) == 0:
                return None
            await tx.execute(_DROP_REDIRECT, (draft.slug,))
            return await _written(tx, draft.slug)

    async def update_article(self, draft: ArticleDraft, *, version: int, by: str = "") -> Article | None:
        """Update an article that is still at `version`: the article as it now is, or None (nothing written)
        when it is not at that version: another save came first (or a delete), and writing now would wipe
        what that save wrote."""
        (words,) = await drafts_words([draft])
        async with self.db.transaction(touches=(draft.slug,)) as tx:
            old = await tx.fetch_one("SELECT * FROM articles WHERE slug = ?", (draft.slug,))
            if old is None or old["version"] != version:
                return None
            row = _changed_row(draft, words, old, _now(), by)
            if row is None:
                return _article(old)
            await tx.execute(_KEEP_REVISION, _revision(old))
            # The version in the WHERE as well: on PostgreSQL another transaction may update the row after
            # the SELECT above; the UPDATE waits for it, then finds the version moved and changes nothing.
            if await tx.execute(_UPDATE + " AND version = ?", (*row, version)) == 0:
                return None
            return await _written(tx, draft.slug)

    async def delete_article(self, slug: str, *, version: int | None = None, by: str = "") -> bool:
        """Delete an article (with `version`, only while it is at that version); whether one was deleted.
        `by`: the editor who deleted it, for the list of deleted articles."""
        async with self.db.transaction(touches=(slug,)) as tx:
            await tx.lock(_deleting(slug))  # before the article's row: restore_deleted's order
            deleted = await tx.fetch_one(
                "DELETE FROM articles WHERE slug = ?" + (" AND version = ?" if version is not None else "")
                + " RETURNING *",
                (slug,) if version is None else (slug, version),
            )  # fmt: skip
            if deleted is None:
                return False
            await tx.execute(_KEEP_REVISION, _revision(deleted))  # its last version stays in its history
            now = _now("milliseconds")
            await tx.execute(_REMEMBER_DELETED, (slug, deleted["version"], now, by))
            await tx.execute(_REMEMBER_REDIRECTS, (now, slug))
            await tx.execute(_DROP_REDIRECTS_TO, (slug,))
            # Its own address leads nowhere while it is deleted. A redirect can be there only from a restore
            # that gave the address back as this article took it (restore_deleted): hidden while the article
            # was there, it goes now.
            await tx.execute(_DROP_REDIRECT, (slug,))
            return True

    async def list_revisions(self, slug: str, *, before: int, page: int, per_page: int) -> Page[RevisionSummary]:
        """One page of the earlier versions kept of the article at `slug` (those before version `before`,
        the current one), newest first."""
        where = " FROM article_revisions WHERE slug = ? AND version < ?"
        total_row = await self.db.fetch_one("SELECT count(*) AS n" + where, (slug, before))
        total = int(total_row["n"]) if total_row else 0
        page, pages = Page.bounds(total, per_page, page)
        rows = await self.db.fetch_all(
            "SELECT version, lang, title, saved_at, saved_by, status"
            + where
            + " ORDER BY version DESC LIMIT ? OFFSET ?",
            (slug, before, per_page, (page - 1) * per_page),
        )
        fields = ("version", "lang", "title", "saved_at", "saved_by", "status")
        items = [RevisionSummary(**{name: row[name] for name in fields}) for row in rows]
        return Page(items=items, page=page, pages=pages, total=total)

    async def get_revision(self, slug: str, version: int) -> Article | None:
        """One earlier version of the article at `slug`, as an Article (its updated_at: when it was saved)."""
        row = await self.db.fetch_one(
            "SELECT *, saved_at AS updated_at FROM article_revisions WHERE slug = ? AND version = ?", (slug, version)
        )
        return _article(row, kept=True) if row else None

    async def list_deleted(self, *, page: int, per_page: int) -> Page[DeletedSummary]:
        """One page of the deleted articles (those no article has taken the slug of again), the latest
        deleted first; those deleted before reader noted when, last."""
        total_row = await self.db.fetch_one("SELECT count(*) AS n" + _DELETED)
        total = int(total_row["n"]) if total_row else 0
        page, pages = Page.bounds(total, per_page, page)
        rows = await self.db.fetch_all(
            "SELECT d.slug, d.version, r.lang, r.title, d.deleted_at, d.deleted_by" + _DELETED
            + " ORDER BY d.deleted_at IS NULL, d.deleted_at DESC, d.slug LIMIT ? OFFSET ?",
            (per_page, (page - 1) * per_page),
        )  # fmt: skip
        items = [DeletedSummary(**{name: row[name] for name in _DELETED_FIELDS}) for row in rows]
        return Page(items=items, page=page, pages=pages, total=total)

    async def get_deleted(self, slug: str) -> DeletedArticle | None:
        """The last article deleted under `slug`, with its last version and the old addresses a restore would
        give back now; also once an article has been created again under the slug (the editor then offers
        that one's history, which holds this version)."""
        row = await self.db.fetch_one(
            "SELECT r.*, r.saved_at AS updated_at, d.deleted_at, d.deleted_by FROM deleted_articles d"
            " JOIN article_revisions r ON r.slug = d.slug AND r.version = d.version WHERE d.slug = ?",
            (slug,),
        )
        if row is None:
            return None
        summary = DeletedSummary(**{name: row[name] for name in _DELETED_FIELDS})
        # Those _GIVE_BACK would insert: not another article's redirect either.
        addresses = await self.db.fetch_all(
            "SELECT r.slug" + _GIVEN_BACK + " AND NOT EXISTS (SELECT 1 FROM article_redirects l WHERE l.slug = r.slug)"
            " ORDER BY r.slug",
            (slug, row["deleted_at"]),
        )  # fmt: skip
        old = tuple(str(address["slug"]) for address in addresses)
        return DeletedArticle(last=_article(row, kept=True), summary=summary, old_addresses=old)

    async def restore_deleted(self, draft: ArticleDraft, *, version: int, by: str = "") -> Article | None:
        """The deleted article at `draft`'s slug back as its next version (`draft`: its last version), only
        while `version` is still the last one deleted there and no article has the slug: the article written,
        or None (nothing written). Its old addresses that nobody has taken since its delete lead to it again
        (_GIVEN_BACK), in the same transaction.

        A delete of the slug's article (one created again meanwhile) and a second restore wait for this one to
        end, then find the version moved or the slug taken: both take the slug's named lock first, and only
        then the rows (a delete its article's row, then its delete's row; this one the delete's row, then
        the article's, inserting): the other order would deadlock with a delete. The delete's row is read
        with the transaction's row lock as well (PostgreSQL's FOR UPDATE). The insert itself refuses a slug
        an article took meanwhile (created again, not deleted yet), as create_article's does. The old
        addresses come last.

        On PostgreSQL an article created or renamed at an old address while this runs may not be seen by it
        (neither sees the other's uncommitted write): the address is then given back under that article,
        which is served there (an article before a redirect), and its own delete takes the redirect away."""
        (words,) = await drafts_words([draft])
        row = _new_row(draft, words, _now(), dt.date.today().isoformat(), by)
        async with self.db.transaction(touches=(draft.slug,)) as tx:
            await tx.lock(_deleting(draft.slug))
            deleted = await tx.fetch_one(
                "SELECT version, deleted_at FROM deleted_articles WHERE slug = ?" + tx.row_lock, (draft.slug,)
            )
            if deleted is None or deleted["version"] != version:
                return None
            # Its version: 1 + the deleted one (_INSERT), read under the lock just taken.
            if await tx.execute(_INSERT + " ON CONFLICT (slug) DO NOTHING", row) == 0:
                return None
            # The delete's old addresses, locked first: a delete of another article whose redirect took one
            # of them meanwhile keeps that address for itself (_REMEMBER_REDIRECTS), and either waits for
            # this restore or is waited for here, never changing a row between the two statements below.
            # Both take the rows in the order of their addresses: two of them taken in opposite orders
            # would have each write wait for the other.
            kept = (draft.slug, deleted["deleted_at"])
            locking = "SELECT slug FROM deleted_redirects WHERE target = ? AND deleted_at = ? ORDER BY slug"
            await tx.fetch_all(locking + tx.row_lock, kept)
            await tx.execute(_GIVE_BACK, kept)
            await tx.execute(_FORGET_REDIRECTS, kept)
            return await _written(tx, draft.slug)

    async def rename_article(
        self, slug: str, new_slug: str, *, version: int, draft: ArticleDraft | None = None, by: str = "",
        may_take: Collection[str] | None = None,
    ) -> Article | None:  # fmt: skip
        """Move the article at `slug`, still at `version`, to the address `new_slug` (with `draft`, whose slug
        is `new_slug`, its other fields changed as update_article changes them): the article as it now is,
        at its next version, or None (nothing written) when it is not at that version (another save, rename
        or delete came first). SlugTaken when another article has the new address, or a deleted one had it;
        OldAddressTaken when it is another article's old address and `may_take` is given without it.

        Its history goes with it (its versions keep their numbers) and its old address, with every address
        that led to that one, now leads to the new one (get_redirect): a rename back takes the redirect away.
        """
        if draft is not None and draft.slug != new_slug:
            raise ValueError(f"the draft is for {draft.slug!r}, not {new_slug!r}")
        # The words at the new address, made before the transaction: from the draft, or from the article at
        # `version` as read now (the transaction goes on only while it is still at that version: the same text).
        if draft is not None:
            (words,) = await drafts_words([draft])
        elif new_slug == slug:
            words = SearchText("", "")  # nothing moves (_rename)
        else:
            old = await self.db.fetch_one(
                "SELECT version, title, summary, author, body_html FROM articles WHERE slug = ?", (slug,)
            )
            if old is None or old["version"] != version:
                return None
            words = await off_the_loop(
                search_text, new_slug, old["title"], old["summary"], old["author"], old["body_html"]
            )
        try:
            async with self.db.transaction(touches=(slug, new_slug)) as tx:
                return await _rename(tx, slug, new_slug, version, draft, words, by, may_take)
        except SlugTaken:
            raise
        except ConflictError:  # another node took the address between the check and the move
            raise SlugTaken(new_slug) from None

    async def get_redirect(self, slug: str, *, drafts: bool = False) -> str | None:
        """The address the article once at `slug` has now, when it was renamed (None: no article was); without
        `drafts`, only when that article is published (readers are not led to a draft, nor told it exists)."""
        if drafts:
            row = await self.db.fetch_one("SELECT target FROM article_redirects WHERE slug = ?", (slug,))
        else:
            row = await self.db.fetch_one(
                "SELECT r.target FROM article_redirects r JOIN articles a ON a.slug = r.target"
                f" WHERE r.slug = ? AND a.{_PUBLIC}",
                (slug,),
            )
        return str(row["target"]) if row else None

    async def list_old_addresses(self, slug: str) -> list[str]:
        """The addresses that lead to the article at `slug` (get_redirect), in alphabetical order."""
        rows = await self.db.fetch_all("SELECT slug FROM article_redirects WHERE target = ? ORDER BY slug", (slug,))
        return [str(row["slug"]) for row in rows]

    async def ping(self) -> bool:
        return await self.db.healthy()


def _deleting(slug: str) -> str:
    """The named lock (Transaction.lock) that a delete of the article at `slug` and a restore of the one
    deleted there hold: they run one after the other."""
    return f"deleted-article:{slug}"


def _addressing(slug: str) -> str:
    """The named lock that a rename away from `slug` (making it an old address) and a create or rename onto it
    that checks its old addresses (_check_old_address) hold: on PostgreSQL neither sees the other's
    uncommitted redirect, and the check would pass just before the redirect it should have found."""
    return f"address:{slug}"


async def _check_old_address(tx: Transaction, slug: str, renamed: str | None, may_take: Collection[str]) -> None:
    """OldAddressTaken when `slug` is the old address of an article (other than the one at `renamed`, whose
    own old address it may always take back) and `may_take` does not name it; read within `tx`, which holds
    _addressing's lock on `slug`, so that a rename committed a moment ago is seen."""
    row = await tx.fetch_one("SELECT target FROM article_redirects WHERE slug = ?", (slug,))
    if row is not None and row["target"] != renamed and slug not in may_take:
        raise OldAddressTaken(slug, str(row["target"]))


async def _rename(
    tx: Transaction, slug: str, new_slug: str, version: int, draft: ArticleDraft | None, words: SearchText, by: str,
    may_take: Collection[str] | None = None,
) -> Article | None:  # fmt: skip
    """SqlArticleStore.rename_article within `tx` (whose `touches` name both slugs); `words`: the article's at
    `new_slug`, at `version` or from `draft`."""
    if new_slug != slug:
        # `slug` becomes an old address, `new_slug` may be one (_check_old_address): both locks at once, in one
        # order (two renames each way between two addresses would otherwise wait for each other).
        await tx.lock(_addressing(slug), *([_addressing(new_slug)] if may_take is not None else []))
        if may_take is not None:
            await _check_old_address(tx, new_slug, slug, may_take)
    # As update_article: not locked here (its revision is kept before its row is updated, in the order every
    # update takes, or two of them could each wait for the other); the version in _MOVE's WHERE makes a rename
    # that lost a race to another save or rename of the article change nothing.
    old = await tx.fetch_one("SELECT * FROM articles WHERE slug = ?", (slug,))
    if old is None or old["version"] != version:
        return None
    if new_slug == slug:
        if draft is not None:
            raise ValueError("a draft at the same address is an update (update_article)")
        return _article(old)
    if await tx.fetch_one("SELECT 1 AS held FROM articles WHERE slug = ?", (new_slug,)):
        raise SlugTaken(new_slug)
    # A deleted article's history (and its last version, which an article made there goes on from) stays
    # at its address: moving another history in would mix two articles' versions of the same numbers.
    # A deleted article's old address is not held (deleted_redirects): the article moved there has it, and a
    # restore does not give it back (_GIVEN_BACK), as when another article is created there.
    held = "SELECT 1 AS held FROM {} WHERE slug = ?"
    for table in ("deleted_articles", "article_revisions"):
        if await tx.fetch_one(held.format(table), (new_slug,)):
            raise SlugTaken(new_slug, deleted=True)
    now = _now()
    if draft is None:
        values = [old[field] for field in _COMPARED]
        published, status = old["published"], old["status"]
    else:
        values = [getattr(draft, field) for field in _COMPARED]
        published, status = draft.published or old["published"], draft.status or old["status"]
    await tx.execute(_KEEP_REVISION, _revision(old))
    moved = (new_slug, *values, published, status, now, by, words.title, words.words, slug, version)
    if await tx.execute(_MOVE, moved) == 0:
        return None
    # The history follows the article; so does the last version of an article deleted at its old address,
    # whose history this article's went on from (and which a new article there now goes on from by the
    # redirect's version, later than it).
    await tx.execute("UPDATE article_revisions SET slug = ? WHERE slug = ?", (new_slug, slug))
    await tx.execute("UPDATE deleted_articles SET slug = ? WHERE slug = ?", (new_slug, slug))
    # In this order: the new address is no longer an old one (a rename back), the addresses that led to
    # the old one lead to the new one (no chains), and the old one leads there too.
    await tx.execute(_DROP_REDIRECT, (new_slug,))
    await tx.execute("UPDATE article_redirects SET target = ? WHERE target = ?", (new_slug, slug))
    await tx.execute(_ADD_REDIRECT, (slug, new_slug, version))
    return await _written(tx, new_slug)


async def _written(tx: Transaction, slug: str) -> Article:
    """The article as the transaction `tx` has just written it (its own write is what it reads)."""
    row = await tx.fetch_one("SELECT * FROM articles WHERE slug = ?", (slug,))
    assert row is not None, "written in this transaction"
    return _article(row)


async def drafts_words(drafts: Sequence[ArticleDraft]) -> list[SearchText]:
    """The words each draft is found by (reader.search), made in a worker thread (reader.cpu_work) before a
    write's transaction: a long article's took the event loop, and the write lock, for most of a second
    (0.8 s for a 1.9 MB body, ten times the rest of its save)."""
    return await off_the_loop(_drafts_words, list(drafts))


def _drafts_words(drafts: Sequence[ArticleDraft]) -> list[SearchText]:
    return [_words(draft.slug, [getattr(draft, field) for field in _COMPARED]) for draft in drafts]


async def save_drafts(
    tx: Transaction,
    drafts: Sequence[ArticleDraft],
    words: Sequence[SearchText],
    *,
    by: str = "",
    followed: Collection[str] | None = None,
) -> SaveResult:
    """Create or update every draft within `tx` (whose `touches` must name their slugs); `words`: each one's
    (drafts_words, made before the transaction); `by`: who.

    With `followed` (the articles the drafts' old addresses led to when `tx`'s touches were named, and
    which they name too), a draft at no article's address but at an old one updates the article it leads
    to, as a draft at that article's address would: creating it there would take the address, and the
    links to it, away from that article (_DROP_REDIRECT). ConflictError when it leads to another article
    now (a rename meanwhile: the save runs again); SameArticleTwice when another draft is that article too."""
    if followed is not None:
        drafts, words = await _followed(tx, drafts, words, followed)
    now = _now()
    today = dt.date.today().isoformat()
    created: list[tuple[object, ...]] = []
    updated: list[tuple[object, ...]] = []
    existing = await _existing(tx, [d.slug for d in drafts])
    # In slug order, so that concurrent saves of overlapping sets lock rows in the same order.
    for draft, its_words in sorted(zip(drafts, words, strict=True), key=lambda pair: pair[0].slug):
        old = existing.get(draft.slug)
        if old is None:
            created.append(_new_row(draft, its_words, now, today, by))
        elif (row := _changed_row(draft, its_words, old, now, by)) is not None:
            updated.append(row)
    if created:
        await tx.execute_many(_INSERT, created)
        await tx.execute_many(_DROP_REDIRECT, [(row[0],) for row in created])
    if updated:
        # The version each update replaces, read (and, on PostgreSQL, locked) now, not as looked up above:
        # another node may have written one since, and its version belongs in the history too.
        await tx.execute_many(_KEEP_CURRENT.format(row_lock=tx.row_lock), [(row[-1],) for row in updated])
        await tx.execute_many(_UPDATE, updated)
    return SaveResult(created=len(created), updated=len(updated), unchanged=len(drafts) - len(created) - len(updated))


async def _leads(db: Database | Transaction, slugs: Sequence[str]) -> dict[str, str]:
    """Of `slugs`, the old addresses of renamed articles, each with the address it leads to; not one where an
    article is now (an address given back under an article created there meanwhile, restore_deleted): the
    article comes first, as on the site's pages."""
    leads: dict[str, str] = {}
    for start in range(0, len(slugs), _LOOKUP_CHUNK):
        chunk = slugs[start : start + _LOOKUP_CHUNK]
        marks = ",".join("?" * len(chunk))
        rows = await db.fetch_all(
            f"SELECT r.slug, r.target FROM article_redirects r WHERE r.slug IN ({marks}) "
            "AND NOT EXISTS (SELECT 1 FROM articles a WHERE a.slug = r.slug)",
            chunk,
        )
        leads.update({str(row["slug"]): str(row["target"]) for row in rows})
    return leads


async def _followed(
    tx: Transaction, drafts: Sequence[ArticleDraft], words: Sequence[SearchText], followed: Collection[str]
) -> tuple[list[ArticleDraft], list[SearchText]]:
    """The drafts (and their words) with each one at an old address moved to the article's address (save_drafts)."""
    leads = await _leads(tx, [d.slug for d in drafts])
    if not leads:
        return list(drafts), list(words)
    if not set(leads.values()) <= set(followed):
        raise ConflictError("an old address leads elsewhere than it did when the save began")
    at = {d.slug for d in drafts}
    moved: dict[str, str] = {}
    for slug, target in sorted(leads.items()):
        if target in at or target in moved.values():
            raise SameArticleTwice(slug, target)
        moved[slug] = target
    followed_drafts = [dataclasses.replace(d, slug=moved.get(d.slug, d.slug)) for d in drafts]
    # Their words again: a slug's words are among them (rare enough to be made while the write waits).
    again = await drafts_words([d for d in followed_drafts if d.slug in moved.values()])
    made = iter(again)
    kept = [next(made) if d.slug in moved.values() else w for d, w in zip(followed_drafts, words, strict=True)]
    return followed_drafts, kept


async def _few_found(db: Database, query: str) -> bool:
    """Whether SQLite's index of the words finds at most _FEW articles for a search (drafts among them)."""
    row = await db.fetch_one(
        "SELECT count(*) AS n FROM (SELECT 1 FROM article_words WHERE article_words MATCH ? LIMIT ?)", (query, _FEW + 1)
    )
    return row is not None and int(row["n"]) <= _FEW


def _found(rows: Sequence[Row], words: list[str]) -> list[tuple[Marked | None, Marked | None]]:
    """For each search result: its excerpt (of its lead and text) and its author, marked (reader.search).
    An article whose title has every word has no excerpt: its title says why it was found, and its lead is
    shown as it is."""
    found: list[tuple[Marked | None, Marked | None]] = []
    for row in rows:
        in_title = in_words(words, row["title"])
        text = None
        if not in_title:
            source, more = excerpt_source(row["summary"], row["body_html"])
            text = excerpt(source, words, more=more)
        found.append((text, marked(row["author"], words)))
    return found


def _words(slug: str, fields: Sequence[object]) -> SearchText:
    """The words an article is found by, from its values in _COMPARED's order."""
    values = dict(zip(_COMPARED, fields, strict=True))
    return search_text(
        slug, str(values["title"]), str(values["summary"]), str(values["author"]), str(values["body_html"])
    )


def _made_again(rows: Sequence[Row]) -> list[tuple[object, ...]]:
    """The parameters of _REFRESH for stale articles' rows."""
    made: list[tuple[object, ...]] = []
    for row in rows:
        words = search_text(row["slug"], row["title"], row["summary"], row["author"], row["body_html"])
        made.append((words.title, words.words, row["version"], row["id"], row["version"]))
    return made


def _revision(row: Row) -> tuple[object, ...]:
    """The parameters of _KEEP_REVISION that keep the article `row` as it is in its history."""
    return (*(row[column] for column in _REVISION_COLUMNS), row["updated_at"], _saved_by(row))


def _new_row(draft: ArticleDraft, words: SearchText, now: str, today: str, by: str) -> tuple[object, ...]:
    """The parameters of _INSERT that create `draft` (dated `today` when it has no date, published when it
    does not say), with its `words`, saved by `by`."""
    values = [getattr(draft, field) for field in _COMPARED]
    status = draft.status or PUBLISHED
    published = draft.published or today
    return (draft.slug, *values, published, status, now, now, by, words.title, words.words, *[draft.slug] * 5)


def _changed_row(draft: ArticleDraft, words: SearchText, old: Row, now: str, by: str) -> tuple[object, ...] | None:
    """The parameters of _UPDATE that make `old` into `draft` (saved by `by`), or None when that changes
    nothing (a draft without a date keeps the stored one, one without a status the stored state). A publish
    or unpublish alone is a change: a version of its own, with who and when."""
    values = [getattr(draft, field) for field in _COMPARED]
    published = draft.published or old["published"]
    status = draft.status or old["status"]
    compared = (*_COMPARED, "published", "status")
    if all(old[f] == v for f, v in zip(compared, (*values, published, status), strict=True)):
        return None
    return (*values, published, status, now, by, words.title, words.words, draft.slug)


async def _existing(tx: Transaction, slugs: Sequence[str]) -> dict[str, Row]:
    existing: dict[str, Row] = {}
    for start in range(0, len(slugs), _LOOKUP_CHUNK):
        chunk = slugs[start : start + _LOOKUP_CHUNK]
        marks = ",".join("?" * len(chunk))
        rows = await tx.fetch_all(f"SELECT * FROM articles WHERE slug IN ({marks})", chunk)
        existing.update({row["slug"]: row for row in rows})
    return existing
