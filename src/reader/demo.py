"""The demo articles bundled with reader, imported into a new database on first start."""

from __future__ import annotations

from reader.importer import import_files
from reader.models import SaveResult
from reader.paths import DEMO_DIR
from reader.store import ArticleStore


async def seed_demo(store: ArticleStore) -> SaveResult:
    """Import every bundled demo article (the seed article included) in one transaction."""
    files = sorted(path for path in DEMO_DIR.iterdir() if path.suffix in {".json", ".md", ".html"})
    return await import_files(store, files)
