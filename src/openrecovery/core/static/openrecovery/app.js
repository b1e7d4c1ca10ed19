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
// Running subtotals (AdministrationForm.running_subtotals): the sum of the answers chosen
// so far for each listed group of items; shown only where the score is that plain sum.
function applyRunningSubtotals(form) {
  form.querySelectorAll("[data-subtotal-items]").forEach((output) => {
    const sum = output.dataset.subtotalItems
      .split(",")
      .reduce((total, number) => total + (instrumentAnswer(form, number) || 0), 0);
    output.textContent = String(sum);
  });
}
document.addEventListener("change", (event) => {
  const form = event.target.closest("form.instrument-form");
  if (form) applyRunningSubtotals(form);
});
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("form.instrument-form").forEach((form) => {
    applySkipLogic(form);
    applyRunningSubtotals(form);
  });
});

// A page drawn in answer to a POST-only address (a form refused with errors) shows the
// address of the page it belongs to, so a reload or a bookmark asks for that page
// (core.http.post_only; GET on the POST-only address redirects there too).
if (document.body.dataset.pageUrl) {
  history.replaceState(null, "", document.body.dataset.pageUrl + location.hash);
}

// Error summaries (partials/form_errors.html): focus the summary of a refused form, so it
// is seen and read first; each link takes the focus to its field.
function focusErrorSummary(root) {
  const summary = root.querySelector("[data-error-summary]");
  if (!summary) return false;
  summary.focus({ preventScroll: true });
  summary.scrollIntoView({ block: "start" });
  return true;
}
document.addEventListener("click", (event) => {
  const link = event.target.closest("[data-error-summary] a[href^='#']");
  if (!link) return;
  const target = document.getElementById(decodeURIComponent(link.hash.slice(1)));
  if (!target) return;
  // A choice group's link names its fieldset: focus its first answer instead.
  const control = target.matches("fieldset")
    ? target.querySelector("input:not([disabled]), select, textarea")
    : target;
  if (control && control !== target) {
    setTimeout(() => control.focus(), 0);
  }
});
// After a save the page comes back at the place it was submitted from, not at the top:
// when it is the same page with the same form again, and it shows no alert (a danger
// banner the save raised, an urgent alert, emergency access), which must be seen first.
const SCROLL_KEY = "openrecovery.scroll";
const formAction = (form) =>
  new URL(form.getAttribute("action") || location.href, location.href).pathname;
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (form.method !== "post" || form.hasAttribute("hx-post")) return;
  const place = { path: location.pathname, action: formAction(form), y: scrollY };
  sessionStorage.setItem(SCROLL_KEY, JSON.stringify(place));
});
document.addEventListener("DOMContentLoaded", () => {
  const saved = JSON.parse(sessionStorage.getItem(SCROLL_KEY) || "null");
  sessionStorage.removeItem(SCROLL_KEY);
  if (focusErrorSummary(document)) {
    // The browser's move to a fragment of the address (a form posted to "...#sign-h")
    // comes later and takes the focus back to the page: give it to the summary again.
    if (location.hash) {
      window.addEventListener("load", () => setTimeout(() => {
        if (document.activeElement === document.body) focusErrorSummary(document);
      }, 0));
    }
    return;
  }
  if (!saved || saved.path !== location.pathname || location.hash) return;
  const sameForm = [...document.forms].some((form) => formAction(form) === saved.action);
  const alerting = document.querySelector("main [role=alert]:not([hidden])");
  if (sameForm && !alerting) window.scrollTo(0, saved.y);
});
document.addEventListener("htmx:load", (event) => {
  if (event.detail.elt !== document.body) focusErrorSummary(event.detail.elt);
});

// Unsent answers. A form a person fills in (posted, with novalidate, not autosaved by
// htmx) keeps its answers in this tab's sessionStorage as they are typed: never on the
// server before they are sent. The key names the user, the page and the form's address,
// never the patient. After an idle sign-out and a new sign-in the page comes back (the
// login's "next") and its answers are put back. They are dropped once the form was
// accepted, and all of them on sign-out.
const DRAFT_PREFIX = "openrecovery.draft.";
const signedInUser = document.body.dataset.user || "";
const DRAFT_FORMS =
  "main form[method=post][novalidate]:not([hx-post]):not([data-keep-answers=off])";
const NOT_KEPT = new Set(["hidden", "password", "file", "submit", "button", "reset", "image"]);

