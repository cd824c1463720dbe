// The read-aloud buttons kept on screen while reading (docs/read-aloud.md, "The buttons stay on screen").
// The toolbar is not sticky: at 200–400 % on a phone the first sentence is a screen below it, and pressing
// Read aloud scrolled the focused Pause off the screen, so that a touch user had to scroll up to pause, which
// stops the following. While reading or paused (and after, while the focus is still on one of them), when
// the button the reader needs in the toolbar (the focused one, else Read aloud) is not wholly on screen, the
// group is fixed to the bottom edge, as Edge's play bar and a media player's controls are. The same buttons,
// moved: the focus, their names and the tab order are the ones they had; their place in the toolbar is kept,
// so nothing in the toolbar or the article moves.
//
// While docked, #reader-tools carries data-docked, the bar's height in CSS pixels: the following
// (read-aloud.js) keeps the sentence above it (and fits and shows the part being read again when the bar comes
// up or changes height: a "reader:docked" event on the root), and the page's scroll-padding (on <html>, also for
// a component: the window is what scrolls a focused control into view) keeps a focused link clear of it.
//
// One bar on a page: two articles (components, or the page's own and a component) each docked their own at
// the same place, and a paused one's covered the one being read (a tap on it stopped the one reading and
// read the other). The bar of the article whose reading started last is the page's; the others undock, and
// dock again only when their reading starts again ("reader:speech-bar", on the document: the articles'
// modules may come from different servers). Except where the focus is: a bar whose buttons hold it (pressed
// in the bar, then the other article's reading started by a click that moves no focus: Safari's, a voice
// control's) docks when their place is off screen, in the reading one's stead, and gives the place back once
// the focus leaves them ("reader:speech-bar-back"). Undocked, it left the focus on a button off the screen,
// which Enter or Space pressed unseen; scrolling up to it took the page away from what was being read.
//
// The component (reader-article.js) says when its reading tools are gone ("reader:tools-gone", on its shadow
// root: removed from the page, or a swap that brought none): every listener goes, and the page's scroll
// padding is put back.
//
// Docked, Tab and Shift+Tab from the bar's ends go on where the reader is reading (tabFromBar): by the
// toolbar's order, Tab from Stop went to the Readability summary and the page jumped to the top for it.
//
// The voice's module (read-aloud.js) imports this one too: it waits for the stylesheet before its first part
// (sheetIn) and measures the bar before it docks (barHeight), to fit the part above it.
//
// Loaded by reading-tools.js (and imported by read-aloud.js) with the voice, on the first Read aloud; it
// brings its own stylesheet, which a first visit never needs (docs/performance.md), and which also shows the
// sentence being read: the voice waits for dock() (its stylesheet loaded).

const ACTIVE = new Set(["playing", "paused"]);
// root → its stylesheet: {link, loading (a promise, null once loaded), docks (the dock() calls using it)}
const sheets = new WeakMap();
// How long the first Read aloud waits for the stylesheet: one that does not come (a stalled connection, a
// component host's proxy that hangs) held the voice until the browser gave up on the link, with nothing said.
// Then reading starts (or says why it cannot), and the bar and the sentence's highlight come with the sheet.
const SHEET_WAIT_MS = 2500;

// The bar's stylesheet in `root`, added once: a promise until it has loaded (or failed, or SHEET_WAIT_MS have
// gone by), then null.
export function sheetIn(root) {
  let sheet = sheets.get(root);
  if (!sheet) {
    const link = document.createElement("link");
    link.rel = "stylesheet";
    link.href = new URL("../css/read-aloud-bar.css", import.meta.url).href;
    sheet = { link, docks: 0 };
    sheet.loading = new Promise((resolve) => {
      link.onload = link.onerror = resolve;
    }).then(() => {
      sheet.loading = null;
    });
    sheets.set(root, sheet);
    // In a component's shadow root, before its own stylesheets: reader-article.js replaces what follows them.
    if (root === document) document.head.append(link);
    else root.prepend(link);
  }
  return sheet.loading && Promise.race([sheet.loading, new Promise((resolve) => setTimeout(resolve, SHEET_WAIT_MS))]);
}

// The stylesheet goes with the last dock() using it: an older one that learns its tools are gone only once the
// sheet is in (the component removed, then connected again meanwhile) leaves it to the newer one.
function letGo(root, sheet) {
  if (--sheet.docks > 0 || sheets.get(root) !== sheet) return;
  sheet.link.remove();
  sheets.delete(root);
}

// Docks the group (its place in the toolbar kept at the size it has now) and says its height.
function docked(tools, group) {
  const place = tools.getBoundingClientRect();
  // (on the element, not as custom properties a stylesheet reads: a host page's would reach a component)
  tools.style.minInlineSize = `${place.width}px`;
  tools.style.minBlockSize = `${place.height}px`;
  tools.dataset.docked = "";
  return Math.ceil(group.getBoundingClientRect().height);
}

function undocked(tools) {
  delete tools.dataset.docked;
  tools.style.minInlineSize = tools.style.minBlockSize = "";
}

