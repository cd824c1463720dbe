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
// modules may come from different servers).
//
// Loaded by reading-tools.js with the voice, on the first Read aloud; it brings its own stylesheet, which a
// first visit never needs (docs/performance.md), and which also shows the sentence being read: the voice waits
// for dock() (its stylesheet loaded).

const ACTIVE = new Set(["playing", "paused"]);

export async function dock(root) {
  const sheet = document.createElement("link");
  sheet.rel = "stylesheet";
  sheet.href = new URL("../css/read-aloud-bar.css", import.meta.url).href;
  const loaded = new Promise((resolve) => {
    sheet.onload = sheet.onerror = resolve;
  });
  // In a component's shadow root, before its own stylesheets: reader-article.js replaces what follows them.
  if (root === document) document.head.append(sheet);
  else root.prepend(sheet);
  await loaded;

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
  }, { capture: true, passive: true });
  // After the click's own handlers (window, bubbling: the last); a press that never clicks (a scroll by touch,
  // a long press) is let go at its end. (A touch's click comes after its pointerup, in the same moment.)
  addEventListener("click", release);
  addEventListener("pointercancel", release);
  addEventListener("pointerup", () => {
    const press = presses;
    setTimeout(() => press === presses && release(), 500);
  });

  const me = {}; // this article, in "reader:speech-bar"
  let mine = true; // this article's bar is the page's
  let state = ""; // its reading's, last seen
  let shown = 0; // the height docked, 0 when not
  let padding = ""; // the page's own scroll padding (inline), put back on undocking

  function update() {
    if (pressed) return;
    const tools = root.getElementById("reader-tools"); // a swap brings a new one
    const group = root.getElementById("reader-speech-buttons");
    if (!tools || !group) return;
    if (tools.dataset.state !== state) {
      state = tools.dataset.state;
      mine ||= state === "playing";
      if (state === "playing") document.dispatchEvent(new CustomEvent("reader:speech-bar", { detail: me }));
    }
    const focused = group.contains(root.activeElement) ? root.activeElement : null;
    const wanted = mine && (ACTIVE.has(state) || focused) && !tools.hidden;
    if (!wanted && !shown && !("docked" in tools.dataset)) return; // idle: nothing to measure, at every scroll
    // Measured in the toolbar, as laid out now (a new text size, a turned phone): whether the button the
    // reader needs there (the focused one, else Read aloud: pause, resume) shows whole, and the buttons'
    // place, kept while they are away (the controls around it must not close up, nor the article under the
    // toolbar move up). Taken out and put back within one task, nothing of this is painted.
    delete tools.dataset.docked;
    tools.style.minInlineSize = tools.style.minBlockSize = "";
    const needed = (focused || root.getElementById("reader-speak")).getBoundingClientRect();
    let height = 0;
    if (wanted && (needed.top < 0 || needed.bottom > innerHeight)) {
      const place = tools.getBoundingClientRect();
      // (on the element, not as custom properties a stylesheet reads: a host page's would reach a component)
      tools.style.minInlineSize = `${place.width}px`;
      tools.style.minBlockSize = `${place.height}px`;
      tools.dataset.docked = "";
      height = Math.ceil(group.getBoundingClientRect().height);
      tools.dataset.docked = String(height);
    }
    if (height === shown) return;
    const html = document.documentElement.style;
    if (!shown) padding = html.scrollPaddingBlockEnd;
    html.scrollPaddingBlockEnd = height ? `${height}px` : padding;
    shown = height;
    if (height) root.dispatchEvent(new Event("reader:docked"));
  }

  // Its state (set on every change and after every swap), the focus, the page's scroll (capture: a box
  // scrolling around a component) and size.
  document.addEventListener("reader:speech-bar", (event) => {
    if (event.detail === me) return;
    mine = false;
    update();
  });
  new MutationObserver(update).observe(root, { subtree: true, attributeFilter: ["data-state"] });
  root.addEventListener("focusin", update);
  root.addEventListener("focusout", () => setTimeout(update));
  addEventListener("scroll", update, { passive: true, capture: true });
  addEventListener("resize", update);
  update();
}
