"""Accessibility checks run in Chromium: each returns a list of problems (empty when the page passes).

Every check here has a test in test_a11y_checks_fail.py that breaks a page on purpose and sees the
check fail, so a green matrix means something.
"""

from __future__ import annotations

import json
import re
from typing import Any

from playwright.sync_api import Page

from reader import prefs
from reader.colors import contrast_ratio
from tests.browser.conftest import describe_violations, run_axe

# The WCAG 1.4.12 test values, as in the W3C's text-spacing bookmarklet, all !important.
TEXT_SPACING_CSS = (
    "* { line-height: 1.5 !important; letter-spacing: 0.12em !important; word-spacing: 0.16em !important; }"
    " p { margin-bottom: 2em !important; }"
)

# Things a reader operates: what Tab must reach and what must be at least 24 × 24 CSS px.
CONTROLS = (
    'a[href], button, select, input:not([type=hidden]), textarea, summary, iframe, [tabindex]:not([tabindex="-1"])'
)

# Make the top of the page the point where the next Tab starts (blur alone leaves it at the last control).
RESTART_TAB = """() => {
  window.scrollTo(0, 0);
  document.body.tabIndex = -1;
  document.body.focus();
  document.body.removeAttribute('tabindex');
}"""

_JS_HELPERS = (
    f"const CONTROLS = {json.dumps(CONTROLS)};"
    + """
const describe = (e) => {
  let s = e.tagName.toLowerCase();
  if (e.id) s += '#' + e.id;
  else if (e.classList.length) s += '.' + [...e.classList].join('.');
  const label = e.getAttribute('aria-label') || e.getAttribute('title') || (e.matches('input') ? e.name : '');
  const text = (label || e.textContent || '').trim().replace(/\\s+/g, ' ').slice(0, 30);
  return text ? `${s} "${text}"` : s;
};
const visible = (e) => {
  if (e.closest('[hidden], .reader-visually-hidden')) return false;
  // The same pattern set by a rule rather than the class (the size readout's words on a narrow screen): clipped
  // to nothing on purpose, for screen readers only.
  for (let n = e; n; n = n.parentElement) if (getComputedStyle(n).clip === 'rect(0px, 0px, 0px, 0px)') return false;
  if (e.closest('details:not([open])') && !e.matches('summary') && !e.closest('details:not([open]) > summary')) {
    return false;
  }
  const s = getComputedStyle(e);
  return s.visibility !== 'hidden' && s.display !== 'none' && e.getClientRects().length > 0;
};
const background = (e) => {
  for (let n = e; n; n = n.parentElement) {
    const c = getComputedStyle(n).backgroundColor;
    if (c && !c.startsWith('rgba(0, 0, 0, 0)') && c !== 'transparent') return c;
  }
  return 'rgb(255, 255, 255)';
};
// The controls Tab stops at, in document order. A radio group is one stop: its checked radio (or its first,
// when none is checked). Chromium reports tabIndex -1 for an iframe, yet Tab stops at it unless told otherwise.
const tabStops = () => {
  const stop = (e) => {
    if (!e.matches('input[type=radio]') || !e.name) return true;
    const group = [...document.querySelectorAll(`input[type=radio][name="${e.name}"]`)];
    return e === (group.find(r => r.checked) || group[0]);
  };
  return [...document.querySelectorAll(CONTROLS)]
    .filter(e => visible(e) && !e.disabled && stop(e)
                 && (e.tabIndex >= 0 || (e.matches('iframe') && e.getAttribute('tabindex') !== '-1')));
};
// The focused control's indicator, and the colour around it.
const indicator = (e) => {
  const s = getComputedStyle(e);
  return {name: describe(e), outline: s.outlineStyle, width: parseFloat(s.outlineWidth), color: s.outlineColor,
          around: background(e.parentElement || e)};
};
"""
)


def _hex(css_color: str) -> str:
    numbers = [int(float(n)) for n in re.findall(r"[\d.]+", css_color)[:3]]
    return "#" + "".join(f"{n:02x}" for n in numbers)


def axe_problems(page: Page, *, colours: bool | None = None) -> list[str]:
    """axe-core, WCAG 2.0–2.2 A and AA plus 7:1 enhanced contrast (`colours`: only, or all but, its colour rules)."""
    violations = run_axe(page, colours=colours)
    return describe_violations(violations).splitlines() if violations else []


