// <reader-article src="https://reader.example/articles/some-slug/fragment">: one of reader's articles,
// with the reader's own size and readability settings, inside any page (docs/embedding.md).
//
//   <script type="module" async src="https://reader.example/static/reader-article.js"></script>
//   <reader-article src="https://reader.example/articles/some-slug/fragment" size="125" theme="auto" lang="vi">
//     <a href="https://reader.example/articles/some-slug">Read the article</a>
//   </reader-article>
//
// The fragment is rendered in a shadow root with reader's stylesheet, so the page's CSS and reader's cannot
// leak into each other; the element's own box is the page's (hidden, display, size, margins, grid or flex place). The reading controls are wired here (no htmx needed on the page): each form posts
// to reader with credentials and the answer replaces the article region, keeps keyboard focus on the
// control that was used, and updates the polite status region. The light-DOM link stays visible until the
// article has loaded, and for good when JavaScript is off or the fetch fails.
//
// Read aloud and the reading guide work here too (js/reading-tools.js, loaded from the fingerprinted addresses
// the fragment names, so this unversioned file never runs them with another release's modules); their
// single-key shortcuts act only while the focus is inside the component, and leaving the page (or removing the
// element) stops the voice.
//
// Every <reader-article> on a page shares one current state of the reader's settings: each request sends it
// (where the browser keeps no third-party cookie, that copy is all reader has), and a change made in one
// component is announced on the document (reader:prefs), so the others show it at once.
//
// Attributes: src (required), size and theme (the page's defaults; a reader's own choice wins), lang (the
// UI language: vi or en), loading ("lazy": fetched as it nears the viewport), heading-level (the title's
// level, 1-6; 1 by default). Events: reader:load, reader:change, reader:error (detail.error) on the element;
// reader:prefs (detail.prefs) on the document. A change that fails is announced in the status region. On a
// page that enforces Trusted Types, the article's HTML goes through a policy named "reader-article"
// (trustedHTML).

// Each named in a URL of its own, relative to this module, which reader rewrites to the file's fingerprinted
// address (reader.assets). reader-article.css: the component's own rules, the element's box and the reset inside.
const STYLESHEETS = [
  new URL("css/reader.css", import.meta.url).href,
  new URL("css/reading-tools.css", import.meta.url).href,
  new URL("css/reader-article.css", import.meta.url).href,
];
// The web fonts' faces and their metric-matched fallbacks (local fonts sized like them: reader.font_fallbacks).
const FONTS = [new URL("css/fonts.css", import.meta.url).href, new URL("css/font-fallbacks.css", import.meta.url).href];
const PREFS_KEY = "reader-article:prefs";
// How long an article's fragment may take before the component gives up on it and keeps its link: a slow
// connection's answer arrives well within it, a reader that hangs does not hold the page's link forever.
const LOAD_TIMEOUT = 20000;
let toldLate = false;
// A change whose answer is WAIT_NOTICE late is said to be still on its way (the status region's data-waiting),
// and one with none after SEND_TIMEOUT is given up on and said to have failed (data-failed: nothing changed,
// try again); the presses made meanwhile are dropped with it, rather than all landing at once much later.
const WAIT_NOTICE = 4000;
const SEND_TIMEOUT = 15000;
const URL_ATTRIBUTES = ["href", "src", "action"];

// @font-face rules do not apply from inside a shadow root, so the fonts are declared in the document.
function ensureFonts() {
  for (const href of FONTS) {
    if (document.querySelector(`link[rel="stylesheet"][href="${href}"]`)) continue;
    const link = document.createElement("link");
    link.rel = "stylesheet";
    link.href = href;
    document.head.append(link);
  }
}

// The shadow root's stylesheets: they load while the fragment is fetched, and the article is shown only once
// they have, so nothing flashes unstyled.
function stylesheets() {
  const links = STYLESHEETS.map((href) => {
    const link = document.createElement("link");
    link.rel = "stylesheet";
    link.href = href;
    return link;
  });
  const loaded = Promise.all(
    links.map(
      (link) =>
        new Promise((resolve) => {
          link.addEventListener("load", resolve, { once: true });
          link.addEventListener("error", resolve, { once: true });
        }),
    ),
  );
  return { links, last: links[links.length - 1], loaded };
}