// The bar's height, docked, in CSS pixels (0 without the toolbar): measured docked and put back within one
// task when it is not, so nothing of it is painted. read-aloud.js fits a part above it when following the
// part will take the toolbar off the screen (the bar then docks, and the part made without it was cut short
// and made again: its start was said twice).
export function barHeight(root) {
  const tools = root.getElementById("reader-tools");
  const group = root.getElementById("reader-speech-buttons");
  if (!tools || !group || tools.hidden) return 0;
  if ("docked" in tools.dataset) return Number(tools.dataset.docked) || 0;
  const height = docked(tools, group);
  undocked(tools);
  return height;
}

export async function dock(root) {
  if (root.host && !root.host.isConnected) return; // a component removed while this module loaded
  const teardown = new AbortController();
  const { signal } = teardown;
  let gone = false;
  root.addEventListener("reader:tools-gone", () => (gone = true), { signal });
  const loading = sheetIn(root);
  const sheet = sheets.get(root);
  sheet.docks++;
  await loading;
  if (gone) {
    letGo(root, sheet);
    teardown.abort();
    return;
  }

  // A press on one of the buttons (a mouse, a finger) moves nothing until its click is over: the focus it
  // gives them came before the click, and a bar that went back into the toolbar then (the pressed button's
  // place there on screen, while Read aloud's was not), or docked, took the button from under the pointer:
  // the click went to what was under it after, and Stop, pressed in the bar, did not stop.
  let pressed = false;
  let presses = 0;
  const release = () => {
    if (!pressed) return;
    pressed = false;
    setTimeout(update);
  };
  root.addEventListener("pointerdown", (event) => {
    presses++;
    pressed = Boolean(root.getElementById("reader-speech-buttons")?.contains(event.target));
  }, { capture: true, passive: true, signal });
  // After the click's own handlers (window, bubbling: the last); a press that never clicks (a scroll by touch,
  // a long press) is let go at its end. (A touch's click comes after its pointerup, in the same moment.)
  addEventListener("click", release, { signal });
  addEventListener("pointercancel", release, { signal });
  addEventListener("pointerup", () => {
    const press = presses;
    setTimeout(() => press === presses && release(), 500);
  }, { signal });

  const me = {}; // this article, in "reader:speech-bar"
  let mine = true; // this article's bar is the page's
  let lent = false; // it was, until another one's docked for its focus alone: back when that one undocks
  let borrowed = false; // docked for its focus alone, in the place of the one being read
  let state = ""; // its reading's, last seen
  let shown = 0; // the height docked, 0 when not
  let padding = ""; // the page's own scroll padding (inline), put back on undocking
  let marked; // <html>'s data-reader-bar before this bar docked (another article's), put back on undocking

  function update() {
    if (pressed || signal.aborted) return;
    const tools = root.getElementById("reader-tools"); // a swap brings a new one
    const group = root.getElementById("reader-speech-buttons");
    if (!tools || !group) return;
    if (tools.dataset.state !== state) {
      state = tools.dataset.state;
      if (state === "playing") {
        mine = true;
        borrowed = false; // (its own now)
        say("reader:speech-bar");
      }
    }
    const focused = group.contains(root.activeElement) ? root.activeElement : null;
    const wanted = (focused || (mine && ACTIVE.has(state))) && !tools.hidden;
    if (!wanted && !shown && !("docked" in tools.dataset)) return; // idle: nothing to measure, at every scroll
    // Measured in the toolbar, as laid out now (a new text size, a turned phone): whether the button the
    // reader needs there (the focused one, else Read aloud: pause, resume) shows whole, and the buttons'
    // place, kept while they are away (the controls around it must not close up, nor the article under the
    // toolbar move up). Taken out and put back within one task, nothing of this is painted.
    undocked(tools);
    const needed = (focused || root.getElementById("reader-speak")).getBoundingClientRect();
    let height = 0;
    if (wanted && (needed.top < 0 || needed.bottom > innerHeight)) {
      // Docking for the focus alone: the page's bar undocks first (its scroll padding put back before this
      // one's is kept).
      if (!mine && !borrowed) {
        borrowed = true;
        say("reader:speech-bar");
      }
      height = docked(tools, group);
      tools.dataset.docked = String(height);
    }
    if (borrowed && (mine || !height)) {
      borrowed = false;
      if (!mine) say("reader:speech-bar-back");
    }
    if (height === shown) return;
    pad(height);
    if (height) root.dispatchEvent(new Event("reader:docked"));
  }

  function say(type) {
    me.focus = borrowed;
    document.dispatchEvent(new CustomEvent(type, { detail: me }));
  }

  // The page's scroll padding, and data-reader-bar on <html>: the docked bar's height, which read-aloud.js
  // reads across articles (dockedBelow). Not the padding itself: a host page's own (its sticky footer) would
  // make every part shorter with no bar docked.
  function pad(height) {
    const html = document.documentElement;
    if (!shown) [padding, marked] = [html.style.scrollPaddingBlockEnd, html.dataset.readerBar];
    html.style.scrollPaddingBlockEnd = height ? `${height}px` : padding;
    if (height) html.dataset.readerBar = String(height);
    else if (marked === undefined) delete html.dataset.readerBar;
    else html.dataset.readerBar = marked;
    shown = height;
  }

  // Its state (set on every change and after every swap), the focus, the page's scroll (capture: a box
  // scrolling around a component) and size; another article's bar taking the place, or giving it back.
  document.addEventListener("reader:speech-bar", (event) => {
    if (event.detail === me) return;
    lent = event.detail?.focus ? lent || mine : false;
    mine = borrowed = false; // (one docked for its focus docks again, in the place of the one now read)
    update();
  }, { signal });
  document.addEventListener("reader:speech-bar-back", () => {
    mine ||= lent;
    lent = false;
    update();
  }, { signal });
  root.addEventListener("keydown", (event) => tabFromBar(root, event), { signal });
  const observer = new MutationObserver(update);
  observer.observe(root, { subtree: true, attributeFilter: ["data-state"] });
  root.addEventListener("focusin", update, { signal });
  root.addEventListener("focusout", () => setTimeout(update), { signal });
  addEventListener("scroll", update, { passive: true, capture: true, signal });
  addEventListener("resize", update, { signal });

  // The article's reading tools are gone: nothing here listens any more, nor stays docked.
  root.addEventListener("reader:tools-gone", () => {
    teardown.abort();
    observer.disconnect();
    const tools = root.getElementById("reader-tools");
    if (tools) undocked(tools);
    if (shown) pad(0);
    if (borrowed) say("reader:speech-bar-back");
    letGo(root, sheet);
  }, { signal });
  update();
  // A stylesheet not in yet (SHEET_WAIT_MS): the bar is measured again when it comes.
  sheet.loading?.then(update);
}

