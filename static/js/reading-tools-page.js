// Read aloud and the reading guide on reader's own article and /embed pages (reading-tools.js). The modules
// are loaded from the fingerprinted addresses the server wrote on #reader-tools.
const element = document.getElementById("reader-tools");
let tools = null;
if (element) {
  try {
    const { attachReadingTools } = await import(new URL(element.dataset.moduleTools, document.baseURI).href);
    tools = await attachReadingTools(document);
  } catch (error) {
    // The controls are in the page from its first paint: if their script cannot run, they must not stay
    // there doing nothing.
    for (const id of ["reader-tools", "reader-tools-settings"]) {
      const controls = document.getElementById(id);
      if (controls) controls.hidden = true;
    }
    console.error("reader: the reading tools could not start", error);
  }
}
if (tools) {
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