function draftKey(form) {
  return `${DRAFT_PREFIX}${signedInUser}:${location.pathname}:${formAction(form)}`;
}
function draftKeys() {
  return Object.keys(sessionStorage).filter((key) => key.startsWith(DRAFT_PREFIX));
}
function readDraft(key) {
  try {
    return JSON.parse(sessionStorage.getItem(key) || "null");
  } catch {
    return null;
  }
}
function keptControls(form) {
  return [...form.elements].filter(
    (el) => el.name && el.name !== "csrfmiddlewaretoken" && !NOT_KEPT.has(el.type),
  );
}
function draftSave(form, submitted) {
  const fields = {};
  for (const el of keptControls(form)) {
    if (el.type === "radio" || el.type === "checkbox") {
      fields[el.name] = fields[el.name] || [];
      if (el.checked) fields[el.name].push(el.value);
    } else if (el.type === "select-multiple") {
      fields[el.name] = [...el.selectedOptions].map((option) => option.value);
    } else {
      fields[el.name] = el.value;
    }
  }
  sessionStorage.setItem(draftKey(form), JSON.stringify({ fields, submitted, at: Date.now() }));
}
function draftRestore(form, draft) {
  for (const el of keptControls(form)) {
    if (!(el.name in draft.fields)) continue;
    const value = draft.fields[el.name];
    if (el.type === "radio" || el.type === "checkbox") el.checked = value.includes(el.value);
    else if (el.type === "select-multiple") {
      for (const option of el.options) option.selected = value.includes(option.value);
    } else el.value = value;
  }
  keptControls(form).forEach((el) => el.dispatchEvent(new Event("change", { bubbles: true })));
  const notice = document.createElement("div");
  notice.className = "alert alert-info d-flex flex-wrap align-items-center gap-2";
  notice.setAttribute("role", "status");
  notice.dataset.draftNotice = "";
  notice.textContent = "Answers you had not sent were put back from this browser tab.";
  const discard = document.createElement("button");
  discard.type = "button";
  discard.className = "btn btn-outline-dark btn-sm";
  discard.textContent = "Discard them";
  discard.addEventListener("click", () => {
    sessionStorage.removeItem(draftKey(form));
    form.reset();
    keptControls(form).forEach((el) => el.dispatchEvent(new Event("change", { bubbles: true })));
    notice.remove();
  });
  notice.append(discard);
  form.prepend(notice);
}
document.addEventListener("DOMContentLoaded", () => {
  if (!signedInUser) {
    // A sign-in page: a form sent as the session ended did not go through.
    for (const key of draftKeys()) {
      const draft = readDraft(key);
      if (draft && draft.submitted) {
        sessionStorage.setItem(key, JSON.stringify({ ...draft, submitted: false }));
      }
    }
    return;
  }
  const refused = document.querySelector("[data-error-summary], .is-invalid") !== null;
  const forms = new Map([...document.querySelectorAll(DRAFT_FORMS)].map((f) => [draftKey(f), f]));
  for (const key of draftKeys()) {
    const draft = readDraft(key);
    const form = forms.get(key);
    if (!draft || !key.startsWith(`${DRAFT_PREFIX}${signedInUser}:`)) {
      sessionStorage.removeItem(key); // another user's, or unreadable
    } else if (draft.submitted) {
      // Refused: the server drew the answers again, keep them until they are accepted.
      if (refused && form) draftSave(form, false);
      else sessionStorage.removeItem(key); // accepted
    } else if (form) {
      draftRestore(form, draft);
    }
  }
});
for (const kind of ["input", "change"]) {
  document.addEventListener(kind, (event) => {
    const form = event.target.form;
    if (signedInUser && event.isTrusted && form && form.matches(DRAFT_FORMS)) {
      draftSave(form, false);
    }
  });
}
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (form.matches("[data-sign-out]")) {
    draftKeys().forEach((key) => sessionStorage.removeItem(key));
  } else if (signedInUser && form.matches(DRAFT_FORMS) && readDraft(draftKey(form))) {
    draftSave(form, true);
  }
});

// The session's clock: warn before the idle sign-out, with a button that counts as
// activity. Polls with X-Background-Refresh do not extend the session, but every answer
// says how long it has left (X-Session-Seconds-Left), so the clock follows the server.
const sessionWarning = document.getElementById("session-warning");
if (sessionWarning && document.body.dataset.sessionSecondsLeft) {
  const warnSeconds = Number(document.body.dataset.sessionWarningSeconds);
  let deadline = Date.now() + Number(document.body.dataset.sessionSecondsLeft) * 1000;
  const countdown = sessionWarning.querySelector("[data-session-countdown]");
  const setSecondsLeft = (header) => {
    if (header !== null && header !== "") deadline = Date.now() + Number(header) * 1000;
  };
  const tick = () => {
    const left = Math.ceil((deadline - Date.now()) / 1000);
    if (left <= 0) {
      clearInterval(timer);
      // Answers are already kept; asking for the page again lets the server end the
      // session and send the browser to sign in, with this page as "next".
      document.querySelectorAll(DRAFT_FORMS).forEach((form) => {
        if (readDraft(draftKey(form))) draftSave(form, false);
      });
      location.assign(location.pathname + location.search);
      return;
    }
    sessionWarning.hidden = left > warnSeconds;
    const minutes = Math.floor(left / 60);
    countdown.textContent = `${minutes}:${String(left % 60).padStart(2, "0")}`;
  };
  const timer = setInterval(tick, 1000);
  tick();
  document.addEventListener("htmx:afterRequest", (event) => {
    setSecondsLeft(event.detail.xhr.getResponseHeader("X-Session-Seconds-Left"));
  });
  sessionWarning.querySelector("[data-session-extend]").addEventListener("click", async (event) => {
    const button = event.currentTarget;
    const headers = JSON.parse(document.body.getAttribute("hx-headers") || "{}");
    const response = await fetch(button.dataset.sessionExtend, {
      method: "POST",
      headers,
      credentials: "same-origin",
      redirect: "manual",
    });
    if (response.ok) {
      const left = response.headers.get("X-Session-Seconds-Left");
      setSecondsLeft(left);
      if (Number(left) <= warnSeconds) {
        // The session's absolute lifetime is ending: staying cannot extend it.
        button.hidden = true;
        sessionWarning.querySelector("p").textContent =
          "Your session has reached its time limit and ends in a moment. Answers you have " +
          "not sent stay in this browser tab and come back when you sign in again.";
      }
      tick();
    } else {
      deadline = Date.now(); // the session has ended already: go and sign in again
      tick();
    }
  });
}