def reflow_problems(page: Page) -> list[str]:
    """WCAG 1.4.10: no horizontal page scroll; tables scroll in their own labelled, focusable region."""
    data: dict[str, Any] = page.evaluate(
        "() => {"
        + _JS_HELPERS
        + """
        const root = document.documentElement;
        const width = root.clientWidth;
        const wide = [];
        for (const e of document.querySelectorAll('body *')) {
          if (!visible(e) || (e.parentElement && e.parentElement.closest('.reader-table'))) continue;
          const r = e.getBoundingClientRect();
          if (r.right > width + 1 || r.left < -1) wide.push(describe(e) + ' right=' + Math.round(r.right));
        }
        const tables = [...document.querySelectorAll('table')].filter(t => {
          const region = t.closest('.reader-table');
          return !region || region.getAttribute('role') !== 'region' || region.tabIndex !== 0
            || !region.getAttribute('aria-label') || getComputedStyle(region).overflowX !== 'auto';
        }).map(describe);
        const images = [...document.querySelectorAll('img')].filter(i => {
          const parent = i.parentElement.getBoundingClientRect();
          return i.getBoundingClientRect().width > parent.width + 1;
        }).map(describe);
        return {scroll: root.scrollWidth, client: width, wide: wide.slice(0, 5), tables, images};
      }"""
    )
    problems = []
    if data["scroll"] > data["client"]:
        problems.append(f"page scrolls sideways: scrollWidth {data['scroll']} > clientWidth {data['client']}")
        problems.extend(f"  wider than the viewport: {item}" for item in data["wide"])
    problems.extend(f"table without its own labelled, focusable scroll region: {t}" for t in data["tables"])
    problems.extend(f"image wider than its container: {i}" for i in data["images"])
    return problems


def clipping_problems(page: Page) -> list[str]:
    """Content cut off by a box that hides overflow, and controls covered by something else."""
    found: list[str] = page.evaluate(
        "() => {"
        + _JS_HELPERS
        + """
        const out = [];
        for (const e of document.querySelectorAll('body *')) {
          // Text fields scroll their own value by design (the caret shows where).
          if (!visible(e) || e.matches('input, textarea, select')) continue;
          const s = getComputedStyle(e);
          const hideX = ['hidden', 'clip'].includes(s.overflowX), hideY = ['hidden', 'clip'].includes(s.overflowY);
          if ((hideX && e.scrollWidth > e.clientWidth + 1) || (hideY && e.scrollHeight > e.clientHeight + 1)) {
            const sizes = `${e.scrollWidth}x${e.scrollHeight} in ${e.clientWidth}x${e.clientHeight}`;
            out.push('clipped: ' + describe(e) + ` (${sizes})`);
          }
        }
        const controls = [...document.querySelectorAll('"""
        + CONTROLS
        + """')].filter(visible);
        for (const c of controls) {
          const r = c.getBoundingClientRect();
          if (r.width < 1 || r.height < 1) { out.push('control has no size: ' + describe(c)); continue; }
          // Focus first: some controls (the skip link) only appear when focused.
          c.focus({preventScroll: true});
          // Bring it into view, scrolling any scrolling region it sits in (a wide table), then its first line
          // box to the top quarter of the screen: a link that wraps may be taller than the viewport.
          c.scrollIntoView({block: 'nearest', inline: 'nearest'});
          const first = c.getClientRects()[0];
          window.scrollBy(0, first.top - innerHeight / 4);
          // Aim at the part of the box that is on screen (a control can be taller than the viewport).
          const box = c.getClientRects()[0];
          const left = Math.max(box.left, 0), right = Math.min(box.right, innerWidth);
          const top = Math.max(box.top, 0), bottom = Math.min(box.bottom, innerHeight);
          const hit = document.elementFromPoint((left + right) / 2, (top + bottom) / 2);
          if (!hit || !(c === hit || c.contains(hit) || hit.contains(c) && hit.closest('label'))) {
            out.push('control covered: ' + describe(c) + ' by ' + (hit ? describe(hit) : 'nothing'));
          }
        }
        document.activeElement && document.activeElement.blur();
        window.scrollTo(0, 0);
        return out;
      }"""
    )
    return found


