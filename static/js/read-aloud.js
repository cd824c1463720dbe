// Read aloud with the browser's own voices (Web Speech API): nothing leaves the reader's device unless the
// reader picks a voice the browser marks as online. docs/read-aloud.md has the design; in short:
//
// - The server marks every sentence of the title, lead and body with <span data-sentence="…"> (one sentence
//   may be several spans with the same id). One utterance per sentence, so a sentence is highlighted when
//   its `start` event fires, on every platform; words are highlighted only once the voice has sent a
//   `boundary` event (many never do: Chromium on Linux, Chrome on Android, Google's online voices).
// - speechSynthesis.pause() is unreliable (on Linux it does nothing), so pause = cancel, and resume speaks
//   the current sentence again from its start.
// - A very long sentence is spoken in parts cut at clause boundaries: some voices stop after about 15 s, and
//   a part never runs below the screen (each is made, when it is to be spoken, to fit on it).
// - A new speed or voice is heard at once: the part being read is spoken again, from the last word boundary.
// - Every utterance carries a ticket; events of an utterance that was cancelled are ignored. Our own cancels
//   move the ticket on first, so an error of the current utterance comes from elsewhere (another script on
//   the page, an extension, the engine): reading pauses and says why, rather than seeming to play on.
// - A watchdog pauses the same way when a start or an end never comes (an engine with no audio output).
// - The page may swap the article region at any moment: every event looks its sentence up again by id.
// - Where the voice is, on the screen: the page (reading-tools.js) asks for the lines the voice may be on (the
//   whole part being spoken, or its first line with word boundaries: for the reading guide, line) and has the
//   part brought into view, part by part (bringIntoView, scrollToShow), and again after a swap (afterLayout).
// - A table cell is read with the headers that apply to it and were not said with the cell before ("Năm 2020:
//   1.234"; cellIntroduction). They are spoken, never highlighted: offsets in the utterance are counted back
//   past them to the cell's own text.

import { barHeight, sheetIn } from "./read-aloud-bar.js";
import { forSpeech } from "./speech-text.js";

const CLAUSE_BREAK = /[,;:)\]”»—–](?=\s)/g;
const SPACE = /\s/;
// About 15 s of speech at 1× (Vietnamese and English news run at 13–16 characters a second).
const PART_CHARACTERS = 200;

// Sentences in document order: [{id, spans}], one entry per id.
export function sentencesIn(container) {
  const order = [];
  const byId = new Map();
  if (!container) return order;
  for (const span of container.querySelectorAll("[data-sentence]")) {
    const id = span.dataset.sentence;
    if (!byId.has(id)) {
      const sentence = { id, spans: [] };
      byId.set(id, sentence);
      order.push(sentence);
    }
    byId.get(id).spans.push(span);
  }
  return order;
}

// A sentence's text as it is spoken (runs of white space made one space) and, for every character, the
// text node and offset it came from, so that a boundary event's charIndex finds its word on the page.
export function sentenceText(spans) {
  let text = "";
  const map = [];
  for (const span of spans) {
    const walker = span.ownerDocument.createTreeWalker(span, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const data = node.data;
      for (let offset = 0; offset < data.length; offset++) {
        if (!SPACE.test(data[offset])) {
          text += data[offset];
          map.push([node, offset]);
        } else if (text && text[text.length - 1] !== " ") {
          text += " ";
          map.push([node, offset]);
        }
      }
    }
  }
  if (text.endsWith(" ")) {
    text = text.slice(0, -1);
    map.pop();
  }
  return { text, map };
}

// How long a part may take to start, and to be spoken at `rate` (news runs at 13–16 characters a second at 1×;
// slow voices and loaded machines need the margin), before the watchdog gives up on it.
const START_WITHIN_MS = 20000;
const partMs = (text, rate) => 15000 + (text.length / Math.max(rate, 0.5) / 5) * 1000;

// Parts of at most `limit` characters, cut after the last clause mark (or else space) that leaves a part of
// at least a third of the limit: [{start, text}], `start` being the part's offset in `text`. (Reading makes its
// parts one at a time, partEnd, each also short enough to fit on the screen as it is then laid out.)
export function utteranceParts(text, limit) {
  const parts = [];
  for (let start = 0; start < text.length;) {
    const end = partEnd(text, start, limit);
    parts.push({ start, text: text.slice(start, end).trim() });
    start = partStartAfter(text, end);
  }
  return parts;
}