// reader's forms say how htmx would send them: data-hx-* (or the older hx-*) attributes.
function hx(element, name) {
  return element.getAttribute(`data-hx-${name}`) ?? element.getAttribute(`hx-${name}`);
}

function slot() {
  return document.createElement("slot");
}

// reader's own nodes go in a box that resets what the page's styles on the element would pass on to them
// (css/reader-article.css): the element's own box stays the page's to hide, size and place. The slot does
// not: the fallback link is the page's own, styled as its text around it.
function isolated(...nodes) {
  const box = document.createElement("div");
  box.className = "reader-isolated";
  box.append(...nodes);
  return box;
}

// A page that enforces Trusted Types (require-trusted-types-for 'script') refuses a string assigned to
// innerHTML. What is assigned here is the fragment reader answered, from the address the page gave, HTML reader
// sanitized when the article was stored: a policy of this module's own passes it on as it is. No other script
// can reach the policy, and it is made only when an article first arrives, so a second copy of this module on
// the page (which defines nothing) never asks for the name again. A page whose trusted-types directive does not
// allow the name refuses it: the article's link then stays, and the console says what to add.
const POLICY = "reader-article";
let policy;
let told = false;

function trustedHTML(html) {
  if (policy === undefined) {
    try {
      policy = window.trustedTypes?.createPolicy(POLICY, { createHTML: (text) => text }) ?? null;
    } catch {
      policy = null; // refused: a plain string still works where Trusted Types are not enforced
    }
  }
  return policy ? policy.createHTML(html) : html;
}

// Parsed inertly (a template loads no images and runs nothing), then reader's root-relative addresses are
// made absolute: they must point at reader, not at the embedding page.
function parse(html, base) {
  const template = document.createElement("template");
  try {
    template.innerHTML = trustedHTML(html);
  } catch (error) {
    if (policy === null && window.trustedTypes && !told) {
      told = true;
      console.error(
        `<reader-article>: this page requires Trusted Types and its Content-Security-Policy does not allow the ` +
          `policy "${POLICY}", so the article is shown as its link. Add it: trusted-types ${POLICY}`,
      );
    }
    throw error;
  }
  for (const element of template.content.querySelectorAll("[href], [src], [action]")) {
    for (const name of URL_ATTRIBUTES) {
      const value = element.getAttribute(name);
      if (value && value.startsWith("/") && !value.startsWith("//")) {
        element.setAttribute(name, new URL(value, base).href);
      }
    }
  }
  return template.content;
}

// A fetch from another origin that fails outright (TypeError) is most often the browser refusing reader's answer
// (CORS), whose own message does not say what to do: this does, once a page. A sandboxed frame's page has an
// opaque origin, sent as "null", which no allowlist can name (self.origin says it; location.origin is its
// address's, which the hint named as the one to add).
let hinted = false;
function hintOrigins(url, error) {
  if (hinted || !(error instanceof TypeError) || url.origin === self.origin) return;
  hinted = true;
  const advice =
    self.origin === "null"
      ? "This page is in a sandboxed frame: its origin is opaque (sent as null), which READER_EMBED_ORIGINS " +
        "cannot list. Add allow-same-origin to the frame's sandbox attribute, so that the page keeps its own " +
        "origin, and ask reader's operator to add that origin."
      : `If reader's READER_EMBED_ORIGINS does not list this page's origin, ${self.origin}, the browser ` +
        "blocks the answer (CORS): ask reader's operator to add it.";
  console.warn(`<reader-article>: could not load ${url.href}. ${advice}`);
}

// The settings as reader last answered them, for every component on the page: in memory, and in the tab's
// session storage so that a reload keeps them. Read when a request is sent, never copied per component: a
// stale copy would send old values and undo the other components' changes.
const PREFS_EVENT = "reader:prefs";
let sharedPrefs = null;

function currentPrefs() {
  if (sharedPrefs !== null) return sharedPrefs;
  try {
    return sessionStorage.getItem(PREFS_KEY);
  } catch {
    return null; // storage can be blocked too; then the choice lives in memory for this page only
  }
}

