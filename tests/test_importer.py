from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import time
import unicodedata
from pathlib import Path

import pytest
from bs4 import Tag

from reader import charsets, importer
from reader.cli import main
from reader.db import Database
from reader.drafts import MAX_BODY_CHARS
from reader.importer import ImportFailure, drafts_from_files
from reader.models import BY_CLI_IMPORT, DRAFT
from reader.store import SqlArticleStore
from tests.conftest import CountedCalls
from tests.serverproc import new_site, reader_command
from tests.test_sanitize import TRICKY_BODY, TRICKY_STORED

JSON_ARTICLE = {
    "lang": "vi",
    "title": "Bắc Kạn nâng cao chất lượng",
    "summary": "Tóm tắt.",
    "body_html": "<p>Đoạn một.</p><p>Đoạn hai.</p>",
    "author": "Thanh Thuyên",
    "published": "2021-03-31",
}

MARKDOWN = """---
lang: en
author: Jo Writer
published: 2026-01-02
summary: A lead.
---

# Reading at 200 %

Some *text* with a [link](https://example.org).

| a | b |
|---|---|
| 1 | 2 |
"""

HTML = """<!doctype html><html lang="en"><head><title>Ignored title</title>
<meta name="author" content="Ann Author"><meta name="description" content="The lead.">
<meta property="article:published_time" content="2026-05-06T07:08:09+00:00"></head>
<body><nav>Menu</nav><article><header><h1>From the heading</h1></header><p>Body text.</p>
<script>alert(1)</script><footer>Share this</footer></article></body></html>"""


def write(path: Path, content: str | bytes) -> Path:
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def rows(db: Path) -> list[tuple[object, ...]]:
    if not db.exists():
        return []
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT slug, title, version, body_html FROM articles ORDER BY slug").fetchall()


def test_each_format_is_read(tmp_path: Path) -> None:
    files = [
        write(tmp_path / "a.json", json.dumps(JSON_ARTICLE, ensure_ascii=False)),
        write(tmp_path / "b.md", MARKDOWN),
        write(tmp_path / "c.html", HTML),
    ]
    vi, md, html = drafts_from_files(files)
    assert vi.slug == "bac-kan-nang-cao-chat-luong" and vi.author == "Thanh Thuyên" and vi.published == "2021-03-31"
    assert md.title == "Reading at 200 %" and md.lang == "en" and md.published == "2026-01-02"
    assert "<h1>" not in md.body_html and "<em>text</em>" in md.body_html and 'class="reader-table"' in md.body_html
    assert html.title == "From the heading" and html.author == "Ann Author" and html.summary == "The lead."
    assert html.published == "2026-05-06T07:08:09+00:00"
    assert html.body_html == "<p>Body text.</p>"


def test_json_list(tmp_path: Path) -> None:
    second = {**JSON_ARTICLE, "title": "Another", "lang": "en"}
    drafts = drafts_from_files([write(tmp_path / "l.json", json.dumps([JSON_ARTICLE, second]))])
    assert [d.slug for d in drafts] == ["bac-kan-nang-cao-chat-luong", "another"]


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("bad.json", '{"title": "x",', "bad.json: invalid JSON at line 1"),
        ("bad.json", b'{"title": "\xff"}', "bad.json: not valid UTF-8 (byte 0xff"),
        ("bad.json", json.dumps({**JSON_ARTICLE, "title": None}), "bad.json: title: is required"),
        (
            "bad.json",
            json.dumps({**JSON_ARTICLE, "title": 42}),
            "bad.json: title: must be text, not a number",
        ),
        (
            "bad.json",
            json.dumps({**JSON_ARTICLE, "published": "31/03/2021"}),
            "bad.json: published: '31/03/2021'",
        ),
        (
            "bad.json",
            json.dumps([JSON_ARTICLE, {**JSON_ARTICLE, "title": ""}]),
            "bad.json: article 2: title:",
        ),
        (
            "bad.json",
            json.dumps({k: v for k, v in JSON_ARTICLE.items() if k != "lang"}),
            "bad.json: lang: is required",
        ),
        ("bad.md", "---\ntitle: [unclosed\n---\nbody", "bad.md: front matter: invalid YAML"),
        ("bad.md", "---\nlang: en\n---\nNo heading here.", "bad.md: title: is required"),
        ("bad.html", "<html><body><p>No title</p></body></html>", "bad.html: title: is required"),
        ("bad.docx", "hello", "bad.docx: unsupported file type (use .htm, .html, .json, .markdown, .md, .txt)"),
    ],
)
def test_malformed_files_name_file_and_field(tmp_path: Path, name: str, content: str | bytes, expected: str) -> None:
    with pytest.raises(ImportFailure) as info:
        drafts_from_files([write(tmp_path / name, content)])
    assert expected in str(info.value)


@pytest.mark.parametrize(
    ("front_matter", "status"),
    [("draft: true", "draft"), ("draft: false", "published"), ("status: draft", "draft"), ("", None)],
)
def test_front_matter_says_draft_as_jekyll_and_hugo_do(tmp_path: Path, front_matter: str, status: str | None) -> None:
    # Without either, the store publishes a new article and keeps a stored one's state.
    (draft,) = drafts_from_files([write(tmp_path / "a.md", MARKDOWN.replace("lang: en", f"lang: en\n{front_matter}"))])
    assert draft.status == status and draft.title == "Reading at 200 %"


def test_a_json_file_says_draft_as_the_api_does_or_as_hugo_does(tmp_path: Path) -> None:
    items = [{**JSON_ARTICLE, "slug": "a", "status": "draft"}, {**JSON_ARTICLE, "slug": "b", "draft": True}]
    assert [d.status for d in drafts_from_files([write(tmp_path / "a.json", json.dumps(items))])] == ["draft", "draft"]


def test_html_that_html_parser_refuses_is_an_import_failure_that_says_where(tmp_path: Path) -> None:
    # html.parser raises AssertionError on a marked section of a kind it does not know ("<![foo["): bs4's
    # ParserRejectedMarkup, which `reader import` printed as a traceback and the editor's import page as a 500.
    html = '<html lang="vi"><body><h1>Tiêu đề</h1>\n<p>Chữ<![foo[ x ]]> tiếp.</p></body></html>'
    with pytest.raises(ImportFailure) as info:
        drafts_from_files([write(tmp_path / "a.html", html)])
    assert str(info.value).replace(f"{tmp_path}/", "") == (
        "a.html: invalid HTML at line 2, column 7: unknown status keyword 'foo' in marked section"
    )
    assert info.value.localized("vi").replace(f"{tmp_path}/", "") == "a.html: HTML không hợp lệ ở dòng 2, cột 7"


