// reader's /embed/{slug} page, inside an iframe: tell the embedding page how tall the article is, so the
// frame fits it, on load and after every change (a larger text size makes it taller).
// Two protocols: WordPress's {message: "height", value, secret}, with the secret the embedding page put in
// the frame's address ("#?secret=…"), and reader's own {type: "reader:height", height, slug}.
// Served after settings-swap.js in one file, js/embed-page.js (reader.assets.BUNDLES): all its code is inside
// the function below.
(() => {
  "use strict";
  if (window.parent === window) return;

  // A sandboxed frame without allow-same-origin (WordPress) cannot keep or send settings: hide the controls
  // rather than offer ones that do nothing. The article still reads in full.
  // htmx, loaded there too (base.html), is told to leave the page alone (before it starts, at DOMContentLoaded).
  if (window.origin === "null") {
    document.documentElement.classList.add("reader-sandboxed");
    document.documentElement.setAttribute("data-hx-disable", "");
  }

  const secret = new URLSearchParams(location.hash.replace(/^#\??/, "")).get("secret");
  // Links lead out of the frame (<base target="_top">). A sandboxed frame may not navigate the top window, so
  // there, as WordPress's embeds do, a plain click on a link asks the embedding page to go there instead
  // ({message: "link", value, secret}; WordPress follows links to the embed's own site).
  if (secret && window.origin === "null") {
    document.addEventListener("click", (event) => {
      const link = event.target instanceof Element ? event.target.closest("a[href]") : null;
      if (!link || event.button !== 0 || event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
      event.preventDefault();
      window.parent.postMessage({ message: "link", value: link.href, secret }, "*");
    });
  }

  // reader sends the frame elsewhere with HX-Redirect (to the embed's 404, when its article was deleted under a
  // change). htmx would go there without the frame's "#?secret=…", and the 404 could then neither send WordPress
  // its height or its links nor answer "ready": the frame goes there itself, its hash kept.
  document.addEventListener("htmx:beforeOnLoad", (event) => {
    const redirect = event.detail.xhr?.getResponseHeader("HX-Redirect");
    if (!redirect || !secret || redirect.includes("#")) return;
    event.preventDefault();
    location.href = redirect + location.hash;
  });

  // Back from a change on an article deleted meanwhile (the embed's 404, ?kept=1): the focus the pressed control
  // had goes to the heading, which is described by the note that the setting was kept. Only when the frame has
  // the focus, as it does when the reader pressed inside it: a host page that loads such an address (a frame
  // inserted, restored from its history) keeps its own focus. The address then drops `kept`, so that a reload
  // does neither again. ("kept": reader.views.errors.KEPT_PARAM)
  const query = new URLSearchParams(location.search);
  if (query.has("kept")) {
    if (document.hasFocus() && document.getElementById("reader-kept")) document.getElementById("reader-title")?.focus();
    query.delete("kept");
    const rest = String(query);
    try {
      history.replaceState(history.state, "", location.pathname + (rest ? `?${rest}` : "") + location.hash);
    } catch {} // (a sandboxed frame may refuse: the address then keeps it)
  }

  // An article renamed since the frame loaded comes back from its new address in place (reader answers a change
  // with its region): the frame's address follows, so that the slug sent below and a reload name it.
  const follow = () => {
    const next = document.querySelector('#reader input[name="next"]')?.value;
    // Another embed address: the frame's own but for its last segment (reader's route table owns the path).
    const embeds = location.pathname.slice(0, location.pathname.lastIndexOf("/") + 1);
    if (next?.startsWith(embeds) && next !== location.pathname) {
      try {
        history.replaceState(history.state, "", next + location.search + location.hash);
      } catch {} // (a sandboxed frame may refuse: the slug then stays the one it was loaded at)
    }
  };

  // Sent at once (on load, on each change), then checked again 100 ms later until it holds (fonts, images), as
  // WordPress's embeds do: not from requestAnimationFrame, which Chromium does not run in a frame of another
  // origin outside the viewport (nor ResizeObserver, a part of rendering). An embed above a page opened at an
  // anchor kept its placeholder height, then grew 2,000 px under the reader once scrolled to. Timers still run
  // there, slowed.
  let last = -1;
  let timer = 0;

  const send = () => {
    const height = Math.ceil(document.body.getBoundingClientRect().height);
    if (height === last) return;
    last = height;
    const slug = decodeURIComponent(location.pathname.split("/").pop() || "");
    if (secret) window.parent.postMessage({ message: "height", value: height, secret }, "*");
    window.parent.postMessage({ type: "reader:height", height, slug }, "*");
    clearTimeout(timer);
    timer = setTimeout(send, 100);
  };
  new ResizeObserver(send).observe(document.body);
  window.addEventListener("load", send);
  document.fonts?.ready.then(send);
  document.addEventListener("htmx:afterSettle", () => {
    follow();
    send();
  });
  // wp-embed.js says {message: "ready", secret} when it starts, in case the frame loaded (and sent its height)
  // before it listened: the height is sent again, to the page that framed us, with that frame's secret only.
  if (secret) {
    window.addEventListener("message", (event) => {
      if (event.source !== window.parent || event.data?.message !== "ready" || event.data.secret !== secret) return;
      last = -1;
      send();
    });
  }
  send();
})();