// Where the part of `text` that begins at `start` ends: all of the rest when it has at most `limit`
// characters, else after the last clause mark (or else space) that leaves a part of at least a third of the limit.
export function partEnd(text, start, limit) {
  if (text.length - start <= limit) return text.length;
  const window = text.slice(start, start + limit);
  let cut = -1;
  for (const match of window.matchAll(CLAUSE_BREAK)) {
    if (match.index + 1 >= limit / 3) cut = match.index + 1;
  }
  if (cut === -1) cut = window.lastIndexOf(" ");
  if (cut < limit / 3) cut = limit; // one enormous word: cut it
  return start + cut;
}

function partStartAfter(text, end) {
  while (end < text.length && text[end] === " ") end++;
  return end;
}

// The player: state, the current sentence (by id, so it survives the article being swapped) and speech.
// `host` gives it the page: sentences(), voiceFor(lang), langOf(sentence), and the callbacks
// onSentence(sentence, back) (at the start of each part spoken, and on a move while paused; `back`: following
// the voice takes up again, after a layout change, afterLayout), onWord(range),
// onState(state, why) — why: started, resumed, paused, stopped, finished, interrupted (something else
// cancelled the voice), failed (the engine could not speak), left (the reader left the page: nothing to
// say), last (Next on the last sentence: the state is unchanged).
export class ReadAloud {
  state = "idle"; // "idle" | "playing" | "paused"
  current = null; // the id of the sentence being read (or paused on)
  from = 0; // where in it the part being spoken begins: an offset in its spoken text (sentenceText)
  rate = 1;
  #ticket = 0;
  #prefix = ""; // what is said before the current sentence's text (a cell's headers)
  #part = null; // the part of it made last, {start, end}: offsets in prefix + text
  #spoken = null; // the part whose voice started last (the one being heard)
  #boundary = null; // where the voice last said it was (a word's start, in prefix + text), within #part
  #voice = null; // the voice of the current sentence
  #boundaryVoices = new Set(); // voices seen sending word boundaries
  #shape = ""; // the size of the sentence on the page when its part started (afterLayout)
  #back = false; // the next start follows the voice again, though the reader had scrolled away (afterLayout)
  #said = null; // the cell read last and its headers (cellIntroduction), while reading goes on from it
  #utterance = null; // held so the browser cannot collect it (and its events) mid-sentence
  #watchdog = 0;
  #released = null; // the control in use when the reader last acted on the reading: following goes on (#follow)
  #root = null; // the root the article is in: where the docked bar's changes are heard (#listen)

  constructor(host) {
    this.host = host;
  }

  get synth() {
    return window.speechSynthesis;
  }