def test_words_list_paragraphs_nested_in_an_item_import(tmp_path: Path) -> None:
    # A run of Word's list paragraphs that html.parser nests in an item left open, its markers all the text
    # after the item's own: made a list first, it left that item's marker without text after it, and the
    # import stopped with an AssertionError.
    html = (
        '<html lang="vi"><head><title>Danh sách</title></head><body>'
        "<p>• Một.</p><p>•<p><s style=mso-list:Ignore>1.<a></p><p><n style=mso-list:Ignore>2.<t>"
    )
    (draft,) = drafts_from_files([write(tmp_path / "a.html", html)])
    assert draft.body_html == "<ul><li>Một.</li><li><ol><li></li><li></li></ol></li></ul>"


@pytest.mark.parametrize(
    ("front_matter", "expected", "vi"),
    [
        ("draft: maybe", "a.md: draft: must be true or false", "a.md: draft: phải là true hoặc false"),
        (
            "draft: true\nstatus: published",
            "a.md: draft: give either draft or status, not both",
            "a.md: draft: chỉ dùng draft hoặc status, không dùng cả hai",
        ),
        (
            "status: later",
            "a.md: status: 'later' is not a state: write draft or published",
            "a.md: status: “later” không phải là trạng thái: hãy viết draft hoặc published",
        ),
    ],
)
def test_a_state_that_cannot_be_read_stops_the_import(
    tmp_path: Path, front_matter: str, expected: str, vi: str
) -> None:
    with pytest.raises(ImportFailure) as info:
        drafts_from_files([write(tmp_path / "a.md", MARKDOWN.replace("lang: en", f"lang: en\n{front_matter}"))])
    assert str(info.value).replace(f"{tmp_path}/", "") == expected
    assert info.value.localized("vi").replace(f"{tmp_path}/", "") == vi


def test_an_import_publishes_new_articles_keeps_drafts_drafts_and_makes_drafts_when_told(tmp_path: Path) -> None:
    db = new_site(tmp_path / "drafts.db")
    first = [
        write(tmp_path / "held.md", MARKDOWN.replace("lang: en", "lang: en\ndraft: true")),
        write(tmp_path / "out.json", json.dumps(JSON_ARTICLE)),
    ]
    assert main(["import", "--db", str(db), *map(str, first)]) == 0
    # Imported again, changed, without saying: each keeps its state.
    again = [
        write(tmp_path / "held.md", MARKDOWN.replace("Some *text*", "Changed *text*")),
        write(
            tmp_path / "out.json",
            json.dumps({**JSON_ARTICLE, "title": "Bắc Kạn nâng cao chất lượng", "summary": "Mới."}),
        ),
    ]
    assert main(["import", "--db", str(db), *map(str, again)]) == 0
    with sqlite3.connect(db) as conn:
        stored = dict(
            conn.execute(
                "SELECT slug, status FROM articles WHERE slug IN ('reading-at-200', 'bac-kan-nang-cao-chat-luong')"
            ).fetchall()
        )
        versions = dict(conn.execute("SELECT slug, version FROM articles").fetchall())
    conn.close()
    assert stored == {"reading-at-200": "draft", "bac-kan-nang-cao-chat-luong": "published"}
    assert versions["reading-at-200"] == 2 and versions["bac-kan-nang-cao-chat-luong"] == 2
    published = write(tmp_path / "held.md", MARKDOWN.replace("lang: en", "lang: en\ndraft: false"))
    assert main(["import", "--db", str(db), str(published)]) == 0
    with sqlite3.connect(db) as conn:
        (status,) = conn.execute("SELECT status FROM articles WHERE slug = 'reading-at-200'").fetchone()
    conn.close()
    assert status == "published"


def test_duplicate_slugs_across_files_are_refused(tmp_path: Path) -> None:
    a = write(tmp_path / "a.json", json.dumps(JSON_ARTICLE))
    b = write(tmp_path / "b.json", json.dumps(JSON_ARTICLE))
    with pytest.raises(ImportFailure, match="slug: 'bac-kan-nang-cao-chat-luong' is also the slug of"):
        drafts_from_files([a, b])


