// reader's /embed/{slug} page, inside an iframe: tell the embedding page how tall the article is, so the
// frame fits it, on load and after every change (a larger text size makes it taller).
// Two protocols: WordPress's {message: "height", value, secret}, with the secret the embedding page put in
// the frame's address ("#?secret=…"), and reader's own {type: "reader:height", height, slug}.
(() => {
  "use strict";
  if (window.parent === window) return;

  // A sandboxed frame without allow-same-origin (WordPress) cannot keep or send settings: hide the controls
  // rather than offer ones that do nothing. The article still reads in full.
  if (window.origin === "null") document.documentElement.classList.add("reader-sandboxed");

  const secret = new URLSearchParams(location.hash.replace(/^#\??/, "")).get("secret");
  const slug = decodeURIComponent(location.pathname.split("/").pop() || "");
  let last = -1;
  let scheduled = false;

  const send = () => {
    scheduled = false;
    const height = Math.ceil(document.body.getBoundingClientRect().height);
    if (height === last) return;
    last = height;
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
  document.addEventListener("htmx:afterSettle", schedule);
  schedule();
})();
