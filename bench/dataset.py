"""Benchmark data sets: SQLite databases of generated articles, built once and cached.

Article bodies are assembled from a pool of blocks (paragraphs, lists, quotes, subheadings) made of the
demo articles' sentences, Vietnamese and English, each block sanitized once by reader's own
``sanitize_html``. A body of sanitized top-level blocks is what reader itself would store (``build``
checks that on a sample through ``draft_from_fields``), so 100,000 bodies need no 100,000 sanitizer runs.
Rows go in through reader's own ``Database`` (migrations) and ``SqlArticleStore.save_articles``, so
``version``, ``created_at`` and ``updated_at`` are what an import writes.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import random
import re
import time
from collections.abc import Iterator
from pathlib import Path

from reader.db import database_for
from reader.demo import seed_demo
from reader.drafts import draft_from_fields
from reader.importer import drafts_from_files
from reader.models import ArticleDraft, SafeHtml
from reader.paths import DEMO_DIR
from reader.sanitize import sanitize_html
from reader.slugs import slugify
from reader.store import SqlArticleStore

GENERATOR_VERSION = 1  # bump when generated articles change: cached files are named after it
SMALL = 10  # articles in the small set, the one most figures are measured on
LARGE = 100_000  # articles in the large set; article i is the same in every set
LANGS = ("vi", "vi", "vi", "en", "en")  # three in five articles Vietnamese
BATCH = 5_000
_SENTENCE = re.compile(r"(?<=[.!?])\s+")
_TAGS = re.compile(r"<[^>]+>")
_BLOCK_TEXT = re.compile(r"<(p|li|blockquote)\b[^>]*>(.*?)</\1>", re.DOTALL)
AUTHORS = ("Thanh Thuyên", "Mai Anh Nguyen", "Daniel Okafor", "Nguyễn Văn Hùng", "Trần Thị Lan", "Sarah Miller")


def generated_count(total: int) -> int:
    """Generated articles in a set of ``total`` (the 3 demo articles are the rest)."""
    return total - demo_count()


def demo_count() -> int:
    return len([p for p in DEMO_DIR.iterdir() if p.suffix in {".json", ".md", ".html"}])


def middle_index(total: int) -> int:
    """The generated article in the middle of a set of ``total`` (by index and by publication date)."""
    return generated_count(total) // 2


def _demo_sentences() -> dict[str, list[str]]:
    sentences: dict[str, list[str]] = {"vi": [], "en": []}
    for draft in drafts_from_files(sorted(p for p in DEMO_DIR.iterdir() if p.suffix in {".json", ".md", ".html"})):
        lang = draft.lang.split("-")[0]
        for match in _BLOCK_TEXT.finditer(draft.body_html):
            text = " ".join(_TAGS.sub("", match.group(2)).split())
            sentences[lang].extend(s for s in _SENTENCE.split(text) if len(s) > 20 and "http" not in s)
    return sentences


class Generator:
    """Deterministic article ``i`` of any set: the same slug, title and body in the 10 and 100,000 sets."""

    def __init__(self, pool_size: int = 600) -> None:
        self.sentences = _demo_sentences()
        self.blocks = {lang: self._pool(lang, pool_size) for lang in self.sentences}
        self.headings = {lang: self._pool(lang, pool_size // 6, heading=True) for lang in self.sentences}

    def _pool(self, lang: str, size: int, heading: bool = False) -> list[str]:
        rng = random.Random(f"{lang}-{heading}")
        raw: list[str] = []
        for n in range(size):
            if heading:
                words = rng.choice(self.sentences[lang]).split()[: rng.randint(3, 7)]
                raw.append(f"<h{2 + n % 2}>{' '.join(words).rstrip(',.;:')}</h{2 + n % 2}>")
                continue
            pick = rng.random()
            if pick < 0.15:
                tag = "ol" if rng.random() < 0.3 else "ul"
                items = "".join(f"<li>{s}</li>" for s in rng.sample(self.sentences[lang], rng.randint(3, 5)))
                raw.append(f"<{tag}>{items}</{tag}>")
            elif pick < 0.2:
                raw.append(f"<blockquote><p>{' '.join(rng.sample(self.sentences[lang], 2))}</p></blockquote>")
            else:
                chosen = rng.sample(self.sentences[lang], rng.randint(2, 5))
                if rng.random() < 0.3:
                    words_in = chosen[0].split()
                    at = rng.randrange(len(words_in))
                    words_in[at] = f"<strong>{words_in[at]}</strong>"
                    chosen[0] = " ".join(words_in)
                if rng.random() < 0.15:
                    chosen.append(f'<a href="https://example.org/{lang}/{n}">{chosen.pop().rstrip(".")}</a>.')
                raw.append(f"<p>{' '.join(chosen)}</p>")
        # reader's own sanitizer, once per block: the stored markup is exactly what an import stores.
        return [sanitize_html(block, lang=lang) for block in raw]

    def fields(self, i: int) -> dict[str, object]:
        """The import fields of generated article ``i`` (0 is the oldest)."""
        rng = random.Random(i)
        lang = LANGS[i % len(LANGS)]
        size = rng.randint(2_500, 6_500)
        parts: list[str] = []
        length = 0
        since_heading = 0
        while length < size:
            if since_heading >= 3 and rng.random() < 0.4:
                parts.append(rng.choice(self.headings[lang]))
                since_heading = 0
            else:
                parts.append(rng.choice(self.blocks[lang]))
                since_heading += 1
            length += len(parts[-1].encode()) + 1
        body = "\n".join(parts)
        title_words = " ".join(rng.choice(self.sentences[lang]).split()[: rng.randint(6, 12)]).rstrip(",.;:")
        title = f"{title_words} ({i + 1})"
        # Ten years of publication dates, evenly spread, oldest first.
        span = dt.timedelta(days=3650) / generated_count(LARGE)
        published = dt.datetime(2016, 1, 1, 6, tzinfo=dt.timezone(dt.timedelta(hours=7))) + span * i
        return {
            "slug": f"{slugify(title_words, 60)}-{i + 1}",
            "lang": lang,
            "title": title,
            "summary": _TAGS.sub("", rng.choice(self.sentences[lang])),
            "body_html": body,
            "author": rng.choice(AUTHORS),
            "published": published.replace(second=0, microsecond=0).isoformat(),
            "source_url": f"https://example.org/news/{i + 1}" if rng.random() < 0.5 else None,
        }

    def draft(self, i: int) -> ArticleDraft:
        """Article ``i`` as a draft, its body used as built (already sanitized block by block)."""
        f = self.fields(i)
        body = str(f["body_html"])
        return ArticleDraft(
            slug=str(f["slug"]),
            lang=str(f["lang"]),
            title=str(f["title"]),
            summary=str(f["summary"]),
            body_html=SafeHtml(body),
            body_source=body,
            body_format="html",
            author=str(f["author"]),
            published=str(f["published"]),
            source_url=f["source_url"] if isinstance(f["source_url"], str) else None,
        )


def indices(total: int) -> list[int]:
    """Which generated articles a set holds: all of them, or for a small set the first few and the middle
    one of the 100,000 set (so that the same article can be compared across sets)."""
    count = generated_count(total)
    if total >= 1000:
        return list(range(count))
    return [*range(count - 1), middle_index(LARGE)]


def _batches(items: list[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


async def _build(path: Path, total: int, generator: Generator) -> None:
    db = database_for(path, read_connections=1)
    # reader's own migrations create the schema, with the demo articles (the seed article among them)
    await db.open(seed=seed_demo)
    try:
        store = SqlArticleStore(db)
        wanted = indices(total)
        # The generated markup is what reader's own validation and sanitizer would store: check a sample.
        for i in wanted[:5] + wanted[-1:]:
            draft = generator.draft(i)
            imported = draft_from_fields({k: v for k, v in generator.fields(i).items() if v is not None})
            if imported != draft:
                raise RuntimeError(f"generated article {i} differs from what reader's import makes of it")
        for batch in _batches(wanted, BATCH):
            await store.save_articles([generator.draft(i) for i in batch])
    finally:
        await db.close()


def ensure(cache: Path, total: int, log: bool = True) -> Path:
    """The cached database of ``total`` articles, built when missing."""
    path = cache / f"articles-{total}-v{GENERATOR_VERSION}.sqlite"
    if path.exists():
        return path
    cache.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    for leftover in cache.glob(partial.name + "*"):
        leftover.unlink()
    start = time.perf_counter()
    if log:
        print(f"building {path} ({total:,} articles)…", flush=True)
    asyncio.run(_build(partial, total, Generator()))
    partial.rename(path)
    if log:
        size = path.stat().st_size / 2**20
        print(f"built {path.name}: {size:,.0f} MiB in {time.perf_counter() - start:.1f} s", flush=True)
    return path
