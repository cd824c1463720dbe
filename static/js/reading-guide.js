// The reading guide (line focus): a band showing 1, 3 or 5 lines of the article with the rest of the article
// dimmed, or a ruler under the current line. It follows the pointer over the article, the up and down arrow
// keys (reading-tools.js), the sentence being read and the focus. It is drawn over the article only (never
// over the controls), ignores the pointer and is hidden from assistive technology, so it can neither
// cover a control nor hold the focus.
//
// Where it stays:
// - When the reader scrolls (wheel, scroll bar, keys, a screen reader moving through the page…), the band keeps
//   its place on the screen, over whatever line is now there, as a card held over a page would: it never
//   scrolls away with the text and leaves the whole article dimmed. reading-tools.js tells scrolls of its own
//   (following the voice, the arrow keys) from the reader's. When the layout moves the article without a
//   scroll (the toolbar above it grows), the band moves with the text.
// - The arrow keys move it a line; where that would take it off the screen, the page scrolls by that line.
// - When the layout changes (a larger text size, another font, a narrower window, the article region swapped)
//   it stays on the same text: the first character of its first line is remembered, by its sentence and its
//   place in it, and found again in the new layout.

// Its stylesheet (css/reading-guide.css: 0.1 KiB that a first visit with the guide off need not carry), in the
// tree the guide is drawn in: the document, or a component's shadow root (before its own stylesheets, which
// reader-article.js replaces what follows, as read-aloud-bar.js puts its own). reading-tools.js draws no guide
// before it has come: until then the guide's parts would be blocks in the page. Once per root: a component
// connected again (a new ReadingTools) added another link each time; it goes with the component's reading
// tools ("reader:tools-gone", as the bar's), and one that failed to load is asked for again next time.
const sheets = new WeakMap(); // root → {link, loaded}

export function styled(root) {
  let sheet = sheets.get(root);
  if (!sheet) {
    const link = document.createElement("link");
    link.rel = "stylesheet";
    link.href = new URL("../css/reading-guide.css", import.meta.url).href;
    const forget = () => {
      link.remove();
      if (sheets.get(root) === sheet) sheets.delete(root);
    };
    const loaded = new Promise((resolve) => {
      link.onload = resolve;
      link.onerror = () => resolve(forget());
    });
    sheet = { link, loaded };
    sheets.set(root, sheet);
    root.addEventListener("reader:tools-gone", forget, { once: true });
    if (root === document) document.head.append(link);
    else root.prepend(link);
  }
  return sheet.loaded;
}

// Line boxes of the article's text, in CSS px from the article's top: [{top, bottom, node}], in order, `node`
// being a text node with a part on that line.
function measureLines(article) {
  const origin = article.getBoundingClientRect().top;
  const rects = [];
  const range = article.ownerDocument.createRange();
  const walker = article.ownerDocument.createTreeWalker(article, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (!node.data.trim()) continue;
    range.selectNodeContents(node);
    for (const rect of range.getClientRects()) {
      if (rect.width > 0 && rect.height > 0) rects.push({ top: rect.top - origin, bottom: rect.bottom - origin, node });
    }
  }
  rects.sort((a, b) => a.top - b.top);
  // Fragments whose middle falls inside a line (a link, a bold word, a superscript) belong to that line.
  const lines = [];
  for (const rect of rects) {
    const last = lines[lines.length - 1];
    const middle = (rect.top + rect.bottom) / 2;
    if (last && middle >= last.top && middle <= last.bottom) {
      last.top = Math.min(last.top, rect.top);
      last.bottom = Math.max(last.bottom, rect.bottom);
    } else {
      lines.push({ ...rect });
    }
  }
  return lines;
}

// The viewport rectangle of one character (null for one that takes no room: collapsed white space).
function characterRect(node, offset) {
  const range = node.ownerDocument.createRange();
  range.setStart(node, offset);
  range.setEnd(node, Math.min(offset + 1, node.length));
  const rect = range.getBoundingClientRect();
  return rect.height > 0 ? rect : null;
}

