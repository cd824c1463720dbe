"""The demo articles bundled with reader, written into a new database as its schema is created."""

from __future__ import annotations

from reader.db import Transaction
from reader.importer import drafts_from_files
from reader.models import SaveResult
from reader.paths import DEMO_DIR
from reader.store import save_drafts


async def seed_demo(tx: Transaction) -> SaveResult:
    """Write every bundled demo article (the seed article included) through `tx`: reader.db.Seed, passed to
    Database.open so that the articles commit with the schema."""
    files = sorted(path for path in DEMO_DIR.iterdir() if path.suffix in {".json", ".md", ".html"})
    return await save_drafts(tx, drafts_from_files(files))