def text_spacing_problems(page: Page) -> list[str]:
    """WCAG 1.4.12: apply the text-spacing overrides, then nothing may be clipped or covered."""
    page.evaluate(
        """(css) => { const sheet = new CSSStyleSheet(); sheet.replaceSync(css);
                      document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet]; }""",
        TEXT_SPACING_CSS,
    )
    problems = clipping_problems(page) + [p for p in reflow_problems(page) if "scrolls sideways" in p]
    page.evaluate("() => { document.adoptedStyleSheets = document.adoptedStyleSheets.slice(0, -1); }")
    return [f"with text spacing: {p}" for p in problems]


def target_problems(page: Page) -> list[str]:
    """WCAG 2.5.8: every control at least 24 × 24 CSS px (links inside running text are exempt)."""
    small: list[str] = page.evaluate(
        "() => {"
        + _JS_HELPERS
        + """
        return [...document.querySelectorAll('"""
        + CONTROLS
        + """')].filter(visible).filter(c => {
          if (c.matches('[role=region]')) return false;
          if (c.matches('a') && c.closest('p, li, td, th, figcaption, blockquote, dd')) return false;
          // A radio or checkbox is operated through its label too: together they are the target.
          const label = c.matches('input[type=radio], input[type=checkbox]') && c.closest('label');
          const r = (label || c).getBoundingClientRect();
          return r.width < 24 || r.height < 24;
        }).map(c => { const r = c.getBoundingClientRect();
                      return describe(c) + ` ${Math.round(r.width)}x${Math.round(r.height)}`; });
      }"""
    )
    return [f"target smaller than 24x24: {s}" for s in small]


# What the focus is on (null: nothing, the page itself), seen as the reader sees it (window.__stop, with the
# helpers in scope).
FOCUS_STOP = (
    "() => {"
    + _JS_HELPERS
    + """
    window.__stop = () => {
      const e = document.activeElement;
      if (!e || e === document.body) return null;
      const r = e.getBoundingClientRect();
      // 2.4.11 (minimum): some part of the focused control is on screen and not covered by anything;
      // a few points of each line box are tried (a control half scrolled out of a region still passes).
      // Points are taken in the part of each box that is inside the viewport: a textarea taller
      // than a phone screen shows only a slice of itself, wherever the caret put it.
      const shown = [...e.getClientRects()].some(b => {
        const left = Math.max(b.left, 0), right = Math.min(b.right, innerWidth);
        const top = Math.max(b.top, 0), bottom = Math.min(b.bottom, innerHeight);
        if (right <= left || bottom <= top) return false;
        for (const [fx, fy] of [[0.5, 0.5], [0.15, 0.5], [0.85, 0.5], [0.5, 0.2], [0.5, 0.8]]) {
          const x = left + (right - left) * fx, y = top + (bottom - top) * fy;
          const hit = document.elementFromPoint(x, y);
          if (hit && (hit === e || e.contains(hit))) return true;
        }
        return false;
      });
      return {...indicator(e), top: r.top + scrollY, bottom: r.bottom + scrollY, left: r.left,
              inView: shown, covered: !shown};
    };
  }"""
)
# Each Tab's keydown, before the browser moves the focus on: where the Tab before it had put the focus. Seen
# then rather than in a round trip after each Tab: the page is in the state it was left in by the Tab before
# (the focus moved, the page scrolled to it), and nothing else has run since but the time a round trip takes.
# (One listener a document, however many walks are made in it.)
RECORD_STOPS = """() => {
  window.__stops = [];
  if (window.__recording) return;
  window.__recording = true;
  addEventListener('keydown', (event) => { if (event.key === 'Tab') window.__stops.push(window.__stop()); }, true);
}"""


