// The voice for each language on the settings page (/preferences; templates/_read_aloud_settings.html): the
// browser tells a script alone which voices it has, so the server writes each <select> with the automatic
// choice only, and this module fills it, as reading-tools.js fills an article's (its own functions, so the
// same voices in the same order: docs/read-aloud.md). A choice posts its form (htmx) like every other
// control; the swapped page comes back with the automatic choice only again, and is filled before it is
// painted (htmx:load). reading-tools.js (5.7 KiB) loads only once the browser has voices to list: a device
// without any (and a first visit before they come) does not fetch it, and the settings page stays within its
// first-visit budget (tests/browser/test_lighthouse.py).

let tools = null; // reading-tools.js, once there are voices

function fill() {
  const box = document.getElementById("reader-tools-settings");
  if (!box || !tools) return;
  const text = (name, voice = "") => (box.dataset[`text${name}`] || "").replace("{voice}", () => voice);
  const all = window.speechSynthesis.getVoices();
  for (const select of box.querySelectorAll("select[data-voice-lang]")) {
    const voices = tools.voicesFor(all, select.dataset.voiceLang, navigator.languages || []);
    tools.fillVoiceSelect(select, voices, select.dataset.voice || "", text);
  }
}

async function voicesChanged() {
  if (!tools && window.speechSynthesis.getVoices().length) tools = await import("./reading-tools.js");
  fill();
}

if ("speechSynthesis" in window) {
  window.speechSynthesis.addEventListener("voiceschanged", voicesChanged);
  document.addEventListener("htmx:load", fill);
  voicesChanged();
}
