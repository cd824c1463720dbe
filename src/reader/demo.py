"""The demo articles bundled with reader, written into a new database as its schema is created."""

from __future__ import annotations

import functools

from reader.db import Transaction
from reader.importer import drafts_from_files
from reader.models import ArticleDraft, SaveResult
from reader.paths import DEMO_DIR
from reader.store import drafts_words, save_drafts


async def seed_demo(tx: Transaction) -> SaveResult:
    """Write every bundled demo article (the seed article included) through `tx`: reader.db.Seed, passed to
    Database.open so that the articles commit with the schema. Saved by no one (""): no editor or token wrote
    them, and their history says so as it does for versions from before reader recorded who saved them."""
    drafts = list(demo_drafts())
    return await save_drafts(tx, drafts, await drafts_words(drafts), by="")


@functools.cache
def demo_drafts() -> tuple[ArticleDraft, ...]:
    """The demo articles, read and validated once per process (they ship with reader and do not change): a
    database made again in the same process (the tests make one per test) does not parse and sanitize them
    again."""
    files = sorted(path for path in DEMO_DIR.iterdir() if path.suffix in {".json", ".md", ".html"})
    return tuple(drafts_from_files(files))
