"""The layout part of the readability report: line length from the CSS, theme contrast (from the palettes
in reader.prefs), markup problems.

Characters per line are an estimate from reader.css of what a full line of prose holds (the median over the
lines of the demo articles that are not a paragraph's last, as Chromium lays them out): the column is
``--reader-column`` on ``.reader`` (measure × the font's ``--reader-char``, in ``ch`` for the default sans
font, plus letter spacing),
the article's ``max-width``; the page box is ``.reader-main``'s ``max-width`` capped by the viewport, minus
the gutter (``--reader-gutter``) on each side, and the text gets the narrower of the two.
Assumptions: the default sans font, default spacing, a 16 px browser default (so 1rem = 16 px, size 100 %
= 16 px) and 1ch = 0.57em; characters = the content width over a prose character's advance (0.83 ch:
letters, spaces and punctuation on average), less the 2 characters a line loses on average to wrapping
(the word that does not fit starts the next line), rounded.

That is fewer than the line-length setting's number (66 holds about 53): the setting is the most a line
holds (reader.prefs.Font.char_ch is measured on lines that pack the most, such as an address), and an
estimate of the setting itself read 12–27 % above the lines readers see. tests/browser/test_editor.py
counts the characters of the rendered lines against these numbers.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Mapping
from urllib.parse import urlsplit

from bs4 import BeautifulSoup, ParserRejectedMarkup, Tag

from reader import prefs
from reader.colors import contrast_ratio
from reader.css import Rule, declarations_for, evaluate, parse_rules
from reader.digits import ascii_number
from reader.i18n import N_, gettext, primary_subtag
from reader.list_paragraphs import hand_made_lists, may_hold_lists
from reader.paths import STATIC_DIR
from reader.readability.document import plain_text_for_report
from reader.readability.report import (
    CharactersPerLine,
    Contrast,
    EmptyAlt,
    FilenameAlt,
    HandMadeList,
    LayoutIssue,
    LayoutReport,
    LongUnbreakable,
    MissingAlt,
    RelativeSrc,
    RemovedContent,
    SkippedHeading,
    TableWithoutHeaders,
    VagueLink,
    WideTable,
    WidthLines,
    message_language,
)
from reader.soup import parse_html

VIEWPORTS = (320, 1280)
ROOT_PX = 16.0
CH_EM = 0.57  # the width of "0" in the default sans, in em: 0.571 in Chromium on Debian; fonts differ
# A character of prose in the default sans, in ch, on average (letters, spaces, punctuation), and the characters
# a full line loses on average to wrapping: fitted to Chromium's lines of the demo articles at 320 and 1280 px
# and sizes 100 % to 400 % (within 1 character of the median, or 7 %).
PROSE_CHAR_CH = 0.83
WRAP_LOSS = 2.0
FONT = "sans"
AAA = 7.0
MAX_COLUMNS = 5
MAX_COLSPAN = 1000  # HTML's limit, as browsers apply it
NARROW_VIEWPORT = 320
CELL_CHAR_EM = 0.5  # average advance of a character in table text (DejaVu Sans ≈ 0.504 em)
CELL_PADDING_EM = 0.6  # .reader-table th/td padding-inline, each side
LONGEST_UNBROKEN = 40

# The palette colour behind each reported role.
CONTRAST_PAIRS = {"text": "fg", "link": "link", "visited_link": "link_visited", "muted": "muted"}
AUTO_DARK = "auto (prefers-color-scheme: dark)"

VAGUE_LINK_TEXTS = frozenset(
    {
        "xem thêm", "tại đây", "bấm vào đây", "nhấn vào đây", "click vào đây", "ở đây", "đây", "xem tiếp",
        "đọc thêm", "chi tiết", "xem chi tiết", "liên kết", "link", "click here", "click", "read more", "here",
        "more", "this", "this link", "learn more", "more info", "details", "continue", "go",
    }
)  # fmt: skip
_LINK_TRIM = " .:…»›>→!([])\"'“”"
_FILE_NAME = re.compile(
    r"^(?:\S+\.(?:jpe?g|png|gif|webp|svg|bmp|tiff?|avif|heic)|(?:img|dsc[nf]?|pxl|gopr|mvimg|image|photo|pic)"
    r"[-_ ]?\d+\S*|screenshot[-_ ]?\S*|untitled(?:[-_ ]?\d+)?)$",
    re.IGNORECASE,
)
_UNBROKEN = re.compile(rf"\S{{{LONGEST_UNBROKEN + 1},}}")

MESSAGES = {
    "missing_alt": N_("Image without alternative text (no alt attribute)"),
    "empty_alt": N_("Image without a description (empty alt): describe it, unless it is only decorative"),
    "relative_src": N_(
        "Image at a relative address (“%(src)s”): it is looked for next to the page showing the article, where "
        "it is not; give the full address (https://…) or one starting with /"
    ),
    "filename_alt": N_("The alternative text looks like a file name: “%(alt)s”"),
    "skipped_heading": N_("Heading level skipped: h%(level)d follows h%(previous)d"),
    # The body had an h1 of its own: every heading moved one level down, under the title's (reader.sanitize).
    # The levels as the editor wrote them, and the ones stored.
    "skipped_heading_written": N_(
        "Heading level skipped: h%(written)d follows h%(written_previous)d as written (stored one level down, as "
        "h%(level)d after h%(previous)d, since the article's title is the page's only h1)"
    ),
    "skipped_heading_first_written": N_(
        "Heading level skipped: the first heading, h%(written)d as written, comes right after the title (stored "
        "one level down, as h%(level)d, since the article's title is the page's only h1)"
    ),
    "vague_link": N_("The link text does not say where it leads: “%(text)s”"),
    "table_without_headers": N_("Table without header cells (th)"),
    "wide_table": N_("Wide table: %(columns)d columns, at least about %(min_width)d px wide; it scrolls on a phone"),
    "long_unbreakable": N_("%(length)d characters without a space: “%(preview)s”"),
    "hand_made_list": N_(
        "A list written by hand: %(count)d lines in a row start with “%(marker)s” (“%(text)s”); make it a real "
        "list (bulleted or numbered), so that screen readers announce a list and how many items it has"
    ),
    "removed_content": N_(
        "Not kept from the original (reader keeps text, images, tables and links): %(elements)s; give readers a "
        "link or a description instead"
    ),
}
# Content an author may paste that the sanitizer (reader.sanitize) removes with everything in it, or leaves
# without its function: each is worth telling the editor about. (Scripts and styles are removed too, and
# meant to be; layout containers such as div are dissolved with their text kept.)
REMOVED_ELEMENTS = (
    "iframe", "video", "audio", "object", "embed", "canvas", "svg", "math", "form", "input", "button", "select",
    "textarea",
)  # fmt: skip


def layout_report(body_html: str, lang: str, ui_lang: str, *, source_html: str | None = None) -> LayoutReport:
    """Line lengths, theme contrast and layout issues of an article (``source_html``: its imported original), in
    any language: none of them reads the words (the readability report does, for Vietnamese and English)."""
    ui_lang = message_language(ui_lang)
    rules = _stylesheet()
    return LayoutReport(
        lang=primary_subtag(lang),
        characters_per_line=characters_per_line(rules),
        contrast=theme_contrast(),
        issues=layout_issues(body_html, ui_lang, source_html=source_html, lang=lang),
    )


@functools.cache
def _stylesheet() -> list[Rule]:
    return parse_rules((STATIC_DIR / "css" / "reader.css").read_text(encoding="utf-8"))


def characters_per_line(rules: list[Rule]) -> CharactersPerLine:
    """Characters per line for every width and size setting at each viewport (see the module docstring)."""
    widths: dict[str, WidthLines] = {}
    for width in prefs.WIDTHS:
        sizes: dict[str, dict[str, int]] = {}
        maximum = 0
        for size in prefs.SIZES:
            selectors = (
                ".reader",
                f'.reader[data-size="{prefs.fmt(size)}"]',
                f'.reader[data-width="{prefs.fmt(width)}"]',
                f'.reader[data-font="{FONT}"]',
            )
            wrapper = declarations_for(rules, selectors)
            main = declarations_for(rules, (".reader-main",))
            article = declarations_for(rules, (".reader-article",))
            variables = {name: value for name, value in {**wrapper, **main}.items() if name.startswith("--")}
            font_px = evaluate(wrapper["font-size"], variables, {"%": ROOT_PX / 100})

            advance = PROSE_CHAR_CH * CH_EM * font_px
            widest = _available(VIEWPORTS[-1], main, article, variables, font_px, capped=False)
            maximum = _fit(widest, advance)  # the same at every size
            sizes[prefs.fmt(size)] = {
                str(view): _fit(_available(view, main, article, variables, font_px), advance) for view in VIEWPORTS
            }
        widths[prefs.fmt(width)] = WidthLines(max=maximum, sizes=sizes)
    return CharactersPerLine(font=FONT, ch_em=CH_EM, root_px=ROOT_PX, viewports=list(VIEWPORTS), widths=widths)


def _available(
    view: int,
    main: Mapping[str, str],
    article: Mapping[str, str],
    variables: Mapping[str, str],
    font_px: float,
    capped: bool = True,
) -> float:
    """The width of a full line in px at a viewport `view` px wide: the page box (capped by the viewport) less the
    gutters, or the column if narrower. In the viewport's own units: the gutter narrows on a phone (5vw) where
    the browser's default size is large."""
    units = {"px": 1.0, "rem": ROOT_PX, "em": font_px, "ch": CH_EM * font_px, "vw": view / 100}
    box = evaluate(main["max-width"], variables, units)
    gutter = evaluate("var(--reader-gutter)", variables, units)
    column = evaluate(article["max-width"], variables, units)
    return min((min(box, view) if capped else box) - 2 * gutter, column)


