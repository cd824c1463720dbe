"""A free address for an article whose address was made from its title (the editor's form left empty, an
imported file that gives none): one that leads nowhere yet. Such an address never takes another article's
old address (its links and embeds would lead to the new article instead), an article's, nor a deleted
article's (whose history is kept there to be restored). An address someone typed or wrote in a file may
name those on purpose; this is for the ones nobody chose."""

from __future__ import annotations

from collections.abc import Collection

from reader.slugs import MAX_SLUG_LENGTH
from reader.store import ArticleStore


async def free_address(store: ArticleStore, slug: str, *, also_taken: Collection[str] = ()) -> str:
    """`slug`, or the first of slug-2, slug-3… that is free: no article's address (a draft's too) nor old
    address (store.get_redirect), nor a deleted article's, nor one of `also_taken` (the other addresses of
    an import that is not written yet)."""
    candidate, number = slug, 1
    while candidate in also_taken or await held(store, candidate):
        number += 1
        suffix = f"-{number}"
        candidate = slug[: MAX_SLUG_LENGTH - len(suffix)].rstrip("-") + suffix
    return candidate


async def held(store: ArticleStore, slug: str) -> bool:
    """Whether `slug` leads anywhere, or is kept for a deleted article: an article's address or old address,
    a deleted article's."""
    return (
        await store.get_redirect(slug, drafts=True) is not None
        or await store.get_article(slug, drafts=True) is not None
        or await store.get_deleted(slug) is not None
    )
