// OpenRecovery client glue. No inline scripts (the Content-Security-Policy forbids them).
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-print]");
  if (button) {
    event.preventDefault();
    window.print();
  }
});
// Field groups asked only while another field has a given value (FieldLayout.shown_when),
// such as the discharge type, asked only when a stage move closes the episode.
function applyShownWhen(form) {
  form.querySelectorAll("[data-shown-when-field]").forEach((group) => {
    const control = form.elements.namedItem(group.dataset.shownWhenField);
    group.hidden = !control || control.value !== group.dataset.shownWhenValue;
  });
}
document.addEventListener("change", (event) => {
  if (event.target.form) applyShownWhen(event.target.form);
});
// On the first load and after htmx swaps in new content (a form re-rendered with errors).
for (const loaded of ["DOMContentLoaded", "htmx:load"]) {
  document.addEventListener(loaded, () => document.querySelectorAll("form").forEach(applyShownWhen));
}
// Instrument forms: hide the items the skip logic skips (the server applies it too),
// and let the number keys choose an answer within an item.
const INSTRUMENT_OPS = {
  "==": (a, b) => a === b,
  "!=": (a, b) => a !== b,
  ">": (a, b) => a > b,
  ">=": (a, b) => a >= b,
  "<": (a, b) => a < b,
  "<=": (a, b) => a <= b,
};
function instrumentAnswer(form, number) {
  const checked = form.querySelector(`input[name="item_${CSS.escape(number)}"]:checked`);
  return checked && !checked.disabled ? Number(checked.value) : null;
}
function instrumentConditionHolds(form, condition) {
  if ("answer" in condition) {
    const answer = instrumentAnswer(form, condition.answer);
    return answer !== null && INSTRUMENT_OPS[condition.op](answer, condition.value);
  }
  if ("any" in condition) return condition.any.some((c) => instrumentConditionHolds(form, c));
  if ("all" in condition) return condition.all.every((c) => instrumentConditionHolds(form, c));
  if ("not" in condition) return !instrumentConditionHolds(form, condition.not);
  if ("context" in condition) {
    const box = form.querySelector(`input[name="context_${CSS.escape(condition.context)}"]`);
    return Boolean(box && box.checked);
  }
  return true; // scores and bands are judged on the server
}
function applySkipLogic(form) {
  // In item order: a hidden item's answer is cleared before later items are judged.
  form.querySelectorAll("fieldset[data-item]").forEach((fieldset) => {
    if (!fieldset.dataset.askedIf) return;
    const asked = instrumentConditionHolds(form, JSON.parse(fieldset.dataset.askedIf));
    fieldset.hidden = !asked;
    fieldset.querySelectorAll("input").forEach((input) => {
      input.disabled = !asked;
      if (!asked) input.checked = false;
    });
  });
}
document.addEventListener("change", (event) => {
  const form = event.target.closest("form.instrument-form");
  if (form) applySkipLogic(form);
});
document.addEventListener("keydown", (event) => {
  const radio = event.target;
  if (!radio.matches || !radio.matches("form.instrument-form input[type=radio]")) return;
  if (!/^[0-9]$/.test(event.key) || event.ctrlKey || event.metaKey || event.altKey) return;
  const choice = radio.closest("fieldset").querySelector(`input[type=radio][value="${event.key}"]`);
  if (!choice || choice.disabled) return;
  event.preventDefault();
  choice.checked = true;
  choice.focus();
  choice.dispatchEvent(new Event("change", { bubbles: true }));
});
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("form.instrument-form").forEach(applySkipLogic);
});
