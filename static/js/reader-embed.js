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
  if (window.origin === "null") document.documentElement.classList.add("reader-sandboxed");

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

  // A change that fails (reader answers an error, or the request never arrives) leaves everything as it was,
  // which htmx would do silently: the status region says so, in the article's language.
  const failed = () => {
    const status = document.getElementById("reader-status");
    const message = status?.dataset.failed;
    if (message) status.textContent = status.textContent === message ? `${message}\u00a0` : message;
  };
  document.addEventListener("htmx:responseError", failed);
  document.addEventListener("htmx:sendError", failed);

  // Back from a change on an article deleted meanwhile (the embed's 404, ?kept=1): the focus the pressed control
  // had goes to the heading, which is described by the note that the setting was kept.
  if (document.getElementById("reader-kept")) document.getElementById("reader-title")?.focus();

  // An article renamed since the frame loaded comes back from its new address in place (reader answers a change
  // with its region): the frame's address follows, so that the slug sent below and a reload name it.
  const follow = () => {
    const next = document.querySelector('#reader input[name="next"]')?.value;
    if (next?.startsWith("/embed/") && next !== location.pathname) {
      try {
        history.replaceState(history.state, "", next + location.search + location.hash);
      } catch {} // (a sandboxed frame may refuse: the slug then stays the one it was loaded at)
    }
  };

  let last = -1;
  let scheduled = false;

  const send = () => {
    scheduled = false;
    const height = Math.ceil(document.body.getBoundingClientRect().height);
    if (height === last) return;
    last = height;
    const slug = decodeURIComponent(location.pathname.split("/").pop() || "");
    if (secret) window.parent.postMessage({ message: "height", value: height, secret }, "*");
    window.parent.postMessage({ type: "reader:height", height, slug }, "*");
  };
  const schedule = () => {
    if (scheduled) return;
    scheduled = true;
    requestAnimationFrame(send);
  };

  new ResizeObserver(schedule).observe(document.body);
  window.addEventListener("load", schedule);
  document.addEventListener("htmx:afterSettle", () => {
    follow();
    schedule();
  });
  // wp-embed.js says {message: "ready", secret} when it starts, in case the frame loaded (and sent its height)
  // before it listened: the height is sent again, to the page that framed us, with that frame's secret only.
  if (secret) {
    window.addEventListener("message", (event) => {
      if (event.source !== window.parent || event.data?.message !== "ready" || event.data.secret !== secret) return;
      last = -1;
      schedule();
    });
  }
  schedule();
})();
