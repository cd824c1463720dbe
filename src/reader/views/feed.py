"""The Atom feed of the newest articles (RFC 4287): what feed readers and other sites follow."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from starlette.responses import Response

from reader.dates import SkippedTime, as_rfc3339, is_rfc3339, stored_form
from reader.http_cache import etag_matches
from reader.models import ArticleSummary
from reader.state import Request
from reader.web import path_for, public_base, xml_text

# As many as a first page of the index holds by default: feed readers poll, and keep what they have seen.
FEED_ENTRIES = 20
# Five minutes, as long as an article's views are kept: a poll within them costs nothing, one after them a
# 304 while the feed is the same.
FEED_CACHE = "public, max-age=300"
MEDIA_TYPE = "application/atom+xml; charset=utf-8"


@dataclass(frozen=True, slots=True)
class FeedEntry:
    """One article as the feed shows it: text XML can hold, times as RFC 3339 date-times."""

    url: str
    id: str
    lang: str
    title: str
    summary: str
    author: str
    published: str
    updated: str


def _date_time(stored: str, zone: dt.tzinfo, fallback: dt.datetime) -> str:
    """A publication date as Atom needs it: a date alone is its midnight in the site's zone (as reader.dates
    writes a date-time: an offset in whole minutes, even a local mean time's before 1900)."""
    value = as_rfc3339(stored, zone)
    if is_rfc3339(value, "date-time"):
        return value
    if is_rfc3339(value, "date"):
        midnight = dt.datetime.combine(dt.date.fromisoformat(value), dt.time())
        try:
            return stored_form(midnight, zone)
        except SkippedTime:  # a zone whose clocks skip midnight that day: the hour after
            return stored_form(midnight + dt.timedelta(hours=1), zone)
    return fallback.isoformat()  # never written by any version; the version's own time stands in


def entry_id(request: Request, base: str, article: ArticleSummary) -> str:
    """The article's entry id, the same for all its life (RFC 4287 §4.2.6; migrations._FEED_ID): the address it
    had when it was given one (its first, or for an article stored before reader kept them, the one it had
    then), which a rename does not change. An article created at an address another article had before (one
    deleted there, or renamed away) is another entry: the version it began at follows, as a fragment."""
    address = base + path_for(request, "article", slug=article.feed_slug or article.slug)
    return address if article.feed_version == 1 else f"{address}#{article.feed_version}"


def _entry(request: Request, base: str, article: ArticleSummary, zone: dt.tzinfo) -> FeedEntry:
    updated = article.updated.replace(microsecond=0)
    return FeedEntry(
        url=base + path_for(request, "article", slug=article.slug),
        id=entry_id(request, base, article),
        lang=article.lang,
        title=xml_text(article.title),
        summary=xml_text(article.summary),
        author=xml_text(article.author),
        published=_date_time(article.published, zone, updated),
        updated=updated.isoformat().replace("+00:00", "Z"),
    )


async def atom_feed(request: Request) -> Response:
    """The newest articles, as on the index's first page, with their summaries and links."""
    settings = request.state["settings"]
    listing = await request.state["store"].list_articles(page=1, per_page=FEED_ENTRIES)
    base = public_base(request)
    entries = [_entry(request, base, article, settings.zone) for article in listing.items]
    newest = max((article.updated for article in listing.items), default=dt.datetime(2000, 1, 1, tzinfo=dt.UTC))
    xml = request.state["templates"].render(
        "feed.xml",
        "en",  # the feed's own words are none: its title is the site's name, its entries their articles'
        base=base,
        entries=entries,
        updated=newest.replace(microsecond=0).isoformat().replace("+00:00", "Z"),
        feed_url=base + path_for(request, "feed"),
        index_url=base + path_for(request, "index"),
    )
    # Over the feed itself: stored times are whole seconds, and two saves within one would share a validator.
    # (Rendering it costs a miss of the answer cache only; a hit is answered before this view runs.) No
    # Last-Modified: no time says when the feed last changed (a deleted article, or one whose new date takes
    # it off the feed, leaves the newest time where it was, or earlier), and a date that did not move would
    # answer a feed reader asking with it 304 for a changed feed.
    etag = '"' + hashlib.blake2b(xml.encode(), digest_size=12).hexdigest() + '"'
    headers = {"cache-control": FEED_CACHE, "etag": etag}
    if etag_matches(request, etag):
        return Response(status_code=304, headers=headers)
    return Response(xml, media_type=MEDIA_TYPE, headers=headers)
