// Read aloud and the reading guide on one of reader's article regions: a page (root = document), the
// /embed page, or a <reader-article> component (root = its shadow root). docs/read-aloud.md.
//
// The controls come from templates/_read_aloud.html, in place on a page (without scripting the stylesheet
// removes them), so nothing moves when this module takes them over; a fragment brings them hidden. Their
// settings come as data attributes; a change of speed, voice or guide posts its form to /preferences
// (htmx, or the component's own fetch) and the article region is swapped. Everything that must outlive a
// swap lives here, keyed by stable ids, and sync() re-applies it to the new region: the controls' state,
// the sentence highlight, the guide.
//
// This module imports nothing at first. A page runs it from its own <script> at its fingerprinted address (then
// it attaches itself to the page: the end of this file); the component (reader-article.js) loads it from the
// fingerprinted address the server writes on #reader-tools. It loads the modules it needs from the addresses
// written beside that one (or, read-aloud-bar.js, from the one reader.assets rewrites its import to), so a page
// never mixes the modules of two releases. Those load on first use, which keeps a first visit small
// (docs/performance.md): the voice (read-aloud.js) and the bar that keeps its buttons on screen
// (read-aloud-bar.js) on the first Read aloud, or its keys; the reading guide (reading-guide.js) once it is
// on — at once when the reader's setting says so.
// Until then the voices are looked up here (to show or mark unavailable the controls, as before) and
// stand-ins that do nothing take the two modules' places.

const SPEAKING = "reader-speaking";
const WORD_HIGHLIGHT = "reader-word";
// With no voice listed at all after this long, say so (voices can take 10–20 s to appear on Linux); if they appear
// later, the controls come back.
const VOICE_WAIT_MS = 20000;
// How long after the focus moves into the article a scroll is the browser bringing the focused element into
// view (the band stays on that element), not the reader scrolling (the band keeps its place on the screen).
const FOCUS_SCROLL_MS = 500;
const EDITABLE = "input, textarea, select, [contenteditable]:not([contenteditable=false])";
// aria-keyshortcuts names keys as KeyboardEvent.key does, with "+" between keys: "+" itself is "Plus".
const ARIA_KEY_NAMES = { "+": "Plus" };
const speaking = new Set(); // every ReadingTools that is reading: starting one stops the others

// What stands in for read-aloud.js's ReadAloud until the first Read aloud, and for reading-guide.js's
// ReadingGuide while the guide has never been on: nothing read, no guide.
const silent = () => ({ state: "idle", current: null, rate: 1, stop() {}, pause() {} });
const noGuide = () => ({
  on: false,
  invalidate() {},
  follow() {},
  ownScroll() {},
  readerScrolled() {},
  moveToY() {},
  moveBy() {},
  inView: () => false,
  setMode() {},
  destroy() {},
});

export class ReadingTools {
  #voiceState = "loading"; // "loading" | "ready" | "none" | "unsupported"
  #voiceTimer = 0;
  #voicesHeard = false;
  #following = true; // keep the sentence being read in view, until the reader scrolls away
  #settings = null;
  #lastFocusInArticle = null;
  #focusedAt = -Infinity;
  #shortcutsOpen = false;
  #refocus = null;
  #listeners = [];
  #pending = null; // the sentence offset of a Read aloud / next / previous pressed while voices load
  #resizeObserver = null;
  #scrolls = new Map(); // the scroll position of each box the article scrolls with, as we last knew it
  #settling = 0; // frames during which scrolls come from a layout change of ours (a swap), not the reader
  #local = false; // in a sandboxed frame settings cannot be posted: they apply to this page only
  #base;
  #speechLoading = null; // read-aloud.js's ReadAloud, once asked for
  #speechReady = false; // this.speech is that ReadAloud
  #guideLoading = null; // reading-guide.js's ReadingGuide, once asked for
  #guideMode = "off";
  #destroyed = false;

  // root: document or a shadow root. keyScope: where single-key shortcuts are heard (the document on
  // reader's own pages; the component's host element elsewhere, so keys act only when focus is in it).
  // base: what the module addresses on #reader-tools are relative to.
  constructor(root, { keyScope = root, base = document.baseURI } = {}) {
    this.root = root;
    this.keyScope = keyScope;
    this.#base = base;
    this.speech = silent();
    this.guide = noGuide();
    this.#local = document.documentElement.classList.contains("reader-sandboxed");
    this.#wire();
    this.sync();
  }

