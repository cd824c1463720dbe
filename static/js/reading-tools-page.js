// Read aloud and the reading guide on reader's own article and /embed pages (reading-tools.js).
import { attachReadingTools } from "./reading-tools.js";

const tools = attachReadingTools(document);

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