def test_cli_imports_and_reimports_in_place(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = new_site(tmp_path / "cli.db")
    files = [
        write(tmp_path / "a.json", json.dumps(JSON_ARTICLE)),
        write(tmp_path / "b.md", MARKDOWN),
        write(tmp_path / "c.html", HTML),
    ]
    assert main(["import", "--db", str(db), *map(str, files)]) == 0
    assert "3 new, 0 updated, 0 unchanged" in capsys.readouterr().out
    write(files[0], json.dumps({**JSON_ARTICLE, "summary": "Changed."}))
    assert main(["import", "--db", str(db), *map(str, files)]) == 0
    assert "0 new, 1 updated, 2 unchanged" in capsys.readouterr().out
    versions = {slug: version for slug, _, version, _ in rows(db)}
    assert versions == {"bac-kan-nang-cao-chat-luong": 2, "reading-at-200": 1, "from-the-heading": 1}
    # Every version saved by the command line (the editor's history names it), the one replaced too.
    with sqlite3.connect(db) as conn:
        saved = conn.execute(
            "SELECT saved_by, saved_by_version = version FROM articles UNION SELECT saved_by, 1 FROM article_revisions"
        ).fetchall()
    conn.close()
    assert saved == [(BY_CLI_IMPORT, 1)]


def test_cli_malformed_file_writes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = new_site(tmp_path / "cli.db")
    good = write(tmp_path / "good.json", json.dumps(JSON_ARTICLE))
    assert main(["import", "--db", str(db), str(good)]) == 0
    before = rows(db)
    changed = write(tmp_path / "changed.md", MARKDOWN)
    bad = write(tmp_path / "broken.json", json.dumps({**JSON_ARTICLE, "title": "New", "published": "yesterday"}))
    write(good, json.dumps({**JSON_ARTICLE, "summary": "Would be an update."}))
    assert main(["import", "--db", str(db), str(good), str(changed), str(bad)]) == 1
    err = capsys.readouterr().err
    assert "broken.json: published: 'yesterday' is not a date such as 2021-03-31" in err
    assert "nothing was written" in err
    assert rows(db) == before


def test_console_script_exit_status(tmp_path: Path) -> None:
    bad = write(tmp_path / "bad.json", "[")
    result = subprocess.run(
        reader_command("import", "--db", str(new_site(tmp_path / "x.db")), str(bad)),
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert "bad.json: invalid JSON" in result.stderr


@pytest.mark.parametrize(
    ("name", "content", "vi"),
    [
        # Python's own words ("Expecting ',' delimiter") stay out of the editor's page: where is enough.
        (
            "bad_truncated.json",
            '{"lang": "vi", "title": "Bắc Kạn", "body"',
            "bad_truncated.json: JSON không hợp lệ ở dòng 1, cột 42",
        ),
        ("bad.json", b'{"title": "\xff"}', "bad.json: không phải văn bản UTF-8 hợp lệ (byte 0xff ở vị trí 11)"),
        (
            "bad.docx",
            "hello",
            "bad.docx: không nhập được loại tệp này (hãy dùng .htm, .html, .json, .markdown, .md, .txt)",
        ),
        ("bad.md", "---\ntitle: [unclosed\n---\nbody", "bad.md: phần đầu (front matter): YAML không hợp lệ (dòng 3)"),
        (
            "bad.json",
            json.dumps([JSON_ARTICLE, {**JSON_ARTICLE, "title": "", "published": "31/03/2021"}]),
            "bad.json: bài 2: title: không được để trống; "
            "published: “31/03/2021” không phải là ngày (ví dụ 2021-03-31) hay ngày giờ "
            "(ví dụ 2021-03-31T08:00:00+07:00)",
        ),
    ],
)
def test_import_failures_speak_the_editors_language(tmp_path: Path, name: str, content: str | bytes, vi: str) -> None:
    with pytest.raises(ImportFailure) as info:
        drafts_from_files([write(tmp_path / name, content)])
    assert info.value.localized("vi").replace(f"{tmp_path}/", "") == vi


def test_times_without_an_offset_are_imported_in_the_sites_zone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Jekyll's and Hugo's front matter and many CMS exports write a time without its offset; it is stored
    # with the offset of READER_TIME_ZONE, so the API (RFC 3339 only) can send it and take it back.
    monkeypatch.setenv("READER_TIME_ZONE", "Asia/Ho_Chi_Minh")
    db = new_site(tmp_path / "zoned.db")
    files = [
        write(tmp_path / "a.md", MARKDOWN.replace("published: 2026-01-02", "published: 2026-01-02 08:30:00")),
        write(tmp_path / "b.json", json.dumps({**JSON_ARTICLE, "published": "2021-03-31 08:00"})),
        write(tmp_path / "c.html", HTML.replace("2026-05-06T07:08:09+00:00", "2026-05-06T07:08")),
    ]
    assert main(["import", "--db", str(db), *map(str, files)]) == 0
    with sqlite3.connect(db) as conn:
        stored = dict(conn.execute("SELECT slug, published FROM articles").fetchall())
    assert stored == {
        "reading-at-200": "2026-01-02T08:30:00+07:00",
        "bac-kan-nang-cao-chat-luong": "2021-03-31T08:00:00+07:00",
        "from-the-heading": "2026-05-06T07:08:00+07:00",
    }


# ---------------------------------------------------------------- bodies over the limit, refused first

DENSE_UNIT = '<p class="a"><span>ab</span><em>c</em><a href="/x">d</a></p>\n'


def dense_html(units: int) -> str:
    head = '<!doctype html><html lang="vi"><head><title>T</title></head>'
    return f"{head}<body><article><h1>Tiêu đề</h1>{DENSE_UNIT * units}</article></body></html>"


def test_an_html_body_over_the_limit_is_refused_before_the_file_is_parsed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A few megabytes of dense markup took 10 s of parsing before the body's length was known (the same
    body through the API is refused at once). Its tokens tell it is over without a tree."""
    big = write(tmp_path / "big.html", dense_html(MAX_BODY_CHARS // len(DENSE_UNIT) + 2000))

    def no_parsing(markup: str) -> None:
        raise AssertionError("parsed")

    monkeypatch.setattr(importer, "parse_html", no_parsing)
    with pytest.raises(ImportFailure) as info:
        drafts_from_files([big])
    assert str(info.value) == f"{big}: body_html: is longer than 2000000 characters"
    assert info.value.localized("vi") == f"{big}: body_html: dài quá 2000000 ký tự"


def test_a_body_just_under_the_limit_is_still_imported(tmp_path: Path) -> None:
    markdown = write(tmp_path / "long.md", "---\nlang: vi\ntitle: Dài\n---\n" + "x" * MAX_BODY_CHARS + "\n")
    (draft,) = drafts_from_files([markdown])
    assert len(draft.body_source) == MAX_BODY_CHARS


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("big.md", "---\nlang: vi\ntitle: T\n---\n" + "y" * (MAX_BODY_CHARS + 1), "big.md: body_markdown: is longer"),
        (
            "big.json",
            json.dumps([JSON_ARTICLE, {**JSON_ARTICLE, "slug": "b", "body_html": "<p>z</p>" * 300_000}]),
            "big.json: article 2: body_html: is longer than 2000000 characters",
        ),
        ("big.html", dense_html(MAX_BODY_CHARS // len(DENSE_UNIT) + 2000), "big.html: body_html: is longer"),
    ],
)
def test_a_body_over_the_limit_in_the_last_file_is_refused_before_work_on_the_others(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, content: str, expected: str
) -> None:
    """Every file's bodies are measured before any article is validated (rendered, sanitized)."""
    files = [
        write(tmp_path / "a.md", MARKDOWN),
        write(tmp_path / "b.html", HTML),
        write(tmp_path / "c.json", json.dumps(JSON_ARTICLE)),
        write(tmp_path / name, content),
    ]
    validated: list[object] = []
    monkeypatch.setattr(importer, "draft_from_fields", lambda *args: validated.append(args))
    with pytest.raises(ImportFailure, match=re.escape(expected)):
        drafts_from_files(files)
    assert validated == []


def test_a_long_run_of_spaces_after_a_heading_costs_no_time(tmp_path: Path) -> None:
    """The heading's pattern tried every split of the spaces before its closing #s: 30,000 of them took
    seconds, 300,000 minutes."""
    start = time.process_time()
    (draft,) = drafts_from_files(
        [write(tmp_path / "a.md", "---\nlang: en\n---\n# Title" + " " * 30_000 + "x #\n\nBody.\n")]
    )
    assert time.process_time() - start < 1
    assert draft.title == "Title x"


# ---------------------------------------------------------------- encodings

# "Tiếng Việt" as Windows writes it in windows-1258: the letters with a circumflex, breve or horn are one byte
# each (ê is 0xEA), the tone is a combining mark of its own (acute 0xEC, dot below 0xF2).
TIENG_VIET_1258 = b"Ti\xea\xecng Vi\xea\xf2t"


def html_bytes(head: bytes, title: bytes, body: bytes = b"<p>x</p>") -> bytes:
    return b'<html lang="vi"><head>' + head + b"<title>" + title + b"</title></head><body>" + body + b"</body></html>"


@pytest.mark.parametrize(
    "declaration",
    [
        b'<meta charset="windows-1258">',
        b"<meta charset=cp1258>",
        b'<META HTTP-EQUIV="Content-Type" CONTENT="text/html; charset=windows-1258">',
        b"<meta content='text/html;charset=\"x-cp1258\"' http-equiv=content-type>",
    ],
)
def test_an_html_file_in_windows_1258_is_read_as_a_browser_reads_it(tmp_path: Path, declaration: bytes) -> None:
    """Old Vietnamese sites' encoding: the declaration is found and the letters come out whole (NFC)."""
    content = html_bytes(declaration, TIENG_VIET_1258, b"<p>" + TIENG_VIET_1258 + b" \xf0\xe3 \xf0\xfd</p>")
    (draft,) = drafts_from_files([write(tmp_path / "cu.html", content)])
    assert draft.title == "Tiếng Việt" and unicodedata.is_normalized("NFC", draft.title)
    assert draft.body_source == "<p>Tiếng Việt đă đư</p>" and draft.slug == "tieng-viet"


@pytest.mark.parametrize(
    ("declaration", "title"),
    [
        # WHATWG: iso-8859-1 and ascii mean windows-1252, where 0x80 is the euro sign.
        (b'<meta charset="iso-8859-1">', "Café €"),
        (b'<meta charset="ASCII">', "Café €"),
        (b'<meta http-equiv="content-type" content="text/html; charset=windows-1252">', "Café €"),
        (b'<meta charset="koi8-r">', "CafИ ─"),
    ],
)
def test_other_legacy_encodings_by_their_whatwg_labels(tmp_path: Path, declaration: bytes, title: str) -> None:
    (draft,) = drafts_from_files([write(tmp_path / "old.html", html_bytes(declaration, b"Caf\xe9 \x80"))])
    assert draft.title == title


@pytest.mark.parametrize(
    "before",
    [
        # WHATWG's prescan ends a comment at the first "-->", whose dashes may be those of "<!--".
        b"<!-->",
        b"<!--->",
        b"<!-- a comment -->",
        # A <meta> inside another tag's attribute value is no declaration; the one after the tag is.
        b'<a title="<meta charset=koi8-r>">',
        b"<a title='<meta charset=koi8-r>'>",
        b'<div data-x="a>b <meta charset=koi8-r>">',
    ],
)
def test_the_declaration_is_found_as_a_browser_s_prescan_finds_it(tmp_path: Path, before: bytes) -> None:
    content = html_bytes(before + b"<meta charset=windows-1258>", TIENG_VIET_1258)
    (draft,) = drafts_from_files([write(tmp_path / "cu.html", content)])
    assert draft.title == "Tiếng Việt"


def test_the_prescan_reads_tags_and_comments_as_a_browser_does() -> None:
    assert charsets.declared_labels(b"<!-- <meta charset=koi8-r> --><meta charset=UTF-8>") == ["utf-8"]
    assert charsets.declared_labels(b'<a title="<meta charset=koi8-r>"><meta charset=utf-8>') == ["utf-8"]
    # A charset attribute counts; a content one only beside http-equiv="Content-Type"; the first of a name.
    assert charsets.declared_labels(b'<meta content="text/html; charset=koi8-r">') == []
    assert charsets.declared_labels(b'<meta content="charset=koi8-r" http-equiv=Content-Type>') == ["koi8-r"]
    assert charsets.declared_labels(b"<meta charset=koi8-r charset=utf-8>") == ["koi8-r"]
    # The bytes end inside a quoted value: no declaration there.
    assert charsets.declared_labels(b'<p title="<meta charset=koi8-r>') == []


def test_a_byte_order_mark_wins_and_utf_8_wins_over_a_declaration(tmp_path: Path) -> None:
    utf16 = "<html lang='vi'><meta charset='windows-1252'><title>Tiếng Việt</title><p>x</p>".encode("utf-16")
    assert drafts_from_files([write(tmp_path / "a.html", utf16)])[0].title == "Tiếng Việt"
    # Valid UTF-8 is UTF-8 whatever it declares (a page re-saved without its declaration changed).
    utf8 = html_bytes(b'<meta charset="windows-1258">', "Tiếng Việt".encode())
    assert drafts_from_files([write(tmp_path / "b.html", utf8)])[0].title == "Tiếng Việt"


@pytest.mark.parametrize(
    ("name", "content", "expected", "vi"),
    [
        (
            "none.html",
            html_bytes(b"", b"Caf\xe9"),
            "none.html: not valid UTF-8 (byte 0xe9 at offset 32), and no <meta charset> in its first 1024 bytes "
            "names another encoding",
            "none.html: không phải văn bản UTF-8 hợp lệ (byte 0xe9 ở vị trí 32), và không có <meta charset> nào "
            "trong 1024 byte đầu khai báo bảng mã khác",
        ),
        (
            # Declared too far in: a browser has begun decoding by then.
            "late.html",
            html_bytes(b"<!--" + b"x" * 1024 + b'--><meta charset="windows-1258">', TIENG_VIET_1258),
            "late.html: not valid UTF-8 (byte 0xea",
            "late.html: không phải văn bản UTF-8 hợp lệ (byte 0xea",
        ),
        (
            "marked.html",
            b"\xef\xbb\xbf" + html_bytes(b'<meta charset="windows-1258">', TIENG_VIET_1258),
            "marked.html: not valid UTF-8 (byte 0xea at offset 63)",
            "marked.html: không phải văn bản UTF-8 hợp lệ (byte 0xea ở vị trí 63)",
        ),
        (
            "klingon.html",
            html_bytes(b'<meta charset="x-klingon">', b"Caf\xe9"),
            "klingon.html: declares the encoding 'x-klingon', which reader cannot read",
            "klingon.html: khai báo bảng mã “x-klingon”, bảng mã reader không đọc được",
        ),
        (
            "undefined.html",
            html_bytes(b'<meta charset="windows-1258">', b"\x81"),
            "undefined.html: not valid windows-1258, the encoding it declares (byte 0x81 at offset 58)",
            "undefined.html: không phải văn bản windows-1258 hợp lệ, bảng mã tệp tự khai báo (byte 0x81 ở vị trí 58)",
        ),
        # Markdown (and JSON) declare nothing: UTF-8 only.
        ("a.md", b"---\nlang: vi\n---\n# Caf\xe9\n", "a.md: not valid UTF-8 (byte 0xe9 at offset 22)", None),
    ],
)
def test_an_encoding_that_cannot_be_read_is_named(
    tmp_path: Path, name: str, content: bytes, expected: str, vi: str | None
) -> None:
    with pytest.raises(ImportFailure) as info:
        drafts_from_files([write(tmp_path / name, content)])
    assert str(info.value).replace(f"{tmp_path}/", "").startswith(expected)
    if vi:
        assert info.value.localized("vi").replace(f"{tmp_path}/", "").startswith(vi)


# ---------------------------------------------------------------- front matter dates that do not exist


@pytest.mark.parametrize("value", ["2021-02-30", "2021-13-01", "2021-02-03 25:00:00"])
def test_a_front_matter_date_that_does_not_exist_names_its_field(tmp_path: Path, value: str) -> None:
    """PyYAML's ValueError ("day is out of range for month") named no field; the field's own check does."""
    front = write(tmp_path / "d.md", f"---\nlang: vi\ntitle: T\npublished: {value}\n---\nx\n")
    with pytest.raises(ImportFailure) as info:
        drafts_from_files([front])
    assert str(info.value) == (
        f"{front}: published: '{value}' is not a date such as 2021-03-31 or a time such as 2021-03-31T08:00:00+07:00"
    )
    assert info.value.localized("vi") == (
        f"{front}: published: “{value}” không phải là ngày (ví dụ 2021-03-31) hay ngày giờ (ví dụ "
        "2021-03-31T08:00:00+07:00)"
    )
    # A date that exists is still a date.
    fine = write(tmp_path / "e.md", "---\nlang: vi\ntitle: T\npublished: 2020-02-29\n---\nx\n")
    assert drafts_from_files([fine])[0].published == "2020-02-29"


def test_page_furniture_is_taken_out_without_walking_the_children_for_each(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A news site's page puts an ad slot's <script> or an <aside> between paragraphs; decompose() alone looks
    # each one's place up by walking its parent's children, quadratic in such a page. Counted, not timed.
    paragraphs = "".join(
        f"<p>Đoạn {i}.</p><script>ads.push({i})</script><aside><form><input></form>Tin {i}</aside>" for i in range(2000)
    )
    page = f"<html lang='vi'><title>Trang</title><body><nav>Menu</nav><article>{paragraphs}</article></body></html>"
    walks = CountedCalls(monkeypatch, Tag, "index")
    (fields,) = importer.read_html(Path("page.html"), page)
    assert walks.count == 0
    body = str(fields["body_html"])
    assert body == "".join(f"<p>Đoạn {i}.</p>" for i in range(2000))


def test_a_tricky_page_gives_the_body_it_always_gave(tmp_path: Path) -> None:
    # Furniture nested in furniture and in the text, the title's <h1> in a <header> left empty, a <main>:
    # the body source reader stored before the furniture was taken out from the last back, and the body the
    # sanitizer makes of it (tests/test_sanitize.py pins that step on its own).
    page = tmp_path / "kho.html"
    page.write_text(
        "<!doctype html><html lang='vi'><head><title>Bài khó</title></head><body><main>\n"
        "<header><h1>Bài khó&nbsp;nhé</h1></header>\n<aside>Quảng cáo <form><input></form><script>ad(1)</script>"
        f"</aside>\n{TRICKY_BODY.replace('</ul></section>', '</ul><script>ad(2)</script></section>', 1)}"
        "<nav><nav>lồng</nav></nav><footer>chân</footer>\n</main></body></html>",
        encoding="utf-8",
    )
    (fields,) = importer.read_file(page)
    assert fields["title"] == "Bài khó\xa0nhé"
    assert fields["body_html"] == "\n\n\n" + TRICKY_BODY + "\n"
    (draft,) = drafts_from_files([page])
    assert draft.body_html == TRICKY_STORED


# A list as Word's "Save as Web Page" writes it: each item a paragraph, its bullet text in a span.
WORD_LIST = (
    "<p class=MsoNormal>Nhiệm vụ:</p>\n"
    "<p class=MsoListParagraphCxSpFirst style='text-indent:-18.0pt;mso-list:l0 level1 lfo1'><![if !supportLists]>"
    "<span style='font-family:Symbol'><span style='mso-list:Ignore'>·<span style='font:7.0pt \"Times New Roman\"'>"
    "&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp; </span></span></span><![endif]>Rà soát bộ máy;<o:p></o:p></p>\n"
    "<p class=MsoListParagraphCxSpLast style='text-indent:-18.0pt;mso-list:l0 level1 lfo1'><![if !supportLists]>"
    "<span style='font-family:Symbol'><span style='mso-list:Ignore'>·<span style='font:7.0pt \"Times New Roman\"'>"
    "&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp; </span></span></span><![endif]>Tinh giản biên chế.<o:p></o:p></p>\n"
    "<p class=MsoNormal>- Anh đi đâu đấy?</p>\n<p class=MsoNormal>- Tôi đi họp.</p>"
)
WORD_LIST_STORED = (
    "<p>Nhiệm vụ:</p>\n<ul><li>Rà soát bộ máy;</li>\n<li>Tinh giản biên chế.</li></ul>\n"
    "<p>- Anh đi đâu đấy?</p>\n<p>- Tôi đi họp.</p>"
)


def test_words_list_paragraphs_are_imported_as_a_list(tmp_path: Path) -> None:
    page = write(tmp_path / "word.htm", f"<html lang=vi><head><title>Họp</title></head><body>{WORD_LIST}</body></html>")
    (draft,) = drafts_from_files([page])
    assert draft.body_html == WORD_LIST_STORED
    article = {**JSON_ARTICLE, "body_html": WORD_LIST}
    (draft,) = drafts_from_files([write(tmp_path / "word.json", json.dumps(article))])
    assert draft.body_html == WORD_LIST_STORED
    # What the layout checks tell the import: nothing about a list, now that it is one.
    assert importer.layout_findings([draft], "en") == []


def test_a_json_body_without_list_paragraphs_is_not_written_again(tmp_path: Path) -> None:
    # The body source is the file's own string, as before: parsed and written again, bs4 would requote
    # attributes and rewrite Word's conditional comments.
    body = "<p class=MsoNormal>• một mình</p><p>1. Một</p><p>Hai.</p><![if !supportLists]>"
    article = {**JSON_ARTICLE, "body_html": body}
    (fields,) = importer.read_file(write(tmp_path / "a.json", json.dumps(article)))
    assert fields["body_html"] == body


def test_list_paragraphs_beside_markup_html_parser_refuses_are_imported_as_written(tmp_path: Path) -> None:
    # Looking for Word's list paragraphs parses the unsanitized body: html.parser's refusal of "<![foo[" came
    # out of it as a traceback from `reader import`. The body stays the file's own (nh3 reads "<![foo[" as a
    # comment, as the API's PUT does), its list paragraphs paragraphs.
    body = "<p>\u2022 one</p><p>\u2022 two</p><![foo[ x]]><p>z</p>"
    article = {**JSON_ARTICLE, "lang": "en", "body_html": body}
    (fields,) = importer.read_file(write(tmp_path / "a.json", json.dumps(article)))
    assert fields["body_html"] == body
    (draft,) = drafts_from_files([write(tmp_path / "a.json", json.dumps(article))])
    assert "one" in draft.body_html and "foo" not in draft.body_html


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_a_formulas_variables_stay_as_written(tmp_path: Path, lang: str) -> None:
    # "v" alone in its <i> at the start of two paragraphs: a variable, not Wingdings' bullet (no such font).
    body = (
        "<p>Công thức: <i>s</i> = <i>v</i>·<i>t</i>, trong đó</p><p><i>v</i> là vận tốc trung bình (m/s);</p>"
        "<p><i>v</i> không đổi trong suốt quãng đường.</p>"
    )
    article = {**JSON_ARTICLE, "lang": lang, "body_html": body}
    (fields,) = importer.read_file(write(tmp_path / "cong-thuc.json", json.dumps(article)))
    assert fields["body_html"] == body
    (draft,) = drafts_from_files([write(tmp_path / "cong-thuc.json", json.dumps(article))])
    assert draft.body_html == body
    assert [finding for finding in importer.layout_findings([draft], "en") if "list" in str(finding)] == []


def test_words_lettered_list_in_a_vietnamese_document_is_one_list(tmp_path: Path) -> None:
    # Word letters its automatic lists a) … e) f) g) in a Vietnamese document as in any other.
    items = "".join(
        f"<p class=MsoListParagraphCxSpMiddle style='text-indent:-.25in;mso-list:l0 level1 lfo1'>"
        f"<span style='mso-list:Ignore'>{letter})<span style='font:7.0pt \"Times New Roman\"'>&nbsp;&nbsp; </span>"
        f"</span>Mục {letter}</p>\n"
        for letter in "abcdefg"
    )
    page = write(tmp_path / "word.htm", f"<html lang=vi><head><title>Họp</title></head><body>{items}</body></html>")
    (draft,) = drafts_from_files([page])
    listed = "\n".join(f"<li>Mục {letter}</li>" for letter in "abcdefg")
    assert draft.body_html == f'<ol type="a">{listed}</ol>'


def _filtered_item(marker: str, text: str) -> str:
    """An item as Word's "Web Page, Filtered" writes it: the list paragraph's class, no mso-list markup, the
    bullet a character of a symbol font."""
    return (
        f"<p class=MsoListParagraphCxSpMiddle style='text-indent:-.25in'><span style='font-family:Wingdings'>"
        f"{marker}<span style='font:7.0pt \"Times New Roman\"'>&nbsp;&nbsp;&nbsp; </span></span>{text}</p>\n"
    )


def test_words_filtered_html_is_imported_as_a_list(tmp_path: Path) -> None:
    body = (
        "<p class=MsoNormal>Nhiệm vụ:</p>\n"
        + _filtered_item("§", "Rà soát bộ máy;")
        + _filtered_item("§", "Tinh giản.")
    )
    page = write(
        tmp_path / "filtered.htm",
        "<html lang=vi><head><title>Họp</title><style>p.MsoListParagraph {margin:0}</style></head>"
        f"<body>{body}</body></html>",
    )
    (fields,) = importer.read_file(page)
    assert isinstance(fields["body_html"], str) and "§" not in fields["body_html"]
    (draft,) = drafts_from_files([page])
    assert draft.body_html == "<p>Nhiệm vụ:</p>\n<ul><li>Rà soát bộ máy;</li>\n<li>Tinh giản.</li></ul>"
    assert importer.layout_findings([draft], "en") == []
    (draft,) = drafts_from_files([write(tmp_path / "filtered.json", json.dumps({**JSON_ARTICLE, "body_html": body}))])
    assert draft.body_html == "<p>Nhiệm vụ:</p>\n<ul><li>Rà soát bộ máy;</li>\n<li>Tinh giản.</li></ul>"


def test_vietnamese_points_are_one_list_in_the_articles_language(tmp_path: Path) -> None:
    letters = "abcdđeghikl"
    body = "<p>Điều 5. Các hành vi bị nghiêm cấm</p>" + "".join(
        f"<p>{letter}) Điểm {letter};</p>" for letter in letters
    )
    items = "".join(f"<li>Điểm {letter};</li>" for letter in letters)
    stored = f'<p>Điều 5. Các hành vi bị nghiêm cấm</p><ol class="vi-lower-alpha" type="a">{items}</ol>'
    page = write(tmp_path / "luat.html", f"<html lang=vi><head><title>Luật</title></head><body>{body}</body></html>")
    (draft,) = drafts_from_files([page])
    assert draft.body_html == stored
    (draft,) = drafts_from_files([write(tmp_path / "luat.json", json.dumps({**JSON_ARTICLE, "body_html": body}))])
    assert draft.body_html == stored
    # The same points in an English article: Latin letters, where "đ)" is no letter of a list.
    english = {**JSON_ARTICLE, "lang": "en", "body_html": body}
    (draft,) = drafts_from_files([write(tmp_path / "en.json", json.dumps(english))])
    assert '<ol type="a"><li>Điểm a;</li>' in draft.body_html and "<p>đ) Điểm đ;</p>" in draft.body_html
    assert "vi-lower-alpha" not in draft.body_html


# Word's "Save as Web Page": no lang on <html>, the language on <body> (VI, in capitals) and on each run of
# text; the lead in bold; blank lines as empty paragraphs.
WORD_PAGE = """<html xmlns:o="urn:schemas-microsoft-com:office:office" xmlns="http://www.w3.org/TR/REC-html40">
<head><meta http-equiv=Content-Type content="text/html; charset=utf-8"><meta name=Generator content="Microsoft Word 15">
<title>Hội nghị tổng kết</title></head>
<body lang=VI style='tab-interval:36.0pt'><div class=WordSection1>
<h1><span lang=VI>Hội nghị tổng kết công tác cải cách hành chính</span></h1>
<p class=MsoNormal style='text-align:justify'><b><span lang=VI>Sáng 30/3, UBND tỉnh tổ chức hội nghị.</span></b></p>
<p class=MsoNormal><o:p>&nbsp;</o:p></p>
<p class=MsoNormal><span lang=VI>Phát biểu tại hội nghị, đồng chí Phó Chủ tịch nhấn mạnh.</span></p>
<p class=MsoNormal><span lang=VI>&nbsp;</span></p>
<p class=MsoNormal><span lang=EN-US>Theo báo cáo, năm 2020 tỉnh đạt kết quả tốt.</span></p>
</div></body></html>"""


def test_a_word_web_page_takes_its_language_from_body_its_lead_from_bold_and_drops_blank_lines(tmp_path: Path) -> None:
    (draft,) = drafts_from_files([write(tmp_path / "hoi-nghi.htm", WORD_PAGE)])
    assert draft.lang == "vi"  # <body lang=VI>, as BCP 47 writes it
    assert draft.summary == "Sáng 30/3, UBND tỉnh tổ chức hội nghị."
    # The lead is not said twice, and the blank lines are gone (not paragraphs a screen reader calls "blank").
    assert draft.body_html == (
        '<p><span lang="VI">Phát biểu tại hội nghị, đồng chí Phó Chủ tịch nhấn mạnh.</span></p>'
        '<p><span lang="EN-US">Theo báo cáo, năm 2020 tỉnh đạt kết quả tốt.</span></p>'
    )


def test_the_language_is_the_first_in_the_body_when_html_and_body_say_none(tmp_path: Path) -> None:
    page = WORD_PAGE.replace("<body lang=VI ", "<body ")
    (draft,) = drafts_from_files([write(tmp_path / "a.htm", page)])
    assert draft.lang == "vi"
    english = write(tmp_path / "b.htm", page.replace("<html ", '<html lang="en-gb" '))
    assert drafts_from_files([english])[0].lang == "en-GB"  # <html lang> first, when it is there


def test_the_chosen_language_comes_before_words_marking_but_not_html_lang(tmp_path: Path) -> None:
    """Word marks text with its proofing language (lang=EN-US on Vietnamese text): the editor's choice of
    language comes before <body lang> and the first lang inside, never before <html lang>."""
    english_body = WORD_PAGE.replace("<body lang=VI ", "<body lang=EN-US ")
    assert drafts_from_files([write(tmp_path / "a.htm", english_body)], lang="vi")[0].lang == "vi"
    assert drafts_from_files([write(tmp_path / "b.htm", english_body)])[0].lang == "en-US"  # none chosen
    inner_only = WORD_PAGE.replace("<body lang=VI ", "<body ").replace("lang=VI", "lang=EN-US")
    assert drafts_from_files([write(tmp_path / "c.htm", inner_only)], lang="vi")[0].lang == "vi"
    declared = english_body.replace("<html ", '<html lang="en-gb" ')
    assert drafts_from_files([write(tmp_path / "d.htm", declared)], lang="vi")[0].lang == "en-GB"


@pytest.mark.parametrize(
    ("name", "content", "where"),
    [
        ("a.html", "<html><body><h1>T</h1><p>x</p></body></html>", '<html lang="vi">'),
        ("a.md", "---\ntitle: T\n---\nx", "in the front matter (lang: vi)"),
        ("a.json", json.dumps({"title": "T", "body_html": "<p>x</p>"}), '"lang": "vi"'),
        ("a.txt", "T\n\nx", "a text file does not say its language"),
    ],
)
def test_a_file_without_a_language_is_told_where_it_goes_or_takes_the_chosen_one(
    tmp_path: Path, name: str, content: str, where: str
) -> None:
    path = write(tmp_path / name, content)
    with pytest.raises(ImportFailure) as info:
        drafts_from_files([path])
    assert f"{name}: lang: is required: " in str(info.value) and where in str(info.value)
    assert "reader import --lang" in str(info.value)
    (draft,) = drafts_from_files([path], lang="en")
    assert draft.lang == "en"
    # A file's own language is not replaced by the chosen one.
    (said,) = drafts_from_files([write(tmp_path / "said.json", json.dumps(JSON_ARTICLE))], lang="en")
    assert said.lang == "vi"


@pytest.mark.parametrize(
    "encoded",
    [
        lambda text: "\ufeff".encode("utf-16-le") + text.encode("utf-16-le"),  # Notepad's "Unicode"
        lambda text: "\ufeff".encode("utf-16-be") + text.encode("utf-16-be"),  # "Unicode big endian"
        lambda text: "\ufeff".encode() + text.encode(),  # "UTF-8" with its mark
    ],
    ids=["utf-16-le", "utf-16-be", "utf-8"],
)
def test_a_text_file_is_read_in_the_encoding_its_byte_order_mark_says(tmp_path: Path, encoded) -> None:  # type: ignore[no-untyped-def]
    path = write(tmp_path / "ghi-chu.txt", encoded("Hội nghị\r\n\r\nNội dung tiếng Việt.\r\n"))
    (draft,) = drafts_from_files([path], lang="vi")
    assert (draft.title, draft.body_html) == ("Hội nghị", "<p>Nội dung tiếng Việt.</p>")


def test_a_text_file_is_plain_text(tmp_path: Path) -> None:
    text = "Năm bản lề\r\n\r\n- Anh có khỏe không?\r\n- Khỏe.\r\n\r\n2021. Năm bản lề <b>mới</b>\n\n# Hashtag\n"
    (draft,) = drafts_from_files([write(tmp_path / "ghi-chu.txt", text)], lang="vi")
    assert draft.title == "Năm bản lề" and draft.slug == "nam-ban-le"
    assert draft.body_html == (
        "<p>- Anh có khỏe không?<br>\n- Khỏe.</p>\n<p>2021. Năm bản lề &lt;b&gt;mới&lt;/b&gt;</p>\n<p># Hashtag</p>"
    )
    with pytest.raises(ImportFailure) as info:  # one paragraph: no title
        drafts_from_files([write(tmp_path / "one.txt", "Chỉ là văn bản thuần.")], lang="vi")
    assert "title: is required: a text file's first line is its title when a blank line follows it" in str(info.value)


@pytest.mark.parametrize(
    "body",
    [
        "<p><b>Bold one.</b></p><p><b>Bold two.</b></p><p>Plain.</p>",  # a bold block, not one lead
        "<h2>Heading</h2><p><b>Bold.</b></p><p>Plain.</p>",  # something before it
        "<p><b>Half bold</b> and plain.</p><p>Plain.</p>",
        "<ul><li><p><b>In a list.</b></p></li></ul><p>Plain.</p>",
    ],
)
def test_only_an_unambiguous_bold_first_paragraph_is_the_lead(tmp_path: Path, body: str) -> None:
    page = f"<html lang=en><body><h1>T</h1>{body}</body></html>"
    (draft,) = drafts_from_files([write(tmp_path / "a.html", page)])
    assert draft.summary == ""
    described = page.replace("<body>", '<head><meta name="description" content="Given."></head><body>')
    assert drafts_from_files([write(tmp_path / "b.html", described)])[0].summary == "Given."


def test_an_import_as_drafts_holds_back_new_articles_only(tmp_path: Path) -> None:
    db = new_site(tmp_path / "site.db")
    old = write(tmp_path / "old.json", json.dumps(JSON_ARTICLE))
    assert main(["import", "--db", str(db), str(old)]) == 0  # published: the command line's default
    new = write(tmp_path / "new.md", MARKDOWN)
    said = write(tmp_path / "said.json", json.dumps({**JSON_ARTICLE, "title": "Said", "status": "published"}))
    changed = write(tmp_path / "old.json", json.dumps({**JSON_ARTICLE, "summary": "Mới."}))
    assert main(["import", "--db", str(db), "--drafts", str(new), str(said), str(changed)]) == 0
    with sqlite3.connect(db) as conn:
        stored = dict(conn.execute("SELECT slug, status FROM articles").fetchall())
    conn.close()
    assert stored == {"reading-at-200": "draft", "said": "published", "bac-kan-nang-cao-chat-luong": "published"}
    text = write(tmp_path / "ghi-chu.txt", "Ghi chú\n\nNội dung.\n")
    assert main(["import", "--db", str(db), str(text)]) == 1  # no language: refused
    assert main(["import", "--db", str(db), "--lang", "vi", str(text)]) == 0
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT lang, status FROM articles WHERE slug = 'ghi-chu'").fetchone() == (
            "vi",
            "published",
        )
    conn.close()


HOI_NGHI_GIVEN = "---\nslug: hoi-nghi\nlang: vi\ntitle: Hội nghị\n---\n\nNội dung mới.\n"


@pytest.mark.anyio
async def test_a_file_that_names_a_renamed_articles_old_address_updates_that_article(
    tmp_path: Path, database: Database
) -> None:
    """Importing "Hội nghị" again, its file naming its address (slug: hoi-nghi), after its article was renamed:
    the file is that article (it stays published, its old address still leads to it), not a new draft that
    takes the old address away."""
    store = SqlArticleStore(database)
    first = write(tmp_path / "hoi-nghi.txt", "Hội nghị\n\nNội dung cũ.\n")
    assert (await importer.import_files(store, [first], by="mai", lang="vi")).created == 1
    assert await store.rename_article("hoi-nghi", "hoi-nghi-2026", version=1)
    again = write(tmp_path / "hoi-nghi.md", HOI_NGHI_GIVEN)
    result = await importer.import_files(store, [again], by="mai", lang="vi", as_drafts=True)
    assert (result.created, result.updated, result.unchanged) == (0, 1, 0)
    assert await store.get_redirect("hoi-nghi") == "hoi-nghi-2026"  # published: readers are led there
    assert await store.get_article("hoi-nghi", drafts=True) is None
    article = await store.get_article("hoi-nghi-2026")
    assert article is not None and "Nội dung mới." in article.body_html


@pytest.mark.anyio
async def test_an_address_made_from_a_title_never_follows_an_old_address(tmp_path: Path, database: Database) -> None:
    """ "Thông báo" (thong-bao) was renamed to thong-bao-lich-nghi-tet; a different file titled "Thông báo" and
    giving no address (its file name is none either) replaced the Tết notice, which stayed published though
    the import was as drafts. A title is not an address anyone chose: the file is a new article, its address
    numbered past the old one, the article there and a deleted one's (as the editor's form numbers it)."""
    store = SqlArticleStore(database)
    first = write(tmp_path / "thong-bao.txt", "Thông báo\n\nLịch nghỉ Tết.\n")
    await importer.import_files(store, [first], by="mai", lang="vi")
    assert await store.rename_article("thong-bao", "thong-bao-lich-nghi-tet", version=1)
    # thong-bao-2 is taken (an article), thong-bao-3 was a deleted article's: the next free one is -4.
    taken = write(tmp_path / "a.json", json.dumps({**JSON_ARTICLE, "slug": "thong-bao-2"}))
    gone = write(tmp_path / "b.json", json.dumps({**JSON_ARTICLE, "slug": "thong-bao-3"}))
    await importer.import_files(store, [taken, gone], by="mai")
    assert await store.delete_article("thong-bao-3")
    other = write(tmp_path / "thong-bao.txt", "Thông báo\n\nHọp giao ban sáng thứ hai.\n")
    result = await importer.import_files(store, [other], by="mai", lang="vi", as_drafts=True)
    assert (result.created, result.updated, result.unchanged) == (1, 0, 0)
    notice = await store.get_article("thong-bao-lich-nghi-tet")
    assert notice is not None and "Lịch nghỉ Tết." in notice.body_html and notice.version == 2
    assert await store.get_redirect("thong-bao") == "thong-bao-lich-nghi-tet"  # its old links still lead there
    new = await store.get_article("thong-bao-4", drafts=True)
    assert new is not None and new.status == DRAFT and "Họp giao ban" in new.body_html


@pytest.mark.anyio
async def test_a_title_made_address_with_an_article_and_an_old_address_updates_the_article(
    tmp_path: Path, database: Database
) -> None:
    """An article and an old address at one address (restore_deleted can leave one on PostgreSQL): the article
    comes first, as on the site's pages and in the save (store._leads): its file imported again updates it,
    not a new numbered article beside it."""
    store = SqlArticleStore(database)
    await importer.import_files(store, [write(tmp_path / "w.txt", "W\n\nLần đầu.\n")], by="mai", lang="vi")
    await importer.import_files(store, [write(tmp_path / "y.txt", "Y\n\nBài khác.\n")], by="mai", lang="vi")
    async with database.transaction(touches=("w",)) as tx:
        await tx.execute("INSERT INTO article_redirects (slug, target, version) VALUES (?, ?, ?)", ("w", "y", 1))
    again = write(tmp_path / "w.txt", "W\n\nLần sau.\n")
    result = await importer.import_files(store, [again], by="mai", lang="vi")
    assert (result.created, result.updated) == (0, 1)
    at_w = await store.get_article("w")
    assert at_w is not None and "Lần sau." in at_w.body_html
    assert await store.get_article("w-2", drafts=True) is None


@pytest.mark.anyio
async def test_an_import_that_holds_one_article_twice_is_refused(tmp_path: Path, database: Database) -> None:
    store = SqlArticleStore(database)
    first = write(tmp_path / "hoi-nghi.txt", "Hội nghị\n\nNội dung cũ.\n")
    await importer.import_files(store, [first], by="mai", lang="vi")
    assert await store.rename_article("hoi-nghi", "hoi-nghi-2026", version=1)
    named = write(tmp_path / "hoi-nghi.md", HOI_NGHI_GIVEN)
    renamed = write(tmp_path / "new.json", json.dumps({**JSON_ARTICLE, "slug": "hoi-nghi-2026", "lang": "vi"}))
    with pytest.raises(ImportFailure, match="'hoi-nghi' is an old address of the article at 'hoi-nghi-2026'"):
        await importer.import_files(store, [named, renamed], by="mai", lang="vi")
    article = await store.get_article("hoi-nghi-2026")
    assert article is not None and "Nội dung cũ." in article.body_html  # nothing written
