// Read aloud and the reading guide on reader's own article and /embed pages (reading-tools.js). The modules
// are loaded from the fingerprinted addresses the server wrote on #reader-tools.
const element = document.getElementById("reader-tools");
if (element) {
  const { attachReadingTools } = await import(new URL(element.dataset.moduleTools, document.baseURI).href);
  const tools = await attachReadingTools(document);

  // htmx swaps the article region when a setting changes: bring the new one up to date. htmx:load fires for
  // the new content while it is inserted, before the browser paints it.
  let pending = false;
  document.addEventListener("htmx:load", () => {
    if (pending) return;
    pending = true;
    queueMicrotask(() => {
      pending = false;
      tools.sync();
    });
  });
}
