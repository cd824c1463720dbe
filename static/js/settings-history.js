// Back and Forward bring a page back as it was drawn (whole from the back/forward cache, or a copy from the
// HTTP cache): in the settings of then, maybe not the reader's now (a light page flashed at a reader who had
// chosen dark since). A tab left open is the same when the reader comes back to it (visibilitychange): it showed
// the settings of then until its first press, which then jumped to the settings now and said only its own change.
// The server says the settings now (at #reader's data-now: the cookie is HttpOnly); when they differ from those
// the page was drawn with (its data-drawn), the region comes up to date as a change brings it, the reader's place
// kept (settings-swap.js), and nothing is said (an unchanged page asks, and does nothing more). Reader's own pages
// load it, not the embed (its settings live in its address): served with settings-swap.js as one file,
// js/settings-page.js (reader.assets). The same check after a change that got no whole answer (cut, stalled,
// given up): one whose headers said it was saved (settings-swap.js's xhr.saved) is not shown yet, and one cut
// before they came may have been saved too; the answer (xhr.asked: whether the settings moved since the page
// was drawn) tells settings-swap.js which to say, once, and when to make the presses that waited.
(() => {
  // One question at a time: a page the back/forward cache brings back is shown (pageshow) and visible again
  // (visibilitychange) at once, and one refresh is enough. Not for a change that got no whole answer (`again`):
  // a question already on its way may have been asked before that change was saved (it was then never shown),
  // so it asks as well. Its answer (true: the settings now are others than those the page was drawn with when it
  // asked) is the change's: the failure waits for it, not for long.
  let asking = null;
  const check = (again) => {
    const { drawn, now: asked, hxHeaders } = document.getElementById("reader")?.dataset ?? {};
    if (!drawn || !asked || (asking && !again)) return asking;
    // A refresh saves nothing, so a failure of it says nothing: the page stays as it was. An error answer (a 429, a
    // 503) is no tag; and the region's GET comes from no control (htmx.ajax without a source: the body, outside
    // the region), so settings-swap.js, which speaks for the region's forms, leaves its failure alone.
    const question = fetch(asked, { cache: "no-store", signal: AbortSignal.timeout?.(5000) })
      .then((answer) => (answer.ok ? answer.text() : drawn))
      .then(async (now) => {
        if (now === drawn) return;
        // A change on its way (a press, then another tab and back before its answer; or a refresh already
        // asked for) brings the region up to date itself: a GET beside it could answer last, with the old state.
        if (!document.querySelector(".htmx-request")) {
          const values = document.getElementById("reader-panel")?.open ? { panel: "open" } : {};
          // max-age=0: revalidated, never the HTTP cache's copy of the same old page. With the language the page
          // is drawn in (the region's own headers, which htmx adds only to requests from inside it): an answer in
          // another reloads the whole page instead (reader.htmx).
          const headers = { ...JSON.parse(hxHeaders || "{}"), "Cache-Control": "max-age=0" };
          // Awaited: the question is over when the region is, so a check meanwhile asks nothing again; not for
          // long (the presses that wait for it would wait for good on a stalled answer).
          const region = htmx.ajax("GET", location.href, { target: "#reader", select: "#reader", swap: "outerHTML", values, headers });
          await Promise.race([region.catch(() => {}), new Promise((done) => setTimeout(done, 5000))]);
        }
        return true;
      })
      .catch(() => {})
      .finally(() => asking === question && (asking = null));
    return (asking = question);
  };
  addEventListener("pageshow", ({ persisted }) => {
    if (persisted || performance.getEntriesByType("navigation")[0]?.type === "back_forward") check();
  });
  document.addEventListener("visibilitychange", () => document.hidden || check());
  // A change of the region's that got no whole answer (successful unset: cut, given up), asked about before htmx
  // says how it failed (settings-swap.js waits for xhr.asked then). Not the refresh's own GET, from the body: a
  // failure of it would ask again, and again.
  document.addEventListener("htmx:afterRequest", ({ detail: { xhr, elt, successful } }) => {
    if (successful === undefined && document.getElementById("reader")?.contains(elt)) xhr.asked = check(true);
  });
})();