// The first character of `node` whose middle is at or below `top` (viewport px): where a line begins in it.
function firstCharacterFrom(node, top) {
  let low = 0;
  let high = node.length - 1;
  while (low < high) {
    const middle = (low + high) >> 1;
    let probe = middle;
    let rect = characterRect(node, probe);
    while (!rect && probe < high) rect = characterRect(node, ++probe);
    if (rect && (rect.top + rect.bottom) / 2 >= top) high = middle;
    else low = probe + 1;
  }
  return low;
}

// Where a text position is inside its sentence: the sentence id and the count of characters before it, so
// that the same text can be found in a swapped-in copy of the article.
function sentencePlace(node, offset) {
  const span = node.parentElement?.closest("[data-sentence]");
  if (!span) return null;
  const id = span.dataset.sentence;
  const article = span.closest("article") || span.getRootNode();
  let count = 0;
  for (const text of sentenceTextNodes(article, id)) {
    if (text === node) return { id, count: count + offset };
    count += text.length;
  }
  return null;
}

function* sentenceTextNodes(article, id) {
  for (const span of article.querySelectorAll(`[data-sentence="${CSS.escape(id)}"]`)) {
    const walker = span.ownerDocument.createTreeWalker(span, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) yield node;
  }
}

function findPlace(article, place) {
  let count = place.count;
  for (const node of sentenceTextNodes(article, place.id)) {
    if (count < node.length) return { node, offset: count };
    count -= node.length;
  }
  return null;
}

// Caret browsing (F7; Chrome's "Navigate pages with a text cursor") is the browser's setting, which no page can
// read, and Chromium leaves a caret in the text at every click with it off as well: a caret alone does not
// say the arrows are the caret's (with it off they scroll the page, and the guide would only slide with the
// text). What the keys do says it. A key left to the browser that moves the caret shows it on; ← or → that
// leaves a caret between two characters of a text where it was shows it off (F7 pressed again). No other key
// that leaves the caret shows it off: with caret browsing on, Home or End at a line's edge (End pressed
// twice), ↑ on the first line, a key at the text's ends or with no caret move nothing either, and one such
// key turned it off for the tab. It is remembered for the tab (sessionStorage), as the setting is the
// browser's and not the page's. Until a key has shown it on, a caret or selection the pointer left is a mouse
// user's, and the arrows move the guide; one left some other way (a key, find in page) stays the caret's.
const CARET_KEYS = ["ArrowUp", "ArrowDown", "ArrowLeft", "ArrowRight", "Home", "End"];
const CARET_STORE = "reader-caret-browsing";
const CONTROLS = "input, select, textarea, button, summary, [contenteditable]";

function stored() {
  try {
    return sessionStorage.getItem(CARET_STORE) === "1";
  } catch {
    return false; // no storage (a sandboxed frame): learnt again on each page
  }
}

export class ReadingGuide {
  mode = "off"; // "off" | "1" | "3" | "5" | "ruler"
  #caretBrowsing = stored(); // a key was seen moving the caret (and no ← or → since failed to)
  #byPointer = false; // the selection was last placed by the pointer
  #caretBefore = null; // where the caret was when a caret key was last left to the browser, and if it had to move
  #listeners = [];
  #line = null; // index of the band's first line (the ruler's line); null until the guide is first shown
  #held = null; // while the reader scrolls: where the band is held, in px from the article's top (unsnapped)
  #span = 1; // the lines of a focused element the band takes in, beyond its own (a link over two lines)
  #anchor = null; // the text at the start of the band: {node, offset, place}, found again after layout changes
  #lines = null; // measured lazily; null when the layout may have changed
  #overlay = null;
  #frame = 0;

