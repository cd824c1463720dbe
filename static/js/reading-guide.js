// The reading guide (line focus): a band showing 1, 3 or 5 lines of the article with the rest of the article
// dimmed, or a ruler under the current line. It follows the pointer over the article, the up and down arrow
// keys (reading-tools.js), the sentence being read and the focus. It is drawn over the article only (never
// over the controls), ignores the pointer and is hidden from assistive technology, so it can neither
// cover a control nor hold the focus.

// Line boxes of the article's text, in CSS px from the article's top: [{top, bottom}], in order.
function measureLines(article) {
  const origin = article.getBoundingClientRect().top;
  const rects = [];
  const range = article.ownerDocument.createRange();
  const walker = article.ownerDocument.createTreeWalker(article, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (!node.data.trim()) continue;
    range.selectNodeContents(node);
    for (const rect of range.getClientRects()) {
      if (rect.width > 0 && rect.height > 0) rects.push({ top: rect.top - origin, bottom: rect.bottom - origin });
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

export class ReadingGuide {
  mode = "off"; // "off" | "1" | "3" | "5" | "ruler"
  #line = null; // index of the band's first line (the ruler's line); null until the guide is first shown
  #lines = null; // measured lazily; null when the layout may have changed
  #overlay = null;
  #frame = 0;

  // `place()` gives the element the overlay lives in (inside the themed wrapper), `article()` the article.
  constructor({ place, article }) {
    this.place = place;
    this.article = article;
    this.render = this.render.bind(this);
  }

  get on() {
    return this.mode !== "off";
  }

  setMode(mode) {
    this.mode = ["1", "3", "5", "ruler"].includes(mode) ? mode : "off";
    if (this.on && this.#line === null) this.#line = this.#firstLineInView();
    this.schedule();
  }

  // The layout changed (a swap, a resize, fonts): measure again, keeping the band where it was on screen.
  invalidate() {
    const previous = this.#lineBox();
    this.#lines = null;
    if (previous && this.on) this.#line = this.#lineAt(previous.top + (previous.bottom - previous.top) / 2);
    this.schedule();
  }

  moveBy(step) {
    const lines = this.lines();
    if (!lines.length) return;
    const last = Math.max(0, lines.length - this.#count());
    this.#line = Math.max(0, Math.min((this.#line === null ? this.#firstLineInView() : this.#first()) + step, last));
    this.#keepInView();
    this.schedule();
  }

  // The pointer is in the middle of the band.
  moveToY(clientY) {
    const article = this.article();
    if (!article || !this.on) return;
    this.#line = this.#lineAt(clientY - article.getBoundingClientRect().top) - (this.#count() - 1) / 2;
    this.schedule();
  }

  // A sentence being read, a word, a focused link: the band starts at its first line.
  follow(rect) {
    const article = this.article();
    if (!rect || !article || !this.on) return;
    this.#line = this.#lineAt(rect.top + Math.min(rect.height, 4) / 2 - article.getBoundingClientRect().top);
    this.schedule();
  }

  #count() {
    return this.mode === "ruler" ? 1 : Number(this.mode) || 1;
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

  #firstLineInView() {
    const article = this.article();
    if (!article) return -1;
    const top = article.getBoundingClientRect().top;
    const index = this.lines().findIndex((line) => line.top + top >= 0);
    return index === -1 ? 0 : index;
  }

  #lineBox() {
    const lines = this.#lines;
    if (!lines || !lines.length || this.#line === null) return null;
    return lines[this.#first()];
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

  // Arrow keys move the band line by line; the page scrolls just enough to keep it on screen.
  #keepInView() {
    const article = this.article();
    const band = this.#band();
    if (!article || !band) return;
    const origin = article.getBoundingClientRect().top;
    const margin = Math.min(innerHeight / 4, 96);
    const top = origin + band.top;
    const bottom = origin + band.bottom;
    if (top < margin) scrollBy({ top: top - margin, behavior: "instant" });
    else if (bottom > innerHeight - margin) scrollBy({ top: Math.min(bottom - innerHeight + margin, top - margin), behavior: "instant" });
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
    const bar = this.place()?.querySelector("#reader-toolbar");
    const barStays = bar && ["sticky", "fixed"].includes(getComputedStyle(bar).position);
    const visibleTop = Math.max(0, box.top, barStays ? bar.getBoundingClientRect().bottom : 0);
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
