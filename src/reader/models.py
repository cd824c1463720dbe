"""The article records reader stores and renders."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final, Generic, Literal, NewType, TypeVar

if TYPE_CHECKING:
    from reader.search import Marked

# HTML that has been through reader.sanitize; only that module creates it.
SafeHtml = NewType("SafeHtml", str)

# Whether readers see an article: a draft is the editors' and the API tokens' only, and every public address
# answers for it as for an article that does not exist (reader.store's `drafts=False` reads). Publishing and
# unpublishing are saves like any other: a version of the article's history, with who and when.
Status = Literal["draft", "published"]
DRAFT: Final = "draft"
PUBLISHED: Final = "published"
STATUSES: tuple[Status, ...] = (DRAFT, PUBLISHED)


def parse_published(value: str) -> dt.date | dt.datetime:
    """An ISO 8601 date or date-time, as stored; ValueError when it is neither."""
    text = value.strip()
    if len(text) == 10:
        return dt.date.fromisoformat(text)
    return dt.datetime.fromisoformat(text)


def publication_date(published: str) -> dt.date:
    """The calendar date of a stored publication time, as written (no time-zone shift)."""
    value = parse_published(published)
    return value.date() if isinstance(value, dt.datetime) else value


@dataclass(frozen=True, slots=True)
class ArticleDraft:
    """A validated article on its way into the store; the body is already sanitized."""

    slug: str
    lang: str
    title: str
    summary: str
    body_html: SafeHtml
    body_source: str
    body_format: str
    author: str
    published: str | None
    source_url: str | None
    # None: not said (a file or an API write without it, a form saved as it was). A new article is then
    # published, and one replaced keeps its state: a client that knows nothing of drafts neither makes nor
    # publishes one behind an editor's back.
    status: Status | None = None
    # The slug was made from the title: the file or form gave none. Such an address is never an old address
    # (reader.addresses.free_address): an import follows an old address to its article only when the file
    # names it itself. Not part of what the draft is (two drafts alike but for it are the same article).
    slug_from_title: bool = field(default=False, compare=False)


# Who did something through the API: its token's name after this. No account or token name holds a colon.
BY_TOKEN = "token:"
# Who saved the versions `reader import` wrote: the command line, where no one is signed in (and no one is
# asked who they are: whoever can run it can write the database anyway). Not an account name either: it
# holds a colon.
BY_CLI_IMPORT = "cli:import"


# Who saved a version (`saved_by`) or deleted an article (`deleted_by`), as the store records it: an editor's
# account name, BY_TOKEN and an API token's name, or BY_CLI_IMPORT; "" when not known (saved before reader
# recorded it, or a demo article, which reader itself wrote into a new database). reader.views.editor
# names them (saver_name, saver_in_sentence).


@dataclass(frozen=True, slots=True)
class Article:
    """A stored article."""

    slug: str
    lang: str
    title: str
    summary: str
    body_html: SafeHtml
    body_source: str
    body_format: str
    author: str
    published: str
    source_url: str | None
    version: int
    updated_at: str
    saved_by: str = ""  # who saved this version (above BY_TOKEN); nobody yet for a preview
    status: Status = PUBLISHED

    @property
    def is_draft(self) -> bool:
        return self.status == DRAFT

    @property
    def published_date(self) -> dt.date:
        return publication_date(self.published)

    @property
    def updated(self) -> dt.datetime:
        """When this version was saved (UTC)."""
        return _utc(self.updated_at)


@dataclass(frozen=True, slots=True)
class RevisionSummary:
    """What an article's history lists of one of its earlier versions."""

    version: int
    lang: str
    title: str
    saved_at: str  # ISO 8601, UTC
    saved_by: str  # who saved it (above BY_TOKEN)
    status: Status = PUBLISHED

    @property
    def saved(self) -> dt.datetime:
        return _utc(self.saved_at)


@dataclass(frozen=True, slots=True)
class DeletedSummary:
    """What the editor's list of deleted articles shows of one: its last version's title, and the delete."""

    slug: str
    version: int  # the last version, which the delete kept in the article's history
    lang: str
    title: str
    deleted_at: str | None  # ISO 8601, UTC; None for a delete made before reader recorded when
    # The editor's account name, or BY_TOKEN and an API token's name; "" when not known (an older delete).
    deleted_by: str

    @property
    def deleted(self) -> dt.datetime | None:
        return _utc(self.deleted_at) if self.deleted_at else None


@dataclass(frozen=True, slots=True)
class DeletedArticle:
    """An article deleted under a slug: its last version (updated_at: when that version was saved), what
    the list shows of the delete, and the old addresses restoring it would make lead to it again."""

    last: Article
    summary: DeletedSummary
    old_addresses: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ArticleSummary:
    """What the index lists of an article."""

    slug: str
    lang: str
    title: str
    summary: str
    author: str
    published: str
    updated_at: str  # when its current version was saved (UTC): the feed's <updated>
    status: Status = PUBLISHED
    # What its Atom feed entry's id is made from, which never changes (reader.views.feed.entry_id): the slug
    # it had when the id was given, and the version it was created at (above 1: another article had that
    # address before it).
    feed_slug: str = ""
    feed_version: int = 1
    # A search's result (reader.store's list_articles): its lead and text around where the search found its
    # words, marked (None when its title has them all, or its lead and text none: the lead is shown as it
    # is), and its author marked when the author's name has one.
    excerpt: Marked | None = None
    author_marked: Marked | None = None

    @property
    def is_draft(self) -> bool:
        return self.status == DRAFT

    @property
    def published_date(self) -> dt.date:
        return publication_date(self.published)

    @property
    def updated(self) -> dt.datetime:
        return _utc(self.updated_at)


_Item = TypeVar("_Item")


@dataclass(frozen=True, slots=True)
class Page(Generic[_Item]):
    """One page of a list, newest first: its items, its number, and how many pages and items there are."""

    items: list[_Item]
    page: int
    pages: int
    total: int

    @staticmethod
    def bounds(total: int, per_page: int, page: int) -> tuple[int, int]:
        """The page that can be shown for `page` (the last one past the end, the first before it) and the
        number of pages: at least one, which is empty when there is nothing to list."""
        pages = max(1, math.ceil(total / per_page))
        return min(max(1, page), pages), pages


# One page of the index. A type only: called, the alias would set __orig_class__ on the instance, which a
# frozen dataclass with slots refuses with a TypeError.
ArticlePage = Page[ArticleSummary]


@dataclass(frozen=True, slots=True)
class SaveResult:
    """What one write of a batch of drafts did."""

    created: int
    updated: int
    unchanged: int


def _utc(stamp: str) -> dt.datetime:
    """A stored time ("2026-12-01T18:31:07Z") as a datetime."""
    return dt.datetime.fromisoformat(stamp.replace("Z", "+00:00"))