  // A new speed or voice (this.rate, or the host's voiceFor, changed) is heard at once (docs/read-aloud.md):
  // the part being read is spoken again with it, from the word being said when the voice tells where it is,
  // else from the part's start. Nothing is said and nothing else changes: the state stays "playing", the
  // sentence highlighted. (The reader's change only: a swap bringing the setting back restarts nothing.)
  retune() {
    const index = this.#index();
    if (this.state !== "playing" || !this.#part || index === -1) return;
    this.#speak(index, this.#boundary ?? this.#part.start, true);
  }

  // Whether the current voice says which word it is at (boundary events): then the reading guide can follow
  // the word's line; without, it takes in the whole part being read.
  get boundaries() {
    return this.#boundaryVoices.has(this.#voice?.name ?? "");
  }

  // The region was swapped while reading. When that changed the layout of the sentence being read (a new text
  // size, font, spacing: its size on the page changed), a part that no longer fits on the screen is made
  // again from where the voice is, and the part is brought back on the screen (onSentence's `back`), also
  // when the reader had scrolled away: they scrolled up to the toolbar to make the change, and reading went
  // on below the screen. A swap that changed nothing there (a speed, a voice, a theme) leaves the page where
  // the reader has it: the control they are using stays in view.
  afterLayout() {
    const sentence = this.#find(this.current);
    if (sentence && shapeOf(sentence) !== this.#shape) this.#refit(true);
  }

  // The part being read made again from where the voice is if it no longer fits, and shown (onSentence), with
  // `back` after a swap (afterLayout). Also when the docked bar (read-aloud-bar.js) comes up or changes
  // height: the part was fitted and brought into view without it (the scroll that shows the first part is
  // what takes the toolbar off the screen, and the bar's module may still be loading), and its last lines
  // were under the bar; then following stays as it was (a reader who scrolled away is left where they are).
  #refit(back) {
    const sentence = this.#find(this.current);
    if (this.state !== "playing" || !this.#part || !sentence) return;
    const at = this.#boundary ?? this.#part.start;
    const length = this.#part.end - at;
    this.#back ||= back;
    if (fitting(sentence.spans, this.#prefix.length, at, length) < length) this.retune();
    else this.#show(sentence);
  }

  // The bar says so on the root the article is in (the document, or a component's shadow root). Its
  // stylesheet, loading with this module, is asked for here too: the first part waits for it (#speak).
  #listen(root) {
    sheetIn(root);
    if (this.#root === root) return;
    this.#root = root;
    root.addEventListener("reader:docked", () => requestAnimationFrame(() => this.#refit(false)));
  }

  #show(sentence) {
    this.#shape = shapeOf(sentence);
    this.host.onSentence(sentence, this.#back);
    this.#back = false;
  }

  #index(id = this.current) {
    return this.host.sentences().findIndex((sentence) => sentence.id === id);
  }

  play(fromIndex) {
    const sentences = this.host.sentences();
    if (!sentences.length) return;
    this.#listen(sentences[0].spans[0].getRootNode());
    const index = Math.max(0, Math.min(fromIndex, sentences.length - 1));
    const resumed = this.state === "paused";
    this.#listening();
    this.state = "playing";
    this.#said = null; // starting or resuming: a cell is introduced with all its headers
    this.host.onState("playing", resumed ? "resumed" : "started");
    this.#speak(index);
  }

  // Pause = cancel; resume (play) speaks the current sentence again.
  pause(why = "paused") {
    if (this.state !== "playing") return;
    this.#silence();
    this.state = "paused";
    this.host.onState("paused", why);
  }

  stop(why = "stopped") {
    if (this.state === "idle") return;
    this.#silence();
    this.state = "idle";
    this.current = null;
    this.host.onState("idle", why);
  }

  // Next or previous sentence: while playing, speak it now; while paused, move there and stay paused.
  skip(step) {
    const sentences = this.host.sentences();
    const index = this.#index();
    if (index === -1 || !sentences.length) return;
    const target = Math.max(0, Math.min(index + step, sentences.length - 1));
    this.#listening();
    // Next on the last sentence: said, and the sentence goes on (it used to start again, without a word).
    if (target === index && step > 0) this.host.onState(this.state, "last");
    else if (this.state === "playing") this.#speak(target);
    else this.#moveTo(sentences[target]);
  }

  // Jump to a sentence the reader picked (a click on it while reading).
  jump(id) {
    const index = this.#index(id);
    if (index === -1) return;
    this.#listening();
    this.#said = null;
    if (this.state === "playing") this.#speak(index);
    else this.#moveTo(this.host.sentences()[index]);
  }

  // While paused: the sentence Resume will read.
  #moveTo(sentence) {
    this.current = sentence.id;
    this.from = 0;
    this.#part = this.#spoken = this.#boundary = null;
    this.host.onSentence(sentence);
  }

  currentIndex() {
    return this.#index();
  }

  // Where reading starts: the sentence holding one of `places` (the reader's caret or selection, the link they
  // focused), when it is on screen; else the first sentence on screen; else the first.
  startIndex(places) {
    const sentences = this.host.sentences();
    for (const node of places) {
      const element = node?.nodeType === Node.ELEMENT_NODE ? node : node?.parentElement;
      const span = element?.closest("[data-sentence]") || element?.querySelector("[data-sentence]");
      const index = sentences.findIndex((sentence) => sentence.spans.includes(span));
      if (index !== -1 && onScreen(span.getBoundingClientRect())) return index;
    }
    return Math.max(0, sentences.findIndex((sentence) => onScreen(sentence.spans[0].getBoundingClientRect())));
  }

  // The part being spoken of `sentence` (the current one, in the article as it is now): its first line, where
  // the reading guide's band goes; brought into view (false when it was in view); and whether it is
  // comfortably on the screen, which is when following the voice takes up again after the reader scrolled away.
  // While a voice that sends no word boundaries reads, nothing says which of the part's lines it is on: then
  // the line is all of the part (a rectangle around its lines), which the band takes in whole — what is being
  // spoken is never dimmed. With boundaries, the part's first line, then each word's (onWord).
  line(sentence = this.#find(this.current)) {
    if (sentence && this.state === "playing" && this.#spoken && !this.boundaries) {
      return this.#partRange(sentence)?.getBoundingClientRect();
    }
    const rest = sentence && restOf(sentence.spans, this.from);
    return rest && [...rest.getClientRects()].find((rect) => rect.height > 0 && rect.width > 0);
  }

  #partRange(sentence) {
    const end = this.#spoken ? this.#spoken.end - this.#prefix.length : Infinity;
    return restOf(sentence.spans, this.from, end);
  }

  // The part is brought into view: parts are made to fit on the screen (#speak), so all of it shows. Not while
  // the reader is using a control of the toolbar (held).
  bringIntoView(sentence) {
    const part = this.#partRange(sentence);
    return Boolean(part) && this.#follow(part, sentence.spans[0]);
  }

  // A word being spoken (for voices that say where they are), likewise.
  reveal(range) {
    return this.#follow(range, range.startContainer);
  }

  // Following never takes the control the reader is using off the screen (docs/read-aloud.md, "Following"):
  // a new part, or the restart after a new speed, scrolled the page to the sentence and the focused control
  // (A−, the speed's select) with it. With the focus on a control of the toolbar other than the read-aloud
  // buttons, on the screen, the page follows only when the scroll leaves it there; else not at all: the
  // highlight and the guide move on, the read-aloud buttons stay reachable (docked, read-aloud-bar.js). Until
  // the focus leaves it, or the reader's next read-aloud action (play, next, previous, a sentence clicked:
  // they are listening again), after which it follows with the focus still there. (The page's scroll only.)
  #follow(range, node) {
    const stuck = stuckAbove(node);
    const docked = dockedBelow(node);
    const control = controlInUse(node);
    if (control && control !== this.#released) {
      const box = control.getBoundingClientRect();
      const rest = range.getBoundingClientRect();
      const by = shift(rest.top, rest.bottom, stuck, innerHeight - docked);
      const visible = (top, bottom) => top >= 0 && bottom <= innerHeight - docked;
      if (visible(box.top, box.bottom) && by && !visible(box.top - by, box.bottom - by)) return false;
    }
    return scrollToShow(range, stuck, docked);
  }

  // The reader's read-aloud action: following goes on even with the focus still on a control (#follow).
  #listening() {
    const node = this.host.sentences()[0]?.spans[0];
    this.#released = node ? controlInUse(node) : null;
  }

  inView() {
    const top = this.line()?.top;
    return top >= innerHeight * 0.1 && top <= innerHeight * 0.8;
  }

  #silence() {
    this.#ticket++;
    this.#utterance = null;
    clearTimeout(this.#watchdog);
    this.synth.cancel();
  }

  // The voice stopped without our asking: pause there (Resume reads the sentence again) and say why.
  #interrupted(why) {
    if (this.state !== "playing") return;
    this.#silence();
    this.state = "paused";
    this.host.onState("paused", why);
  }