  #el(id) {
    return this.root.getElementById(id);
  }

  // A module named on #reader-tools (data-module-speech, data-module-guide), by its fingerprinted address.
  #import(name) {
    const tools = this.#el("reader-tools");
    return import(new URL(tools.dataset[`module${name}`], this.#base).href);
  }

  // The voice, loaded on the first Read aloud (or its keys), with what keeps its buttons on screen, whose
  // stylesheet shows the sentence being read: the voice waits for it (a bar that fails to load fails alone).
  #loadSpeech() {
    this.#speechLoading ??= Promise.all([
      this.#import("Speech"),
      import("./read-aloud-bar.js").then(({ dock }) => dock(this.root)).catch(() => {}),
    ]).then(([{ ReadAloud, sentencesIn }]) => {
      const speech = new ReadAloud({
        sentences: () => sentencesIn(this.#el("reader-article")),
        voiceFor: (lang) => this.#voiceFor(lang),
        langOf: (sentence) => languageOf(sentence) || this.#articleLang(),
        onSentence: (sentence, back) => this.#showSentence(sentence, back),
        onWord: (range) => this.#showWord(range),
        onState: (state, why) => this.#stateChanged(state, why),
      });
      speech.rate = this.speech.rate;
      if (!this.#destroyed) [this.speech, this.#speechReady] = [speech, true];
      return speech;
    });
    return this.#speechLoading;
  }

  // The reading guide in `mode`; its module is loaded the first time it is on.
  #setGuide(mode) {
    this.#guideMode = mode || "off";
    if (this.#guideLoading) this.guide.setMode(this.#guideMode);
    if (this.#guideLoading || this.#guideMode === "off") return;
    this.#guideLoading = this.#import("Guide").then(async ({ ReadingGuide, styled }) => {
      await styled(this.root); // its stylesheet
      if (this.#destroyed) return;
      this.guide = new ReadingGuide({
        place: () => this.#el("reader"),
        article: () => this.#el("reader-article"),
        selection: () => this.#selection(),
      });
      this.guide.setMode(this.#guideMode);
      this.#layoutChanged();
    });
    this.#guideLoading.catch(() => {
      this.#guideLoading = null; // tried again when the guide is next turned on
    });
  }

  #on(target, type, handler, options) {
    target.addEventListener(type, handler, options);
    this.#listeners.push(() => target.removeEventListener(type, handler, options));
  }

  #articleLang() {
    return this.#el("reader-article")?.lang || document.documentElement.lang || "";
  }

  #text(name, voice = "") {
    const text = this.#el("reader-tools")?.dataset[`text${name}`] || "";
    return text.replace("{voice}", () => voice); // a function: "$&" in a voice's name is not a pattern
  }

  // The same text again is no change to a screen reader: a trailing no-break space makes it one.
  #announce(message) {
    const status = this.#el("reader-status");
    if (status) status.textContent = message && status.textContent === message ? `${message}\u00a0` : message;
  }

  // ---------- wiring ----------

  #wire() {
    this.#on(this.root, "click", (event) => this.#click(event));
    this.#on(this.root, "change", (event) => this.#change(event));
    this.#on(this.keyScope, "keydown", (event) => this.#key(event));
    this.#on(this.root, "focusin", (event) => this.#focus(event));
    // htmx puts the focus back on the control that was used, by id, but in the swapped-in tools it may still
    // be hidden then (sync() sets which buttons show): remember which it was.
    this.#on(this.root, "htmx:beforeSwap", () => {
      const active = this.root.activeElement;
      const ours = ["reader-tools", "reader-tools-settings"].some((id) => this.#el(id)?.contains(active));
      this.#refocus = active?.id && ours ? active.id : null;
    });
    // In a sandboxed frame a post could not keep anything (and would be refused): the change applies here only.
    this.#on(this.root, "htmx:beforeRequest", (event) => {
      if (this.#local && this.#el("reader-tools")?.contains(event.target)) event.preventDefault();
    });
    // The server renders the shortcut settings closed; a swap must not close them under the reader.
    this.#on(this.root, "toggle", (event) => {
      if (event.target.id === "reader-shortcuts") this.#shortcutsOpen = event.target.open;
    }, { capture: true });
    this.#on(this.root, "pointermove", (event) => this.#pointer(event), { passive: true });
    this.#on(this.root, "pointerdown", (event) => this.#pointer(event), { passive: true });
    // Any scroll that moves the article and is not ours is the reader's: a wheel, the scroll bar, keys, a
    // screen reader's virtual cursor, a focus change. (Capture: a scrolling container around a component.)
    this.#on(window, "scroll", (event) => this.#scrolled(event), { passive: true, capture: true });
    this.#on(window, "resize", () => this.#layoutChanged());
    // Leaving the page pauses the voice (it would otherwise go on reading a page that is gone), silently: a page
    // the back/forward cache brings back resumes where it was, with nothing stale in the status region.
    this.#on(window, "pagehide", () => {
      this.speech.pause("left");
      this.#announce("");
    });
    if (document.fonts) this.#on(document.fonts, "loadingdone", () => this.#layoutChanged());
    if ("speechSynthesis" in window) {
      // Voices already listed (Chromium then fires no voiceschanged): the answer is known now. The wait is only
      // for a list still empty; a voice that comes later still makes Read aloud usable.
      this.#voicesHeard = speechSynthesis.getVoices().length > 0;
      this.#on(window.speechSynthesis, "voiceschanged", () => {
        this.#voicesHeard = true;
        this.#updateVoices();
      });
      this.#voiceTimer = setTimeout(() => {
        this.#voicesHeard = true;
        this.#updateVoices();
      }, VOICE_WAIT_MS);
    }
    if ("ResizeObserver" in window) this.#resizeObserver = new ResizeObserver(() => this.#layoutChanged());
  }

  // Stop reading and remove every listener (the component calls this when it leaves the page).
  destroy() {
    this.#destroyed = true;
    this.speech.stop("stopped");
    clearTimeout(this.#voiceTimer);
    this.guide.destroy();
    this.#resizeObserver?.disconnect();
    for (const remove of this.#listeners.splice(0)) remove();
  }

  // ---------- after every swap ----------

  sync() {
    const tools = this.#el("reader-tools");
    if (!tools) return;
    const data = tools.dataset;
    this.#settings = {
      rate: Number(data.rate) || 1,
      voice: data.voice || "",
      shortcuts: data.shortcuts !== "off",
      keys: { play: data.keyPlay, previous: data.keyPrevious, next: data.keyNext },
    };
    this.speech.rate = this.#settings.rate;
    // A fragment brings them hidden (a site may show it without this script); a page, in place.
    tools.hidden = false;
    // The buttons' note for a press before this script runs (_read_aloud.html) goes: a popover's button is
    // a collapsed one to a screen reader ("Read aloud, collapsed").
    for (const button of tools.querySelectorAll("[popovertarget]")) button.removeAttribute("popovertarget");
    const settingsBox = this.#el("reader-tools-settings");
    if (settingsBox) settingsBox.hidden = false;
    const local = this.#el("reader-tools-local");
    if (local) local.hidden = !this.#local;
    const shortcuts = this.#el("reader-shortcuts");
    if (shortcuts && this.#shortcutsOpen) shortcuts.open = true;
    if (this.#refocus) {
      const control = this.#el(this.#refocus);
      this.#refocus = null;
      if (control && this.root.activeElement !== control) control.focus({ preventScroll: true });
    }
    this.#updateVoices();
    this.#updateButtons();
    this.#highlight();
    // The article's size, and the toolbar's above it (which moves the article without a scroll).
    for (const id of ["reader-article", "reader-toolbar"]) {
      const element = this.#el(id);
      if (element && this.#resizeObserver) this.#resizeObserver.observe(element);
    }
    this.#setGuide(data.guide);
    this.#layoutChanged();
    // Reading: the part back on screen after a layout change (read-aloud.js, afterLayout).
    if (this.speech.state === "playing") requestAnimationFrame(() => this.speech.afterLayout());
  }

  // The layout changed under us (a swap, a new text size, fonts, the window): the browser may scroll to keep
  // its place (scroll anchoring); for a couple of frames such scrolls are not the reader's.
  #layoutChanged() {
    this.guide.invalidate();
    this.#settling = 2;
    const settle = () => {
      this.#noteScrolls();
      if (--this.#settling > 0) requestAnimationFrame(settle);
    };
    requestAnimationFrame(settle);
  }

  // The boxes whose scrolling moves the article: the page, and any scrolling box around it (around the
  // component, on a host page).
  #scrollers() {
    const boxes = [document.scrollingElement];
    for (let node = this.#el("reader-article"); node; node = node.parentNode || node.host) {
      if (node instanceof Element && node !== document.scrollingElement && node.scrollHeight > node.clientHeight) {
        boxes.push(node);
      }
    }
    return boxes;
  }

  #noteScrolls() {
    this.#scrolls.clear();
    for (const box of this.#scrollers()) this.#scrolls.set(box, box.scrollTop);
  }

  #updateKeyHints() {
    if (!this.#settings) return;
    const { shortcuts, keys } = this.#settings;
    const hints = { "reader-speak": keys.play, "reader-speak-previous": keys.previous, "reader-speak-next": keys.next };
    for (const [id, key] of Object.entries(hints)) {
      const button = this.#el(id);
      if (!button) continue;
      // Only while the keys do something: without a voice they are not heard.
      if (shortcuts && key && this.#usable()) button.setAttribute("aria-keyshortcuts", ARIA_KEY_NAMES[key] || keyName(key));
      else button.removeAttribute("aria-keyshortcuts");
    }
  }

  // ---------- voices ----------

  #voices(lang) {
    if (!("speechSynthesis" in window)) return [];
    return voicesFor(window.speechSynthesis.getVoices(), lang, navigator.languages || []);
  }

  #voiceFor(lang) {
    const articleLang = this.#articleLang();
    const voices = this.#voices(lang);
    const chosen = primaryLanguage(lang) === primaryLanguage(articleLang) ? this.#settings?.voice : "";
    return voices.find((voice) => voice.name === chosen) || voices[0] || this.#voices(articleLang)[0] || null;
  }

  #updateVoices() {
    const lang = this.#articleLang();
    const voices = this.#voices(lang);
    const wasUsable = this.#usable();
    if (!("speechSynthesis" in window)) this.#voiceState = "unsupported";
    else if (voices.length) this.#voiceState = "ready";
    else this.#voiceState = this.#voicesHeard ? "none" : "loading";
    if (this.#voiceState === "ready") clearTimeout(this.#voiceTimer);
    const usable = this.#usable();
    const message = this.#el("reader-voice-message");
    const speak = this.#el("reader-speak");
    // A reader who pressed Read aloud while the voices were loading, or whose focus is on a button about to go,
    // is told why nothing will be read (through the status region), and the focus stays on Read aloud. Once,
    // when the voices turn out missing: not again after every swap.
    const focused = this.#el("reader-speech-buttons")?.contains(this.root.activeElement);
    const waiting = this.#pending !== null;
    const tell = wasUsable && !usable && (focused || waiting);
    if (!usable) {
      this.#pending = null;
      this.speech.stop("stopped");
      this.#updateButtons(); // a press that was waiting for the voices: "Pause" goes back to "Read aloud"
    }
    // Without a voice, Read aloud stays where it was (aria-disabled: still focusable, and it says why when
    // pressed); previous, next and stop go, and a short note beside it says what is missing.
    for (const id of ["reader-speak-previous", "reader-speak-next", "reader-speak-stop"]) {
      const button = this.#el(id);
      if (button) button.hidden = !usable;
    }
    if (speak) {
      if (usable) speak.removeAttribute("aria-disabled");
      else speak.setAttribute("aria-disabled", "true");
      if (!usable && focused && this.root.activeElement !== speak) speak.focus();
    }
    for (const id of ["reader-speech-rate-form", "reader-voice-form"]) {
      const form = this.#el(id);
      if (form) form.classList.toggle("reader-tools-unavailable", !usable);
    }
    if (message) {
      // Nothing shown while the voices load (up to 20 s on Linux, a moment elsewhere): a note that came and went
      // would move the title down and back up. A press meanwhile is answered through the status region.
      const text = { none: "NoVoiceShort", unsupported: "UnsupportedShort" }[this.#voiceState];
      message.hidden = !text;
      message.textContent = text ? this.#text(text) : "";
      if (speak) {
        if (text && !usable) speak.setAttribute("aria-describedby", message.id);
        else speak.removeAttribute("aria-describedby");
      }
    }
    if (tell) this.#announce(this.#unavailable());
    this.#updateKeyHints();
    this.#fillVoiceSelect(voices);
    if (this.#voiceState === "ready") this.#startPending();
  }

  // A Read aloud (or next, previous) pressed while the voices or the voice's module were on their way.
  #startPending() {
    if (this.#pending === null || this.#destroyed) return;
    const offset = this.#pending;
    this.#pending = null;
    this.play(offset);
  }

  #usable() {
    return this.#voiceState === "ready" || this.#voiceState === "loading";
  }

  // Why nothing can be read, in a sentence (the note beside Read aloud says it in a few words).
  #unavailable() {
    return this.#text(this.#voiceState === "unsupported" ? "Unsupported" : "NoVoice");
  }

  #fillVoiceSelect(voices) {
    const select = this.#el("reader-voice");
    if (select) fillVoiceSelect(select, voices, this.#settings?.voice || "", (name, voice) => this.#text(name, voice));
  }

  // ---------- the player ----------

  // Read from where the reader is (or resume), `offset` sentences on.
  play(offset = 0) {
    if (this.#voiceState === "loading") {
      // Voices are still arriving: start as soon as they do (with the next / previous asked for).
      this.#pending = offset;
      this.#updateButtons();
      this.#announce(this.#text("Looking"));
      return;
    }
    if (this.#voiceState !== "ready") return;
    if (!this.#speechReady) {
      // The first Read aloud: the voice's module loads, and reading starts when it is here (the press
      // counts as waiting, as for the voices: pressed again meanwhile, nothing starts).
      this.#pending = offset;
      this.#updateButtons();
      this.#loadSpeech().then(
        () => {
          // What a failure before showed.
          this.#el("reader-speech-unloaded")?.togglePopover?.(false);
          this.#startPending();
        },
        () => {
          // Not loaded (offline, a dropped request): said as that, not as the voice failing (it said "the
          // voice could not read this sentence" when none had been asked to), in the status region and in
          // the note a press opens before this script runs (_read_aloud.html), whose words hold here too (a
          // reload loads it; so does a press again: the failure is not kept, where it was, and every press
          // said it until the page was reloaded). The note's alert role is for a press without this
          // script, which cannot reach the status region: here it would say the same twice.
          this.#speechLoading = null;
          this.#cancelPending();
          const note = this.#el("reader-speech-unloaded");
          this.#announce(note.textContent);
          note.removeAttribute("role");
          note.togglePopover?.(true);
        },
      );
      return;
    }
    for (const other of speaking) if (other !== this) other.speech.stop("stopped");
    // From where the reader is: their caret or selection (a click in the text, caret browsing), the link they
    // focused (read-aloud.js).
    const selection = this.#selection();
    const places = [selection?.rangeCount ? selection.anchorNode : null, this.#lastFocusInArticle];
    const index = this.speech.state === "paused" ? this.speech.currentIndex() : this.speech.startIndex(places);
    this.#following = true;
    this.speech.play(index + offset);
  }

  #playPause() {
    if (this.speech.state === "playing") this.speech.pause();
    else if (this.#pending !== null) this.#cancelPending();
    else this.play();
  }

  #cancelPending() {
    this.#pending = null;
    this.#updateButtons();
  }

  #skip(step) {
    this.#following = true;
    if (this.#pending !== null) this.#pending += step;
    else if (this.speech.state === "idle") this.play(step);
    else this.speech.skip(step);
  }

  #selection() {
    return this.root.getSelection ? this.root.getSelection() : document.getSelection();
  }

  #stateChanged(state, why) {
    if (state === "playing") speaking.add(this);
    else speaking.delete(this);
    if (state === "idle") this.#highlight();
    this.#updateButtons();
    // The status region says when reading starts and stops (and why, when it was not the reader's doing),
    // never each sentence.
    const message = {
      started: "Started", resumed: "Started", paused: "Paused", stopped: "Stopped", finished: "Finished",
      interrupted: "Interrupted", failed: "Failed", last: "Last",
    }[why];
    if (message) this.#announce(this.#text(message));
  }

  #updateButtons() {
    const state = this.speech.state;
    const playing = state === "playing" || this.#pending !== null;
    const tools = this.#el("reader-tools");
    if (tools) tools.dataset.state = playing ? "playing" : state;
    // Its words are in the button: the label showing, then Read aloud, Pause and Resume unseen (_read_aloud.html).
    const label = this.#el("reader-speak-label");
    if (label) label.textContent = label.parentNode.children[playing ? 2 : state === "paused" ? 3 : 1].textContent;
  }

  // ---------- highlight, following ----------

  // The sentence being read, as each of its parts starts: in view (read-aloud.js says how) and the guide on
  // the part's lines the voice may be at (read-aloud.js, line).
  #showSentence(sentence, back) {
    if (back) this.#following = true;
    this.#highlight();
    if (this.#following) this.#scrollOurselves(() => this.speech.bringIntoView(sentence));
    this.guide.follow(this.speech.line(sentence), { whole: true });
  }

  // A scroll of ours: neither the reader scrolling away nor a reason for the guide to leave its text. (None when
  // `scroll` returns false: it found the text in view, and noting the positions now would take a scroll of
  // the reader's not yet reported for ours.)
  #scrollOurselves(scroll) {
    if (scroll() === false) return;
    this.#noteScrolls();
    this.guide.ownScroll();
  }

  // A box scrolled. Which it was and by how much (never where the article now is: the layout can move it
  // too) tells ours from the reader's: a scroll that is not one we noted is the reader's.
  #scrolled(event) {
    const box = event.target === document ? document.scrollingElement : event.target;
    if (!(box instanceof Element) || !this.#scrollers().includes(box)) return; // a wide table, another part
    const previous = this.#scrolls.get(box) ?? box.scrollTop;
    const moved = box.scrollTop - previous;
    this.#scrolls.set(box, box.scrollTop);
    if (!moved) return; // ours
    if (this.#settling > 0) {
      this.guide.ownScroll();
      return;
    }
    // Tab to a link below the screen: the browser scrolls it into view, and the band, put on it, must stay
    // on it. Held in place on the screen instead, it left the focused link under the dimmed part (its focus
    // indicator at 1.5:1, WCAG 2.4.11).
    // (Still the reader's scroll for read aloud: following the voice stops, as for any scroll of theirs.)
    const focused = this.#lastFocusInArticle;
    const rect = focused?.getBoundingClientRect();
    if (
      performance.now() - this.#focusedAt < FOCUS_SCROLL_MS &&
      this.root.activeElement === focused &&
      rect && onScreen(rect)
    ) {
      this.guide.ownScroll();
      this.guide.follow(rect, { whole: true });
      this.#readerScrolled();
      return;
    }
    this.guide.readerScrolled(-moved);
    this.#readerScrolled();
  }

  #highlight() {
    const article = this.#el("reader-article");
    if (!article) return;
    const id = this.speech.state === "idle" ? null : this.speech.current;
    for (const span of article.querySelectorAll(`.${SPEAKING}`)) {
      if (span.dataset.sentence !== id) span.classList.remove(SPEAKING);
    }
    if (id) for (const span of article.querySelectorAll(`[data-sentence="${CSS.escape(id)}"]`)) span.classList.add(SPEAKING);
    if (!id && globalThis.CSS?.highlights) CSS.highlights.delete(WORD_HIGHLIGHT);
  }

  // Word highlight: only for voices that send boundary events (CSS Custom Highlight API; no DOM change).
  #showWord(range) {
    if (!range || !globalThis.CSS?.highlights) return;
    CSS.highlights.set(WORD_HIGHLIGHT, new Highlight(range));
    if (this.#following) this.#scrollOurselves(() => this.speech.reveal(range));
    this.guide.follow(range.getBoundingClientRect());
  }

  #readerScrolled() {
    if (this.speech.state !== "playing") return;
    this.#following = false;
    // Following resumes once the part being read is back on screen (the reader scrolled back to it).
    requestAnimationFrame(() => {
      if (this.speech.inView()) this.#following = true;
    });
  }

  // ---------- events ----------

  #click(event) {
    if (this.#local && this.#localSubmit(event)) return;
    const button = event.target.closest?.("[data-speech]");
    if (button && this.root.contains(button)) {
      const action = button.dataset.speech;
      if (!this.#usable()) this.#announce(this.#unavailable()); // Read aloud, marked unavailable: say why
      else if (action === "play") this.#playPause();
      else if (action === "stop") {
        this.#cancelPending();
        this.speech.stop("stopped");
      } else this.#skip(action === "next" ? 1 : -1);
      return;
    }
    // A click on a sentence while reading (not on a link) reads from there.
    const sentence = event.target.closest?.("[data-sentence]");
    if (sentence && this.speech.state !== "idle" && !event.target.closest("a")) {
      this.#following = true;
      this.speech.jump(sentence.dataset.sentence);
    }
  }

  #change(event) {
    // Applied at once; the form also posts (htmx), so the choice is kept and the region comes back with it.
    const target = event.target;
    if (target.id === "reader-speech-rate") this.speech.rate = Number(target.value) || 1;
    else if (target.id === "reader-voice" && this.#settings) this.#settings.voice = target.value;
    else if (target.id === "reader-guide") {
      this.#setGuide(target.value);
      // In a sandboxed frame no answer comes to say it (the post is not made): said here in the server's own
      // sentence ("Reading guide: Line"), which the select carries translated, with its option's name.
      if (this.#local) this.#announce(target.dataset.said.replace("{mode}", () => target.selectedOptions[0].textContent.trim()));
    }
    // Heard at once (read-aloud.js, retune).
    if (target.id === "reader-speech-rate" || target.id === "reader-voice") this.speech.retune?.();
  }

  // In a sandboxed frame the shortcut forms cannot be sent (nor would anything be kept): their buttons apply
  // the change to this page. True when the click was one of them.
  #localSubmit(event) {
    const button = event.target.closest?.("#reader-shortcuts-toggle, #reader-keys-save");
    if (!button || !this.#settings) return false;
    event.preventDefault();
    const settings = this.#settings;
    if (button.id === "reader-shortcuts-toggle") {
      settings.shortcuts = !settings.shortcuts;
      button.setAttribute("aria-pressed", String(settings.shortcuts));
      button.value = settings.shortcuts ? "off" : "on";
      this.#announce(this.#text(settings.shortcuts ? "ShortcutsOn" : "ShortcutsOff"));
    } else {
      const inputs = { play: "reader-key-play", previous: "reader-key-previous", next: "reader-key-next" };
      const keys = {};
      for (const [action, id] of Object.entries(inputs)) keys[action] = (this.#el(id)?.value || "").trim().toLowerCase();
      const values = Object.values(keys);
      if (values.some((key) => [...key].length !== 1)) this.#announce(this.#text("KeysInvalid"));
      else if (new Set(values).size < values.length) this.#announce(this.#text("KeysSame"));
      else {
        settings.keys = keys;
        this.#announce(this.#text("KeysSaved"));
      }
    }
    this.#updateKeyHints();
    return true;
  }

  #focus(event) {
    const article = this.#el("reader-article");
    if (article?.contains(event.target) && event.target !== article) {
      this.#lastFocusInArticle = event.target;
      this.#focusedAt = performance.now();
      this.guide.follow(event.target.getBoundingClientRect(), { whole: true });
    }
  }

  #pointer(event) {
    if (!this.guide.on || event.pointerType === "touch" && event.type === "pointermove") return;
    const article = this.#el("reader-article");
    if (article?.contains(event.target)) this.guide.moveToY(event.clientY);
  }

  // Single-key shortcuts (remappable, and all can be turned off: WCAG 2.1.4). Never with Ctrl, Alt or Meta
  // (browser, system and screen-reader commands), never while typing in a field, never repeated by a key
  // held down (the arrows excepted: holding one moves the guide on).
  #key(event) {
    const settings = this.#settings;
    const tools = this.#el("reader-tools");
    if (!settings?.shortcuts || !tools || tools.hidden || event.defaultPrevented || event.isComposing) return;
    if (event.ctrlKey || event.altKey || event.metaKey) return;
    const target = event.composedPath()[0];
    if (target instanceof Element && target.closest(EDITABLE)) return;
    const key = event.key.length === 1 ? event.key.toLowerCase() : event.key;
    const arrow = key === "ArrowDown" || key === "ArrowUp";
    if (event.repeat && !arrow) return;
    const usable = this.#usable();
    let handled = true;
    if (key === settings.keys.play && usable) this.#playPause();
    else if (key === settings.keys.previous && usable) this.#skip(-1);
    else if (key === settings.keys.next && usable) this.#skip(1);
    else if (arrow && this.#arrowsMoveTheGuide(event, target)) {
      this.#scrollOurselves(() => this.guide.moveBy(key === "ArrowDown" ? 1 : -1));
    } else handled = false;
    if (handled) event.preventDefault();
  }

  // The arrow keys move the guide only while it is on and on the screen, and never where they already do
  // something: inside a scrolling table, or with a caret or a selection in the article's text that they move
  // (caret browsing, F7: reading-guide.js tells it from a click's caret; Shift extends a selection). Then they
  // scroll the page as usual, and the band keeps its place on the screen.
  #arrowsMoveTheGuide(event, target) {
    if (!this.guide.on || event.shiftKey || inScroller(target) || !this.guide.inView()) return false;
    const selection = this.#selection();
    const caret = selection?.rangeCount ? selection.focusNode : null;
    const inText = caret?.nodeType === Node.TEXT_NODE && this.#el("reader-article")?.contains(caret);
    return !(inText && this.guide.caretTakesArrows());
  }
}

