"""What the XSS corpus test needs in the browser: marker functions, execution counting and a DOM audit.

A browser context from `armed_context` defines `__xss(id)` and replaces alert/confirm/prompt/print in every
frame before any of the page's own scripts run; each call reaches Python at once through an exposed
binding, so an execution is counted even if the page navigates away right after it. Requests whose path
starts with /__xss/ (what htmx attributes, <base>, <meta refresh> or CSS payloads would load), dialogs and
page errors are counted too. `securitypolicyviolation` events are recorded separately: CSP is the second
line of defence, and the test reports how often it had to act.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from playwright.sync_api import Browser, BrowserContext, Dialog, Frame, Page, Request

MARKER_PATH = "/__xss/"

INIT_SCRIPT = """
(() => {
  const report = (kind, detail) => {
    try { window.__xssReport(kind, String(detail), location.href); } catch (error) { /* page is closing */ }
  };
  window.__xss = (id) => report("marker", id);
  for (const name of ["alert", "confirm", "prompt", "print"]) {
    window[name] = (...args) => report(name, args.length ? args[0] : "");
  }
  document.addEventListener("securitypolicyviolation", (event) => {
    report("csp", `${event.violatedDirective} ${event.blockedURI} ${event.sample}`);
  }, true);
})();
"""

# Runs in one document (and the open shadow roots in it); returns the problems it finds. Everything here is
# the test's own judgement of what inert article markup looks like, not a copy of reader's allowlist.
AUDIT_SCRIPT = r"""
({expectations, listing, fields}) => {
  const problems = [];
  const name = (el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "");
  const roots = [document];
  for (let i = 0; i < roots.length; i++) {
    for (const el of roots[i].querySelectorAll("*")) if (el.shadowRoot) roots.push(el.shadowRoot);
  }
  const elements = roots.flatMap((root) => [...root.querySelectorAll("*")]);
  const SAFE_SCHEMES = new Set(["http:", "https:", "mailto:"]);
  const URL_ATTRIBUTES = new Set(["href", "src", "action", "formaction", "cite", "data", "poster", "background",
    "xlink:href", "ping", "codebase", "longdesc", "manifest", "lowsrc", "dynsrc", "srcdoc", "srcset"]);
  const BANNED = new Set(["object", "embed", "applet", "frame", "frameset", "base", "svg", "math", "template",
    "noscript", "style", "isindex", "marquee", "video", "audio", "source", "xmp", "noembed", "plaintext",
    "listing", "portal", "keygen", "dialog"]);
  const BODY_TAGS = new Set(("p br hr h2 h3 h4 h5 h6 ul ol li dl dt dd a img figure figcaption blockquote q " +
    "cite table caption colgroup col thead tbody tfoot tr th td pre code kbd samp var em strong b i u s small " +
    "sub sup mark abbr dfn del ins time span wbr bdi").split(" "));
  const BODY_ATTRIBUTES = new Set(("lang dir title href hreflang src alt width height cite start reversed " +
    "type scope colspan rowspan abbr span datetime rel loading decoding").split(" "));
  const TABLE_REGION = new Set(["class", "role", "tabindex", "aria-label"]);
  const path = (value) => { try { return new URL(value, document.baseURI).pathname; } catch { return ""; } };

  for (const el of elements) {
    const tag = el.tagName.toLowerCase();
    // The embed's own <base target="_top"> (links leave another site's frame): in the head, no address.
    const ownBase = tag === "base" && el.parentElement === document.head && !el.hasAttribute("href") &&
      el.attributes.length === 1 && el.getAttribute("target") === "_top";
    if (BANNED.has(tag) && !ownBase) problems.push(`banned element <${tag}>`);
    if (tag === "script" && (!path(el.getAttribute("src") || "").startsWith("/static/") || el.textContent.trim()))
      problems.push(`script not from /static/: ${el.outerHTML.slice(0, 120)}`);
    if (tag === "iframe" && !/^\/(editor\/preview|embed)\//.test(path(el.getAttribute("src") || "")))
      problems.push(`iframe: ${el.outerHTML.slice(0, 120)}`);
    if (tag === "meta" && el.hasAttribute("http-equiv")) problems.push(`meta http-equiv: ${el.outerHTML}`);
    // The page's own hold on its first paint (templates/base.html): in the head, naming one of reader's ids.
    const ownExpect = tag === "link" && el.parentElement === document.head && el.attributes.length === 3 &&
      el.getAttribute("rel") === "expect" && el.getAttribute("blocking") === "render" &&
      ["#reader-article", "#reader-status"].includes(el.getAttribute("href"));
    const ownAddress = /^\/(static|preferences\/colors|oembed)/.test(path(el.getAttribute("href") || ""));
    // The feed named in the head, and an article page's own address as the one to list (its canonical link):
    // on this site, with no attribute but these.
    const inHead = tag === "link" && el.parentElement === document.head;
    const here = (value) => { try { return new URL(value, document.baseURI).origin === location.origin; }
                              catch { return false; } };
    const only = (...names) => [...el.attributes].every((attribute) => names.includes(attribute.name));
    const ownFeed = inHead && only("rel", "type", "href", "title") && el.getAttribute("rel") === "alternate" &&
      el.getAttribute("type") === "application/atom+xml" && here(el.getAttribute("href")) &&
      path(el.getAttribute("href")) === "/feed.xml";
    const ownCanonical = inHead && only("rel", "href") && el.getAttribute("rel") === "canonical" &&
      here(el.getAttribute("href")) && path(el.getAttribute("href")) === location.pathname;
    if (tag === "link" && !ownExpect && !ownAddress && !ownFeed && !ownCanonical)
      problems.push(`link: ${el.outerHTML}`);
    if (tag === "form" && el.closest(".reader-body")) problems.push("form inside the article body");
    for (const attribute of el.attributes) {
      const key = attribute.name.toLowerCase();
      const value = attribute.value;
      if (key.startsWith("on")) problems.push(`event handler ${key} on ${name(el)}`);
      if (key === "style") problems.push(`style attribute on ${name(el)}: ${value.slice(0, 60)}`);
      // reader's own htmx attributes are data-hx-* (valid HTML) on its forms, the status region's oob swap, and
      // the region's headers: the interface language it is drawn in (templates/_shell.html), no other value.
      const ownHtmx = key.startsWith("data-hx-") &&
        (tag === "form" || (el.id === "reader-status" && key === "data-hx-swap-oob") ||
         (el.id === "reader" && key === "data-hx-headers" && /^\{"Reader-Page-Lang":"(vi|en)"\}$/.test(value)));
      if ((key.startsWith("hx-") || key.startsWith("data-hx")) && !ownHtmx)
        problems.push(`htmx attribute ${key} on ${name(el)}`);
      if (key === "srcdoc" || key === "srcset" || key === "formaction") problems.push(`${key} on ${name(el)}`);
      if (URL_ATTRIBUTES.has(key) && value.trim()) {
        let scheme = "";
        try { scheme = new URL(value, document.baseURI).protocol; } catch { scheme = "unparsable"; }
        if (!SAFE_SCHEMES.has(scheme)) problems.push(`${key}="${value.slice(0, 60)}" (${scheme}) on ${name(el)}`);
      }
    }
    if (tag === "a" && el.hasAttribute("href")) {
      let url = null;
      try { url = new URL(el.getAttribute("href"), document.baseURI); } catch { /* reported above */ }
      const rel = (el.getAttribute("rel") || "").split(/\s+/);
      const external = url && /^https?:$/.test(url.protocol) && url.host !== location.host;
      const guarded = rel.includes("noopener") && rel.includes("noreferrer");
      if (external && el.closest(".reader-body, .reader-source") && !guarded)
        problems.push(`external link without rel="noopener noreferrer": ${el.outerHTML.slice(0, 120)}`);
    }
  }
  for (const root of roots) {
    for (const body of root.querySelectorAll(".reader-body")) {
      for (const el of body.querySelectorAll("*")) {
        const tag = el.tagName.toLowerCase();
        const region = tag === "div" && el.className === "reader-table";
        if (!BODY_TAGS.has(tag) && !region) problems.push(`<${tag}> in the article body`);
        for (const attribute of el.attributes) {
          // reader's sentence marks for read aloud: a bare span with a body sentence id, nothing else.
          const mark = tag === "span" && attribute.name === "data-sentence" && /^b[0-9]+$/.test(attribute.value);
          const allowed = mark || (region ? TABLE_REGION.has(attribute.name) : BODY_ATTRIBUTES.has(attribute.name));
          if (!allowed) problems.push(`attribute ${attribute.name} on <${tag}> in the article body`);
        }
      }
    }
    if (root.querySelectorAll("#reader-title").length > 1) problems.push("more than one #reader-title");
  }
  const htmxConfigs = document.querySelectorAll('meta[name="htmx-config"]');
  if (htmxConfigs.length > 1 || (htmxConfigs.length === 1 && htmxConfigs[0].parentElement !== document.head))
    problems.push("an extra htmx-config");

  const text = (el) => (el ? el.textContent.replace(/\s+/g, " ").trim() : null);
  for (const expected of expectations) {
    const host = expected.host ? document.querySelector(expected.host) : null;
    const root = expected.host ? host && host.shadowRoot : document;
    if (!root) { problems.push(`no article at ${expected.host}`); continue; }
    const title = root.querySelector("#reader-title");
    if (!title) { problems.push(`no #reader-title (${expected.label})`); continue; }
    // Text only, in reader's sentence marks (bare spans with a title sentence id) at most.
    const mark = (el) => el.tagName === "SPAN" && el.attributes.length === 1 && !el.children.length &&
      /^t[0-9]+$/.test(el.getAttribute("data-sentence") || "");
    // In the embed the title links to the article's own page (one link, reader's id, no other attribute).
    const only = title.children.length === 1 ? title.firstElementChild : null;
    const link = only && only.id === "reader-title-link" ? only : null;
    const ownLink = link && link.tagName === "A" && link.attributes.length === 2 &&
      /^\/articles\/[a-z0-9-]+$/.test(link.getAttribute("href") || "");
    if (![...(ownLink ? link : title).children].every(mark)) problems.push(`markup in the title (${expected.label})`);
    if (text(title) !== expected.title)
      problems.push(`title ${JSON.stringify(text(title))} is not ${JSON.stringify(expected.title)}`);
    const lead = root.querySelector(".reader-lead");
    if (text(lead) !== expected.summary) problems.push(`lead ${JSON.stringify(text(lead))} (${expected.label})`);
    const author = root.querySelector(".reader-author");
    if (!author || author.children.length !== 1 || text(author.lastChild) !== expected.author)
      problems.push(`author ${JSON.stringify(text(author))} (${expected.label})`);
    const body = text(root.querySelector(".reader-body")) || "";
    if (!body.includes("Body text")) problems.push(`body text missing (${expected.label})`);
    if (expected.literal && !body.includes(expected.literal))
      problems.push(`template text ${expected.literal} not shown literally in the body (${expected.label})`);
    if (expected.documentTitle && !document.title.startsWith(expected.title))
      problems.push(`document title ${JSON.stringify(document.title)} (${expected.label})`);
  }
  for (const [selector, map] of listing ? [[listing.selector, listing.titles]] : []) {
    for (const link of document.querySelectorAll(selector)) {
      const slug = new URL(link.href).pathname.split("/").pop();
      if (!(slug in map)) continue;
      if (link.children.length || text(link) !== map[slug])
        problems.push(`listed title ${JSON.stringify(text(link))} is not ${JSON.stringify(map[slug])}`);
      const lead = listing.leads && link.closest(".reader-list-item").querySelector(".reader-list-lead");
      if (listing.leads && (!lead || lead.children.length || text(lead) !== listing.leads[slug]))
        problems.push(`listed lead ${JSON.stringify(text(lead))} is not ${JSON.stringify(listing.leads[slug])}`);
      map[slug] = null;
    }
  }
  for (const [selector, expected] of Object.entries(fields || {})) {
    const el = document.querySelector(selector);
    if (!el) { problems.push(`no field ${selector}`); continue; }
    if (el.value.replace(/\s+/g, "") !== expected) problems.push(`field ${selector} holds ${JSON.stringify(el.value)}`);
  }
  return {problems, listed: listing ? Object.values(listing.titles).filter((v) => v === null).length : 0};
}
"""


@dataclass
class Execution:
    kind: str
    detail: str
    url: str


@dataclass
class Recorder:
    """Everything the browser reports while the corpus is rendered."""

    executions: list[Execution] = field(default_factory=list)
    csp_violations: list[Execution] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    documents: Counter[str] = field(default_factory=Counter)
    # Seconds spent per view (from the previous audit to this one), to see where the time goes.
    seconds: Counter[str] = field(default_factory=Counter)
    started: float = field(default_factory=time.monotonic)
    _last: float = field(default_factory=time.monotonic)

    def binding(self, source: dict[str, Any], kind: str, detail: str, url: str) -> None:
        record = Execution(kind, detail, url)
        (self.csp_violations if kind == "csp" else self.executions).append(record)

    def request(self, request: Request) -> None:
        if urlsplit(request.url).path.startswith(MARKER_PATH):
            self.executions.append(Execution("request", request.url, request.frame.url if request.frame else ""))

    def dialog(self, dialog: Dialog) -> None:
        self.executions.append(
            Execution("dialog", f"{dialog.type}: {dialog.message}", dialog.page.url if dialog.page else "")
        )
        dialog.dismiss()

    def watch(self, page: Page) -> None:
        page.on("dialog", self.dialog)
        page.on("pageerror", lambda error: self.page_errors.append(f"{page.url}: {error}"))

    def audit(
        self,
        frame: Frame | Page,
        view: str,
        *,
        expectations: Iterable[dict[str, Any]] = (),
        listing: dict[str, Any] | None = None,
        fields: dict[str, str] | None = None,
    ) -> int:
        """Check one rendered document; its problems are recorded with the view's name and URL."""
        result = frame.evaluate(
            AUDIT_SCRIPT, {"expectations": list(expectations), "listing": listing, "fields": fields or {}}
        )
        self.documents[view] += 1
        now = time.monotonic()
        self.seconds[view] += now - self._last
        self._last = now
        self.problems.extend(f"{view} {frame.url}: {problem}" for problem in result["problems"])
        return int(result["listed"])

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def summary(self) -> str:
        kinds = Counter(execution.kind for execution in self.executions)
        return (
            f"{sum(self.documents.values())} documents ({dict(self.documents)}), "
            f"{len(self.executions)} executions {dict(kinds)}, {len(self.csp_violations)} CSP violations, "
            f"{len(self.problems)} DOM problems, {self.elapsed():.0f} s "
            f"({', '.join(f'{view} {seconds:.0f}' for view, seconds in self.seconds.most_common())})"
        )


def armed_context(
    browser: Browser, recorder: Recorder, *, bypass_csp: bool = False, storage_state: Any = None
) -> BrowserContext:
    """A browser context whose every page and frame counts payload executions into the recorder."""
    context = browser.new_context(
        bypass_csp=bypass_csp, storage_state=storage_state, viewport={"width": 800, "height": 600}, locale="en-GB"
    )
    context.expose_binding("__xssReport", recorder.binding)
    context.add_init_script(INIT_SCRIPT)
    context.on("request", recorder.request)
    context.on("page", recorder.watch)
    return context


def as_text(value: str) -> str:
    """A payload as reader stores a one-line text field: whitespace runs become one space."""
    return " ".join(value.split())


def without_space(value: str) -> str:
    """For form fields: a text input drops line breaks from its value, so compare without whitespace."""
    return re.sub(r"\s+", "", value)