def _fit(available: float, advance: float) -> int:
    """The characters of prose a full line holds in `available` px (see the module docstring)."""
    return max(1, round(available / advance - WRAP_LOSS))


def theme_contrast() -> dict[str, dict[str, Contrast]]:
    """WCAG contrast of text, links, visited links and muted text against the background, per theme."""
    light, dark = (prefs.PALETTES[prefs.AUTO_PALETTES[scheme]] for scheme in ("light", "dark"))
    palettes = {"auto": light, **prefs.PALETTES, AUTO_DARK: dark}
    report: dict[str, dict[str, Contrast]] = {}
    for theme, palette in palettes.items():
        report[theme] = {}
        for pair, role in CONTRAST_PAIRS.items():
            foreground = getattr(palette, role)
            ratio = contrast_ratio(foreground, palette.bg)
            report[theme][pair] = Contrast(
                foreground=foreground, background=palette.bg, ratio=round(ratio, 2), passes_aaa=ratio >= AAA
            )
    return report


def _readable_source(source_html: str | None) -> BeautifulSoup | None:
    """The original's parse tree, or None without one, or when html.parser refuses it ("<![foo[": nh3 read it
    as a comment, so the body is fine): the checks that compare with the original are left out, as for an
    article that has none; its report was a 500."""
    if not source_html:
        return None
    try:
        return parse_html(source_html)
    except ParserRejectedMarkup:
        return None