function keepPrefs(prefs) {
  sharedPrefs = prefs;
  try {
    sessionStorage.setItem(PREFS_KEY, prefs);
  } catch {
    // Blocked storage: the choice lives in memory for this page.
  }
}

// The nearest box of the page's own that scrolls the element (overflow auto or scroll), else null: the window.
function scrollerOf(element) {
  for (let node = element; (node = node.parentElement ?? node.parentNode?.host) && node !== document.body; ) {
    if (/auto|scroll/.test(getComputedStyle(node).overflowY)) return node;
  }
  return null;
}

// What the reader entered in a form and did not send: the fields that differ from what it was drawn with.
function entered(form) {
  const values = {};
  for (const field of form.elements) {
    const drawn = field.options ? [...field.options].find((option) => option.defaultSelected)?.value : field.defaultValue;
    if (field.id && !/hidden|submit|button/.test(field.type) && field.value !== drawn) values[field.id] = field.value;
  }
  return values;
}

// A live region announces a change of its text: the same failure twice in a row still gets heard.
function announce(status, message) {
  status.textContent = message && status.textContent === message ? `${message}\u00a0` : message;
}

// When one change leaves several of the page's articles unable to show it, the first to find so says it: the
// same sentence from every component's region at once would be read out once for each.
let staleSaidAt = -Infinity;
function announceStale(status) {
  const now = performance.now();
  if (now - staleSaidAt < 2000) return;
  staleSaidAt = now;
  announce(status, status.dataset.stale);
}

// The explanation of reader's 404 for an article's fragment (templates/_error.html), as text in its language, or
// null: only its words are kept, put in a paragraph of this module's own.
function explanationIn(html, url) {
  try {
    const error = parse(html, url).querySelector(".reader-error");
    const text = error?.querySelector(".reader-error-header + p")?.textContent.trim();
    return text ? { text, lang: error.lang } : null;
  } catch {
    return null;
  }
}

// The same article twice on a page, its controls in one language, had two landmarks of one name ("Reading tools:
// <title>"), which a screen reader's list of regions cannot tell apart (axe's landmark-unique): the second and
// later are numbered, "… (2)", in the page's order. All of them, whenever one shows a region: one that comes
// later in the page may load first.
function nameToolbars() {
  const seen = {};
  for (const element of document.querySelectorAll("reader-article")) {
    const toolbar = element.shadowRoot?.getElementById("reader-toolbar");
    if (!toolbar) continue;
    const name = (toolbar.dataset.name ??= toolbar.getAttribute("aria-label"));
    const count = (seen[name] = (seen[name] || 0) + 1);
    toolbar.setAttribute("aria-label", count > 1 ? `${name} (${count})` : name);
  }
}

// heading-level="N" (1-6): the article's title is a heading of level N, and every heading of the fragment moves
// down with it (its h2 sections to N + 1, none deeper than h6), so that the article sits in the page's outline
// under the page's own section instead of beside the page's h1. Renamed here, on the fragment as it arrives:
// reader's fragment stays one answer for every page (one address, one cached copy). A heading keeps the look of
// its own level (data-level, css/reader-article.css).
function shiftHeadings(content, level) {
  const shift = /^[1-6]$/.test(level ?? "") ? Number(level) - 1 : 0;
  if (!shift) return;
  for (const heading of content.querySelectorAll("h1, h2, h3, h4, h5, h6")) {
    const own = Number(heading.localName[1]);
    const renamed = document.createElement(`h${Math.min(6, own + shift)}`);
    for (const { name, value } of heading.attributes) renamed.setAttribute(name, value);
    renamed.dataset.level = own;
    renamed.append(...heading.childNodes);
    heading.replaceWith(renamed);
  }
}

// The reading tools' region takes the focus only while it has it (tabindex −1): it is no stop in the Tab order.
function focusOn(target, options) {
  if (target.id === "reader-toolbar" && !target.hasAttribute("tabindex")) {
    target.tabIndex = -1;
    target.addEventListener("blur", () => target.removeAttribute("tabindex"), { once: true });
  }
  target.focus(options);
}

class ReaderArticle extends HTMLElement {
  static observedAttributes = ["src", "size", "theme", "lang", "heading-level"];

  #root = null;
  #style = stylesheets();
  #loading = 0;
  #refreshing = 0; // the ticket of a load following another component's change, while on its way
  #tools = null;
  #toolsLoading = false;