  // `place()` gives the element the overlay lives in (inside the themed wrapper), `article()` the article,
  // `selection()` the selection of the tree it is in (a shadow root's own, in the component).
  constructor({ place, article, selection = () => document.getSelection() }) {
    this.place = place;
    this.article = article;
    this.selection = selection;
    this.render = this.render.bind(this);
    // On the window: each key before anyone acts on it (capture) and after everyone has (bubbling).
    const on = (type, handler, capture) => {
      addEventListener(type, handler, capture);
      this.#listeners.push(() => removeEventListener(type, handler, capture));
    };
    on("pointerdown", () => ([this.#byPointer, this.#caretBefore] = [true, null]), true);
    on("keydown", () => this.#caretKeyDone(), true);
    on("keydown", (event) => this.#keyLeft(event), false);
  }

  // The arrows belong to the caret (with it in the article's text): caret browsing was seen on, or the caret
  // was not left by the pointer.
  caretTakesArrows() {
    return this.#caretBrowsing || !this.#byPointer;
  }

  // The caret's node and offset, and whether `key` would move it with caret browsing on: ← or → from a
  // collapsed caret between two characters of a text.
  #caretAt(key) {
    const selection = this.selection();
    if (!selection?.rangeCount) return [null, 0, false];
    const [node, offset] = [selection.focusNode, selection.focusOffset];
    const inside = selection.isCollapsed && node.nodeType === Node.TEXT_NODE && offset > 0 && offset < node.length;
    return [node, offset, inside && (key === "ArrowLeft" || key === "ArrowRight")];
  }

  // A caret key went to the browser: whether the caret moved is known at the next key (its default action is
  // done by then, whatever the browser scrolled).
  #keyLeft(event) {
    const target = event.composedPath()[0];
    const control = target instanceof Element && target.closest(CONTROLS);
    const plain = !(event.shiftKey || event.ctrlKey || event.altKey || event.metaKey || event.defaultPrevented);
    this.#caretBefore = plain && !control && CARET_KEYS.includes(event.key) ? this.#caretAt(event.key) : null;
  }

  #caretKeyDone() {
    if (!this.#caretBefore) return;
    const [node, offset] = this.#caretAt();
    const [nodeBefore, offsetBefore, mustMove] = this.#caretBefore;
    const moved = node !== nodeBefore || offset !== offsetBefore;
    this.#caretBefore = null;
    if (moved) this.#byPointer = false;
    if (moved === this.#caretBrowsing || !(moved || mustMove)) return;
    this.#caretBrowsing = moved;
    try {
      sessionStorage.setItem(CARET_STORE, moved ? "1" : "0");
    } catch {}
  }

  get on() {
    return this.mode !== "off";
  }

  setMode(mode) {
    this.mode = ["1", "3", "5", "ruler"].includes(mode) ? mode : "off";
    if (this.on && this.#line === null) this.#setLine(this.#firstLineInView());
    this.schedule();
  }

  // The layout changed (a swap, a resize, fonts): measure again, keeping the band on the same text.
  invalidate() {
    this.#lines = null;
    if (this.on && this.#anchor) {
      const line = this.#lineOfAnchor();
      if (line !== null) this.#setLine(line, { keepAnchor: true, span: this.#span });
    }
    this.schedule();
  }

  // The page scrolled by someone else's doing (the reader), moving the article by `delta` px on the screen:
  // the band stays where it is on the screen, over the line that is there now.
  readerScrolled(delta) {
    const article = this.article();
    if (!article || !this.on || this.#line === null || !this.lines().length) return;
    const top = article.getBoundingClientRect().top;
    // Held in the article's coordinates, not snapped to a line, so that many small scrolls add up.
    let held = (this.#held ?? this.lines()[this.#first()].top) - delta;
    // A band that was off the screen (the article began below it), or at its very edge, comes onto it, as far
    // in as the arrow keys keep it.
    const band = this.#band();
    const margin = this.#margin();
    const lowest = innerHeight - margin - (band.bottom - band.top);
    held = Math.max(this.#toolbarBottom() + margin, Math.min(top + held, lowest)) - top;
    this.#setLine(this.#lineNearest(held));
    this.#held = held;
    this.schedule();
  }

  // The page scrolled by our own doing (following the voice): the band stays on its text.
  ownScroll() {
    this.#held = null;
    this.schedule();
  }

  // True when some of the article is on the screen (the arrow keys move the band only then).
  inView() {
    const box = this.article()?.getBoundingClientRect();
    return Boolean(box && box.bottom > 0 && box.top < innerHeight);
  }

  // A line down (1) or up (-1); where the band would leave the screen, the page scrolls by that line.
  moveBy(step) {
    const lines = this.lines();
    if (!lines.length) return;
    const last = Math.max(0, lines.length - this.#count());
    const from = this.#line === null ? this.#firstLineInView() : this.#first();
    this.#setLine(Math.max(0, Math.min(from + step, last)));
    this.#keepInView();
    this.schedule();
  }

  // The pointer is in the middle of the band.
  moveToY(clientY) {
    const article = this.article();
    if (!article || !this.on) return;
    this.#setLine(this.#lineAt(clientY - article.getBoundingClientRect().top) - (this.#ownCount() - 1) / 2);
    this.schedule();
  }

  // A sentence being read, a word, a focused link: the band starts at its first line.
  // `whole`: the band takes in all of it (a focused element: its focus indicator is never under the dimmed
  // parts, WCAG 2.4.12; the part being read aloud: what is spoken is never dimmed), not only its first line.
  // The ruler goes under the first line all the same: where reading starts.
  follow(rect, { whole = false } = {}) {
    const article = this.article();
    if (!rect || !article || !this.on) return;
    const origin = article.getBoundingClientRect().top;
    const inset = Math.min(rect.height, 4) / 2;
    const first = this.#lineAt(rect.top + inset - origin);
    const last = whole ? Math.max(first, this.#lineAt(rect.bottom - inset - origin)) : first;
    this.#setLine(first, { span: last - first + 1 });
    this.schedule();
  }

  #ownCount() {
    return this.mode === "ruler" ? 1 : Number(this.mode) || 1;
  }

  #count() {
    return this.mode === "ruler" ? 1 : Math.max(this.#ownCount(), this.#span);
  }

  lines() {
    const article = this.article();
    if (!article) return [];
    if (!this.#lines) this.#lines = measureLines(article);
    return this.#lines;
  }

  schedule() {
    if (!this.#frame) this.#frame = requestAnimationFrame(this.render);
  }

  // Every move of the band goes through here: its line, its place on the screen and the text it starts at.
  #setLine(line, { keepAnchor = false, span = 1 } = {}) {
    const changed = line !== this.#line;
    this.#line = line;
    this.#held = null;
    this.#span = span;
    if (!keepAnchor && (changed || !this.#anchor)) this.#anchor = this.#anchorAt(this.#first());
  }

  #anchorAt(index) {
    const article = this.article();
    const line = this.lines()[index];
    if (!article || !line) return null;
    const offset = firstCharacterFrom(line.node, article.getBoundingClientRect().top + line.top);
    return { node: line.node, offset, place: sentencePlace(line.node, offset) };
  }

  // The line the remembered text is on now, in this article or in the copy that replaced it.
  #lineOfAnchor() {
    const article = this.article();
    let { node, offset } = this.#anchor;
    if (!node.isConnected || !article?.contains(node)) {
      const found = this.#anchor.place && article && findPlace(article, this.#anchor.place);
      if (!found) return null;
      ({ node, offset } = found);
      this.#anchor = { node, offset, place: this.#anchor.place };
    }
    const rect = characterRect(node, offset);
    if (!rect || !article) return null;
    return this.#lineAt((rect.top + rect.bottom) / 2 - article.getBoundingClientRect().top);
  }

  #lineAt(y) {
    const lines = this.lines();
    if (!lines.length) return -1;
    let best = 0;
    for (let i = 0; i < lines.length; i++) {
      if (lines[i].top <= y) best = i;
      if (y >= lines[i].top && y <= lines[i].bottom) return i;
    }
    return best;
  }

  // The line whose top is nearest to `y` (px from the article's top).
  #lineNearest(y) {
    const lines = this.lines();
    let best = 0;
    for (let i = 1; i < lines.length; i++) {
      if (Math.abs(lines[i].top - y) < Math.abs(lines[best].top - y)) best = i;
    }
    return best;
  }

  #firstLineInView() {
    const article = this.article();
    if (!article) return -1;
    const top = article.getBoundingClientRect().top;
    const visible = this.#toolbarBottom();
    const index = this.lines().findIndex((line) => line.top + top >= visible);
    return index === -1 ? 0 : index;
  }

  // The band's first line: as asked, but always with a whole band of lines below it when the article has them.
  #first() {
    const lines = this.lines();
    return Math.max(0, Math.min(Math.round(this.#line), lines.length - this.#count()));
  }

  // The band's top and bottom, in px from the article's top.
  #band() {
    const lines = this.lines();
    if (!lines.length || this.#line === null) return null;
    const first = this.#first();
    const last = Math.min(lines.length - 1, first + this.#count() - 1);
    return { top: lines[first].top, bottom: lines[last].bottom };
  }

  // After an arrow key: the page scrolls by as much as the band went past the edge of the screen (with a
  // margin, and below a toolbar that stays on screen), so it stays visible and the page never jumps.
  #keepInView() {
    const article = this.article();
    const band = this.#band();
    if (!article || !band) return;
    const origin = article.getBoundingClientRect().top;
    const margin = this.#margin();
    const top = origin + band.top;
    const bottom = origin + band.bottom;
    const upper = this.#toolbarBottom() + margin;
    let by = 0;
    if (top < upper) by = top - upper;
    else if (bottom > innerHeight - margin) by = Math.min(bottom - innerHeight + margin, top - upper);
    if (by) scrollBy({ top: by, behavior: "instant" });
  }

  // Room kept between the band and the screen's edges: a few lines of what comes next stay visible.
  #margin() {
    return Math.min(innerHeight / 4, 96);
  }

  // The bottom of a toolbar that stays on screen over the article (position: sticky), or 0.
  #toolbarBottom() {
    const bar = this.place()?.querySelector("#reader-toolbar");
    const stays = bar && ["sticky", "fixed"].includes(getComputedStyle(bar).position);
    return stays ? Math.max(0, bar.getBoundingClientRect().bottom) : 0;
  }

  #ensureOverlay() {
    const place = this.place();
    if (!place) return null;
    if (!this.#overlay || !this.#overlay.isConnected || this.#overlay.parentNode !== place) {
      this.#overlay?.remove();
      const overlay = place.ownerDocument.createElement("div");
      overlay.className = "reader-guide";
      overlay.setAttribute("aria-hidden", "true");
      for (const part of ["above", "below", "band", "ruler"]) {
        const element = place.ownerDocument.createElement("div");
        element.className = `reader-guide-${part}`;
        overlay.append(element);
      }
      place.append(overlay);
      this.#overlay = overlay;
    }
    return this.#overlay;
  }

  render() {
    this.#frame = 0;
    const article = this.article();
    if (!this.on || !article) {
      this.#overlay?.remove();
      this.#overlay = null;
      return;
    }
    const overlay = this.#ensureOverlay();
    const band = this.#band();
    if (!overlay || !band) return;
    overlay.dataset.mode = this.mode === "ruler" ? "ruler" : "band";
    const box = article.getBoundingClientRect();
    // A little room around the text, as much as the article's side padding allows.
    const left = Math.max(0, box.left - 8);
    const width = Math.min(innerWidth, box.right + 8) - left;
    // Never over the controls, even where a toolbar stays on screen over the article (position: sticky).
    const visibleTop = Math.max(0, box.top, this.#toolbarBottom());
    const visibleBottom = Math.min(innerHeight, box.bottom);
    const top = box.top + band.top;
    const bottom = box.top + band.bottom;
    const [above, below, frame, ruler] = overlay.children;
    place(above, left, width, visibleTop, Math.max(0, Math.min(top, visibleBottom) - visibleTop));
    place(below, left, width, Math.max(bottom, visibleTop), Math.max(0, visibleBottom - Math.max(bottom, visibleTop)));
    place(frame, left, width, top, bottom - top);
    place(ruler, left, width, bottom, 0);
  }

  destroy() {
    for (const remove of this.#listeners.splice(0)) remove();
    cancelAnimationFrame(this.#frame);
    this.#frame = 0;
    this.#overlay?.remove();
    this.#overlay = null;
  }
}

// CSSOM, not a style attribute: the CSP allows no inline styles, and these positions change with every move.
function place(element, left, width, top, height) {
  element.style.left = `${left}px`;
  element.style.width = `${width}px`;
  element.style.top = `${top}px`;
  element.style.height = `${height}px`;
}
