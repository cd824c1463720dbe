"""Stale search words made again (reader.store's refresh_search): when a node starts, and after every commit
another process or node may have made. A node of the release before schema 13 writes articles without their
words while nodes are upgraded one at a time (docs/deployment.md, "Upgrades"), and the words of a site
stored before it are made by the first node of this release that starts."""

from __future__ import annotations

import asyncio
import logging

from reader.db import Database, DatabaseUnavailable
from reader.store import ArticleStore

logger = logging.getLogger("reader")


async def keep_search_current(store: ArticleStore, db: Database, interval: float) -> None:
    """Make stale words again at once, then whenever the database's change counters have moved, checking
    every `interval` seconds (runs until cancelled). A check finds stale articles through an index of them
    alone: with none (every article written by this release), it reads nothing else."""
    seen: tuple[int, int] | None = None
    failing = False
    while True:
        stamp = (db.generation, db.any_key_version)
        if stamp != seen:
            try:
                made = await store.refresh_all_search()
            except Exception as exc:  # noqa: BLE001 - the database away, say: again after the next interval
                # Once per spell of failures, and not at all for a reason logged already (a refused file).
                quiet = failing or (isinstance(exc, DatabaseUnavailable) and exc.logged)
                logger.log(logging.DEBUG if quiet else logging.WARNING, "making search words failed: %s", exc)
                failing = True
            else:
                seen, failing = stamp, False
                if made:
                    logger.info("%s: made the search words of %d article%s", db.target, made, "" if made == 1 else "s")
        await asyncio.sleep(interval)
