// What the article form's live preview (editor/form.html, htmx) says through the page's one status region.
// A sighted editor sees the preview turn into a list of errors, or stop following the text; a screen reader
// user, typing in a field, would hear nothing. So, politely (role=status) and without moving the focus:
// - when the fields in error change (a field the editor has typed in newly wrong, or another one), the errors,
//   each with its field;
//   the same fields still wrong with another message (the date typed on from "32" to "32/13/2021": "no
//   month 13" now) are said too, but only once the editor has paused a while longer (QUIET_MS): the message
//   can quote what is typed ("“f” is not a BCP 47 code"), and must not follow each pause in the typing;
// - the fields in error carry aria-invalid while they are wrong, as after a refused save;
// - once, when the last error is corrected: the preview is back;
// - when a preview could not be made (the server answered with an error, or never answered), why, once until
//   it works again, and a line over the preview says so too (htmx drops such an answer without a word);
// - when the session has ended (the server answers the preview 401: the tab is not sent away while the editor
//   types), that it has and that the changes are kept, with a link to sign in again in this tab: leaving
//   keeps what was typed (js/editor-draft.js), and the sign-in form leads back here, where it is offered back.
// A preview that simply follows the text says nothing: that would be every keystroke.
// Without JavaScript there is no live preview: the Preview button reloads the page, and its error summary
// takes the focus (form.html). A classic script, loaded by that page only.
(() => {
  const preview = () => document.getElementById("editor-preview");

  // The fields in error, as the links of an error list name them ("#editor-title #editor-body").
  const fieldsIn = (list) =>
    list ? Array.from(list.querySelectorAll("a[href^='#editor-']"), (link) => link.getAttribute("href")).join(" ") : "";

  // What was last said (or shown on the page when it opened): "" when all is well, "errors …" with the fields,
  // "failed …" with the reason. The summary of a refused save has been read already (it takes the focus).
  const summary = document.getElementById("editor-errors");
  const shown = fieldsIn(summary);
  const messagesIn = (list) => (list ? Array.from(list.querySelectorAll("li"), (item) => item.textContent.trim()) : []);
  let said = shown ? `errors ${shown}` : "";
  let saidText = messagesIn(summary).join("; ");
  // How long the text must rest before a changed message of the same fields is said.
  const QUIET_MS = 1500;
  let pending = 0;

  // aria-invalid on the fields the live preview finds wrong, taken off those it finds right again. A mark the
  // server set as the page loaded stays until its field changes: it may be for what the live check cannot
  // know (an address another article uses), and its message stays beside the field until the next save.
  const loaded = new Map(
    Array.from(document.querySelectorAll(".reader-editor-form [aria-invalid='true']"), (field) => [field, field.value]),
  );
  function markInvalid(fields) {
    const wrong = new Set(fields ? fields.split(" ") : []);
    for (const field of document.querySelectorAll(".reader-editor-form [aria-invalid='true']")) {
      if (wrong.has(`#${field.id}`) || (loaded.has(field) && loaded.get(field) === field.value)) continue;
      loaded.delete(field);
      field.removeAttribute("aria-invalid");
    }
    for (const id of wrong) document.querySelector(id)?.setAttribute("aria-invalid", "true");
  }

  function say(message) {
    const status = document.getElementById("reader-status");
    if (!status || !message) return;
    // The same text again is no change to a screen reader: a trailing no-break space makes it one.
    status.textContent = status.textContent === message ? `${message}\u00a0` : message;
  }

  function failureLine(box, create) {
    let line = box.previousElementSibling;
    if (line?.classList.contains("reader-request-failed")) return line;
    if (!create) return null;
    line = document.createElement("p");
    line.className = "reader-request-failed";
    line.id = "editor-preview-failed";
    box.before(line);
    return line;
  }

  // The fields the editor has typed in (or chosen in) since the page opened. A new article's fields the editor
  // has not reached yet are empty, and so in error ("Body: is required" while the title is being written):
  // the list shows that, but it is no news to say.
  const touched = new Set();
  for (const type of ["input", "change"]) {
    document.addEventListener(type, (event) => {
      if (event.target instanceof Element && event.target.id.startsWith("editor-")) touched.add(`#${event.target.id}`);
    });
  }

  // The fields touched when each preview was asked for: its answer is about the form as it was then. Judged by
  // the fields touched by the time it arrives, a slow answer would say "Body: is required" of a body the editor
  // began typing only after the request went.
  const touchedWhenAsked = new WeakMap();
  document.addEventListener("htmx:beforeRequest", (event) => {
    if (event.detail.target === preview() && event.detail.xhr) touchedWhenAsked.set(event.detail.xhr, new Set(touched));
  });

  document.addEventListener("htmx:afterSwap", (event) => {
    const box = preview();
    if (!box || event.detail.target !== box) return;
    failureLine(box, false)?.remove();
    const list = box.querySelector(".reader-editor-error");
    const fields = fieldsIn(list);
    const asked = touchedWhenAsked.get(event.detail.xhr) ?? touched;
    clearTimeout(pending);
    if (fields && !said && !fields.split(" ").some((field) => asked.has(field))) return;
    markInvalid(fields);
    const now = fields ? `errors ${fields}` : "";
    const text = messagesIn(list).join("; ");
    if (now === said) {
      // The same fields: said again only if what is wrong changed, and the editor has paused for a while.
      if (!fields || text === saidText) return;
      pending = setTimeout(() => {
        saidText = text;
        say(`${box.dataset.textErrors} ${text}`);
      }, QUIET_MS);
      return;
    }
    const before = said;
    said = now;
    saidText = text;
    if (fields) {
      say(`${box.dataset.textErrors} ${text}`);
    } else if (before) {
      say(box.dataset.textClear);
    }
  });
  // Typing on cancels a message waiting to be said: the next preview has the newer one.
  document.addEventListener("input", () => clearTimeout(pending));

  function failed(event, reason) {
    const box = preview();
    const form = event.detail.elt;
    if (!box || !(form instanceof Element) || form.getAttribute("data-hx-target") !== "#editor-preview") return;
    const message = box.dataset[`text${reason}`] || box.dataset.textFailed;
    const line = failureLine(box, true);
    // Written again only when the reason changes: the link must stay the same element while the editor,
    // typing on, sets off more previews answered alike (a rewritten line would pull it from under a click).
    if (line.dataset.reason === reason) return;
    line.dataset.reason = reason;
    line.textContent = message;
    if (reason === "SignedOut" && box.dataset.signIn) {
      const link = document.createElement("a");
      link.id = "editor-sign-in-again";
      link.href = `${box.dataset.signIn}?${new URLSearchParams({ next: location.pathname, ended: "1" })}`;
      link.textContent = box.dataset.textSignIn;
      line.append(" ", link);
    }
    if (said === `failed ${reason}`) return;
    said = `failed ${reason}`;
    say(message);
  }
  document.addEventListener("htmx:responseError", (event) => {
    const status = event.detail.xhr?.status;
    failed(event, status === 401 ? "SignedOut" : status === 429 ? "Busy" : "Failed");
  });
  for (const type of ["htmx:sendError", "htmx:timeout"]) {
    document.addEventListener(type, (event) => failed(event, "Unreachable"));
  }
})();