// espeak-ng's voice variants: "Vietnamese (Northern)+Alex espeak-ng".
const VARIANT = /^(.*)\+[^ ]+(.*)$/;

export function primaryLanguage(tag) {
  return (tag || "").split("-")[0].trim().toLowerCase();
}

// The voices for a language, best first: local before online, the article's exact tag (or one of the
// reader's own languages), plain language-region voices before dialects ("en-US" before "en-US-nyc",
// "vi" before "vi-VN-x-central"), the system default, then by name. espeak-ng lists each
// voice again with every one of its ~70 variants ("Vietnamese (Northern)+Alex espeak-ng"); a variant is
// left out when its plain voice is there.
export function voicesFor(voices, lang, readerLanguages = []) {
  const primary = primaryLanguage(lang);
  const matching = voices.filter((voice) => primaryLanguage(voice.lang) === primary);
  const names = new Set(matching.map((voice) => voice.name));
  const plain = matching.filter((voice) => {
    const variant = VARIANT.exec(voice.name);
    return !(variant && names.has(variant[1] + variant[2]));
  });
  const wanted = [lang, ...readerLanguages].map((tag) => tag.toLowerCase());
  const closeness = (voice) => {
    const index = wanted.indexOf(voice.lang.toLowerCase());
    return index === -1 ? wanted.length : index;
  };
  const subtags = (voice) => Math.max(2, voice.lang.split("-").length);
  const key = (voice) => [voice.localService ? 0 : 1, closeness(voice), subtags(voice), voice.default ? 0 : 1];
  return plain.sort((a, b) => {
    const [ka, kb] = [key(a), key(b)];
    for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i]) return ka[i] - kb[i];
    return a.name.localeCompare(b.name);
  });
}