def keyboard_problems(page: Page) -> list[str]:
    """Tab reaches every control in visual order, each with a visible focus indicator that nothing hides."""
    expected: list[str] = page.evaluate("() => {" + _JS_HELPERS + "return tabStops().map(describe); }")
    page.evaluate(RESTART_TAB)
    page.evaluate(FOCUS_STOP)
    visited: list[dict[str, Any]] = []
    frames = sum(1 for name in expected if name.startswith("iframe"))
    presses = len(expected) + 3 + 15 * frames
    stops: list[dict[str, Any] | None] | None = None
    if not frames:
        # All the presses, then what each left the focus on: one round trip a stop instead of two. (A frame's
        # own controls take their Tabs' keydowns, which this page does not see: there, a stop after each Tab.)
        page.evaluate(RECORD_STOPS)
        for _ in range(presses):
            page.keyboard.press("Tab")
        stops = page.evaluate("() => [...window.__stops.slice(1), window.__stop()]")
    for index in range(presses):
        if stops is None:
            page.keyboard.press("Tab")
            info = page.evaluate("() => window.__stop()")
        else:
            info = stops[index]
        if info is None or (visited and info["name"] == visited[0]["name"]):
            break
        # Tab walks through a frame's own controls while the frame stays the active element here: one stop.
        if visited and info["name"] == visited[-1]["name"] and info["name"].startswith("iframe"):
            continue
        visited.append(info)
    problems = []
    names = [v["name"] for v in visited]
    missing = [name for name in expected if name not in names]
    if missing:
        problems.append(f"Tab never reaches: {missing[:5]}")
    if names != expected[: len(names)]:
        first = (
            next(i for i, (a, b) in enumerate(zip(names, expected, strict=False)) if a != b)
            if any(a != b for a, b in zip(names, expected, strict=False))
            else len(expected)
        )
        problems.append(
            f"Tab order differs from the document order at stop {first + 1}: "
            f"Tab reached {names[first : first + 3]}, the document has {expected[first : first + 3]}"
        )
    for before, after in zip(visited, visited[1:], strict=False):
        same_row = after["top"] < before["bottom"] - 2 and before["top"] < after["bottom"] - 2
        if (same_row and after["left"] < before["left"] - 2) or (not same_row and after["bottom"] <= before["top"]):
            problems.append(f"focus moves backwards visually: {before['name']} → {after['name']}")
    for item in visited:
        if not item["inView"] or item["covered"]:
            problems.append(f"focused control hidden: {item['name']}")
        problems.extend(_indicator_problems(item))
    return problems


def _indicator_problems(item: dict[str, Any]) -> list[str]:
    """A focus indicator (2.4.7, 1.4.11): an outline of at least 2 CSS px, 3:1 against what is around it."""
    if item["name"].startswith("iframe"):
        return []  # focus is drawn inside the frame's own page, which is checked on its own
    if item["outline"] in ("none", "hidden") or item["width"] < 2:
        return [f"focus indicator under 2 px: {item['name']} ({item['outline']} {item['width']}px)"]
    ratio = contrast_ratio(_hex(item["color"]), _hex(item["around"]))
    if ratio < 3:
        return [f"focus indicator contrast {ratio:.2f}:1 < 3:1: {item['name']}"]
    return []


def focus_indicator_problems(page: Page) -> list[str]:
    """The colour half of the keyboard check: every Tab stop's focus indicator, without walking the page.

    One Tab puts the page in keyboard mode; then each stop is focused from script, which keeps `:focus-visible`
    on as it is for a keyboard user (checked, so the indicator judged is the one a keyboard user sees)."""
    page.evaluate(RESTART_TAB)
    page.keyboard.press("Tab")
    items: list[dict[str, Any]] = page.evaluate(
        "() => {"
        + _JS_HELPERS
        + """
        const out = [];
        for (const e of tabStops().filter(e => !e.matches('iframe'))) {
          e.focus({preventScroll: true});
          out.push({...indicator(e), focused: document.activeElement === e, focusVisible: e.matches(':focus-visible')});
        }
        document.activeElement && document.activeElement.blur();
        return out;
      }"""
    )
    problems = []
    for item in items:
        if not (item["focused"] and item["focusVisible"]):
            problems.append(f"not focused as from the keyboard: {item['name']}")
            continue
        problems.extend(_indicator_problems(item))
    return problems


