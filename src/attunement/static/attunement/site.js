// Small progressive enhancements. Every page works without this file.
(function () {
  "use strict";

  const DRAFT_PREFIX = "attunement:draft:";

  function draftKey(form) {
    return DRAFT_PREFIX + form.dataset.user + ":" + form.dataset.draftKey;
  }

  function draftKeys() {
    const keys = [];
    for (let i = 0; i < localStorage.length; i++) {
      const k = localStorage.key(i);
      if (k && k.startsWith(DRAFT_PREFIX)) keys.push(k);
    }
    return keys;
  }

  // Drafts belong to the user who typed them (their id is in the key). Forget every draft but those whose
  // key starts with `keep`; with no `keep`, forget them all.
  function forgetDrafts(keep) {
    for (const k of draftKeys()) if (!keep || !k.startsWith(keep)) localStorage.removeItem(k);
  }

  function readForm(form) {
    const values = {};
    for (const el of form.elements) {
      if (!el.name || el.name === "csrfmiddlewaretoken" || el.type === "submit" || el.type === "button") continue;
      if (el.type === "file") continue;  // a chosen photo or recording cannot be kept in a draft
      if ((el.type === "checkbox" || el.type === "radio")) {
        if (!(el.name in values)) values[el.name] = [];
        if (el.checked) values[el.name].push(el.value);
      } else {
        values[el.name] = el.value;
      }
    }
    return values;
  }

  function writeForm(form, values) {
    for (const el of form.elements) {
      if (!(el.name in values) || el.name === "csrfmiddlewaretoken" || el.type === "file") continue;
      const value = values[el.name];
      if (el.type === "checkbox" || el.type === "radio") {
        el.checked = Array.isArray(value) && value.includes(el.value);
      } else {
        el.value = value;
      }
    }
  }

  // --- Quick session log -----------------------------------------------------------------------------
  // A form emptied for the next session (queue.js does so after keeping a save on the tablet, with no
  // connection): once the browser has put its first values back, `work` makes the buttons and words match them.
  function afterReset(form, work) {
    form.addEventListener("reset", function () { window.setTimeout(work, 0); });
  }

  function setUpQuickLog(form) {
    const key = draftKey(form);
    forgetDrafts(DRAFT_PREFIX + form.dataset.user + ":");  // another user's drafts never reach this user
    const banner = document.getElementById("draft-banner");
    const status = document.getElementById("draft-status");
    const rows = document.getElementById("behaviour-rows");
    const template = document.getElementById("behaviour-template");
    const serverHasErrors = !!document.getElementById("error-summary");

    function addBehaviourRow() {
      const index = Number(rows.dataset.nextIndex);
      rows.dataset.nextIndex = String(index + 1);
      const html = template.innerHTML.replaceAll("__i__", String(index));
      rows.insertAdjacentHTML("beforeend", html);
      return rows.lastElementChild;
    }

    function saveDraft() {
      const values = readForm(form);
      values.__behaviour_rows = rows.children.length;
      try {
        localStorage.setItem(key, JSON.stringify({ savedAt: Date.now(), values: values }));
        status.textContent = "Kept on this device until you save.";
      } catch (e) {
        status.textContent = "";
      }
    }

    // Bring back a draft that was never saved, unless the server is already showing the posted form.
    const stored = localStorage.getItem(key);
    let restored = false;
    if (stored && !serverHasErrors) {
      try {
        const draft = JSON.parse(stored);
        const wantedRows = draft.values.__behaviour_rows || 1;
        while (rows.children.length < wantedRows) addBehaviourRow();
        writeForm(form, draft.values);
        banner.hidden = false;
        restored = true;
      } catch (e) {
        localStorage.removeItem(key);
      }
    }
    document.getElementById("draft-discard").addEventListener("click", function () {
      localStorage.removeItem(key);
      window.location.reload();
    });

    document.getElementById("add-behaviour").addEventListener("click", function () {
      const row = addBehaviourRow();
      row.querySelector("input[type=text]").focus();
      saveDraft();
    });

    // Buttons that fill in a field (minutes, place) with one tap.
    for (const group of form.querySelectorAll("[data-fills]")) {
      const target = document.getElementById(group.dataset.fills);
      const sync = function () {
        for (const b of group.querySelectorAll("button")) b.setAttribute("aria-pressed", String(b.dataset.value === target.value));
      };
      group.addEventListener("click", function (event) {
        const button = event.target.closest("button[data-value]");
        if (!button) return;
        target.value = button.dataset.value;
        target.dispatchEvent(new Event("input", { bubbles: true }));
      });
      target.addEventListener("input", sync);
      afterReset(form, sync);
      sync();
    }

    // A clear warning for durations outside the usual range. The limits and the words are the server's,
    // on the box itself (min, max, data-usual-max, data-too-few, data-too-many, data-unusual).
    const minutes = document.getElementById("id_minutes");
    const warning = document.getElementById("minutes-warning");
    const confirmLong = document.getElementById("long-confirm");
    function checkMinutes() {
      const value = Number(minutes.value);
      const say = (message) => message.replaceAll("{minutes}", String(value));
      if (minutes.value === "") {
        warning.textContent = "";
        confirmLong.hidden = true;
      } else if (!Number.isInteger(value) || value < Number(minutes.min)) {
        warning.textContent = say(minutes.dataset.tooFew);
        confirmLong.hidden = true;
      } else if (value > Number(minutes.max)) {
        warning.textContent = say(minutes.dataset.tooMany);
        confirmLong.hidden = true;
      } else if (value > Number(minutes.dataset.usualMax)) {
        warning.textContent = say(minutes.dataset.unusual);
        confirmLong.hidden = false;
      } else {
        warning.textContent = "";
        confirmLong.hidden = true;
      }
    }
    minutes.addEventListener("input", checkMinutes);
    if (!serverHasErrors) checkMinutes();

    // The reason box only matters when the partner ended the session.
    const reasonField = document.getElementById("ending-reason-field");
    function showReason() {
      const chosen = form.querySelector("input[name=ending]:checked");
      reasonField.hidden = !(chosen && chosen.value === "partner_ended") && !reasonField.querySelector(".field-error");
    }
    form.addEventListener("change", showReason);
    afterReset(form, showReason);
    showReason();

    setUpWhen(form, restored || serverHasErrors);
    setUpSameAsLastTime(form);

    form.addEventListener("input", saveDraft);
    form.addEventListener("change", saveDraft);

  }

  // When the session started. "It has just finished" (the usual case: the log is filled in just after the session)
  // starts it the minutes before the moment Save is tapped; "It is happening now" at the moment that is tapped;
  // "Another time" shows the box. For the first two the start is sent as an exact moment (UTC), worked out on
  // this device when Save is tapped, so a form sent later, or from a tablet set to another time zone, keeps the
  // right time. The box is kept in step, on the organisation's clock, so a kept draft brings back the same time.
  // A draft brought back, or a form the server sent back, shows the box with the time it had.
  function setUpWhen(form, keepTheBox) {
    const choices = document.getElementById("when-choices");
    if (!choices) return;  // correcting a saved session: the box only
    const group = document.getElementById("when");
    const box = document.getElementById("id_started_at");
    const moment = document.getElementById("started-at-moment");
    const field = document.getElementById("started-at-field");
    const summary = document.getElementById("when-summary");
    const minutes = document.getElementById("id_minutes");
    let mode = keepTheBox ? "other" : "finished";
    let happeningSince = Date.now();
    let clock;
    try {
      clock = new Intl.DateTimeFormat("en-GB", {
        timeZone: group.dataset.timeZone, year: "numeric", month: "2-digit", day: "2-digit",
        hour: "2-digit", minute: "2-digit", hourCycle: "h23",
      });
    } catch (e) {
      clock = new Intl.DateTimeFormat("en-GB", {
        year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23",
      });
    }
    function onTheClock(time) {
      const part = {};
      for (const p of clock.formatToParts(new Date(time))) part[p.type] = p.value;
      return { box: part.year + "-" + part.month + "-" + part.day + "T" + part.hour + ":" + part.minute,
               time: part.hour + ":" + part.minute };
    }
    function toTheMinute(time) { return Math.floor(time / 60000) * 60000; }
    function lasted() {
      const value = Number(minutes.value);
      return Number.isInteger(value) && value > 0 ? Math.min(value, Number(minutes.max) || value) : 0;
    }
    function start() {
      return mode === "now" ? toTheMinute(happeningSince) : toTheMinute(Date.now() - lasted() * 60000);
    }
    function show() {
      for (const b of choices.querySelectorAll("button")) b.setAttribute("aria-pressed", String(b.dataset.when === mode));
      const other = mode === "other";
      field.hidden = other ? false : true;
      box.disabled = !other;
      moment.disabled = other;
      summary.hidden = other;
      if (other) return;
      const at = start();
      const shown = onTheClock(at);
      moment.value = new Date(at).toISOString();
      box.value = shown.box;
      const ago = Math.round((toTheMinute(Date.now()) - at) / 60000);
      summary.textContent = "Started at " + shown.time + (mode === "now" ? " (now)." :
        ago > 0 ? ", " + ago + (ago === 1 ? " minute" : " minutes") + " ago: it has just finished." : " (now).");
    }
    choices.hidden = false;
    const hint = document.getElementById("started-at-hint");
    if (hint) hint.hidden = true;
    choices.addEventListener("click", function (event) {
      const button = event.target.closest("button[data-when]");
      if (!button) return;
      if (button.dataset.when === "other" && mode !== "other") show();  // the box starts from the time shown
      if (button.dataset.when === "now") happeningSince = Date.now();
      mode = button.dataset.when;
      show();
      if (mode === "other") box.focus();
      form.dispatchEvent(new Event("change"));  // keep the draft
    });
    minutes.addEventListener("input", show);
    afterReset(form, function () {  // the next session starts as the first did: it has just finished
      mode = "finished";
      show();
    });
    window.setInterval(function () { if (mode === "finished") show(); }, 20000);
    // First of the form's own listeners for sending it: whatever reads the form then reads this moment.
    form.addEventListener("submit", show, { capture: true });
    show();
  }

  // "Same as last time" ticks the Fundamentals seen in the person's previous session; tapped again, unticks them.
  function setUpSameAsLastTime(form) {
    const button = document.getElementById("same-as-last-time");
    if (!button) return;
    const wanted = button.dataset.fundamentals.split(" ");
    const boxes = wanted
      .map((id) => form.querySelector("input[name=fundamentals][value='" + id + "']"))
      .filter((box) => box !== null);
    function sync() {
      button.setAttribute("aria-pressed", String(boxes.length > 0 && boxes.every((box) => box.checked)));
    }
    button.addEventListener("click", function () {
      const tick = !boxes.every((box) => box.checked);
      for (const box of boxes) box.checked = tick;
      sync();
      form.dispatchEvent(new Event("change"));
    });
    form.addEventListener("change", sync);
    afterReset(form, sync);
    button.hidden = false;
    document.getElementById("same-as-last-when").hidden = false;
    sync();
  }

  // A page that confirms a save tells us which draft is now safe to forget.
  function clearSavedDraft() {
    const marker = document.querySelector("[data-clear-draft]");
    if (!marker || !marker.dataset.clearDraft) return;
    const suffix = ":" + marker.dataset.clearDraft;
    for (let i = localStorage.length - 1; i >= 0; i--) {
      const k = localStorage.key(i);
      if (k && k.startsWith(DRAFT_PREFIX) && k.endsWith(suffix)) localStorage.removeItem(k);
    }
  }

  // On a shared tablet, nothing typed should stay behind after logging out: offer to keep it, or forget it.
  function forgetDraftsOnLogout() {
    const logout = document.getElementById("logout-form");
    if (!logout) return;
    logout.addEventListener("submit", function (event) {
      const keys = draftKeys();
      if (keys.length && !window.confirm("You have a session that is not saved yet. Log out and forget it?")) {
        event.preventDefault();
        return;
      }
      for (const k of keys) localStorage.removeItem(k);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    // The sign-in page is shown only to nobody signed in: after the logout button, the idle timeout or the
    // end of the session's lifetime. Whatever was typed on this device before then is forgotten.
    if (document.querySelector("[data-forget-drafts]")) forgetDrafts("");
    clearSavedDraft();
    forgetDraftsOnLogout();
    const form = document.getElementById("quick-log");
    if (form) setUpQuickLog(form);
    // A page sent back with problems starts at its one list of them (each links to its field).
    const summary = document.getElementById("error-summary");
    if (summary) summary.focus();
  });
})();

// A button with data-confirm asks before its form is sent.
document.addEventListener("submit", (event) => {
  const button = event.submitter;
  if (button && button.dataset.confirm && !window.confirm(button.dataset.confirm)) event.preventDefault();
});

// A file over the server's limit (data-max-bytes on its input) is refused as soon as it is chosen, in the
// server's words (data-too-big), before anything is sent. The server checks again.
document.addEventListener("change", (event) => {
  const input = event.target;
  if (!(input instanceof HTMLInputElement) || input.type !== "file" || !input.dataset.maxBytes) return;
  const tooBig = [...input.files].some((file) => file.size > Number(input.dataset.maxBytes));
  let note = document.getElementById(input.id + "-too-big");
  if (!tooBig) {
    if (note) note.remove();
    return;
  }
  input.value = "";
  if (!note) {
    note = Object.assign(document.createElement("p"), { id: input.id + "-too-big", className: "field-error" });
    note.setAttribute("role", "alert");
    input.insertAdjacentElement("afterend", note);
  }
  note.textContent = input.dataset.tooBig;
});

// A link in the error summary puts the cursor in the field it names, not only the page at it (a field folded
// away in a closed section is shown first).
document.addEventListener("click", (event) => {
  const link = event.target.closest("#error-summary a[href^='#']");
  const target = link && document.getElementById(decodeURIComponent(link.hash.slice(1)));
  if (!target) return;
  event.preventDefault();
  const folded = target.closest("details");
  if (folded) folded.open = true;
  target.focus();
  target.scrollIntoView({ block: "center" });
});

// The save bar stays at the bottom of the screen. Its height is kept in --save-bar-height, so the page scrolls
// the control in focus clear of it rather than behind it (site.css: scroll-padding-bottom). A text box whose
// first line was already in sight is not scrolled by the browser, so any control still reaching under the bar is
// scrolled up above it.
document.addEventListener("DOMContentLoaded", () => {
  const bar = document.querySelector(".save-bar");
  if (!bar) return;
  if ("ResizeObserver" in window) {
    new ResizeObserver(() => {
      const height = Math.ceil(bar.getBoundingClientRect().height);
      document.documentElement.style.setProperty("--save-bar-height", `${height}px`);
    }).observe(bar);
  }
  document.addEventListener("focusin", (event) => {
    const control = event.target;
    if (!(control instanceof Element) || bar.contains(control)) return;
    if (control.getBoundingClientRect().bottom > bar.getBoundingClientRect().top) {
      control.scrollIntoView({ block: "nearest" });
    }
  });
});