// A voice <select>: the automatic choice (naming the voice it is), then the voices, `chosen` selected. Also on
// the settings page (settings-voices.js). text(name, voice): the page's text of that name, {voice} filled in.
export function fillVoiceSelect(select, voices, chosen, text) {
  const label = (voice) => (voice.localService ? voice.name : text("Online", voice.name));
  const names = voices.map((voice) => voice.name);
  const current = [...select.options].map((option) => option.value);
  const wanted = ["", ...names];
  if (current.join("\n") !== wanted.join("\n")) {
    const automatic = voices[0] ? text("AutomaticNamed", label(voices[0])) : text("Automatic");
    select.replaceChildren(new Option(automatic, ""), ...voices.map((voice) => new Option(label(voice), voice.name)));
  } else if (voices[0]) {
    select.options[0].text = text("AutomaticNamed", label(voices[0]));
  }
  // A voice chosen on another device may not exist here: then the automatic choice is used (and shown).
  select.value = names.includes(chosen) ? chosen : "";
}

// A key as its key cap shows it: letters in capitals, but "ß" (whose capital is "SS") as it is.
function keyName(key) {
  const upper = key.toUpperCase();
  return upper.length === 1 ? upper : key;
}

// A sentence wholly inside an element with its own language (<q lang="en">…</q>) is read in that language.
function languageOf(sentence) {
  const langs = new Set(sentence.spans.map((span) => span.closest("[lang]")?.lang || ""));
  return langs.size === 1 ? [...langs][0] : "";
}