def semantics_problems(page: Page) -> list[str]:
    """Landmarks, one h1, named controls, aria-pressed on toggles, one polite status region."""
    data: dict[str, Any] = page.evaluate(
        "() => {"
        + _JS_HELPERS
        + """
        const count = (sel) => document.querySelectorAll(sel).length;
        const unnamed = [...document.querySelectorAll('button, select, input:not([type=hidden]), a[href], summary')]
          .filter(visible).filter(e => {
            const labelled = e.labels && e.labels.length || e.getAttribute('aria-label')
              || e.getAttribute('aria-labelledby');
            return !labelled && !(e.textContent || '').trim() && !e.getAttribute('title');
          }).map(describe);
        const toggles = [...document.querySelectorAll('.reader-toggle')].filter(
          t => !['true', 'false'].includes(t.getAttribute('aria-pressed'))).map(describe);
        const statuses = [...document.querySelectorAll('[role=status], [aria-live]')];
        return {h1: count('h1'), main: count('main, [role=main]'), unnamed, toggles,
                status: statuses.map(s => [s.id, s.getAttribute('role'), s.getAttribute('aria-live')]),
                lang: document.documentElement.lang, reader: count('#reader')};
      }"""
    )
    problems = []
    if data["h1"] != 1:
        problems.append(f"{data['h1']} h1 elements (one expected)")
    if data["reader"] and data["main"] != 1:
        problems.append(f"{data['main']} main landmarks (one expected)")
    problems.extend(f"control without a name: {u}" for u in data["unnamed"])
    problems.extend(f"toggle without aria-pressed: {t}" for t in data["toggles"])
    if data["status"] != [["reader-status", "status", None]]:
        problems.append(f"expected exactly one polite role=status region, found {data['status']}")
    if not data["lang"]:
        problems.append("the page has no lang")
    return problems


def motion_problems(page: Page) -> list[str]:
    """Nothing animates (with prefers-reduced-motion: reduce emulated by the caller)."""
    moving: list[str] = page.evaluate(
        "() => {"
        + _JS_HELPERS
        + """
        const out = document.getAnimations().map(a => 'animation on ' + describe(a.effect.target));
        for (const e of document.querySelectorAll('body *')) {
          const s = getComputedStyle(e);
          const secs = (v) => Math.max(...v.split(',').map(x => parseFloat(x) || 0));
          if (secs(s.transitionDuration) > 0 || (s.animationName !== 'none' && secs(s.animationDuration) > 0)) {
            out.push('transition or animation on ' + describe(e));
          }
        }
        return out;
      }"""
    )
    return moving


def text_sizes(page: Page) -> dict[str, float]:
    """Computed font size of every element that holds text directly, keyed by a stable path."""
    sizes: dict[str, float] = page.evaluate(
        """() => {
        const out = {};
        const path = (e) => { const parts = [];
          for (let n = e; n && n !== document.body; n = n.parentElement) {
            parts.unshift(n.tagName + ':' + [...n.parentElement.children].indexOf(n)); }
          return parts.join('/'); };
        for (const e of document.querySelectorAll('body *')) {
          const own = [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
          // The controls around the article (reader.prefs.CONTROLS_SIZE_LIMIT) are marked: they stop at 200 %.
          const controls = e.closest(
            '.reader-skip, .reader-masthead, .reader-toolbar:not(.reader-toolbar--settings), .reader-search, ' +
            '.reader-footer');
          if (own) out[(controls ? 'controls ' : '') + path(e)] = parseFloat(getComputedStyle(e).fontSize);
        }
        return out;
      }"""
    )
    return sizes


def compare_scaling(base: dict[str, float], scaled: dict[str, float], factor: float) -> list[str]:
    """Elements whose text did not follow a size setting of `factor` (a px font size, say).

    Running text grows by exactly `factor`, the controls around the article up to their limit (200 %).
    Headings may grow less at the largest sizes (so a title still fits a phone at 400 %), but always by at
    least 200 % (WCAG 1.4.4) and never shrink below text.
    (On a phone, a title with a long word grows only as far as keeps the word whole, reader.title_fit:
    the pages measured here are desktop-wide, where every title word fits.)
    """
    problems = []
    for key, size in base.items():
        if key not in scaled:
            continue
        heading = any(part.split(":")[0] in {"H1", "H2", "H3", "H4", "H5", "H6"} for part in key.split("/"))
        if key.startswith("controls "):
            ok = abs(scaled[key] - size * min(factor, prefs.CONTROLS_SIZE_LIMIT / 100)) <= 0.6
        elif heading:
            ok = scaled[key] >= size * min(factor, 2.0) - 0.6 and scaled[key] >= 16 * factor - 0.6
        else:
            ok = abs(scaled[key] - size * factor) <= 0.6
        if not ok:
            problems.append(f"text does not scale: {key.split('/')[-3:]} {size}px → {scaled[key]}px (×{factor})")
    return problems[:10]


