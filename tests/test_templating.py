"""reader.templating: the templates' own indentation is not sent (about 100 bytes of an article's first visit in
Brotli), and nothing else changes: what a template puts in, its non-HTML templates, the words."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from reader.assets import StaticAssets
from reader.templating import Templates
from tests.conftest import SEED_SLUG

PAGE = """<ul>
  {% for item in items %}
    <li>{{ item }}</li>
  {% endfor %}
</ul>
<p>
    {{ _("Text size") }}
    <strong>{{ text }}</strong>{% if tail %}
    more{% endif %}
</p>
"""


def _templates(tmp_path: Path) -> Templates:
    (tmp_path / "page.html").write_text(PAGE)
    (tmp_path / "feed.xml").write_text(PAGE)
    return Templates(tmp_path, StaticAssets(tmp_path, "/static"))


def test_an_html_template_is_sent_without_its_indentation(tmp_path: Path) -> None:
    html = _templates(tmp_path).render("page.html", "en", items=["a", "b"], text="  <pre>\n    kept", tail=True)
    # A line's indentation after a block tag (whose newline trim_blocks took) is one newline: white space
    # stays white space, so no two words meet ("kept" and "more").
    assert html == (
        "<ul>\n\n<li>a</li>\n\n<li>b</li>\n</ul>\n<p>\nText size\n<strong>  &lt;pre&gt;\n    kept</strong>\nmore</p>"
    )


def test_other_templates_keep_theirs(tmp_path: Path) -> None:
    xml = _templates(tmp_path).render("feed.xml", "en", items=["a"], text="t", tail=False)
    assert "\n    <li>a</li>\n" in xml and "\n    Text size\n" in xml


@pytest.mark.anyio
async def test_a_page_has_no_indented_line_of_its_templates(client: httpx.AsyncClient) -> None:
    page = (await client.get(f"/articles/{SEED_SLUG}")).text
    indented = [line for line in page.splitlines() if line[:1].isspace()]
    assert indented == []