  connectedCallback() {
    if (!this.#root) {
      this.#root = this.attachShadow({ mode: "open" });
      // Until the article arrives, the light-DOM fallback link shows through the slot; the stylesheet
      // link sits in the shadow root from the start (a link outside a document never loads).
      this.#root.append(...this.#style.links, slot());
      this.#root.addEventListener("submit", (event) => this.#submit(event));
      this.#root.addEventListener("change", (event) => this.#change(event));
    }
    document.addEventListener(PREFS_EVENT, this.#otherChanged);
    ensureFonts();
    this.#loadWhenNear();
  }

  // loading="lazy" (read when the element is added to the page), as an iframe's: the article is fetched once the
  // element comes within about a screen of the viewport, not before (a hidden one, never). Eager by default.
  #near = false;
  #observer = null;

  #loadWhenNear() {
    if (this.#near || this.getAttribute("loading") !== "lazy" || !window.IntersectionObserver) {
      this.#near = true;
      this.#load();
      return;
    }
    this.#observer ??= new IntersectionObserver(
      (entries) => {
        if (!entries.some((entry) => entry.isIntersecting)) return;
        this.#observer.disconnect();
        this.#near = true;
        this.#load();
      },
      { rootMargin: "100%" },
    );
    this.#observer.observe(this);
  }

  disconnectedCallback() {
    document.removeEventListener(PREFS_EVENT, this.#otherChanged);
    this.#observer?.disconnect();
    this.#dropTools();
    nameToolbars();
  }

  // Reading stops and the reading tools' listeners go, the docked bar's with them (read-aloud-bar.js hears
  // "reader:tools-gone" on the shadow root: its listeners are on the window and the document too).
  #dropTools() {
    if (!this.#tools) return;
    this.#tools.destroy();
    this.#tools = null;
    this.#root.dispatchEvent(new Event("reader:tools-gone"));
  }

  // The region just shown: its landmark named, read aloud and the reading guide brought up to date with it.
  #syncTools() {
    nameToolbars();
    const element = this.#root.getElementById("reader-tools");
    if (!element) this.#dropTools();
    else if (this.#tools) this.#tools.sync();
    else if (!this.#toolsLoading) this.#startTools(element);
  }

  async #startTools(element) {
    this.#toolsLoading = true;
    const base = new URL(this.getAttribute("src") || "", document.baseURI).href;
    try {
      const { ReadingTools } = await import(new URL(element.dataset.moduleTools, base).href);
      // The element may have left the page, or shown another article, while the module loaded.
      if (this.isConnected && !this.#tools && this.#root.getElementById("reader-tools")) {
        this.#tools = new ReadingTools(this.#root, { keyScope: this, base });
      }
    } catch (error) {
      this.dispatchEvent(new CustomEvent("reader:error", { bubbles: true, composed: true, detail: { error } }));
    } finally {
      this.#toolsLoading = false;
    }
  }

  attributeChangedCallback(_name, previous, current) {
    if (this.#root && this.isConnected && previous !== current) this.#loadWhenNear();
  }

  #headers(extra = {}) {
    // Only needed where the browser keeps no third-party cookie: reader then uses this copy instead.
    const prefs = currentPrefs();
    return prefs ? { "Reader-Prefs": prefs, ...extra } : extra;
  }

  // The settings reader answered a change with become the page's, and the other components show them.
  #remember(response) {
    const prefs = response.headers.get("Reader-Prefs");
    if (prefs === null) return;
    keepPrefs(prefs);
    document.dispatchEvent(new CustomEvent(PREFS_EVENT, { detail: { prefs, source: this } }));
  }

  // Another component (perhaps from another copy of this module) changed the settings: show them here too.
  #otherChanged = (event) => {
    if (event.detail?.source === this || typeof event.detail?.prefs !== "string") return;
    sharedPrefs = event.detail.prefs;
    if (this.#near) this.#load({ refresh: true }); // one not loaded yet sends the settings when it is
  };

  // `refresh`: the article is already shown (another component changed the settings); if this load fails,
  // it stays as it is, and the reader is told that their setting was kept but is not shown here yet, rather
  // than it giving way to the fallback link.
  async #load({ refresh = false } = {}) {
    const src = this.getAttribute("src");
    if (!src) return;
    const ticket = ++this.#loading;
    if (refresh) this.#refreshing = ticket;
    const url = new URL(src, document.baseURI);
    for (const name of ["size", "theme", "lang"]) {
      const value = this.getAttribute(name);
      if (value) url.searchParams.set(name, value);
    }
    let missing = false;
    let why = null;
    let response;
    // A reader that never answers is given up on after LOAD_TIMEOUT (the link stays, reader:error says why).
    const abort = new AbortController();
    const late = new Error(`reader did not answer ${url.href} within ${LOAD_TIMEOUT / 1000} s`);
    const timer = setTimeout(() => abort.abort(late), LOAD_TIMEOUT);
    try {
      response = await fetch(url, {
        credentials: "include",
        headers: this.#headers({ Accept: "text/html" }),
        signal: abort.signal,
      });
      missing = response.status === 404;
      if (missing) why = explanationIn(await response.text(), url);
      if (!response.ok) throw new Error(`reader answered ${response.status} for ${url.href}`);
      const content = parse(await response.text(), url);
      clearTimeout(timer);
      shiftHeadings(content, this.getAttribute("heading-level"));
      await this.#style.loaded;
      if (ticket !== this.#loading) return; // a newer load started meanwhile
      this.#show(content);
      this.dispatchEvent(new CustomEvent("reader:load", { bubbles: true, composed: true, detail: { url: url.href } }));
    } catch (error) {
      clearTimeout(timer);
      if (!response) hintOrigins(url, error); // the fetch itself failed: no answer to read
      if (error === late && !toldLate) {
        toldLate = true;
        console.warn(`<reader-article>: ${late.message}; the article's link stays in its place.`);
      }
      if (ticket !== this.#loading) return;
      const status = this.#root.getElementById("reader-status");
      // 404: the article shown was deleted (a rename redirects). It gives way to its link and says why, also
      // when a change made in another component found it so: that change was kept, not "could not be made".
      const gone = missing && status?.dataset.gone;
      if (gone || !refresh) {
        this.#show(slot());
        if (gone) this.#sayGone(gone, status.lang);
        else if (why) this.#note(why.text, why.lang); // gone before it was shown: reader's 404 says why, quietly
      } else if (status?.dataset.stale) announceStale(status); // kept, only not shown here
      this.dispatchEvent(new CustomEvent("reader:error", { bubbles: true, composed: true, detail: { error } }));
    } finally {
      if (this.#refreshing === ticket) this.#refreshing = 0;
    }
  }

  // Everything after the stylesheets is replaced; the stylesheets stay, loaded. The place is kept once the
  // reading tools are shown too: the browser's own anchoring made up for them, but twice in a box that
  // scrolls inside a window that scrolls.
  #show(content) {
    const keep = this.#place();
    const focus = this.#focusAfter();
    while (this.#style.last.nextSibling) this.#style.last.nextSibling.remove();
    this.#root.append(content instanceof HTMLSlotElement ? content : isolated(content));
    this.#syncTools();
    keep();
    focus();
  }

  // Focus inside the element (its fallback link, a tabbed-onto link or control of the article) would be lost
  // when that is replaced: the next Tab would then skip the whole article. It goes to what took its place:
  // the same control by id, else the reading tools' region, named with the article's title (what a screen
  // reader says), the next Tab its first control; or back to the fallback link. Without scrolling: the place
  // is #place's.
  #focusAfter() {
    const light = document.activeElement !== this && this.contains(document.activeElement);
    const inner = document.activeElement === this && this.#root.activeElement;
    if (!light && !inner) return () => {};
    const id = inner?.id;
    return () => {
      const target =
        (id && this.#root.getElementById(id)) ||
        this.#root.getElementById("reader-toolbar") ||
        (this.#root.querySelector("slot") && this.querySelector("a[href]"));
      if (!target || target.contains(document.activeElement)) return;
      focusOn(target, { preventScroll: true });
    };
  }

  // The reader's place, kept while this component changes height (a change made in another one, the article
  // arriving): the focused control outside it, else what follows it if it starts above the screen (or above
  // the page's own scrolling box it is in). Scroll anchoring cannot: with this component's end on the screen
  // it anchors on a node the new content removes.
  #place() {
    let focused = document.activeElement === this ? null : document.activeElement;
    while (focused?.shadowRoot?.activeElement) focused = focused.shadowRoot.activeElement;
    // Focus inside this element goes to what replaces it (#focusAfter): its top is what stays in place.
    if (this.contains(focused) || focused?.getRootNode() === this.#root) focused = this;
    const mark = focused !== document.body && focused?.getBoundingClientRect();
    const box = this.getBoundingClientRect();
    const scroller = scrollerOf(this);
    const view = scroller?.getBoundingClientRect() ?? { top: 0, bottom: innerHeight };
    const edge =
      mark && mark.bottom > 0 && mark.top < innerHeight
        ? () => focused.getBoundingClientRect().top
        : box.top < Math.max(view.top, 0) &&
          box.bottom <= Math.min(view.bottom, innerHeight) &&
          (() => this.getBoundingClientRect().bottom);
    const before = edge && edge();
    // Measured after the change, so that an adjustment the browser made as well is not made twice: the box is
    // scrolled first, then the window, for what the box could not take (a box that grew, or had no more room).
    return () => {
      if (!edge) return;
      for (const target of [scroller, window]) target?.scrollBy({ top: edge() - before, behavior: "instant" });
    };
  }

  // Why the article gave way to its link, shown above it and said (a live region announces text put into it
  // after it is in the page, hence the second step). Gone with the link when the element loads again.
  #sayGone(message, lang) {
    const note = this.#note("", lang);
    note.setAttribute("role", "status");
    requestAnimationFrame(() => {
      note.textContent = message;
    });
  }

  // A paragraph above the fallback link (#reader-gone), in reader's look rather than the page's.
  #note(text, lang) {
    const note = document.createElement("p");
    note.id = "reader-gone";
    if (lang) note.lang = lang;
    note.textContent = text;
    this.#root.insertBefore(isolated(note), this.#style.last.nextSibling);
    return note;
  }

  #change(event) {
    // Forms that htmx would send on change (the panel's selects) are sent on change here too.
    const form = event.target.form;
    if (!form || !(hx(form, "trigger") || "").includes("change")) return;
    this.#changed = event.target;
    this.#resubmit(form);
    this.#changed = null;
  }

  // Submits a form by script, as the press it stands for would have (requestSubmit: the form's submit event,
  // which #submit sends). The browser may not let it go: no requestSubmit (Safari before 16), or fields it
  // refuses (its constraint validation fires no submit event, and shows nothing for a field out of sight,
  // as in a closed panel). The press is then lost, and the reader is told so (#unsent), not left waiting.
  #resubmit(form, submitter) {
    let went = false;
    const seen = () => (went = true);
    form.addEventListener("submit", seen, { once: true });
    try {
      if (submitter) form.requestSubmit(submitter);
      else form.requestSubmit();
    } catch {
      // (went stays false)
    }
    form.removeEventListener("submit", seen);
    if (!went) this.#unsent(new Error("the browser did not submit the form"));
    return went;
  }

  // A press that was never sent: nothing changed, and the status region says so in the controls' language
  // (the fragment's data-unsent), with a held message if there is one, as a failure is said (#send).
  #unsent(error) {
    const status = this.#root.getElementById("reader-status");
    const message = status?.dataset.unsent;
    if (message) announce(status, this.#unsaid ? `${this.#unsaid} ${message}` : message);
    this.#unsaid = null;
    this.dispatchEvent(new CustomEvent("reader:error", { bubbles: true, composed: true, detail: { error } }));
  }

  // Presses made while a change is on its way wait for its answer, then are made again on the region it
  // brought (as settings-presses.js does on reader's pages, docs/preferences.md): sent at once, each carried
  // the settings from before the first change and undid it (A+ pressed three times made one step). One control
  // pressed again and again is one press: A+ N times one request of N steps, a select its last value, an
  // on/off toggle only when pressed an odd number of times; a control no longer there is left out.
  // #waiting: { id, change, value, count, entered, submit }; #changed: the control whose change is sending its
  // form; #unsaid: the message of an answer that came while the same control's presses were waiting, from the
  // control #unsaidFrom, said as soon as no press of that control is on its way (#sentFrom), and before a
  // failure's message.
  #sending = false;
  #waiting = [];
  #changed = null;
  #steps = 1;
  #unsaid = null;
  #unsaidFrom = null;
  #sentFrom = null;

  async #submit(event) {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || hx(form, "post") === null) return;
    event.preventDefault();
    if (this.#sending) {
      // A form submitted by script (requestSubmit() without a submitter) has neither a change nor a submitter:
      // its press falls back to the focused control. When that is none of the form's, the press cannot be made
      // again on the new region: it is dropped, and said to be (it used to vanish without a word).
      const control = this.#changed || event.submitter || this.#root.activeElement;
      if (!control?.id || control.form !== form) {
        this.#unsent(new Error("a press whose control is unknown, made while a change was on its way"));
        return;
      }
      const last = this.#waiting.at(-1);
      const change = control === this.#changed;
      if (last?.id === control.id && last.change === change) last.count++;
      else this.#waiting.push({ id: control.id, change, count: 1 });
      Object.assign(this.#waiting.at(-1), { value: control.value, entered: entered(form), submit: !change && !event.submitter });
      return;
    }
    this.#sending = true;
    let sent = false;
    try {
      sent = await this.#send(form, event.submitter);
    } finally {
      this.#sending = false;
    }
    if (!sent) this.#waiting = [];
    while (this.#waiting.length && !this.#sending) this.#sendFirst(this.#waiting.shift());
    // A held message stands unless a press of its own control is now on its way (whose answer says more).
    if (this.#unsaid && !(this.#sending && this.#sentFrom === this.#unsaidFrom)) {
      const status = this.#root.getElementById("reader-status");
      if (status) announce(status, this.#unsaid);
      this.#unsaid = null;
    }
  }

  #sendFirst({ id, change, value, count, entered: values, submit }) {
    const control = this.#root.getElementById(id);
    const form = control?.form;
    if (!form) return;
    // What the reader entered in the old form and did not send (colours, keys): the new one shows the server's.
    for (const [field, text] of Object.entries({ ...values, ...(change && { [id]: value }) })) {
      const input = this.#root.getElementById(field);
      if (input?.form === form && (!input.options || [...input.options].some((option) => option.value === text))) {
        input.value = text;
      }
    }
    if (change) {
      if (control.value === value) this.#change({ target: control });
    } else if (submit) this.#resubmit(form);
    else if (/^(on|off)$/.test(value) ? count % 2 : control.value === value) {
      this.#steps = count;
      this.#resubmit(form, control);
      this.#steps = 1;
    }
  }

  // Sends a form; true once its answer is shown.
  async #send(form, submitter) {
    // getAttribute, not form.action: the form's buttons are named "action" and would shadow it.
    const action = form.getAttribute("action");
    const from = (this.#changed || submitter)?.id;
    this.#sentFrom = from;
    const body = new URLSearchParams(new FormData(form, submitter));
    // Until the reader chooses a size, components show their own (the page's size attributes), and the one
    // chosen becomes every component's: A+ steps from the largest on the page, so that no text gets smaller.
    const step = body.get("action");
    if (step === "bigger" || step === "smaller") {
      if (this.#steps > 1) body.set("steps", this.#steps);
      const own = this.#root.getElementById("reader")?.dataset.size;
      const shown = [...document.querySelectorAll("reader-article")].map((e) => e.shadowRoot?.getElementById("reader"));
      body.set("size_from", step === "smaller" ? own : Math.max(own, ...shown.map((r) => r?.dataset.size || 0)));
    }
    const status = this.#root.getElementById("reader-status");
    // A load following another component's change, still on its way, is overtaken: this answer shows that
    // change too, and the load's older region would replace it, message and all, when it came after.
    const overtaken = this.#refreshing !== 0 && this.#refreshing === this.#loading;
    if (overtaken) {
      this.#loading++;
      this.#refreshing = 0;
    }
    const abort = new AbortController();
    // The answer, once its headers say the change was kept (reader's Reader-Saved: a refused change is a 200 too):
    // saved, whatever becomes of its body ("still waiting: not saved yet" is then false).
    let saved = null;
    const late = setTimeout(() => !saved && status?.dataset.waiting && announce(status, status.dataset.waiting), WAIT_NOTICE);
    const timer = setTimeout(() => abort.abort(new Error(`no answer in ${SEND_TIMEOUT / 1000} s`)), SEND_TIMEOUT);
    try {
      const response = await fetch(action, {
        method: "POST",
        body,
        credentials: "include",
        headers: this.#headers({ "HX-Request": "true" }),
        signal: abort.signal,
      });
      if (!response.ok) throw new Error(`reader answered ${response.status}`);
      if (response.headers.has("Reader-Saved")) saved = response;
      const content = parse(await response.text(), action);
      clearTimeout(late); // (the rest may load the article again: its own timeout)
      clearTimeout(timer);
      shiftHeadings(content, this.getAttribute("heading-level"));
      const region = content.getElementById("reader");
      const message = content.getElementById("reader-status");
      // The control the focus is on now, not when this was sent: a reader who went on to another one meanwhile
      // (the size select, then A+) stays there, and one who left the article is not brought back to it. One on
      // something with no id in the region (a link in the article), which the new region replaces, goes back to
      // the control the change was sent from, else to the reading tools (#focusAfter): not to the host's <body>.
      const active = this.#root.activeElement;
      const lost = active && !active.id && this.#root.getElementById("reader")?.contains(active);
      const focused = active?.id || (lost ? from || "reader-toolbar" : undefined);
      if (!region) {
        // The change is kept, but the article was deleted or renamed since it was shown (reader answers
        // with no region): load it again, at its new address or as the link that stands for it (#load says
        // why). The focus the pressed control had goes to the same control, or to that link, not to the page.
        this.#remember(response);
        this.dispatchEvent(new CustomEvent("reader:change", { bubbles: true, composed: true }));
        await this.#load();
        const control = focused && this.#root.getElementById(focused);
        if (control) focusOn(control);
        else if (focused) this.querySelector("a[href]")?.focus();
        return true;
      }
      this.#root.getElementById("reader")?.replaceWith(region);
      // The status region is kept and only its text changes, so screen readers announce it once (and again
      // when it is the same text as before: announce()).
      // (Not while presses of the same control wait: this state is stale, and their answer says where they got.)
      if (message && status && from && this.#waiting.some((press) => press.id === from)) {
        [this.#unsaid, this.#unsaidFrom] = [message.textContent, from];
      } else if (message && status) {
        if (from === this.#unsaidFrom) this.#unsaid = null; // this answer says where that control got to
        announce(status, message.textContent);
      }
      this.#syncTools();
      const target = focused && (this.#root.getElementById(focused) || (lost && this.#root.getElementById("reader-toolbar")));
      if (target) focusOn(target);
      // Only now do the others follow: the place they keep (#place) is the control just used, focused again.
      this.#remember(response);
      this.dispatchEvent(new CustomEvent("reader:change", { bubbles: true, composed: true }));
      return true;
    } catch (error) {
      // Nothing changed, and the reader is told so, in the article's language (the region carries the text).
      // A change saved before this one, whose message was held, is said with it. Or its answer was cut after
      // headers that said it was kept (its cookie, its Reader-Prefs stored): "could not be changed, try
      // again" made it twice. It is said to be saved, the other components follow, and the article is loaded
      // again to show it (if that fails too, data-stale says the setting was kept); the presses made meanwhile
      // are then made on it, as after any answer.
      const said = saved ? status?.dataset.saved : status?.dataset.failed;
      if (said) announce(status, this.#unsaid ? `${this.#unsaid} ${said}` : said);
      this.#unsaid = null;
      if (saved) {
        this.#remember(saved);
        this.dispatchEvent(new CustomEvent("reader:change", { bubbles: true, composed: true }));
        await this.#load({ refresh: true });
        return true;
      }
      this.dispatchEvent(new CustomEvent("reader:error", { bubbles: true, composed: true, detail: { error } }));
      if (overtaken) this.#load({ refresh: true }); // the other component's change is still to be shown here
      return false;
    } finally {
      clearTimeout(late);
      clearTimeout(timer);
    }
  }
}

if (!customElements.get("reader-article")) customElements.define("reader-article", ReaderArticle);