function onScreen(rect) {
  return rect.bottom > 0 && rect.top < innerHeight && rect.height > 0;
}

// Arrow keys inside a scrolling region (a wide table) belong to it.
function inScroller(target) {
  return target instanceof Element && Boolean(target.closest('.reader-table, [role="region"]'));
}

// One ReadingTools per root; `attach` returns the existing one if there is.
const attached = new WeakMap();

export async function attachReadingTools(root, options = {}) {
  const tools = root.getElementById("reader-tools");
  if (!tools) return null;
  if (!attached.has(root)) attached.set(root, new ReadingTools(root, options));
  return attached.get(root);
}

// reader's own article and /embed pages run this module from a <script> of theirs (the component imports it,
// and attaches it to its shadow root itself): it takes the page's controls over. One file for a first visit,
// not an entry module and this one: a request and 0.4 KiB fewer.
if ([...document.scripts].some((script) => script.type === "module" && script.src === import.meta.url)) {
  try {
    const tools = await attachReadingTools(document);
    if (tools) {
      // htmx swaps the article region when a setting changes: bring the new one up to date. htmx:load fires for
      // the new content while it is inserted, before the browser paints it.
      let pending = false;
      document.addEventListener("htmx:load", () => {
        if (pending) return;
        pending = true;
        queueMicrotask(() => {
          pending = false;
          tools.sync();
        });
      });
    }
  } catch (error) {
    // The controls are in the page from its first paint: if their script cannot run, they must not stay there
    // doing nothing.
    for (const id of ["reader-tools", "reader-tools-settings"]) {
      const controls = document.getElementById(id);
      if (controls) controls.hidden = true;
    }
    console.error("reader: the reading tools could not start", error);
  }
}
