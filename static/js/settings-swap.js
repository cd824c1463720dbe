// Around every swap of the reader region (#reader) that a setting brings (htmx, outerHTML): the reader's place
// stays put, and a change that fails says so. Every page with the region loads it (the article, /embed,
// /preferences); it needs nothing else (a classic script, no imports). /embed has it in js/embed-page.js, with
// reader-embed.js (reader.assets.BUNDLES): all its code is inside the function below.
//
// The place. htmx inserts the new region before it removes the old one, and Chromium's scroll anchoring,
// which picks a node in the old region, then throws the page to its end. So anchoring is off for the swap
// (html.reader-swapping, reader.css) and the place is kept here instead:
// - the control the reader used, when it is on the screen, keeps its position on the screen (what is above it
//   may grow or shrink: the scroll makes up for it);
// - otherwise (a change made while reading, the focus in the text or nowhere) the text at the top of the
//   screen stays at the top;
// and the focused control is never left off the screen (htmx puts the focus back without scrolling).
// And A− pressed with a pointer stays under it (as a browser's tab strip keeps the tabs' widths while tabs
// are closed with the mouse): every press shrinks A+ before it, and from 400 % a phone's A+ and A−, one above
// the other, go side by side, so the next press at the same point missed A−, or landed on A+. Until the
// pointer moves off A− (or presses elsewhere, or a key is pressed), both buttons keep the size they had when
// the presses began and the pair keeps its place; then they take their own size. A+ needs no such hold: it
// comes first, and grows away from where it was pressed.
//
// Presses made while a change is on its way all count. htmx would queue the last one on its form and then
// drop it, as a request of a form the swap has removed (htmx 2.0.11's issueAjaxRequest); and a press in another
// form went at once, with the cookie from before the first change, and undid it. So one change is on its way
// at a time: a press made meanwhile waits here, and once the answer is in settings-presses.js makes it again on
// the new region (the control of the same id; A+ pressed three times as one request of three steps). An answer
// is not announced while presses of its control wait: its state would be stale. After a failure (below)
// nothing more is sent. docs/preferences.md, "Presses faster than the server answers".
//
// A failure. htmx drops an error answer (a 429 when changes come too fast, a 503) and a request that never
// got an answer without a word, and waits for good for one that is never answered; here the status region
// says a change is still awaited after 4 s, gives it up after 15, and says the setting was not saved, and a
// line beside the control used shows the same, on the screen (the next change that goes through replaces
// the region, and the line). The form's fields put back to the values in effect (form.reset: the page is drawn
// with them): a select showed the one that failed, beside text that had not changed. On /embed, the status
// region says it in its data-failed. An answer cut after headers that say the change was kept (the server's
// Reader-Saved: a refused change is a 200 too) is no failure: its cookie is stored, the change saved ("not
// saved, try again" made it twice), the region is loaded again to show it (settings-history.js), and the
// presses made meanwhile are made then, as after any answer. One cut before its headers came (Chromium says
// they are in only with the body's first bytes) may have been saved too: settings-history.js asks the server,
// and the failure is said once that is known.
(() => {
  const REGION = "reader";
  const root = document.documentElement;
  let place = null;

  const onScreen = (rect) => rect.bottom > 0 && rect.top < innerHeight && (rect.height > 0 || rect.width > 0);
  const region = () => document.getElementById(REGION);

  // The control a change came from: the focused one, or the button that submitted the form.
  function controlOf(detail) {
    const active = document.activeElement;
    if (active?.id && region()?.contains(active) && active.matches("button, input, select, textarea, summary")) {
      return active;
    }
    const submitter = detail.requestConfig?.triggeringEvent?.submitter;
    return submitter?.id && region()?.contains(submitter) ? submitter : null;
  }

  // A text position the same in the old region and the new one: the nearest ancestor with an id and the path
  // of child indexes from it (the article's body is the same markup for every setting).
  function pathFrom(node) {
    const path = [];
    let current = node;
    while (current && !(current instanceof Element && current.id)) {
      const parent = current.parentNode;
      if (!parent) return null;
      path.unshift(Array.prototype.indexOf.call(parent.childNodes, current));
      current = parent;
    }
    return current ? { id: current.id, path } : null;
  }

  function follow(anchor) {
    let node = document.getElementById(anchor.id);
    for (const index of anchor.path) node = node?.childNodes[index];
    return node || null;
  }

  function caretAt(x, y) {
    if (document.caretPositionFromPoint) {
      const position = document.caretPositionFromPoint(x, y);
      return position && { node: position.offsetNode, offset: position.offset };
    }
    const range = document.caretRangeFromPoint?.(x, y);
    return range && { node: range.startContainer, offset: range.startOffset };
  }

  function textTop(node, offset) {
    if (node.nodeType !== Node.TEXT_NODE) return node.getBoundingClientRect?.().top ?? null;
    const range = document.createRange();
    const at = Math.min(offset, node.length);
    range.setStart(node, at);
    range.setEnd(node, Math.min(at + 1, node.length));
    const rects = range.getClientRects();
    return rects.length ? rects[0].top : range.getBoundingClientRect().top;
  }

  // The first text from the top of the screen down, in the region (past a masthead or a bar that covers it).
  function textAtTop() {
    const box = (document.getElementById("reader-article") || region())?.getBoundingClientRect();
    if (!box) return null;
    const x = Math.min(Math.max(box.left + Math.min(24, box.width / 2), 1), innerWidth - 1);
    for (let y = 1; y < innerHeight; y += 6) {
      const caret = caretAt(x, y);
      if (!caret || caret.node.nodeType !== Node.TEXT_NODE || !region()?.contains(caret.node)) continue;
      const anchor = pathFrom(caret.node);
      const top = textTop(caret.node, caret.offset);
      if (anchor && top !== null) return { ...anchor, offset: caret.offset, top };
    }
    return null;
  }

  // `keepFocus`: whether the focused control is to be kept on the screen. Not when the reader had scrolled it off
  // (a select keeps the focus while they scroll to the text, and an arrow key tries its next value there).
  function measure(detail) {
    const control = controlOf(detail);
    if (control) {
      const rect = control.getBoundingClientRect();
      if (onScreen(rect)) return { id: control.id, path: [], offset: 0, top: rect.top, keepFocus: true };
    }
    const text = textAtTop();
    return text && { ...text, keepFocus: !control };
  }

  // The hold of A− (above): the buttons' boxes and A−'s left edge when the presses began.
  const HELD = "reader-smaller";
  const PAIR = ["reader-bigger", HELD];
  let pressedAt = -Infinity;
  let held = null;

  function holdFrom(control) {
    if (held || control?.id !== HELD || performance.now() - pressedAt > 5000) return;
    const boxes = PAIR.map((id) => document.getElementById(id)?.getBoundingClientRect());
    if (boxes.every(Boolean)) held = { boxes, left: boxes[1].left, top: boxes[1].top };
  }

  function applyHold() {
    const buttons = PAIR.map((id) => document.getElementById(id));
    if (!held || !buttons.every(Boolean)) return;
    buttons.forEach(({ style }, index) => {
      const { width: w, height: h } = held.boxes[index];
      style.cssText = `width:${w}px;height:${h}px;min-width:${w}px;min-height:${h}px;flex:none`;
    });
    // Then the pair keeps its place, by margins on its row (what is around it makes room; nothing is
    // covered): a page whose centred column narrowed moved it to the right, and text above it that shrank
    // (the masthead) moved it up, where a page at its top cannot scroll to follow. (Moved down or to the
    // right, it stays: the scroll makes up for the first, and the second would push the row past the edge.)
    const { style } = buttons[1].parentElement;
    const box = buttons[1].getBoundingClientRect();
    if (held.left < box.left - 0.5) style.marginInlineStart = `${held.left - box.left}px`;
    if (held.top > box.top + 0.5) style.marginBlockStart = `${held.top - box.top}px`;
  }

  function release() {
    if (!held) return;
    held = null;
    for (const id of PAIR) document.getElementById(id)?.removeAttribute("style");
    document.getElementById(HELD)?.parentElement.removeAttribute("style");
    keepFocusOnScreen();
  }

  // Off A− (or a key pressed): no hold, neither the one there is nor one for a press still on its way.
  function forget() {
    pressedAt = -Infinity;
    release();
  }
  const onHeld = (event) => event.target instanceof Element && event.target.closest(`#${HELD}`);

  document.addEventListener(
    "pointerdown",
    (event) => {
      if (onHeld(event)) pressedAt = performance.now();
      else forget();
    },
    true,
  );
  document.addEventListener("pointermove", (event) => {
    if ((held || pressedAt > -Infinity) && !onHeld(event)) forget();
  });
  document.addEventListener("keydown", forget, true);
  window.addEventListener("resize", forget);

  // The place again as each font the new region asked for comes (a web font chosen for the first time: its
  // files arrive after the swap, and its lines are not quite the stand-in's: the control pressed moved by up to
  // 54 px), before the frame that would show it elsewhere. Not once the reader did anything since.
  let swaps = 0;
  for (const type of ["wheel", "touchstart", "keydown", "pointerdown"]) addEventListener(type, () => swaps++, true);

  function restore() {
    root.classList.remove("reader-swapping");
    applyHold();
    const kept = place;
    place = null;
    const swap = ++swaps;
    const anchor = () => {
      const node = swap === swaps ? follow(kept) : null;
      const top = node && textTop(node, kept.offset);
      if (top !== null && top !== undefined) window.scrollBy({ top: top - kept.top, behavior: "instant" });
    };
    if (kept) {
      anchor();
      for (const face of document.fonts) if (face.status === "loading") face.loaded.then(anchor, anchor);
    }
    if (!kept || kept.keepFocus) keepFocusOnScreen();
  }

  function keepFocusOnScreen() {
    const active = document.activeElement;
    if (active && active !== document.body && region()?.contains(active) && !onScreen(active.getBoundingClientRect())) {
      active.scrollIntoView({ block: "nearest", behavior: "instant" });
    }
  }

  // Escape closes the disclosure the focus is in (the Readability panel, the shortcut keys inside it), as a
  // menu or dialog closes, and puts the focus on its summary, where Enter opens it again. (A native <details>
  // ignores Escape.) Not while a select's list is open: Escape closes that first, in the browser.
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape" || event.isComposing || event.defaultPrevented) return;
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    const details = event.target instanceof Element ? event.target.closest("details[open]") : null;
    if (!details || !region()?.contains(details)) return;
    details.open = false;
    details.querySelector(":scope > summary")?.focus();
    event.preventDefault();
  });

  // The web fonts' faces are a stylesheet of their own, in the region only where its text is set in a web font
  // (templates/_shell.html). A copy of it stays in the document's head: from the start where the region has it,
  // and from when the Readability panel opens. A swap then never takes the faces away, and a font chosen in
  // the panel goes from its metric-matched fallback to the font, as on a page that had them from the start
  // (a stylesheet first fetched with the new region would show the plain system font until it came).
  function keepFaces() {
    const href = document.getElementById("reader-fonts")?.dataset.stylesheet;
    const links = [...document.querySelectorAll('link[rel="stylesheet"]')].filter((link) => link.getAttribute("href") === href);
    if (!href || links.some((link) => link.parentNode === document.head)) return;
    if (!links.length && !document.getElementById("reader-panel")?.open) return;
    const link = document.createElement("link");
    link.rel = "stylesheet";
    link.href = href;
    document.head.append(link);
  }
  keepFaces();
  document.addEventListener(
    "toggle",
    (event) => {
      if (event.target.id === "reader-panel") keepFaces();
    },
    true,
  );

  // The Readability panel stays as it was: a change from outside it (A+, A−) says whether the reader has it
  // open (the server renders it so; without JavaScript the form carries what the page was rendered with).
  // And a change sends no select but its own: a tab left open sent all its selects, as they were when it was
  // shown, with any change, and undid what the reader had set in another tab since (the server keeps what is
  // not sent). Apply sends them all, as it says.
  document.addEventListener("htmx:configRequest", (event) => {
    const { elt, parameters, triggeringEvent: trigger } = event.detail;
    const panel = document.getElementById("reader-panel");
    if (!panel || !region()?.contains(elt)) return;
    if (panel.open) parameters.panel = "open";
    else delete parameters.panel;
    const own = trigger?.type === "change" ? trigger.target : trigger?.submitter;
    if (own?.value === "set") return;
    for (const select of elt.querySelectorAll("select")) if (select !== own) delete parameters[select.name];
  });

  // Presses made while a change is on its way (above): kept here as they come, made again by settings-presses.js
  // once the answer is in (loaded with the first such press: most visits make none).
  // `sending`: the change on its way (true while the presses that waited are made again), from the control
  // `sentFrom`; `waiting`: the presses made meanwhile; `unsaid`: the message of an answer that came while the
  // same control's presses were waiting (stale once theirs says where they got to), from the control
  // `unsaidFrom`: said as soon as no press of that control is on its way, and before a failure's message.
  const idOf = (trigger) => (trigger?.type === "change" ? trigger.target : trigger?.submitter)?.id;
  let sentFrom = null;
  let sending = null;
  let waiting = [];
  let unsaid = null;
  let unsaidFrom = null;
  let presses = null;
  const say = (status, text) => (status.textContent = status.textContent === text ? `${text}\u00a0` : text);
  document.addEventListener("htmx:confirm", (event) => {
    const { elt: form, triggeringEvent: trigger, target } = event.detail;
    // (A request done whose answer htmx could not swap had no htmx:afterRequest: nothing is on its way, and
    // the presses that waited for it are not made on top of what comes next.)
    if (sending?.readyState === 4) [sending, waiting, unsaid] = [null, [], null];
    // Only a setting's change (it swaps the region): the editor's preview, inside the region too, is not a press.
    if (!sending || !region()?.contains(form) || target !== region()) return;
    event.preventDefault();
    presses ??= import("./settings-presses.js");
    waiting.push({ form, trigger, active: document.activeElement, value: trigger?.target.value });
  });
  // A change with no answer is not waited for in silence (htmx waits for good: the reader pressed A+ and was
  // told nothing, ever): 4 s on, the status region says it is still awaited (data-waiting), and at 15 s it is
  // given up, a failure (htmx:sendAbort, below) with the presses made meanwhile. Each request's own timers.
  // Also once its headers said it was saved: a body that stalled then held every later press for good (the
  // give-up then says it was saved, and the region is loaded again). docs/preferences.md, "A change the
  // server does not answer".
  document.addEventListener("htmx:beforeSend", ({ detail }) => {
    if (!region()?.contains(detail.elt) || detail.target !== region()) return;
    const xhr = (sending = detail.xhr);
    sentFrom = idOf(detail.requestConfig.triggeringEvent);
    const timers = [
      setTimeout(() => {
        const status = document.getElementById("reader-status");
        // ("Not saved yet" is false once the headers said it was.)
        if (!xhr.saved && status?.dataset.waiting) show(detail.elt, status, status.dataset.waiting);
      }, 4000),
      setTimeout(() => xhr.abort(), 15000),
    ];
    // Headers that say the change was kept: it is saved, whatever becomes of the body (read as they come: after
    // an error the xhr has none).
    xhr.onreadystatechange = () => xhr.readyState === 2 && (xhr.saved = xhr.getResponseHeader("reader-saved"));
    xhr.addEventListener("loadend", () => timers.forEach(clearTimeout));
  });
  // (After a swap htmx says this on the form's closest ancestor still in the page.) An answer cut (successful
  // unset): presses keep waiting until whether it was saved is known, from its headers or from the server
  // (xhr.asked: settings-history.js, which loads the region again first; set in its own handler of this event,
  // which has run after one await); saved, they are made then, on the controls as they are now; else dropped,
  // as after any failure. (A press sent meanwhile could replace the region, and the failure go unsaid.)
  document.addEventListener("htmx:afterRequest", async ({ detail }) => {
    if (!sending || detail.xhr !== sending) return;
    const cut = detail.successful === undefined;
    sending = (detail.successful && waiting.length > 0) || cut;
    if (sending) {
      await null;
      const saved = detail.successful || detail.xhr.saved || (await detail.xhr.asked);
      const again = saved && waiting.length ? await presses.catch(() => null) : null;
      sending = null;
      while (again && waiting.length && !sending) waiting = again.sendFirst(waiting);
    }
    // A held message stands unless a press of its own control is now on its way (whose answer says more). Not
    // for a request with no answer (successful unset): htmx says its failure next, in the same task, with it.
    const status = document.getElementById("reader-status");
    if (unsaid && detail.successful !== undefined && !(sending && sentFrom === unsaidFrom)) {
      if (status) say(status, unsaid);
      unsaid = null;
    }
    if (!sending) waiting = [];
  });
  // The server's message comes out of band. (The same one again, A+ at 400 %, gets the no-break space too: say.)
  document.addEventListener("htmx:oobBeforeSwap", ({ detail }) => {
    const { target, fragment } = detail;
    const text = fragment.textContent;
    if (target.id !== "reader-status") return;
    if (waiting.some(({ trigger }) => sentFrom && idOf(trigger) === sentFrom)) {
      detail.shouldSwap = false;
      [unsaid, unsaidFrom] = [text, sentFrom];
    } else if (sentFrom === unsaidFrom) unsaid = null; // this answer says where that control got to
    if (text && text === target.textContent) fragment.append("\u00a0");
  });

  // Said in the status region, and shown for the eyes (the region is visually hidden) in one line beside the
  // control used, still focused (its field, its row of buttons, its group; else after the form): where the reader
  // is looking, brought on the screen without moving the focus (it was after the whole panel, screens below the
  // select). Never past its form: the group of Single-key shortcuts is outside it, and holds the keys' fields
  // (the line went a screen down, and its scroll took the focused toggle off the top). The focus stays on the
  // screen. In a frame too, which grows by it.
  function show(form, status, said, shown = said) {
    say(status, said);
    const line = region().querySelector(".reader-request-failed") || document.createElement("p");
    line.className = "reader-request-failed";
    line.lang = status.lang;
    line.textContent = shown;
    const box = document.activeElement?.closest(".reader-field, .reader-buttons, .reader-group");
    (form.contains(box) ? box : form).after(line);
    line.scrollIntoView({ block: "nearest" });
    keepFocusOnScreen();
  }

  function failed(event, reason) {
    const form = event.detail.elt || event.target;
    const status = document.getElementById("reader-status");
    // (Saved, and the region loaded again before that was known: said only, the region shows it.)
    if (!status || !(form instanceof Element) || !(reason === "Saved" || region()?.contains(form))) return;
    const held = unsaid;
    unsaid = null;
    // In another site's page (/embed) the status region carries no data-text-*, only data-failed.
    const message = status.dataset[`text${reason}`] || status.dataset.textFailed || status.dataset.failed;
    if (!message) return;
    // The same text again is no change to a screen reader: a trailing no-break space makes it one (say). A
    // change saved before this one failed, whose message was held, is said with it, in one announcement.
    show(form, status, held ? `${held} ${message}` : message, message);
    // (Saved: settings-history.js loads the region again.) Else its selects show the values in effect again, as
    // drawn: not what was typed (keys, colours, kept for another try), nor read aloud's (in use at once). /embed
    // is never said saved (it has no such text, and reader marks none of its answers so): its settings are in its
    // address, which a cut answer leaves as it was.
    if (message !== status.dataset.textSaved && !form.matches(".reader-tools-form")) {
      for (const option of form.querySelectorAll("[selected]")) option.selected = true;
    }
  }
  // (Too many changes, 429, too: "could not save it just now" says that it may work in a moment.)
  document.addEventListener("htmx:responseError", (event) => failed(event, "Failed"));
  // Given up (above): no answer in 15 s; the link may be at fault as much as the server. Saved, if the headers
  // said so or the server does now (xhr.asked, above: false where nothing asks, on /embed).
  for (const type of ["htmx:sendAbort", "htmx:sendError", "htmx:timeout"]) {
    document.addEventListener(type, async (event) => {
      const { saved, asked } = event.detail.xhr;
      failed(event, saved || (await asked) ? "Saved" : "Unreachable");
    });
  }

  document.addEventListener("htmx:beforeSwap", (event) => {
    const detail = event.detail;
    if (detail.target?.id !== REGION || !detail.shouldSwap) return;
    holdFrom(controlOf(detail));
    place = measure(detail);
    root.classList.add("reader-swapping");
  });
  // Once the new region has settled and reading-tools.js has brought it up to date (it shows and hides its
  // controls in a microtask queued from htmx:load, which comes before htmx:afterSettle): the layout is final,
  // and htmx has put the focus back.
  document.addEventListener("htmx:afterSettle", (event) => {
    if (root.classList.contains("reader-swapping") && event.target === region()) queueMicrotask(restore);
  });
})();