def layout_issues(
    body_html: str, ui_lang: str, *, source_html: str | None = None, lang: str | None = None
) -> list[LayoutIssue]:
    """Problems in an article's markup. None about justified text or px font sizes: the sanitizer removes
    every style and alignment and reader.css never justifies, so a Word file's justified paragraphs and
    13px runs (nearly every Vietnamese office document's) reach no reader. `lang`, the article's language,
    is the order a hand-made list's letters count in ("đ)" after "d)" in Vietnamese)."""
    soup = parse_html(body_html)
    issues: list[LayoutIssue] = []

    def say(kind: str, **values: object) -> str:
        return gettext(ui_lang, MESSAGES[kind]) % values

    for image in soup.find_all("img"):
        alt, src = image.get("alt"), str(image.get("src", ""))
        if not isinstance(alt, str):
            issues.append(MissingAlt(kind="missing_alt", message=say("missing_alt"), src=src))
        elif not alt.strip():
            # What Markdown's ![](address) gives: an image with no description, unless the editor meant it
            # as decoration only (alt="" is how HTML says so), which an article's image seldom is.
            issues.append(EmptyAlt(kind="empty_alt", message=say("empty_alt"), src=src))
        elif _FILE_NAME.match(alt.strip()):
            alt = alt.strip()
            issues.append(FilenameAlt(kind="filename_alt", message=say("filename_alt", alt=alt), alt=alt, src=src))
        if not src.strip().startswith("/") and not urlsplit(src.strip()).scheme:
            # "chart.png" is /articles/chart.png on the article's page, /articles/slug/chart.png in the
            # iframe embed, and beside the host's page inside <reader-article> (which makes root-relative
            # addresses absolute, so "/media/chart.png" loads everywhere).
            issues.append(RelativeSrc(kind="relative_src", message=say("relative_src", src=src), src=src))
    source = _readable_source(source_html)
    headings = soup.find_all(_HEADING_NAMES)
    written = _written_levels(headings, source)
    previous = 1  # the article title is the page's h1
    for number, heading in enumerate(headings):
        level = int(heading.name[1])
        if level > previous + 1:
            message = say("skipped_heading", level=level, previous=previous)
            if written and number:
                message = say(
                    "skipped_heading_written", written=written[number], written_previous=written[number - 1],
                    level=level, previous=previous,
                )  # fmt: skip
            elif written:
                message = say("skipped_heading_first_written", written=written[number], level=level)
            text = heading.get_text(" ", strip=True)
            issues.append(
                SkippedHeading(kind="skipped_heading", message=message, level=level, previous=previous, text=text)
            )
        previous = level
    for link in soup.find_all("a"):
        text = " ".join(link.get_text(" ", strip=True).split())
        if text.casefold().strip(_LINK_TRIM) in VAGUE_LINK_TEXTS:
            href = str(link.get("href", ""))
            issues.append(VagueLink(kind="vague_link", message=say("vague_link", text=text), text=text, href=href))
    for table in soup.find_all("table"):
        if table.find("th") is None:
            issues.append(TableWithoutHeaders(kind="table_without_headers", message=say("table_without_headers")))
        columns, min_width = _table_size(table)
        if columns > MAX_COLUMNS or min_width > NARROW_VIEWPORT - 2 * ROOT_PX:
            message = say("wide_table", columns=columns, min_width=min_width)
            issues.append(WideTable(kind="wide_table", message=message, columns=columns, min_width=min_width))
    for paragraph, mark, count in hand_made_lists(soup, lang) if may_hold_lists(body_html) else ():
        # The import makes runs of list paragraphs lists (reader.importer); these were written in the editor
        # (or are one paragraph's lines).
        first_text = " ".join(paragraph.get_text(" ", strip=True).split())
        preview = first_text if len(first_text) <= 60 else first_text[:59] + "…"
        marker = mark.text
        message = say("hand_made_list", count=count, marker=marker, text=preview)
        issues.append(HandMadeList(kind="hand_made_list", message=message, count=count, marker=marker, text=preview))
    plain = plain_text_for_report(body_html)
    for run in _UNBROKEN.finditer(plain):
        text = run.group(0)
        shown = text if len(text) <= 60 else text[:59] + "…"
        message = say("long_unbreakable", length=len(text), preview=shown)
        issues.append(
            LongUnbreakable(
                kind="long_unbreakable", message=message, length=len(text), preview=shown, text=text,
                start=run.start(), end=run.end(),
            )
        )  # fmt: skip
    if source is not None:
        # Parsed once for all of its checks: a parse is most of what a report costs (reader.work_budget).
        removed = _removed(source)
        if removed:
            listed = ", ".join(f"{count} × {name}" for name, count in removed.items())
            message = say("removed_content", elements=listed)
            issues.append(RemovedContent(kind="removed_content", message=message, elements=removed))
    return issues


