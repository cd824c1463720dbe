// The voice for each language on the settings page (/preferences; templates/_read_aloud_settings.html): the
// browser tells a script alone which voices it has, so the server writes each <select> with the automatic
// choice only, and this module fills it, as reading-tools.js fills an article's (the same function, the same
// order: docs/read-aloud.md). A choice posts its form (htmx) like every other control; the swapped page
// comes back with the automatic choice only again, and is filled before it is painted (htmx:load).
// Only the settings page runs it (its own <script>): nothing of it is in an article's first visit.

import { fillVoiceSelect, voicesFor } from "./reading-tools.js";

function fill() {
  const box = document.getElementById("reader-tools-settings");
  if (!box || !("speechSynthesis" in window)) return;
  const text = (name, voice = "") => (box.dataset[`text${name}`] || "").replace("{voice}", () => voice);
  const all = window.speechSynthesis.getVoices();
  for (const select of box.querySelectorAll("select[data-voice-lang]")) {
    const voices = voicesFor(all, select.dataset.voiceLang, navigator.languages || []);
    fillVoiceSelect(select, voices, select.dataset.voice || "", text);
  }
}

if ("speechSynthesis" in window) window.speechSynthesis.addEventListener("voiceschanged", fill);
document.addEventListener("htmx:load", fill);
fill();
