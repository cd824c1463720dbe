// What an editor types in the article form is kept in this browser tab until it is saved, so that nothing is
// lost to a session that ended (the live preview, or Save, then leads to the sign-in form and back here), a
// page that crashed, or a link followed by mistake: as WordPress keeps a post's backup in the browser.
// - While the editor types, and when the page is left, the form's fields go to sessionStorage (this tab only,
//   gone when it closes; never the CSRF token), under the form's address, with the version of the article
//   they were typed against.
// - A form opened with kept fields that differ from what it shows offers them back: a notice above it with
//   Restore and Discard, focused once the page has loaded (said through the page's status region instead when
//   the editor is already in a field). Nothing is put back without asking.
// - A save that went through (the article's form says so: the server marks it, data-saved-version, only for
//   the save's own redirect, its ?done= signed for this editor's session; opened by that redirect and at a
//   version past the one the save was made from) drops what was kept for its form;
//   a form that shows what was kept (a save refused with errors shows what was sent) drops it silently.
// - Restored fields keep the version they were typed against, so a save over a version saved since is
//   refused as a conflict (the form comes back with them), never written over it.
// - What is kept belongs to the account that typed it (the sign-out form's data-draft-owner, in the key): it
//   is offered back to that account only (after signing in again when the session ended), and removed when
//   any other account's page opens in the tab, and when anyone signs out. Another editor signing in in the
//   same tab must never be offered, nor save as theirs, someone else's unsaved text. (The sign-out answer
//   also asks the browser to clear this site's storage, Clear-Site-Data, for a page without this script.)
// A classic script, loaded by every editor page that has a session.
(() => {
  const PREFIX = "reader-draft:";
  const SUBMITTED = "reader-draft-submitted";
  const NOT_KEPT = new Set(["csrf_token", "editing", "version", "state", "action"]);
  // The form's save buttons (their `action`).
  const SAVES = new Set(["save", "draft", "publish"]);

  const storage = (() => {
    try {
      return window.sessionStorage;
    } catch {
      return null; // storage refused (a browser setting): nothing is kept, and nothing breaks
    }
  })();

  function read(key) {
    try {
      return JSON.parse(storage?.getItem(key) || "null");
    } catch {
      return null; // not ours, or cut short: as if nothing were kept
    }
  }

  function write(key, value) {
    try {
      if (value === null) storage?.removeItem(key);
      else storage?.setItem(key, JSON.stringify(value));
    } catch {
      // Full or refused: the form still works; only the backup is missing.
    }
  }

  const owner = document.getElementById("editor-logout-form")?.dataset.draftOwner || "";
  const ours = `${PREFIX}${owner}:`;

  // Everything this script kept in the tab, or everything but what `owner` typed.
  function forget(keep = "") {
    if (!storage) return;
    try {
      for (let i = storage.length - 1; i >= 0; i -= 1) {
        const name = storage.key(i);
        if (name?.startsWith(PREFIX) && !(keep && name.startsWith(keep))) storage.removeItem(name);
      }
    } catch {
      // Refused: nothing could have been kept either.
    }
    const marker = read(SUBMITTED);
    if (marker && !(keep && typeof marker.key === "string" && marker.key.startsWith(keep))) write(SUBMITTED, null);
  }

  // Another account's unsaved changes (it never signed out in this tab: its session ended, and someone else
  // signed in) are not this editor's to see.
  if (owner) forget(ours);
  let signingOut = false;
  document.getElementById("editor-logout-form")?.addEventListener("submit", () => {
    signingOut = true;
    forget();
  });

  // The article's form after a save names the article saved: what its form kept goes, and only that (a
  // marker left by a save that did not go through must not take a later draft with it). The form says so
  // (data-saved-slug, data-saved-version) only when its address is the save's own redirect: the server
  // renders them only for a ?done= it signed for this editor's session (reader.views.editor's done_query).
  // The address itself is anyone's to write: a link e-mailed to an editor, ?done=saved:slug&version=N,
  // must not make the browser drop their unsaved work. Since that form's address is the form itself, an
  // editor goes on typing there, and a save that then fails without a form coming back (a 502, the
  // network) leaves the marker behind: Back or a reload to that address must not take it for the save's
  // answer. So only a page the save's redirect opened counts (not one opened by Back, Forward or a
  // reload), and only at a version later than the one the save was made from (the address opened again,
  // from the history or a bookmark, names a version the save was made from). The address is left as it
  // is: the form's notice is its to say, and a reload says it again.
  const saved = document.querySelector("form.reader-editor-form[data-saved-version]")?.dataset;
  const submitted = read(SUBMITTED);
  const arrival = performance.getEntriesByType?.("navigation")[0]?.type ?? "navigate";
  if (saved && arrival === "navigate" && typeof submitted?.key === "string") {
    const at = Number(saved.savedVersion);
    const later = (submitted.version ?? null) === null || (Number.isFinite(at) && at > Number(submitted.version));
    if (later && (!submitted.slug || saved.savedSlug === submitted.slug)) write(submitted.key, null);
    write(SUBMITTED, null);
  }

  const form = document.querySelector("form.reader-editor-form[data-draft-key]");
  if (!form || !owner) return;
  const key = ours + form.dataset.draftKey;
  // Back on a form: whatever was sent last did not go through (a refused save, a sign-in on the way).
  write(SUBMITTED, null);

  function fieldsOf() {
    const fields = {};
    for (const element of form.elements) {
      if (!element.name || NOT_KEPT.has(element.name) || element.type === "submit") continue;
      if (element.type === "radio") {
        if (element.checked) fields[element.name] = element.value;
      } else {
        fields[element.name] = element.value;
      }
    }
    return fields;
  }

  const same = (a, b) => {
    const names = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...names].every((name) => (a[name] ?? "") === (b[name] ?? ""));
  };

  const shown = fieldsOf();
  let kept = read(key);
  if (typeof kept?.fields !== "object" || kept.fields === null || !Number.isFinite(kept.at) || same(kept.fields, shown)) {
    write(key, null);
    kept = null;
  }

  let timer = 0;
  function keep() {
    clearTimeout(timer);
    timer = 0;
    if (signingOut) return; // what was typed goes with the session, not into the next editor's tab
    const fields = fieldsOf();
    // As the page showed it: nothing unsaved (but a kept copy the editor has not answered yet stays kept).
    if (same(fields, shown)) {
      if (!kept) write(key, null);
      return;
    }
    write(key, { at: Date.now(), version: form.elements.version?.value ?? null, fields });
  }
  for (const type of ["input", "change"]) {
    form.addEventListener(type, () => {
      clearTimeout(timer);
      timer = setTimeout(keep, 400);
    });
  }
  window.addEventListener("pagehide", () => {
    if (timer) keep();
  });
  form.addEventListener("submit", (event) => {
    keep();
    // The address it will be saved at, when the form says (a new article's may be made from its title).
    // And the version it is saved from (null: a new article), which the answer's ?version= must be past.
    if (SAVES.has(event.submitter?.value)) {
      const slug = form.elements.slug?.value.trim() || "";
      write(SUBMITTED, { key, slug, version: form.elements.version?.value || null });
    }
  });

  const notice = document.getElementById("editor-kept");
  if (!kept || !notice) return;

  function say(message) {
    const status = document.getElementById("reader-status");
    if (status && message) status.textContent = status.textContent === message ? `${message}\u00a0` : message;
  }

  const text = document.getElementById("editor-kept-text");
  const time = new Date(kept.at).toLocaleTimeString(document.documentElement.lang || undefined, {
    hour: "2-digit",
    minute: "2-digit",
  });
  text.textContent = text.dataset.text.replace("{time}", time);
  notice.hidden = false;
  // The offer takes the focus once the page has loaded (as the save notice and the error summary do when it
  // opens): a screen reader then reads it, and Tab goes on to Restore. Written into the status region as the
  // page was still loading (this deferred script runs before load), it was dropped: screen readers read a new
  // page from its start and let live regions changed meanwhile go. Not the focus taken from a field the
  // editor has already gone to, nor from what the page answers first (a save's conflict, focused by its
  // autofocus, which the browser may apply after load): then the status region says it, the page loaded.
  const offer = () => {
    if (notice.hidden) return; // answered already
    const focused = document.activeElement;
    const answer = document.querySelector("[autofocus]");
    if ((!focused || focused === document.body) && !answer) notice.focus();
    else say(text.textContent);
  };
  if (document.readyState === "complete") offer();
  else window.addEventListener("load", offer, { once: true });

  document.getElementById("editor-kept-restore")?.addEventListener("click", () => {
    let first = null;
    for (const element of form.elements) {
      if (!element.name || !(element.name in kept.fields) || NOT_KEPT.has(element.name)) continue;
      const value = kept.fields[element.name];
      if (element.type === "radio") element.checked = element.value === value;
      else if (element.value !== value) {
        element.value = value;
        first ??= element;
      }
    }
    // The version they were typed against, not the page's: if the article was saved meanwhile (by someone
    // else, or in another tab), the save is refused as a conflict with these fields kept, not written over
    // the newer version.
    if (form.elements.version && typeof kept.version === "string") form.elements.version.value = kept.version;
    notice.hidden = true;
    // The live preview follows (htmx listens for the form's change), and the editor goes on from the first
    // field that came back.
    (first || form.elements[0])?.dispatchEvent(new Event("change", { bubbles: true }));
    (first || form.querySelector("input:not([type=hidden]), textarea"))?.focus();
    say(notice.dataset.textRestored);
  });
  document.getElementById("editor-kept-discard")?.addEventListener("click", () => {
    write(key, null);
    kept = null;
    notice.hidden = true;
    form.querySelector("input:not([type=hidden]), textarea")?.focus();
    say(notice.dataset.textDiscarded);
  });
})();
