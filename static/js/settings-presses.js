// The presses made on the reader region's controls while a change was on its way, made again on the region the
// answer brought (settings-swap.js keeps them as they come, and calls sendFirst once the answer is in). Loaded
// with the first such press: most visits make none, and a first visit carries none of this.
//
// A press is made again on the control of the same id, in the new form (whose `drawn` is the state the answer
// left, so the server applies just this press onto it: reader.prefs._merged_fields), with what the reader had
// entered in the old form and not sent (colours, keys: the new form shows what the server has). Repeated
// presses of one control go as one: A+ or A− pressed three times as one press with `steps` (the server takes
// as many steps, reader.prefs.apply_form), a select with its last value, an on/off toggle only when it was
// pressed an odd number of times (its value is the state it sets, and the old one's is stale). Presses are
// never made onto a form they no longer match: a control no longer there, a button whose value changed, a
// value the select no longer offers, are left out.

// How many presses of A+ or A− the press being made stands for.
let steps = 1;
document.addEventListener("htmx:configRequest", ({ detail: { parameters } }) => {
  if (steps > 1 && /^(bigger|smaller)$/.test(parameters.action)) parameters.steps = steps;
});

const kind = ({ trigger }) => (trigger?.type === "change" ? "change" : trigger?.submitter ? "click" : "submit");
const controlOf = (press) => ({ change: press.trigger?.target, click: press.trigger?.submitter })[kind(press)] || press.active;
// One control, or its copy in the region an answer brought: a press can land on the new one while this module
// is still on its way (the answer swapped in first), and is then the same control's next press. Made as two
// presses, the new select's (its value chosen from the answer's) went again after the first, and its answer
// said "No change" where the size had changed; its value is the one chosen last, so the presses go as one.
const same = (a, b) => a === b || (a?.id && a.id === b?.id);

// What the reader entered in a form and did not send: the fields that differ from what it was drawn with.
function entered(form) {
  const values = {};
  for (const field of form.elements) {
    const drawn = field.options ? [...field.options].find((option) => option.defaultSelected)?.value : field.defaultValue;
    if (field.id && !/hidden|submit|button/.test(field.type) && field.value !== drawn) values[field.id] = field.value;
  }
  return values;
}

// Makes the first press waiting again, with the presses of the same control right after it; returns the
// presses after those. (A press that sends a request leaves the others waiting for its answer.)
export function sendFirst(waiting) {
  const [first] = waiting;
  const how = kind(first);
  const old = controlOf(first);
  let count = 1;
  while (count < waiting.length && kind(waiting[count]) === how && same(controlOf(waiting[count]), old)) count++;
  const control = old?.id && old.form === first.form ? document.getElementById(old.id) : null;
  const form = control?.form;
  if (!form || !document.getElementById("reader")?.contains(form)) return waiting.slice(count);
  const value = how === "change" ? waiting[count - 1].value : old.value;
  const values = { ...entered(first.form), ...(how === "change" && { [old.id]: value }) };
  for (const [id, text] of Object.entries(values)) {
    const field = document.getElementById(id);
    if (field?.form === form && (!field.options || [...field.options].some((option) => option.value === text))) {
      field.value = text;
    }
  }
  if (how === "change") {
    if (control.value === value) control.dispatchEvent(new Event("change", { bubbles: true }));
  } else if (how === "submit") form.requestSubmit();
  else if (/^(on|off)$/.test(value) ? count % 2 : control.value === value) {
    steps = count;
    control.click();
    steps = 1;
  }
  return waiting.slice(count);
}