  #watch(ticket, ms, why) {
    clearTimeout(this.#watchdog);
    this.#watchdog = setTimeout(() => {
      if (ticket === this.#ticket) this.#interrupted(why);
    }, ms);
  }

  // The sentence with this id in the article as it is now (the region may have been swapped since).
  #find(id) {
    return this.host.sentences().find((sentence) => sentence.id === id) || null;
  }

  // Speaks sentence `index` from offset `at` of what is said (prefix + text): 0, or `again` where a retune takes
  // up (then the cell's headers are not worked out afresh: they were said, or are being said, already).
  #speak(index, at = 0, again = false) {
    this.#silence();
    const ticket = this.#ticket;
    const sentence = this.host.sentences()[index];
    this.current = sentence.id;
    this.#part = this.#spoken = this.#boundary = null;
    if (!again) this.from = 0;
    const { text } = sentenceText(sentence.spans);
    if (!text) {
      this.#next(index);
      return;
    }
    // `prefix` (a cell's headers) is spoken before the text: offsets past it are the text's.
    if (!again) {
      const { prefix, said } = cellIntroduction(sentence.spans[0], this.#said);
      this.#said = said;
      this.#prefix = prefix;
    }
    const prefix = this.#prefix;
    const full = prefix + text;
    const lang = this.host.langOf(sentence);
    const voice = this.host.voiceFor(lang);
    this.#voice = voice;
    const rate = this.rate;
    // What the voice is given: abbreviations, units, times and dates in words (speech-text.js), each part
    // with a map of its offsets back to the page's text.
    const spoken = forSpeech(full, lang);
    const id = sentence.id;
    // Each part is made when it is to be spoken, with the layout of that moment: at most about 15 s of speech,
    // and no taller than the screen can show (at 400 % on a phone a sentence of 100 characters is 1.5 screens
    // tall, and without word boundaries nothing would scroll within a part).
    const speakFrom = (start) => {
      if (ticket !== this.#ticket) return;
      const limit = Math.max(100, Math.round(PART_CHARACTERS * rate));
      const spans = this.#find(id)?.spans;
      const end = spans ? this.#fit(spans, full, prefix.length, start, limit) : partEnd(full, start, limit);
      const part = { start, end, text: full.slice(start, end).trim() };
      this.#part = part;
      this.#boundary = null;
      const said = spoken.part(part.start, part.text.length);
      const utterance = new SpeechSynthesisUtterance(said.text);
      utterance.lang = voice ? voice.lang : lang;
      if (voice) utterance.voice = voice;
      utterance.rate = rate;
      utterance.addEventListener("start", () => {
        if (ticket !== this.#ticket) return;
        this.#watch(ticket, partMs(said.text, rate), "failed");
        // The sentence is highlighted when its sound starts, not when it is queued; and each part is
        // brought into view as it starts (a long sentence's later parts were read below the screen).
        this.from = Math.max(0, part.start - prefix.length);
        this.#spoken = part;
        const now = this.#find(id);
        if (now) this.#show(now);
      });
      utterance.addEventListener("boundary", (event) => {
        const now = ticket === this.#ticket && event.name !== "sentence" && this.#find(id);
        if (!now) return;
        this.#boundaryVoices.add(voice?.name ?? "");
        const { map } = sentenceText(now.spans);
        const [index, length] = said.source(event.charIndex, event.charLength);
        this.#boundary = part.start + index;
        const at = part.start + index - prefix.length;
        const range = wordRange(map, Math.max(at, 0), length);
        // A header being said: no word of the cell yet (an empty range at its start takes the last one's off).
        if (at < 0) range?.collapse(true);
        this.host.onWord(range);
      });
      utterance.addEventListener("end", () => {
        if (ticket !== this.#ticket) return;
        const next = partStartAfter(full, end);
        if (next < full.length) speakFrom(next);
        else this.#next(index);
      });
      utterance.addEventListener("error", (event) => {
        // Our own cancels move the ticket on first: this one came from elsewhere, or the engine failed.
        if (ticket !== this.#ticket) return;
        this.#interrupted(event.error === "interrupted" || event.error === "canceled" ? "interrupted" : "failed");
      });
      this.#utterance = utterance;
      this.#watch(ticket, START_WITHIN_MS, "failed");
      this.synth.speak(utterance);
    };
    // The first part waits for the bar's stylesheet (it loads with this module): the bar that is to dock is
    // measured with it (#fit). Then at once. (No more than a moment: sheetIn gives up waiting on one that
    // stalls, and the voice starts, or its watchdog says it could not.)
    const sheet = this.#root && sheetIn(this.#root);
    if (sheet) sheet.then(() => speakFrom(at));
    else speakFrom(at);
  }

  // Where the part of `full` (prefix + the text of `spans`) from `start` ends: at most `limit` characters, and
  // no taller than the screen shows whole (fitting), above the docked bar — and above the bar that is to dock
  // when following the part will take the toolbar's read-aloud button off the screen: the first part was made
  // for the screen without it, the scroll that showed it docked the bar, and the part, no longer fitting, was
  // cut and made again from its start (#refit), whose first words the reader heard twice.
  #fit(spans, full, prefixLength, start, limit) {
    const made = (below) => partEnd(full, start, fitting(spans, prefixLength, start, limit, below));
    const end = made(dockedBelow(spans[0]));
    const bar = !dockedBelow(spans[0]) && this.#root ? barHeight(this.#root) : 0;
    if (!bar) return end;
    const shorter = made(bar);
    const docks = (stop) => takesToolbarAway(spans, start - prefixLength, stop - prefixLength);
    return shorter < end && (docks(shorter) || docks(end)) ? shorter : end;
  }

  #next(index) {
    if (index + 1 < this.host.sentences().length) this.#speak(index + 1);
    else this.stop("finished");
  }
}

// The size of a sentence on the page, as a string to compare.
function shapeOf(sentence) {
  const rect = restOf(sentence.spans, 0)?.getBoundingClientRect();
  return rect ? `${Math.round(rect.width)}×${Math.round(rect.height)}` : "";
}

// The text of a sentence from offset `from` of its spoken text to offset `end` (or its end), as a page range
// (null without text).
function restOf(spans, from, end = Infinity) {
  const { map } = sentenceText(spans);
  if (!map.length) return null;
  const [node, offset] = map[Math.min(from, map.length - 1)];
  const range = node.ownerDocument.createRange();
  range.setStart(node, offset);
  if (end < map.length) {
    const [lastNode, lastOffset] = map[Math.max(from, end - 1)];
    range.setEnd(lastNode, lastOffset + 1);
  } else {
    const last = spans[spans.length - 1];
    range.setEnd(last, last.childNodes.length);
  }
  return range;
}

// How many of `limit` characters of what is said from `start` (offsets in prefix + text, the prefix taking no
// room on the page) fit, laid out as they are now, in the height that shows a part whole (scrollToShow
// centres a part that fits with a tenth of the screen to spare at each edge, below a toolbar that stays on
// screen). At least the characters of its first line.
function fitting(spans, prefixLength, start, limit, below = dockedBelow(spans[0])) {
  const { map } = sentenceText(spans);
  const from = Math.max(0, start - prefixLength);
  const end = Math.min(map.length, start + limit - prefixLength);
  if (end <= from) return limit;
  const range = spans[0].ownerDocument.createRange();
  range.setStart(map[from][0], map[from][1]);
  const height = (stop) => {
    const [node, offset] = map[stop - 1];
    range.setEnd(node, offset + 1);
    let [top, bottom] = [Infinity, -Infinity];
    for (const rect of range.getClientRects()) {
      if (rect.height > 0) [top, bottom] = [Math.min(top, rect.top), Math.max(bottom, rect.bottom)];
    }
    return bottom - top;
  };
  const screen = screenHeight(spans[0], below);
  if (height(end) <= screen * 0.8) return limit;
  const room = Math.max(screen * 0.8, height(from + 1));
  let [low, high] = [from + 1, end]; // height(low) fits, height(high) does not
  while (high - low > 1) {
    const middle = (low + high) >> 1;
    if (height(middle) <= room) low = middle;
    else high = middle;
  }
  return low - from + Math.max(0, prefixLength - start);
}

// The height in which the text around `node` can be seen: the window's below a toolbar that stays on screen
// and above the docked bar (`below`), or less in a box that scrolls it (a host page's box around the component).
function screenHeight(node, below) {
  const boxes = scrollersOf(node).filter((box) => box.y).map((box) => box.element.clientHeight);
  return Math.min(innerHeight - stuckAbove(node) - below, ...boxes);
}

// Whether the page's scroll that brings the text of `spans` from `from` to `end` (offsets in its spoken text)
// into view (scrollToShow, with no bar docked yet) takes the button the bar keeps on screen (read-aloud-bar.js:
// the focused read-aloud button, else Read aloud) out of the window: then the bar docks. (A box scrolling
// around a component, which scrolls first, is left out: there the bar's docking makes the part again.)
function takesToolbarAway(spans, from, end) {
  const root = spans[0].getRootNode();
  const group = root.getElementById?.("reader-speech-buttons");
  const button = group?.contains(root.activeElement) ? root.activeElement : root.getElementById?.("reader-speak");
  const part = restOf(spans, Math.max(0, from), end)?.getBoundingClientRect();
  if (!button || !part) return false;
  const by = shift(part.top, part.bottom, stuckAbove(spans[0]), innerHeight);
  const box = button.getBoundingClientRect();
  return box.top - by < 0 || box.bottom - by > innerHeight;
}

// The focused element when it is a control of the toolbar (the text size, the Readability panel and its
// settings) other than the read-aloud buttons: the one the reader is using (ReadAloud's #follow), else null.
function controlInUse(node) {
  const root = node.getRootNode();
  const active = root.activeElement;
  const inToolbar = active && root.getElementById?.("reader-toolbar")?.contains(active);
  return inToolbar && !root.getElementById("reader-speech-buttons")?.contains(active) ? active : null;
}

// The height of the read-aloud buttons' bar when it is fixed to the screen's bottom edge (read-aloud-bar.js
// writes it on #reader-tools), else 0. Or another article's bar, docked for its focus while this one is read
// (read-aloud-bar.js): data-reader-bar on <html>, which a docked bar sets to its height, says so across
// articles whose modules may come from different servers. (Not the page's scroll padding, which the bar sets
// too: a host page's own, for its sticky footer, made every part shorter with no bar docked.)
function dockedBelow(node) {
  const own = Number(node.getRootNode().getElementById?.("reader-tools")?.dataset.docked) || 0;
  return Math.max(own, Number(document.documentElement.dataset.readerBar) || 0);
}

// The bottom of reader's toolbar when it stays on the screen over the article (position: sticky or fixed),
// else 0: the text shown under it is hidden.
function stuckAbove(node) {
  const bar = node.getRootNode().getElementById?.("reader-toolbar");
  const stays = bar && ["sticky", "fixed"].includes(getComputedStyle(bar).position);
  return stays ? Math.max(0, bar.getBoundingClientRect().bottom) : 0;
}

// Scrolls `range` (what is left of the sentence being read, or a word) into view, at once (a smooth scroll of
// ours would still be running when the reader starts scrolling, and one of the two would lose; nor does an
// instant one move anything for prefers-reduced-motion): in every box that scrolls it, innermost first — a
// wide table's region sideways, a host page's box around the component — then the page. False when nothing
// needed to move. (scrollIntoView({block: "center"}) of the whole sentence, as before, put the start of a
// sentence taller than the screen above its top, and never scrolled a table's region.)
function scrollToShow(range, stuck = 0, docked = 0) {
  let moved = false;
  for (const { element, x, y } of scrollersOf(range.startContainer)) {
    const box = element.getBoundingClientRect();
    const left = box.left + element.clientLeft;
    const top = box.top + element.clientTop;
    const rest = range.getBoundingClientRect();
    const by = {
      left: x ? shift(rest.left, rest.right, left, left + element.clientWidth) : 0,
      top: y ? shift(rest.top, rest.bottom, top, top + element.clientHeight) : 0,
    };
    moved ||= Boolean(by.left || by.top);
    element.scrollBy({ ...by, behavior: "instant" });
  }
  const rest = range.getBoundingClientRect();
  const top = shift(rest.top, rest.bottom, stuck, innerHeight - docked);
  scrollBy({ top, behavior: "instant" });
  return moved || Boolean(top);
}

function onScreen(rect) {
  return rect.bottom > 0 && rect.top < innerHeight && rect.height > 0;
}

// The elements between a node and the page that scroll it, innermost first, across shadow roots, with the axes
// they scroll along.
function scrollersOf(node) {
  const boxes = [];
  for (let element = node.parentElement; element && element !== document.scrollingElement;) {
    const style = getComputedStyle(element);
    const x = element.scrollWidth > element.clientWidth && /auto|scroll/.test(style.overflowX);
    const y = element.scrollHeight > element.clientHeight && /auto|scroll/.test(style.overflowY);
    if (x || y) boxes.push({ element, x, y });
    element = element.parentElement || element.getRootNode().host;
  }
  return boxes;
}

// How far to scroll, along one axis, to show what is left of the sentence, [start, end], in a box's visible
// part, [low, high]. Nothing while it shows (its first line clear of the edges). Otherwise, when it fits
// (with a tenth of the box to spare at each edge) it is centred; when it does not, its first line goes a sixth
// of the way in, so that as much of it as can be seen is seen, below a line of what came before (the next
// part then follows it there).
function shift(start, end, low, high) {
  const size = high - low;
  const margin = size / 10;
  if (end - start <= size - 2 * margin) {
    return start >= low + margin && end <= high - margin ? 0 : (start + end - low - high) / 2;
  }
  return start >= low + margin && start <= low + size / 3 ? 0 : start - low - size / 6;
}

// The page range of a word: charIndex and charLength (which some voices leave at 0: then up to the next space).
function wordRange(map, index, length) {
  if (index >= map.length) return null;
  let end = length > 0 ? Math.min(index + length, map.length) : index;
  if (length <= 0) while (end < map.length && map[end][0].data[map[end][1]].trim()) end++;
  const range = map[index][0].ownerDocument.createRange();
  range.setStart(map[index][0], map[index][1]);
  const [lastNode, lastOffset] = map[Math.max(index, end - 1)];
  range.setEnd(lastNode, lastOffset + 1);
  return range;
}

// ---------- Tables: the headers said with a cell (docs/read-aloud.md) ----------

// Both languages write "Năm 2020: 1.234" / "Hà Nội, năm 2020: 1.234" (and "Year 2020: 1,234"), and every voice
// pauses at a comma and a colon without saying them; without the colon "Năm 2020 1.234" runs into one number.
const HEADERS_APART = ", ";
const HEADERS_END = ": ";
const grids = new WeakMap(); // table → its grid, made when one of its cells is first read (a swap brings new tables)

// What is said before the text holding `node` when it is in a table cell: the headers that apply to the cell
// (row headers, then column headers, each in document order) that were not said with or as the cell read
// before, whose headers and itself are `said` (null: none, as when reading starts). The cells of a header row
// are read as they are. Returns the words to say first ("" for none) and what is said with this cell.
export function cellIntroduction(node, said) {
  const cell = node.closest("td, th");
  const grid = cell && gridOf(cell.closest("table"));
  const box = grid?.box.get(cell);
  if (!box) return { prefix: "", said: null };
  const rows = new Set();
  const columns = new Set();
  for (let y = box.y; y < box.y + box.h; y++) scan(grid, cell, box.x, y, -1, 0, rows);
  for (let x = box.x; x < box.x + box.w; x++) scan(grid, cell, x, box.y, 0, -1, columns);
  const headers = [...inOrder(rows), ...inOrder(columns)];
  const words = kindOf(grid, cell) === "column" ? [] : headers.filter((h) => !said?.has(h)).map(headerText);
  const fresh = words.filter(Boolean);
  return { prefix: fresh.length ? fresh.join(HEADERS_APART) + HEADERS_END : "", said: new Set([cell, ...headers]) };
}

// A header's words: its `abbr` (the sanitizer keeps it on th: the short name for just this), else its text,
// without a colon or full stop of its own at the end.
function headerText(cell) {
  return (cell.abbr || cell.textContent).replace(/\s+/g, " ").replace(/[\s.,;:]+$/, "").trim();
}

function inOrder(cells) {
  return [...cells].sort((a, b) => (a.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING ? -1 : 1));
}

// The table's slots, as HTML's table model lays cells out with their spans: at[y][x] is the cell covering slot
// (x, y), box the place and size of each cell. A row span goes no further than its row group (0: to its end).
function gridOf(table) {
  let grid = grids.get(table);
  if (grid) return grid;
  grid = { at: [], box: new Map(), kinds: new Map() };
  const rows = [...table.rows];
  const ends = [];
  for (let y = rows.length - 1; y >= 0; y--) {
    ends[y] = rows[y + 1]?.parentElement === rows[y].parentElement ? ends[y + 1] : y + 1;
  }
  rows.forEach((row, y) => {
    let x = 0;
    for (const cell of row.cells) {
      while (grid.at[y]?.[x]) x++;
      const [w, h] = [cell.colSpan, Math.min(cell.rowSpan || Infinity, ends[y] - y)];
      grid.box.set(cell, { x, y, w, h });
      for (let j = y; j < y + h; j++) for (let i = x; i < x + w; i++) (grid.at[j] ??= [])[i] = cell;
      x += w;
    }
  });
  grids.set(table, grid);
  return grid;
}

// A th, or any cell of the table's head (some sites write their headers as td there).
function isHeader(cell) {
  return cell.localName === "th" || inHead(cell);
}

function inHead(cell) {
  return cell.parentElement?.parentElement?.localName === "thead";
}

// "column" or "row" for a header cell that heads its column or its row, null for neither or a data cell: by its
// scope (colgroup and rowgroup count as col and row: they head what they span), else a cell of the table's head
// heads its column, and as in HTML's table model a header with no data in its rows heads its column, one with
// no data in its columns its row. Empty cells are not data (an empty corner cell beside a header row).
function kindOf(grid, cell) {
  if (!grid.kinds.has(cell)) grid.kinds.set(cell, headerKind(grid, cell));
  return grid.kinds.get(cell);
}

function headerKind(grid, cell) {
  if (!isHeader(cell)) return null;
  if (cell.scope) return cell.scope.startsWith("col") ? "column" : "row";
  if (inHead(cell)) return "column";
  const { x, y, w, h } = grid.box.get(cell);
  const data = (line) => line?.some((other) => !isHeader(other) && other.textContent.trim());
  if (!grid.at.slice(y, y + h).some(data)) return "column";
  return grid.at.some((line) => data(line.slice(x, x + w))) ? null : "row";
}

// HTML's scan for a cell's headers from slot (x, y) towards the table's start (dx or dy −1): the column headers
// above it, or the row headers before it, except those behind a block of headers already passed with data
// between (a header row repeated lower down stands for the one at the top).
function scan(grid, cell, x, y, dx, dy, found) {
  const kind = dy ? "column" : "row";
  const opaque = [];
  let block = isHeader(cell) ? [cell] : null;
  for (x += dx, y += dy; x >= 0 && y >= 0; x += dx, y += dy) {
    const other = grid.at[y]?.[x];
    if (!other) continue;
    if (isHeader(other)) {
      (block ??= []).push(other);
      const at = grid.box.get(other);
      const hidden = opaque.some((o) => (dy ? o.x === at.x && o.w === at.w : o.y === at.y && o.h === at.h));
      if (!hidden && kindOf(grid, other) === kind) found.add(other);
    } else if (block) {
      opaque.push(...block.map((header) => grid.box.get(header)));
      block = null;
    }
  }
}
