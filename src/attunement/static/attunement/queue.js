// Saves made with no connection are kept on this tablet and sent when it comes back.
//
// A form marked data-offline-queue is sent by this page. With a connection it goes at once; with none (or
// when the connection drops on the way) it is kept in IndexedDB (database "attunement-queue", store "saves",
// one record per form, keyed by its submission_key) and sent later, oldest first, each once: the server saves a
// submission key only once, so a save sent twice is recorded once. A save belongs to the user who made it and
// is only shown or sent while that user is signed in. See practice/offline_queue.py for the server's answers.
// A photo, voice note or clip waits with its save only where the form says its organisation allows it
// (data-offline-files="keep"); elsewhere the save waits without it, and the page says so.
(function () {
  "use strict";

  const DB_NAME = "attunement-queue";
  const STORE = "saves";
  const HEADER = "X-Attunement-Queue";
  const RETRY_MS = 30000;
  const DRAFT_PREFIX = "attunement:draft:";
  const PAGE_CACHE_PREFIX = "attunement-pages-";
  const OPEN_PREFIX = "#queued-";

  // --- The tablet's store ----------------------------------------------------------------------------
  let dbPromise = null;

  function openDb() {
    if (!dbPromise) {
      dbPromise = new Promise(function (resolve, reject) {
        const request = indexedDB.open(DB_NAME, 1);
        request.onupgradeneeded = function () {
          const store = request.result.createObjectStore(STORE, { keyPath: "key" });
          store.createIndex("user", "user");
        };
        request.onsuccess = function () { resolve(request.result); };
        request.onerror = function () { reject(request.error); };
      });
    }
    return dbPromise;
  }

  function inStore(mode, work) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        const transaction = db.transaction(STORE, mode);
        const result = work(transaction.objectStore(STORE));
        transaction.oncomplete = function () { resolve(result && "result" in result ? result.result : undefined); };
        transaction.onerror = function () { reject(transaction.error); };
        transaction.onabort = function () { reject(transaction.error); };
      });
    });
  }

  function savesOf(user) {
    return inStore("readonly", function (store) { return store.index("user").getAll(String(user)); }).then(
      function (saves) { return (saves || []).sort(function (a, b) { return a.created - b.created; }); }
    );
  }

  const getSave = (key) => inStore("readonly", (store) => store.get(key));
  const putSave = (save) => inStore("readwrite", (store) => store.put(save)).then(changed);
  const removeSave = (key) => inStore("readwrite", (store) => store.delete(key)).then(changed);

  function removeSavesOf(user) {
    return savesOf(user).then(function (saves) {
      return inStore("readwrite", function (store) { for (const save of saves) store.delete(save.key); });
    }).then(changed);
  }

  // Other tabs of this browser hear of every change, so each page's status stays true.
  const channel = "BroadcastChannel" in window ? new BroadcastChannel(DB_NAME) : null;
  function changed() {
    if (channel) channel.postMessage("changed");
    return refresh();
  }

  // --- What a save holds -----------------------------------------------------------------------------
  function newKey() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
    return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join("-");
  }

  function localNow() {
    const now = new Date();
    const two = (n) => String(n).padStart(2, "0");
    return now.getFullYear() + "-" + two(now.getMonth() + 1) + "-" + two(now.getDate()) + "T" + two(now.getHours()) + ":" + two(now.getMinutes());
  }

  function fieldsOf(form) {
    const fields = [];
    for (const [name, value] of new FormData(form)) {
      if (name !== "csrfmiddlewaretoken" && typeof value === "string") fields.push([name, value]);
    }
    return fields;
  }

  // The files chosen in the form: each with its name and type beside it, so that it can be sent (or put back in
  // its box) as the same file even where the browser gives it back from the store as a plain Blob.
  function filesOf(form) {
    const files = [];
    for (const [name, value] of new FormData(form)) {
      if (typeof value !== "string" && value.size) files.push({ field: name, file: value, name: value.name || name, type: value.type });
    }
    return files;
  }

  function asFile(item) {
    return item.file instanceof File ? item.file : new File([item.file], item.name, { type: item.type });
  }

  // What the server is sent: the fields, and the files when there are any (then as multipart/form-data).
  function bodyOf(fields, files, csrf) {
    const body = files.length ? new FormData() : new URLSearchParams();
    for (const [name, value] of fields) body.append(name, value);
    for (const item of files) body.append(item.field, asFile(item), item.name);
    if (csrf) body.append("csrfmiddlewaretoken", csrf);
    return body;
  }

  const FILE_WORDS = { photo: "a photo", voice_note: "a voice note", clip: "a clip" };

  function filesInWords(files) {
    const words = files.map((item) => FILE_WORDS[item.field] || "a file");
    return words.length > 1 ? words.slice(0, -1).join(", ") + " and " + words[words.length - 1] : words[0] || "";
  }

  function saveFrom(form) {
    const keyField = form.elements.namedItem("submission_key");
    if (keyField && !keyField.value) keyField.value = newKey();
    return {
      key: keyField ? keyField.value : newKey(),
      user: String(form.dataset.user),
      url: form.getAttribute("action") || window.location.pathname,
      kind: form.dataset.offlineQueue || "save",
      label: form.dataset.offlineLabel || "A save",
      fields: fieldsOf(form),
      files: [],
      created: Date.now(),
      state: "waiting",
      reasons: [],
    };
  }

  // "2 sessions", "1 saved note", "3 saves" (when they are of different kinds).
  function countWords(saves, adjective) {
    const n = saves.length;
    const kinds = new Set(saves.map((s) => s.kind));
    const noun = kinds.size === 1 && (kinds.has("session") || kinds.has("note")) ? [...kinds][0] : "save";
    return n + " " + (adjective ? adjective + " " : "") + noun + (n === 1 ? "" : "s");
  }

  // --- The status every page shows while anything waits ----------------------------------------------
  const page = { user: "", tokenUrl: "", listUrl: "", loginUrl: "", signedOut: false, sent: 0, saves: null };

  function link(text, href) {
    return Object.assign(document.createElement("a"), { textContent: text, href: href });
  }

  function refresh() {
    if (!page.user) return Promise.resolve();
    return savesOf(page.user).then(function (saves) {
      page.saves = saves;
      showStatus(saves);
      document.dispatchEvent(new CustomEvent("attunement:queue", { detail: saves }));
      if (saves.some((s) => s.state === "waiting")) keepTrying();
    });
  }

  function showStatus(saves) {
    const status = document.getElementById("queue-status");
    if (!status) return;
    const waiting = saves.filter((s) => s.state === "waiting");
    const refused = saves.filter((s) => s.state === "refused");
    const onList = window.location.pathname === page.listUrl;
    const parts = [];
    status.className = "queue-status";
    if (saves.length && page.signedOut) {
      const next = page.loginUrl + "?next=" + encodeURIComponent(window.location.pathname);
      parts.push(link("Sign in to send " + countWords(saves, "saved"), next));
      status.classList.add("attention");
    } else {
      if (waiting.length) {
        parts.push(document.createTextNode("Saved on this tablet — will send when online (" + waiting.length + " waiting)"));
      }
      if (refused.length) {
        parts.push(document.createTextNode(countWords(refused) + " could not be sent. "));
        status.classList.add("attention");
      }
      if ((waiting.length || refused.length) && !onList) {
        parts.push(link(refused.length ? "See why" : "See them", page.listUrl));
      }
      if (!waiting.length && !refused.length && page.sent) {
        parts.push(document.createTextNode("Sent: " + page.sent + (page.sent === 1 ? " save has" : " saves have") + " reached the team."));
        status.classList.add("done");
      }
    }
    status.replaceChildren();
    parts.forEach(function (part, i) {
      if (i && part.nodeType === 1) status.append(" ");
      status.append(part);
    });
    status.hidden = parts.length === 0;
  }

  // --- Sending ---------------------------------------------------------------------------------------
  let sending = false;
  let timer = null;

  function keepTrying() {
    if (timer) return;
    timer = window.setInterval(function () {
      if (page.saves && page.saves.some((s) => s.state === "waiting")) sendWaiting();
      else { window.clearInterval(timer); timer = null; }
    }, RETRY_MS);
  }

  function withLock(work) {
    // One tab sends at a time; the others find the saves already gone.
    if (navigator.locks && navigator.locks.request) return navigator.locks.request(DB_NAME + "-sending", work);
    return work();
  }

  // Sends what waits; resolves with how it went: "done", "nothing", "offline", "signed_out", "other_user",
  // "later" (the server could not take it just now) or "busy" (already sending).
  function sendWaiting() {
    if (sending || !page.user) return Promise.resolve("busy");
    sending = true;
    let result = "offline";
    return withLock(sendRound).then(function (outcome) { result = outcome; }).catch(function () {}).then(function () {
      sending = false;
      return refresh().then(() => result);
    });
  }

  async function freshToken() {
    // The token changes at sign-in, and a save goes only in its own user's login: ask each time.
    let response;
    try {
      response = await fetch(page.tokenUrl, { credentials: "same-origin", redirect: "manual", cache: "no-store", headers: { Accept: "application/json" } });
    } catch (e) {
      return { offline: true };
    }
    if (response.type === "opaqueredirect" || response.status === 401) return { signedOut: true };
    if (!response.ok) return { offline: true };
    const answer = await response.json();
    if (String(answer.user) !== page.user) return { otherUser: true };
    return { csrf: answer.csrf };
  }

  async function sendRound() {
    const waiting = (await savesOf(page.user)).filter((s) => s.state === "waiting");
    if (!waiting.length) return "nothing";
    const token = await freshToken();
    if (token.signedOut) page.signedOut = true;
    if (!token.csrf) return token.signedOut ? "signed_out" : token.otherUser ? "other_user" : "offline";
    page.signedOut = false;
    for (const listed of waiting) {
      const save = await getSave(listed.key);
      if (!save || save.state !== "waiting" || save.user !== page.user) continue;  // sent or discarded meanwhile
      const outcome = await sendOne(save, token.csrf);
      if (outcome === "signed_out") page.signedOut = true;
      if (outcome !== "sent" && outcome !== "refused") return outcome;  // keep the order: the rest wait their turn
    }
    return "done";
  }

  async function sendOne(save, csrf) {
    const body = bodyOf(save.fields, save.files || [], csrf);
    let response;
    try {
      response = await fetch(save.url, {
        method: "POST",
        body: body,
        credentials: "same-origin",
        redirect: "manual",
        headers: { [HEADER]: "1", "X-CSRFToken": csrf, Accept: "application/json" },
      });
    } catch (e) {
      return "offline";
    }
    if (response.type === "opaqueredirect") return "signed_out";
    let answer = null;
    if ((response.headers.get("Content-Type") || "").includes("application/json")) {
      try { answer = await response.json(); } catch (e) { answer = null; }
    }
    if (!answer) return "later";
    if (answer.state === "saved" || answer.state === "already_saved") {
      await removeSave(save.key);
      page.sent += 1;
      return "sent";
    }
    if (answer.state === "refused") {
      await putSave(Object.assign({}, save, { state: "refused", reasons: answer.reasons || [] }));
      return "refused";
    }
    if (answer.state === "signed_out") return "signed_out";
    return "later";
  }

  // --- A form sent by the page -----------------------------------------------------------------------
  function clearDraftOf(form) {
    if (!form.dataset.draftKey) return;
    try { localStorage.removeItem(DRAFT_PREFIX + form.dataset.user + ":" + form.dataset.draftKey); } catch (e) { /* none kept */ }
  }

  function sayOnForm(form, text) {
    let note = document.getElementById("queue-kept");
    if (!note) {
      note = Object.assign(document.createElement("p"), { id: "queue-kept", className: "message queue-kept" });
      note.setAttribute("role", "status");
      note.tabIndex = -1;
      form.insertAdjacentElement("beforebegin", note);
    }
    note.textContent = text;
    note.focus();
  }

  // Why the files were left behind, if they were.
  const LEFT_OUT = {
    policy: "your organisation does not let them wait on a tablet",
    room: "there was no room for them on this tablet",
  };

  async function keepOnTablet(form, save, chosen, leftOut) {
    try {
      await putSave(save);
    } catch (error) {
      if (!save.files.length) throw error;
      save = Object.assign({}, save, { files: [] });  // the tablet is full: the session waits without its files
      leftOut = "room";
      await putSave(save);
    }
    if (navigator.storage && navigator.storage.persist) navigator.storage.persist().catch(function () {});
    clearDraftOf(form);
    // The form is ready for the next one, with a key of its own.
    form.reset();
    const keyField = form.elements.namedItem("submission_key");
    if (keyField) keyField.value = newKey();
    const started = form.elements.namedItem("started_at");
    if (started && started.type === "datetime-local") started.value = localNow();
    const banner = document.getElementById("draft-banner");
    if (banner) banner.hidden = true;
    const draftStatus = document.getElementById("draft-status");
    if (draftStatus) draftStatus.textContent = "";
    for (const group of form.querySelectorAll("[data-fills] button")) group.setAttribute("aria-pressed", "false");
    const longConfirm = document.getElementById("long-confirm");
    if (longConfirm) longConfirm.hidden = true;
    const minutesWarning = document.getElementById("minutes-warning");
    if (minutesWarning) minutesWarning.textContent = "";
    const reopened = document.querySelector(".queue-reopened");
    if (reopened) reopened.remove();
    if (leftOut && chosen.length) {
      sayOnForm(form, save.label + ": saved on this tablet, but without " + filesInWords(chosen) + ": " + LEFT_OUT[leftOut] + ". When you are online, open the session and add " + (chosen.length === 1 ? "it" : "them") + " there. You can log the next one now.");
    } else if (save.files.length) {
      sayOnForm(form, save.label + ": saved on this tablet, with " + filesInWords(save.files) + ". It will be sent when you are online. You can log the next one now.");
    } else {
      sayOnForm(form, save.label + ": saved on this tablet. It will be sent when you are online. You can log the next one now.");
    }
  }

  async function submitQueued(form) {
    const save = saveFrom(form);
    const chosen = filesOf(form);
    const mayKeepFiles = form.dataset.offlineFiles === "keep";
    if (mayKeepFiles) save.files = chosen;
    const keep = () => keepOnTablet(form, save, chosen, mayKeepFiles ? "" : "policy");
    const button = form.querySelector("button[type=submit]");
    if (button) button.disabled = true;
    try {
      if (navigator.onLine === false) return await keep();
      const csrf = form.elements.namedItem("csrfmiddlewaretoken");
      let response;
      try {
        response = await fetch(save.url, {
          method: "POST",
          body: bodyOf(save.fields, chosen, csrf ? csrf.value : ""),
          credentials: "same-origin",
          redirect: "manual",
          headers: { [HEADER]: "live", Accept: "application/json" },
        });
      } catch (e) {
        return await keep();  // the connection dropped on the way
      }
      if (response.type === "opaqueredirect" || response.status === 401) {
        page.signedOut = true;
        return await keep();
      }
      const answer = (response.headers.get("Content-Type") || "").includes("application/json") ? await response.json() : null;
      if (answer && answer.state === "saved") {
        await removeSave(save.key);  // it may have come back from the list to be fixed
        window.location.assign(answer.url);
        return;
      }
      HTMLFormElement.prototype.submit.call(form);  // the server shows the form's problems the usual way
    } finally {
      if (button) button.disabled = false;
    }
  }

  document.addEventListener("submit", function (event) {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-offline-queue")) return;
    if (event.defaultPrevented || !window.indexedDB || !window.fetch) return;
    event.preventDefault();
    submitQueued(form).catch(function () { HTMLFormElement.prototype.submit.call(form); });
  });

  // --- A refused save opened again in its form --------------------------------------------------------
  function fillForm(form, fields) {
    const values = new Map();
    for (const [name, value] of fields) values.set(name, (values.get(name) || []).concat([value]));
    const addRow = document.getElementById("add-behaviour");
    for (let tries = 0; addRow && tries < 50; tries++) {
      const missing = [...values.keys()].some((name) => !form.elements.namedItem(name));
      if (!missing) break;
      addRow.click();
    }
    for (const el of form.elements) {
      if (!el.name || el.name === "csrfmiddlewaretoken" || !values.has(el.name)) continue;
      const wanted = values.get(el.name);
      if (el.type === "checkbox" || el.type === "radio") el.checked = wanted.includes(el.value);
      else if (el.multiple) for (const option of el.options) option.selected = wanted.includes(option.value);
      else el.value = wanted[0];
      el.dispatchEvent(new Event("input", { bubbles: true }));
      el.dispatchEvent(new Event("change", { bubbles: true }));
    }
  }

  // Put the save's files back in their boxes; returns those the form has no box for now.
  function fillFiles(form, files) {
    const homeless = [];
    for (const item of files) {
      const input = form.elements.namedItem(item.field);
      if (!input || input.type !== "file" || !window.DataTransfer) {
        homeless.push(item);
        continue;
      }
      const transfer = new DataTransfer();
      transfer.items.add(asFile(item));
      input.files = transfer.files;
      input.dispatchEvent(new Event("change", { bubbles: true }));
    }
    return homeless;
  }

  async function openKeptSave(form) {
    if (!window.location.hash.startsWith(OPEN_PREFIX)) return;
    const save = await getSave(decodeURIComponent(window.location.hash.slice(OPEN_PREFIX.length)));
    if (!save || save.user !== String(form.dataset.user)) return;
    fillForm(form, save.fields);
    const homeless = fillFiles(form, save.files || []);
    const banner = document.getElementById("draft-banner");
    if (banner) banner.hidden = true;
    const box = Object.assign(document.createElement("div"), { className: "error-summary queue-reopened" });
    box.append(Object.assign(document.createElement("h2"), { textContent: "This was not sent. Please check it, then save it again." }));
    const list = document.createElement("ul");
    for (const reason of save.reasons || []) list.append(Object.assign(document.createElement("li"), { textContent: reason }));
    if (homeless.length) {
      const lost = filesInWords(homeless);
      list.append(Object.assign(document.createElement("li"), { textContent: lost.charAt(0).toUpperCase() + lost.slice(1) + " cannot be added for this person now (see above), so it is not in the form: saving sends the rest without it." }));
    }
    if (list.children.length) box.append(list);
    form.insertAdjacentElement("beforebegin", box);
  }

  // --- The list of saves kept on this tablet ----------------------------------------------------------
  function summary(save) {
    const field = (name) => (save.fields.find((f) => f[0] === name) || [])[1] || "";
    const bits = [];
    if (field("minutes")) bits.push(field("minutes") + " min");
    if (field("observed_on")) bits.push(field("observed_on"));
    const words = field("what_happened") || field("text");
    if (words) bits.push("“" + (words.length > 80 ? words.slice(0, 79) + "…" : words) + "”");
    if (save.files && save.files.length) bits.push("with " + filesInWords(save.files));
    return bits.join(" · ");
  }

  function drawList(saves) {
    const list = document.getElementById("queue-list");
    if (!list) return;
    const parts = { waiting: document.getElementById("queue-waiting"), refused: document.getElementById("queue-refused") };
    parts.waiting.replaceChildren();
    parts.refused.replaceChildren();
    for (const save of saves) {
      const item = document.createElement("li");
      item.className = "card queue-item";
      item.dataset.key = save.key;
      item.append(Object.assign(document.createElement("h3"), { textContent: save.label }));
      const when = new Date(save.created).toLocaleString("en-GB", { dateStyle: "medium", timeStyle: "short" });
      item.append(Object.assign(document.createElement("p"), { className: "muted", textContent: "Kept on " + when + (summary(save) ? " · " + summary(save) : "") }));
      if (save.state === "refused") {
        const reasons = document.createElement("ul");
        reasons.className = "field-error queue-reasons";
        for (const reason of save.reasons || []) reasons.append(Object.assign(document.createElement("li"), { textContent: reason }));
        item.append(reasons);
      }
      const buttons = document.createElement("div");
      buttons.className = "button-row";
      if (save.state === "refused") {
        const open = link("Open it in the form", save.url + OPEN_PREFIX + encodeURIComponent(save.key));
        open.className = "button primary";
        buttons.append(open);
      }
      const discard = Object.assign(document.createElement("button"), { type: "button", className: "button danger", textContent: "Discard" });
      discard.addEventListener("click", function () {
        if (window.confirm("Discard this? It has not reached the team and will be lost.")) removeSave(save.key);
      });
      buttons.append(discard);
      item.append(buttons);
      parts[save.state === "refused" ? "refused" : "waiting"].append(item);
    }
    document.getElementById("queue-waiting-part").hidden = !parts.waiting.children.length;
    document.getElementById("queue-refused-part").hidden = !parts.refused.children.length;
    document.getElementById("queue-empty").hidden = saves.length > 0;
  }

  // What "Try to send now" says once it has tried, of one save waiting or of several.
  function tried(result, waiting) {
    const one = waiting === 1;
    const they = one ? "It stays" : "They stay";
    const go = one ? "goes" : "go";
    return {
      done: "Sent.",
      nothing: "Nothing is waiting.",
      offline: "There is no connection yet. " + they + " on this tablet and " + go + " by " + (one ? "itself" : "themselves") + " when there is one.",
      signed_out: "You are signed out. Sign in again, and " + (one ? "it is" : "they are") + " sent.",
      other_user: "Someone else is signed in on this tablet. " + (one ? "It is" : "These are") + " sent when you sign in again.",
      later: "The team's system could not take " + (one ? "it" : "them") + " just now. " + they + " on this tablet and " + (one ? "is" : "are") + " tried again shortly.",
      busy: "Already sending. Wait a moment.",
    }[result] || "";
  }

  function tryNow() {
    const said = document.getElementById("queue-send-result");
    if (said) said.textContent = "Trying to send…";
    return sendWaiting().then(function (result) {
      if (!said) return;
      const saves = page.saves || [];
      const waiting = saves.filter((s) => s.state === "waiting").length;
      const refused = saves.filter((s) => s.state === "refused").length;
      said.textContent = result === "done" && refused ? "Sent what could be sent. Please check the ones under “Not sent”." : tried(result, waiting);
    });
  }

  // --- Signing out on a shared tablet ------------------------------------------------------------------
  async function forgetUser(user) {
    await removeSavesOf(user).catch(function () {});
    try {
      for (let i = localStorage.length - 1; i >= 0; i--) {
        const k = localStorage.key(i);
        if (k && k.startsWith(DRAFT_PREFIX + user + ":")) localStorage.removeItem(k);
      }
    } catch (e) { /* nothing kept */ }
    if (window.caches) await caches.delete(PAGE_CACHE_PREFIX + user).catch(function () {});
  }

  function askBeforeSigningOut(saves) {
    return new Promise(function (resolve) {
      const dialog = Object.assign(document.createElement("dialog"), { className: "queue-dialog" });
      dialog.setAttribute("aria-labelledby", "queue-dialog-title");
      const one = saves.length === 1;
      const only = one ? " is only on this tablet." : " are only on this tablet.";
      dialog.append(Object.assign(document.createElement("h2"), { id: "queue-dialog-title", textContent: countWords(saves) + only }));
      const why = one ? "It has not reached the team yet. If you sign out now, it is lost." : "They have not reached the team yet. If you sign out now, they are lost.";
      dialog.append(Object.assign(document.createElement("p"), { textContent: why }));
      const row = Object.assign(document.createElement("div"), { className: "button-row" });
      const stay = Object.assign(document.createElement("button"), { type: "button", className: "button primary", textContent: "Stay signed in" });
      const leave = Object.assign(document.createElement("button"), { type: "button", className: "button danger", textContent: one ? "Sign out and lose it" : "Sign out and lose them" });
      row.append(stay, leave);
      dialog.append(row);
      document.body.append(dialog);
      const done = function (answer) { dialog.close(); dialog.remove(); resolve(answer); };
      stay.addEventListener("click", () => done(false));
      leave.addEventListener("click", () => done(true));
      dialog.addEventListener("cancel", (event) => { event.preventDefault(); done(false); });
      dialog.showModal();
      stay.focus();
    });
  }

  function guardSignOut() {
    const form = document.getElementById("logout-form");
    if (!form || !page.user) return;
    // First, before the page's other checks: anything still on this tablet?
    document.addEventListener("submit", function (event) {
      if (event.target !== form || form.dataset.queueChecked) return;
      event.preventDefault();
      event.stopPropagation();
      savesOf(page.user).catch(() => []).then(async function (saves) {
        if (!saves.length) {
          form.dataset.queueChecked = "1";
          form.requestSubmit();  // on to the check for a session not yet saved (site.js), then out
        } else if (await askBeforeSigningOut(saves)) {
          await forgetUser(page.user);
          HTMLFormElement.prototype.submit.call(form);
        }
      });
    }, true);
    // Last: nobody stopped it, so forget this user's drafts and cached pages, then sign out.
    document.addEventListener("submit", function (event) {
      if (event.target !== form) return;
      if (event.defaultPrevented) { delete form.dataset.queueChecked; return; }
      event.preventDefault();
      forgetUser(page.user).then(() => HTMLFormElement.prototype.submit.call(form));
    });
  }

  // --- Start -------------------------------------------------------------------------------------------
  document.addEventListener("DOMContentLoaded", function () {
    const status = document.getElementById("queue-status");
    if (!status || !window.indexedDB) return;
    Object.assign(page, {
      user: String(status.dataset.user),
      tokenUrl: status.dataset.tokenUrl,
      listUrl: status.dataset.listUrl,
      loginUrl: status.dataset.loginUrl,
    });
    guardSignOut();
    document.addEventListener("attunement:queue", (event) => drawList(event.detail));
    const sendNow = document.getElementById("queue-send-now");
    if (sendNow) sendNow.addEventListener("click", tryNow);
    if (channel) channel.addEventListener("message", refresh);
    window.addEventListener("online", sendWaiting);
    const form = document.querySelector("form[data-offline-queue]");
    if (form) openKeptSave(form).catch(function () {});
    refresh().then(sendWaiting).catch(function () {});
  });
})();