_HEADING_NAMES = ["h1", "h2", "h3", "h4", "h5", "h6"]


def _written_levels(headings: list[Tag], source: BeautifulSoup | None) -> list[int]:
    """The headings' levels as the source wrote them, when the sanitizer moved them all one level down (the
    source has an h1 and the same headings, each one level deeper, or h6 still); else [] (as written)."""
    if source is None:
        return []
    stored = [int(heading.name[1]) for heading in headings]
    written = [int(heading.name[1]) for heading in source.find_all(_HEADING_NAMES)]
    if 1 not in written or len(written) != len(stored):
        return []
    if any(level != min(was + 1, 6) for level, was in zip(stored, written, strict=True)):
        return []
    return written


def _table_size(table: Tag) -> tuple[int, int]:
    # Table text does not wrap inside words (overflow-wrap: normal), so a column is at least as wide as
    # its longest word plus the cell padding and a border.
    longest: dict[int, int] = {}
    columns = 0
    for row in table.find_all("tr"):
        column = 0
        for cell in row.find_all(["td", "th"], recursive=False):
            span = _column_span(str(cell.get("colspan", "1")))
            if span == 1:
                words = cell.get_text(" ", strip=True).split() or [""]
                longest[column] = max(longest.get(column, 0), max(len(word) for word in words))
            column += span
        columns = max(columns, column)
    font_px = ROOT_PX
    width = sum(chars * CELL_CHAR_EM * font_px + 2 * CELL_PADDING_EM * font_px + 1 for chars in longest.values())
    return columns, round(width + 1)


def _column_span(value: str) -> int:
    """A colspan as browsers read it (HTML's rules for non-negative integers): its leading digits, 1 to
    1000; no digits, or 0, is 1. ASCII digits only: "²" is a digit to str.isdigit(), not to int()."""
    digits = _LEADING_DIGITS.match(value)
    if digits is None:
        return 1
    number = ascii_number(digits[1], 4)  # 5 digits or more: over the limit
    return MAX_COLSPAN if number is None else min(max(number, 1), MAX_COLSPAN)


_LEADING_DIGITS = re.compile(r"[\t\n\f\r ]*\+?([0-9]+)")


def _removed(source: BeautifulSoup) -> dict[str, int]:
    """How many of each REMOVED_ELEMENTS the source has (none of them survives sanitizing), in that order."""
    found = Counter(element.name for element in source.find_all(REMOVED_ELEMENTS))  # one walk, not one per name
    return {name: found[name] for name in REMOVED_ELEMENTS if found[name]}