// The controls Tab reaches in `scope`, in their order (tabindex above 0 aside: reader's pages have none).
const CONTROLS = "a[href], area[href], button, input:not([type=hidden]), select, textarea, iframe, summary, "
  + "[tabindex], [contenteditable]:not([contenteditable=false]), audio[controls], video[controls]";

function tabbable(scope) {
  return [...scope.querySelectorAll(CONTROLS)].filter((element) => element.tabIndex >= 0
    && !element.matches(":disabled, [inert], [inert] *, details > summary:not(:first-of-type)")
    && (element.checkVisibility?.({ visibilityProperty: true }) ?? element.getClientRects().length > 0));
}

// The first span of the sentence being read when some of it shows above the bar, else of the first that does,
// else of the one being read (null: none).
function readingAt(root, bar) {
  const article = root.getElementById("reader-article");
  if (!article) return null;
  const shows = (span) => [...span.getClientRects()].some((line) =>
    line.height > 0 && line.bottom > 0 && line.top < innerHeight - bar);
  const reading = [...article.querySelectorAll(".reader-speaking")];
  return (reading.some(shows) && reading[0])
    || [...article.querySelectorAll("[data-sentence]")].find(shows)
    || reading[0] || null;
}

// While docked, Tab from the last button goes to the first control at or after that sentence's start (a link
// in it first: the voice is saying it), Shift+Tab from the first to the article's last control before it
// (none: the toolbar's, as before). Into the bar, and undocked, the page's order; nothing is trapped.
function tabFromBar(root, event) {
  if (event.key !== "Tab" || event.altKey || event.ctrlKey || event.metaKey || event.defaultPrevented) return;
  const tools = root.getElementById("reader-tools");
  const group = root.getElementById("reader-speech-buttons");
  if (!tools || !group || !("docked" in tools.dataset)) return;
  const buttons = tabbable(group);
  if (event.target !== (event.shiftKey ? buttons[0] : buttons.at(-1))) return;
  const at = readingAt(root, Number(tools.dataset.docked) || 0);
  if (!at) return;
  if (event.shiftKey) {
    // The article's last control before it (one holding it too: a wide table's scrolling region).
    const before = tabbable(root.getElementById("reader-article"))
      .filter((element) => at.compareDocumentPosition(element) & Node.DOCUMENT_POSITION_PRECEDING);
    if (!before.length) return;
    event.preventDefault();
    before.at(-1).focus();
    return;
  }
  const next = tabbable(root).find((element) => at.compareDocumentPosition(element) & Node.DOCUMENT_POSITION_FOLLOWING);
  if (next) {
    event.preventDefault();
    next.focus();
    return;
  }
  // None after it here (a component's page goes on after it): the browser's Tab goes on from the sentence,
  // focused for this press alone, in the order (from one out of it, tabindex −1, Chromium went back to the
  // component's first control).
  if (at.hasAttribute("tabindex")) return;
  at.tabIndex = 0;
  at.addEventListener("blur", () => at.removeAttribute("tabindex"), { once: true });
  at.focus({ preventScroll: true });
  setTimeout(() => at.removeAttribute("tabindex"));
}
