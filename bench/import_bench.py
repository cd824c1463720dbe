#!/usr/bin/env python3
"""CPU time of importing one large article, as `reader import FILE` and the editor's import form do it.

Builds articles of a given size in three forms: a news site's page (Vietnamese, with diacritics: paragraphs
with inline formatting and links in <div>s, headings, lists, quotes, tables, ad slots and related links
between them), dense markup (four elements in every 62 bytes, tests/test_importer.py's DENSE_UNIT: the most
work per byte) and Markdown. For each it times reader.importer.drafts_from_files (reading, parsing,
sanitizing, checking: everything before the database), then the search words the store makes
(reader.search), and the editor's check page on the stored article (its readability report, layout report
and highlighted text, views.editor._reports; the readability report alone beside it). Prints the CPU
seconds; nothing is asserted. With --loop, also the longest pause of the event loop while the import runs
in a worker thread as the editor's form runs it (reader.cpu_work).

Run: python bench/import_bench.py [--sizes 0.1,0.5,1.46] [--kinds news,dense,markdown] [--loop]
     [--profile news:1.46] [--keep DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import os
import pstats
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from reader import cpu_work
from reader.drafts import MAX_BODY_CHARS, body_length
from reader.importer import drafts_from_files
from reader.models import Article, ArticleDraft
from reader.readability import readability_report
from reader.search import search_text
from reader.views import editor as editor_views

_T = TypeVar("_T")

# Sizes in MB (10**6 bytes of the file): the largest is just under what the body limit accepts for this
# markup (MAX_BODY_CHARS characters of stored HTML).
SIZES = (0.1, 0.5, 1.46)

_PARAGRAPHS = (
    'Sau 5 năm thực hiện <a href="https://example.vn/nghi-quyet/10-nq-tu">Nghị quyết số 10-NQ/TU</a> ngày '
    "26/4/2016 của Tỉnh ủy, chất lượng đội ngũ cán bộ, công chức, viên chức của tỉnh đã được <strong>nâng "
    "lên</strong>, có phẩm chất chính trị, đạo đức tốt, lối sống lành mạnh, gắn bó với Nhân dân.",
    "UBND tỉnh chỉ đạo các cơ quan, đơn vị trực thuộc xây dựng kế hoạch thực hiện, đồng thời <em>lồng ghép"
    "</em> các nội dung của Nghị quyết vào các nghị quyết của chi, đảng bộ, kế hoạch công tác năm của cơ "
    "quan, đơn vị. Theo ông Nguyễn Văn Hưởng, Giám đốc Sở Nội vụ, việc tuyển dụng được thực hiện công khai.",
    "Đến thời điểm hiện nay, 100% cơ quan, đơn vị đã xây dựng xong và được phê duyệt danh mục <b>vị trí việc "
    "làm</b>, bản mô tả công việc, khung năng lực của từng vị trí việc làm. Trong đó, thể hiện rõ vị trí, "
    "chức trách, nhiệm vụ và điều kiện, tiêu chuẩn về năng lực, kỹ năng, trình độ đào tạo, bồi dưỡng.",
    "Công tác đào tạo, bồi dưỡng được quan tâm; từ năm 2016 đến nay, toàn tỉnh đã cử 1.245 lượt cán bộ đi "
    'học (xem <a href="https://example.vn/bao-cao?nam=2020&amp;loai=dao-tao">báo cáo năm 2020</a>). Những '
    "kết quả đạt được là <i>tiền đề quan trọng</i> để tiếp tục nâng cao chất lượng đội ngũ trong thời gian tới.",
)
_LIST = (
    "<ul>\n<li>Rà soát, sắp xếp tổ chức bộ máy theo hướng tinh gọn;</li>\n"
    "<li>Thực hiện <strong>tinh giản biên chế</strong> gắn với cơ cấu lại đội ngũ;</li>\n"
    "<li>Đẩy mạnh ứng dụng công nghệ thông tin trong quản lý.</li>\n</ul>"
)
_ORDERED = (
    "<ol>\n<li>Đánh giá thực trạng đội ngũ;</li>\n<li>Xây dựng kế hoạch đào tạo giai đoạn 2021–2025;</li>\n"
    "<li>Kiểm tra, giám sát việc thực hiện.</li>\n</ol>"
)
_QUOTE = (
    "<blockquote><p>“Chất lượng đội ngũ quyết định hiệu quả hoạt động của cả hệ thống chính trị”, đồng chí "
    "Bí thư Tỉnh ủy nhấn mạnh.</p></blockquote>"
)
_TABLE = (
    '<table>\n<caption>Số lượng cán bộ được đào tạo theo năm</caption>\n<thead><tr><th scope="col">Năm</th>'
    '<th scope="col">Thạc sĩ</th><th scope="col">Đại học</th><th scope="col">Lý luận chính trị</th></tr>'
    '</thead>\n<tbody>\n<tr><th scope="row">2016</th><td>12</td><td>85</td><td>140</td></tr>\n'
    '<tr><th scope="row">2018</th><td>19</td><td>102</td><td>163</td></tr>\n'
    '<tr><th scope="row">2020</th><td>24</td><td>96</td><td>171</td></tr>\n</tbody>\n</table>'
)


_SMALL_TABLE = (
    '<table><tr><th scope="row">Tỷ lệ đạt chuẩn</th><td>{n},5&nbsp;%</td><td>tăng so với cùng kỳ</td></tr></table>'
)
# What a news site's page puts between paragraphs, which the import leaves out: an ad slot, related links.
_AD = '<div class="ad-slot"><script>window.ads && ads.push({{slot: {n}}});</script></div>'
_RELATED = '<aside class="related"><a href="/tin-lien-quan/{n}">Tin liên quan: tuyển dụng công chức</a></aside>'


def _section(number: int) -> str:
    """One section of the article: a heading and the blocks under it (about 3.9 KB), as a news site's page
    holds them: each paragraph in a <div>, an ad slot and related links between them, small tables."""
    p = [f'<div class="para"><p>{text}</p></div>' for text in _PARAGRAPHS]
    small, ad, related = (part.format(n=number) for part in (_SMALL_TABLE, _AD, _RELATED))
    return "\n".join(
        (f"<h2>Phần {number}: Kết quả thực hiện Nghị quyết</h2>", p[0], small, p[1], _LIST, ad, p[2],
         "<h3>Đào tạo, bồi dưỡng</h3>", p[3], _TABLE, related, _QUOTE, p[1], small, _ORDERED, p[2])
    )  # fmt: skip


def article_html(megabytes: float) -> str:
    """A whole HTML document (head, navigation, the article, a footer) of about `megabytes` MB."""
    head = (
        '<!doctype html>\n<html lang="vi">\n<head>\n<meta charset="utf-8">\n<title>Bắc Kạn nâng cao '
        'chất lượng đội ngũ cán bộ</title>\n<meta name="description" content="Kết quả 5 năm thực hiện Nghị '
        'quyết số 10-NQ/TU.">\n<meta name="author" content="Hà Thu">\n</head>\n<body>\n<nav><a href="/">'
        "Trang chủ</a></nav>\n<article>\n<h1>Bắc Kạn nâng cao chất lượng đội ngũ cán bộ, công chức, viên chức"
        "</h1>\n"
    )
    tail = "</article>\n<footer><p>© Báo Bắc Kạn</p></footer>\n</body>\n</html>\n"
    target = int(megabytes * 1_000_000)
    parts = [head]
    size = len(head.encode()) + len(tail.encode())
    number = 1
    while True:
        section = _section(number) + "\n"
        if size + len(section.encode()) > target:
            break
        parts.append(section)
        size += len(section.encode())
        number += 1
    return "".join(parts) + tail


def article_markdown(megabytes: float) -> str:
    """The same kind of article in Markdown (front matter, headings, lists, links, emphasis, tables as HTML)."""
    section = (
        "## Phần {n}: Kết quả thực hiện Nghị quyết\n\n"
        "Sau 5 năm thực hiện [Nghị quyết số 10-NQ/TU](https://example.vn/nghi-quyet/10-nq-tu) ngày 26/4/2016 "
        "của Tỉnh ủy, chất lượng đội ngũ cán bộ, công chức, viên chức của tỉnh đã được **nâng lên**, có phẩm "
        "chất chính trị, đạo đức tốt, lối sống lành mạnh, gắn bó với Nhân dân.\n\n"
        "- Rà soát, sắp xếp tổ chức bộ máy theo hướng tinh gọn;\n- Thực hiện *tinh giản biên chế* gắn với cơ "
        "cấu lại đội ngũ;\n- Đẩy mạnh ứng dụng công nghệ thông tin trong quản lý.\n\n"
        "### Đào tạo, bồi dưỡng\n\nĐến thời điểm hiện nay, 100% cơ quan, đơn vị đã xây dựng xong và được phê "
        "duyệt danh mục **vị trí việc làm**, bản mô tả công việc, khung năng lực của từng vị trí việc làm.\n\n"
        "> “Chất lượng đội ngũ quyết định hiệu quả hoạt động của cả hệ thống chính trị”, đồng chí Bí thư "
        "Tỉnh ủy nhấn mạnh.\n\n1. Đánh giá thực trạng đội ngũ;\n2. Xây dựng kế hoạch đào tạo giai đoạn "
        "2021–2025;\n3. Kiểm tra, giám sát việc thực hiện.\n\n"
    )
    head = "---\ntitle: Bắc Kạn nâng cao chất lượng đội ngũ cán bộ\nlang: vi\nauthor: Hà Thu\n---\n\n"
    target = int(megabytes * 1_000_000)
    parts = [head]
    size = len(head.encode())
    number = 1
    while size + len(section.format(n=number).encode()) <= target:
        parts.append(section.format(n=number))
        size += len(parts[-1].encode())
        number += 1
    return "".join(parts)


# tests/test_importer.py's dense markup: four elements in 62 bytes, the most parsing per byte of text.
DENSE_UNIT = '<p class="a"><span>ab</span><em>c</em><a href="/x">d</a></p>\n'


def article_dense(megabytes: float) -> str:
    """A document of dense markup of about `megabytes` MB."""
    head = '<!doctype html><html lang="vi"><head><title>T</title></head><body><article><h1>Tiêu đề</h1>'
    tail = "</article></body></html>"
    units = (int(megabytes * 1_000_000) - len((head + tail).encode())) // len(DENSE_UNIT)
    return head + DENSE_UNIT * units + tail


KINDS: dict[str, tuple[str, Callable[[float], str]]] = {
    "news": ("html", article_html),
    "dense": ("html", article_dense),
    "markdown": ("md", article_markdown),
}


def cpu(function: Callable[[], _T]) -> tuple[float, _T]:
    """The CPU seconds of one call (this process's, every thread's) and its result."""
    start = time.process_time()
    result = function()
    return time.process_time() - start, result


def as_stored(draft: ArticleDraft) -> Article:
    """The article the store would give back for a draft (what the check page reads)."""
    return Article(
        slug=draft.slug, lang=draft.lang, title=draft.title, summary=draft.summary, body_html=draft.body_html,
        body_source=draft.body_source, body_format=draft.body_format, author=draft.author,
        published=draft.published or "2026-12-04T00:00:00+00:00", source_url=draft.source_url, version=1,
        updated_at="2026-12-04T00:00:00+00:00",
    )  # fmt: skip


async def loop_pause(path: Path) -> float:
    """The longest the event loop waited beyond a 1 ms sleep while `path` was imported in a worker thread,
    as the editor's import form does it (reader.cpu_work.off_the_loop): what another reader's request waits."""
    longest = 0.0
    done = False

    async def ticker() -> None:
        nonlocal longest
        while not done:
            start = time.perf_counter()
            await asyncio.sleep(0.001)
            longest = max(longest, time.perf_counter() - start - 0.001)

    task = asyncio.create_task(ticker())
    await cpu_work.off_the_loop(drafts_from_files, [path])
    done = True
    await task
    return longest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)), help="file sizes in MB, comma-separated")
    parser.add_argument("--kinds", default=",".join(KINDS), help="news, dense, markdown (comma-separated)")
    parser.add_argument("--loop", action="store_true", help="also the event loop's longest pause meanwhile")
    parser.add_argument("--profile", help="KIND:MB: also profile that import (cProfile), e.g. dense:1.46")
    parser.add_argument("--keep", type=Path, help="write the generated files to this folder")
    args = parser.parse_args()
    readability_report(lang="vi", text="Khởi động.")  # word lists load once, not in the first figure
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs (CPU seconds grow when it is high)")
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.keep or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        for kind in args.kinds.split(","):
            suffix, make = KINDS[kind]
            for megabytes in (float(size) for size in args.sizes.split(",")):
                path = folder / f"{kind}-{megabytes}mb.{suffix}"
                path.write_text(make(megabytes), encoding="utf-8")
                seconds, (draft,) = cpu(lambda path=path: drafts_from_files([path]))
                words, _ = cpu(lambda d=draft: search_text(d.slug, d.title, d.summary, d.author, d.body_html))
                report, _ = cpu(lambda d=draft: readability_report(lang="vi", html=d.body_html))
                check, _ = cpu(lambda d=draft: editor_views._reports(as_stored(d), "vi"))
                pause = (
                    f", event loop's longest pause {asyncio.run(loop_pause(path)) * 1000:5.0f} ms" if args.loop else ""
                )
                print(
                    f"{kind:8} {path.stat().st_size / 1e6:5.2f} MB (body {body_length(draft.body_html):9,} of"
                    f" {MAX_BODY_CHARS:,} characters): import {seconds:5.2f} s CPU, search words {words:4.2f} s,"
                    f" check page {check:5.2f} s (readability report {report:4.2f} s){pause}",
                    flush=True,
                )
        if args.profile:
            kind, _, size = args.profile.partition(":")
            suffix, make = KINDS[kind]
            path = folder / f"{kind}-{size}mb-profiled.{suffix}"
            path.write_text(make(float(size)), encoding="utf-8")
            profile = cProfile.Profile()
            profile.runcall(drafts_from_files, [path])
            pstats.Stats(profile).sort_stats("cumulative").print_stats(25)
            pstats.Stats(profile).sort_stats("tottime").print_stats(15)


if __name__ == "__main__":
    main()