def font_fallback(page: Page, selector: str) -> list[dict[str, Any]]:
    """The platform fonts Chromium used to draw a node's text (CDP CSS.getPlatformFontsForNode)."""
    cdp = page.context.new_cdp_session(page)
    try:
        cdp.send("DOM.enable")
        cdp.send("CSS.enable")
        root = cdp.send("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
        node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
        fonts: list[dict[str, Any]] = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
        return fonts
    finally:
        cdp.detach()


def forced_colors_problems(page: Page) -> list[str]:
    """With forced colours active (emulated by the caller): controls keep a boundary and a focus ring."""
    found: list[str] = page.evaluate(
        "() => {"
        + _JS_HELPERS
        + """
        if (!matchMedia('(forced-colors: active)').matches) return ['forced colours are not active'];
        const out = [];
        // Radios and checkboxes keep their native, system-coloured look; they need no border of ours.
        for (const c of document.querySelectorAll(
            'button, select, input:not([type=hidden]):not([type=radio]):not([type=checkbox]), summary')) {
          if (!visible(c)) continue;
          const s = getComputedStyle(c);
          if (s.borderTopStyle === 'none' || parseFloat(s.borderTopWidth) < 1) out.push('no border: ' + describe(c));
        }
        for (const a of document.querySelectorAll('a[href]')) {
          if (visible(a) && !getComputedStyle(a).textDecorationLine.includes('underline')
              && !a.matches('.reader-brand, .reader-button, .reader-skip')) {
            out.push('link without underline: ' + describe(a));
          }
        }
        return out;
      }"""
    )
    page.evaluate(RESTART_TAB)
    for _ in range(4):
        page.keyboard.press("Tab")
        ring = page.evaluate(
            "() => { const s = getComputedStyle(document.activeElement);"
            " return [document.activeElement.tagName, s.outlineStyle, parseFloat(s.outlineWidth)]; }"
        )
        if ring[0] == "BODY":
            break  # fewer than four controls: Tab has left the page
        if ring[1] in ("none", "hidden") or ring[2] < 2:
            found.append(f"no focus ring in forced colours on {ring[0]}")
    return found


# --- the matrix's checks, grouped by what they depend on (docs/accessibility.md, "The matrix") -----------


def layout_problems(page: Page, *, axe_colours: bool = False) -> dict[str, list[str]]:
    """Every check that does not judge colours, by name: what depends on the text size and the screen, never
    on the theme (forced colours and reduced motion are emulated last). `axe_colours`: axe's colour rules too.

    The keyboard check judges the focus indicators' contrast too, in this point's theme."""
    results = {
        "axe": axe_problems(page, colours=None if axe_colours else False),
        "semantics": semantics_problems(page),
        "targets": target_problems(page),
        "reflow": reflow_problems(page),
        "keyboard": keyboard_problems(page),
        "text spacing": text_spacing_problems(page),
    }
    page.emulate_media(forced_colors="active", reduced_motion="reduce")
    results["forced colours"] = forced_colors_problems(page)
    results["motion"] = motion_problems(page)
    return {check: problems for check, problems in results.items() if problems}


def colour_problems(page: Page) -> dict[str, list[str]]:
    """Every check that judges colours, by name: axe's colour rules (text contrast 4.5:1 and 7:1, links told
    apart from text) and every focus indicator's contrast."""
    results = {"axe colours": axe_problems(page, colours=True), "focus indicators": focus_indicator_problems(page)}
    return {check: problems for check, problems in results.items() if problems}


def all_problems(page: Page) -> dict[str, list[str]]:
    """Every check of the matrix at one point, by name: the layout checks with all of axe."""
    return layout_problems(page, axe_colours=True)


# --- what the split rests on, checked where it is used -------------------------------------------------

# The rules that select on the theme, as Chromium parsed the page's style sheets: each may set only colour
# custom properties and color-scheme (a colour can size nothing, hide nothing, move nothing).
THEME_RULES = """() => {
  const out = [];
  const walk = (rules) => {
    for (const rule of rules) {
      if (rule instanceof CSSStyleRule && rule.selectorText.includes('data-theme')) {
        for (const property of rule.style) {
          const value = rule.style.getPropertyValue(property).trim();
          if (property === 'color-scheme' || (property.startsWith('--') && CSS.supports('color', value))) continue;
          out.push(`${rule.selectorText} { ${property}: ${value} }`);
        }
      }
      if (rule.cssRules) walk(rule.cssRules);
    }
  };
  for (const sheet of document.styleSheets) walk(sheet.cssRules);
  return out;
}"""


def theme_rule_problems(page: Page) -> list[str]:
    """Theme rules that set anything but colours: the layout checks, run in one theme, would not cover them."""
    found: list[str] = page.evaluate(THEME_RULES)
    return [f"a theme rule sets more than colours: {rule}" for rule in found]


# Every visible element's box, and the colours of every element a colour check looks at (those with text of
# their own, and the controls). The colours are read with each of the theme's custom properties set to a
# colour of its own, so that a colour names the property it came from: an element that took its text from
# --reader-fg at one size and from --reader-muted at another differs here even where a theme gives both
# properties the same colour.
FOOTPRINT = (
    "() => {"
    + _JS_HELPERS
    + """
  const path = (e) => { const parts = [];
    for (let n = e; n && n !== document.body; n = n.parentElement) {
      parts.unshift(n.tagName + ':' + [...n.parentElement.children].indexOf(n)); }
    return parts.join('/'); };
  const boxes = {}, colours = {};
  for (const e of document.querySelectorAll('body *')) {
    if (!visible(e)) continue;
    const r = e.getBoundingClientRect();
    boxes[path(e)] = [r.x, r.y + scrollY, r.width, r.height].map(v => Math.round(v * 2) / 2);
  }
  const properties = new Set();
  const walk = (rules) => { for (const rule of rules) {
    if (rule instanceof CSSStyleRule && rule.selectorText.includes('data-theme')) {
      for (const p of rule.style) if (p.startsWith('--')) properties.add(p); }
    if (rule.cssRules) walk(rule.cssRules); } };
  for (const sheet of document.styleSheets) walk(sheet.cssRules);
  const probe = new CSSStyleSheet();
  probe.replaceSync(`.reader, .reader[data-theme] { ${[...properties].map((p, i) =>
    `${p}: rgb(${(i * 37) % 256}, ${(i * 71 + 50) % 256}, ${(i * 113 + 100) % 256}) !important;`).join(' ')} }`);
  document.adoptedStyleSheets = [...document.adoptedStyleSheets, probe];
  for (const e of document.querySelectorAll('body *')) {
    const own = [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    if (!visible(e) || !(own || e.matches(CONTROLS))) continue;
    const s = getComputedStyle(e);
    colours[path(e)] = [describe(e), [s.color, background(e), s.borderTopColor, s.borderRightColor,
      s.borderBottomColor, s.borderLeftColor, s.textDecorationColor, s.outlineColor].join(' ')];
  }
  document.adoptedStyleSheets = document.adoptedStyleSheets.filter(sheet => sheet !== probe);
  return {boxes, colours};
}"""
)


def footprint(page: Page) -> dict[str, Any]:
    """The page's boxes and colours (FOOTPRINT), for comparing two points of the matrix."""
    found: dict[str, Any] = page.evaluate(FOOTPRINT)
    return found


def unseen_colours(here: dict[str, Any], colour_point: dict[str, Any]) -> list[str]:
    """Elements shown here that the colour checks do not see in these colours at the colour point."""
    problems = []
    for path, (name, colours) in here["colours"].items():
        seen = colour_point["colours"].get(path)
        if seen is None:
            problems.append(f"shown here, hidden at the colour point: {name}")
        elif seen[1] != colours:
            problems.append(f"coloured otherwise than at the colour point: {name} ({colours} / {seen[1]})")
    return problems[:10]


def moved_boxes(here: dict[str, Any], reference: dict[str, Any]) -> list[str]:
    """Boxes that differ from the reference theme's at the same point: the theme changed the layout."""
    boxes, expected = here["boxes"], reference["boxes"]
    changed = [path for path in boxes.keys() | expected.keys() if boxes.get(path) != expected.get(path)]
    return [
        f"box differs from the reference theme's: {path} {boxes.get(path)} / {expected.get(path)}"
        for path in sorted(changed)[:10]
    ]


def report(failures: dict[str, list[str]], point: str) -> str:
    return "\n".join(f"[{check}] {point}\n  " + "\n  ".join(problems) for check, problems in failures.items())
