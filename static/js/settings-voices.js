// The voice for each language on the settings page (/preferences; templates/_read_aloud_settings.html): the
// browser tells a script alone which voices it has, so the server writes each <select> with the automatic
// choice only, and this module fills it, as reading-tools.js fills an article's (its own functions, so the
// same voices in the same order: docs/read-aloud.md). A choice posts its form (htmx) like every other
// control; the swapped page comes back with the automatic choice only again, and is filled before it is
// painted (htmx:load). reading-tools.js (5.7 KiB) loads only once the browser has voices to list and a voice
// field is near the screen (or focused), as an image below the fold waits: the fields are far down the page,
// and a first visit that does not reach them stays within its budget (tests/browser/test_lighthouse.py)
// whether or not the browser has voices (a phone's has; the test's headless one has none).

let tools = null; // reading-tools.js, once there are voices and a field is wanted
let wanted = false;

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
  if (!tools && wanted && window.speechSynthesis.getVoices().length) tools = await import("./reading-tools.js");
  fill();
}

function want() {
  if (wanted) return;
  wanted = true;
  near.disconnect();
  voicesChanged();
}

const near = new IntersectionObserver((entries) => entries.some((entry) => entry.isIntersecting) && want(), {
  rootMargin: "50% 0px",
});
const watch = () => {
  if (!wanted) for (const select of document.querySelectorAll("select[data-voice-lang]")) near.observe(select);
};

if ("speechSynthesis" in window) {
  window.speechSynthesis.addEventListener("voiceschanged", voicesChanged);
  document.addEventListener("focusin", ({ target }) => target.matches?.("select[data-voice-lang]") && want());
  document.addEventListener("htmx:load", () => (watch(), fill()));
  watch();
}
