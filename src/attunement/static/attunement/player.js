// The reflection player: start–stop review, coding by keyboard, notes at the frame on screen, interval ratings.
// Times come from the frame actually presented (requestVideoFrameCallback) where the browser offers it.
(function () {
  "use strict";

  const setupElement = document.getElementById("player-setup");
  if (!setupElement) return;
  const setup = JSON.parse(setupElement.textContent);
  const video = document.getElementById("player");
  const timeOutput = document.getElementById("player-time");
  const speed = document.getElementById("player-speed");
  const timeline = document.getElementById("timeline");
  const SPEEDS = ["0.25", "0.5", "1", "1.5"];
  const codes = setup.codes || [];
  const codeByKey = new Map(codes.map((code) => [code.key, code]));
  const codeByShortcut = new Map(codes.filter((c) => c.shortcut).map((c) => [c.shortcut.toLowerCase(), c]));
  let events = setup.events || [];
  const openStates = new Map(); // code key → start time, for states being coded now
  const stateModifiers = new Map(); // code key → the modifiers chosen (a promise) for a state being coded now
  let shownTime = 0; // media time of the frame on screen
  // The video's own frame rate, then what playing it shows.
  let frameDuration = setup.frameRate ? 1 / setup.frameRate : 1 / 25;

  function csrfToken() {
    const input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function clock(seconds, withHundredths) {
    const whole = Math.floor(seconds);
    const minutes = Math.floor(whole / 60);
    const secs = String(whole % 60).padStart(2, "0");
    if (!withHundredths) return `${minutes}:${secs}`;
    const hundredths = String(Math.floor((seconds - whole) * 100)).padStart(2, "0");
    return `${minutes}:${secs}.${hundredths}`;
  }

  function post(url, fields) {
    const body = new FormData();
    for (const [name, value] of Object.entries(fields)) {
      if (value !== null && value !== undefined) body.append(name, value);
    }
    return fetch(url, {
      method: "POST",
      body,
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), Accept: "application/json" },
    }).then((response) =>
      response.json().then(
        (data) => ({ ok: response.ok, data }),
        () => ({ ok: false, data: { errors: ["The server did not answer as expected. Please try again."] } }),
      ),
    );
  }

  // --- Waiting for the proxy -----------------------------------------------------------------------------

  function watchProcessing() {
    const progress = document.getElementById("processing-progress");
    const label = document.getElementById("processing-label");
    if (!progress) return;
    const poll = () =>
      fetch(setup.statusUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then((response) => response.json())
        .then((status) => {
          progress.value = status.progress;
          label.textContent = `${Math.round(status.progress * 100)}% done`;
          if (status.ready || status.status === "failed") {
            window.location.reload();
          } else {
            window.setTimeout(poll, 1500);
          }
        })
        .catch(() => window.setTimeout(poll, 5000));
    window.setTimeout(poll, 1000);
  }

  if (!setup.ready) {
    watchProcessing();
    return;
  }

  // --- Waiting for the measurements ----------------------------------------------------------------------

  function watchAnalysis() {
    const progress = document.getElementById("analysis-progress");
    const poll = () =>
      fetch(setup.statusUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then((response) => response.json())
        .then((status) => {
          const analysis = status.analysis || {};
          if (progress && analysis.progress !== undefined) progress.value = analysis.progress;
          if (analysis.status === "queued" || analysis.status === "running") window.setTimeout(poll, 2000);
          else if (!openStates.size && !asking) window.location.reload();
        })
        .catch(() => window.setTimeout(poll, 5000));
    window.setTimeout(poll, 2000);
  }

  if (setup.analysing) watchAnalysis();

  // --- The time of the frame on screen -------------------------------------------------------------------

  function showTime() {
    timeOutput.textContent = clock(shownTime, true);
    for (const input of document.querySelectorAll("[data-current-time]")) input.value = shownTime.toFixed(3);
    for (const span of document.querySelectorAll("[data-current-clock]")) span.textContent = clock(shownTime, true);
    drawPlayhead();
    markCurrentInterval();
  }

  // requestVideoFrameCallback gives the exact time of each frame presented while playing, but a browser need not
  // call it for a seek made with its own scrubber while paused (Chromium does not before the first play), so the
  // media element's own events are followed as well: when paused and no seek is under way, the frame on screen is
  // the one at currentTime.
  let lastFrameCall = -Infinity; // performance.now() of the last frame callback
  if ("requestVideoFrameCallback" in HTMLVideoElement.prototype) {
    let lastTime = null;
    let lastFrames = null;
    const onFrame = (now, frame) => {
      const playing = !video.paused && !video.seeking;
      if (playing && lastTime !== null && frame.presentedFrames > lastFrames && frame.mediaTime > lastTime) {
        const step = (frame.mediaTime - lastTime) / (frame.presentedFrames - lastFrames);
        if (step > 0.004 && step < 0.2) frameDuration = step;
      }
      lastTime = frame.mediaTime;
      lastFrames = frame.presentedFrames;
      lastFrameCall = now;
      // While a seek is still under way, a frame from an earlier seek must not move the time back.
      if (!video.seeking) {
        shownTime = frame.mediaTime;
        showTime();
      }
      video.requestVideoFrameCallback(onFrame);
    };
    video.requestVideoFrameCallback(onFrame);
  }

  // The time of the frame on screen, made right from the element itself where the frame callbacks have not
  // said (a seek with the browser's scrubber, a browser without them). A paused video shows the frame at
  // currentTime; the frame callback's time is kept when it is within a frame of it (it is that frame's own start).
  function settle() {
    if (video.seeking) return false;
    const current = video.currentTime;
    const playing = !video.paused && !video.ended;
    const stale = playing ? performance.now() - lastFrameCall > 500 : Math.abs(current - shownTime) >= frameDuration;
    if (stale) {
      shownTime = current;
      showTime();
    }
    return true;
  }

  for (const name of ["seeked", "timeupdate", "loadeddata", "pause"]) video.addEventListener(name, settle);
  // A note is saved at the frame on screen: if a seek is still under way, it is sent once it has ended.
  for (const form of document.querySelectorAll("form")) {
    if (!form.querySelector("[data-current-time]")) continue;
    form.addEventListener("submit", (event) => {
      if (settle()) return;
      event.preventDefault();
      atFrameOnScreen(() => form.requestSubmit());
    });
  }

  // Runs `then(time)` with the time of the frame on screen: at once, or when a seek under way has ended, so
  // nothing is ever saved at the time of a frame that has gone.
  function atFrameOnScreen(then) {
    if (settle()) return then(shownTime);
    video.addEventListener("seeked", () => atFrameOnScreen(then), { once: true });
    return null;
  }

  function seek(seconds) {
    const duration = Number.isFinite(video.duration) ? video.duration : setup.duration;
    video.currentTime = Math.min(Math.max(seconds, 0), duration);
    shownTime = video.currentTime;
    showTime();
  }

  // A frame is shown from its own time until the next one's: aim just past the frame wanted.
  function stepFrame(direction) {
    video.pause();
    seek(shownTime + direction * frameDuration + 0.001);
  }

  function togglePlay() {
    if (video.paused) {
      showWholePlayer();
      video.play();
    } else video.pause();
  }

  // Playing brings the video, its controls and the code buttons wholly into view, if they are not.
  function showWholePlayer() {
    const box = document.getElementById("player-area").getBoundingClientRect();
    if (box.top < 0 || box.bottom > window.innerHeight + 1) {
      document.getElementById("player-area").scrollIntoView({ block: "start", behavior: "smooth" });
    }
  }

  function changeSpeed(direction) {
    const index = SPEEDS.indexOf(speed.value) + direction;
    if (index >= 0 && index < SPEEDS.length) {
      speed.value = SPEEDS[index];
      video.playbackRate = Number(speed.value);
    }
  }

  speed.addEventListener("change", () => (video.playbackRate = Number(speed.value)));
  const buttonActions = {
    back5: () => seek(shownTime - 5),
    fwd5: () => seek(shownTime + 5),
    prev: () => stepFrame(-1),
    next: () => stepFrame(1),
    play: togglePlay,
  };
  for (const button of document.querySelectorAll("[data-player]")) {
    button.addEventListener("click", () => buttonActions[button.dataset.player]());
  }
  document.addEventListener("click", (event) => {
    const target = event.target.closest("[data-seek]");
    if (!target) return;
    video.pause();
    seek(Number(target.dataset.seek));
    video.scrollIntoView({ block: "nearest", behavior: "smooth" });
  });
  for (const button of document.querySelectorAll("[data-fill-time]")) {
    button.addEventListener("click", () =>
      atFrameOnScreen((time) => {
        document.getElementById(button.dataset.fillTime).value = time.toFixed(2);
      }),
    );
  }

  // --- Coding --------------------------------------------------------------------------------------------

  const message = document.getElementById("coding-message");
  const picker = document.getElementById("modifier-picker");
  const eventList = document.getElementById("my-events");
  const buttons = document.getElementById("code-buttons");

  function say(text, isError) {
    if (!message) return;
    message.textContent = text;
    message.classList.toggle("error", Boolean(isError));
  }

  function nameOf(key) {
    const code = codeByKey.get(key);
    return code ? code.name : key;
  }

  function saveEvent(code, start, end, modifiers = "") {
    const fields = { code: code.key, time: start.toFixed(3), end: end === null ? null : end.toFixed(3) };
    if (modifiers) fields.modifiers = modifiers;
    return post(setup.eventsUrl, fields).then(({ ok, data }) => {
      if (!ok) {
        say(`Not saved: ${(data.errors || []).join(" ")}`, true);
        return;
      }
      events.push(data.event);
      events.sort((a, b) => a.time - b.time);
      const chosen = modifierWords(modifiers);
      say(`${nameOf(code.key)}${chosen ? ` (${chosen})` : ""} at ${clock(start, true)}${end === null ? "" : `–${clock(end, true)}`}: saved.`);
      drawEvents();
    });
  }

  // --- Modifier pick-lists --------------------------------------------------------------------------------

  // A code with modifier sets in the ethogram asks for them as soon as it is pressed, one set after another,
  // with big buttons over the code buttons (a key per choice too). The event's time is taken at the press, so
  // the video goes on playing while the coder chooses: nothing is lost, and no second press is needed to go on.
  // The answer is written as BORIS writes it: one entry per set joined with "|", several values of one set
  // joined with ",", and "None" for a set left without a choice. Pressing another code with modifiers, or Esc,
  // answers "None" for what is left.
  const NONE = "None";
  let asking = null; // the question on screen: { code, sets, index, chosen, selected, at, resolve }

  function modifierWords(text) {
    if (!text) return "";
    return text
      .split("|")
      .filter((entry) => entry && entry !== NONE)
      .map((entry) => entry.split(",").join(", "))
      .join("; ");
  }

  // The key of each choice: its own (from the ethogram, "value (k)"), else the digits 1 to 9 in order.
  function choiceKeys(set) {
    const own = new Set(set.choices.filter((c) => c.key).map((c) => c.key.toLowerCase()));
    let digit = 1;
    return set.choices.map((choice) => {
      if (choice.key) return choice.key.toLowerCase();
      while (digit <= 9 && own.has(String(digit))) digit += 1;
      return digit <= 9 ? String(digit++) : "";
    });
  }

  function askModifiers(code, at) {
    const sets = code.modifierSets || [];
    if (!sets.length || !picker) return Promise.resolve("");
    if (asking) skipQuestion();
    return new Promise((resolve) => {
      asking = { code, sets, index: 0, chosen: [], selected: new Set(), at, resolve };
      showQuestion();
    });
  }

  function showQuestion() {
    const q = asking;
    while (q.index < q.sets.length && !q.sets[q.index].choices.length) {
      q.chosen.push(NONE); // a set without values (free text in BORIS) is not asked here
      q.index += 1;
    }
    if (q.index >= q.sets.length) {
      finishQuestion();
      return;
    }
    const set = q.sets[q.index];
    const keys = choiceKeys(set);
    const heading = document.createElement("p");
    heading.className = "modifier-question";
    heading.id = "modifier-question";
    const step = q.sets.length > 1 ? ` (${q.index + 1} of ${q.sets.length})` : "";
    const when = `${q.code.kind === "state" ? "started at" : "at"} ${clock(q.at, true)}`;
    heading.textContent = `${q.code.name} ${when}: ${set.name}${step}? ${set.multiple ? "Choose any, then Done." : "Choose one."}`;
    const row = document.createElement("div");
    row.className = "modifier-choices";
    set.choices.forEach((choice, i) => {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "button secondary modifier-choice";
      button.dataset.value = choice.value;
      button.textContent = choice.value.trim() || choice.value;
      if (set.multiple) button.setAttribute("aria-pressed", "false");
      if (keys[i]) {
        const kbd = document.createElement("kbd");
        kbd.textContent = keys[i].toUpperCase();
        button.append(" ", kbd);
        button.setAttribute("aria-keyshortcuts", keys[i]);
      }
      button.addEventListener("click", () => choose(choice.value));
      row.append(button);
    });
    const none = document.createElement("button");
    none.type = "button";
    none.className = "button secondary modifier-none";
    none.append(set.multiple ? "Done " : "None ");
    const noneKey = document.createElement("kbd");
    noneKey.textContent = set.multiple ? "Enter" : "0";
    none.append(noneKey);
    none.setAttribute("aria-keyshortcuts", set.multiple ? "Enter" : "0");
    none.addEventListener("click", () => (set.multiple ? answerSet() : answerSet(NONE)));
    const skip = document.createElement("button");
    skip.type = "button";
    skip.className = "button secondary modifier-skip";
    skip.append(q.index + 1 < q.sets.length ? "Skip the rest " : "Skip ");
    const skipKey = document.createElement("kbd");
    skipKey.textContent = "Esc";
    skip.append(skipKey);
    skip.setAttribute("aria-keyshortcuts", "Escape");
    skip.addEventListener("click", skipQuestion);
    row.append(none);
    if (set.multiple || q.index + 1 < q.sets.length) row.append(skip);
    picker.replaceChildren(heading, row);
    picker.hidden = false;
    if (buttons) buttons.inert = true;
    say(heading.textContent);
  }

  function choose(value) {
    const set = asking.sets[asking.index];
    if (!set.multiple) {
      answerSet(value);
      return;
    }
    if (asking.selected.has(value)) asking.selected.delete(value);
    else asking.selected.add(value);
    for (const button of picker.querySelectorAll(".modifier-choice")) {
      button.setAttribute("aria-pressed", String(asking.selected.has(button.dataset.value)));
    }
  }

  // `value` undefined: the values selected in a set that allows several (or "None" when there are none).
  function answerSet(value) {
    const set = asking.sets[asking.index];
    const picked = set.choices.map((c) => c.value).filter((v) => asking.selected.has(v));
    asking.chosen.push(value !== undefined ? value : picked.length ? picked.join(",") : NONE);
    asking.index += 1;
    asking.selected = new Set();
    showQuestion();
  }

  function skipQuestion() {
    while (asking && asking.index < asking.sets.length) answerSet(asking.sets[asking.index].multiple ? undefined : NONE);
  }

  function finishQuestion() {
    const { chosen, resolve } = asking;
    asking = null;
    picker.hidden = true;
    picker.replaceChildren();
    if (buttons) buttons.inert = false;
    resolve(chosen.join("|"));
  }

  // The keys of the question on screen: a choice's key, 0 for none, Enter when done, Esc to skip.
  function answerKey(event) {
    if (!asking) return false;
    const set = asking.sets[asking.index];
    const key = event.key;
    if (key === "Escape") skipQuestion();
    else if (key === "Enter" && set.multiple && !event.target.closest("button, a, summary")) answerSet();
    else if (key === "0" && !set.multiple) answerSet(NONE);
    else {
      const index = choiceKeys(set).indexOf(key.toLowerCase());
      if (index < 0 || event.repeat) return false;
      choose(set.choices[index].value);
    }
    return true;
  }

  // The coder's reaction time (ELAN's "delayed mode"): while the video plays, an event is stamped this many
  // seconds before the frame on screen when the key is pressed, since the key always comes a little after what
  // was seen. Paused or stepping frame by frame, the frame chosen is the time. Kept in this browser for this
  // member.
  const offsetInput = document.getElementById("reaction-offset");
  const offsetKey = `attunement:reaction-offset:${setup.coder || ""}`;
  function reactionOffset() {
    const value = offsetInput ? Number(offsetInput.value) : 0;
    return Number.isFinite(value) && value > 0 ? Math.min(value, 5) : 0;
  }
  if (offsetInput) {
    try {
      const kept = window.localStorage.getItem(offsetKey);
      if (kept !== null && Number.isFinite(Number(kept))) offsetInput.value = kept;
    } catch (_error) {
      // Storage refused (a private window): the offset lasts for this page only.
    }
    offsetInput.addEventListener("change", () => {
      const value = reactionOffset();
      offsetInput.value = String(value);
      try {
        window.localStorage.setItem(offsetKey, String(value));
      } catch (_error) {
        // as above
      }
      say(value ? `Codes made while the video plays are now put ${value} s earlier than the key press.` : "Codes are put at the frame on screen when you press.");
    });
  }

  // `action` is "toggle" (a tap or button: a state starts, then stops at the next), "start" or "stop" (a key
  // held down for a state, then let go).
  function codeNow(code, action = "toggle") {
    const playing = !video.paused && !video.ended;
    return atFrameOnScreen((frameTime) => {
      const now = Math.max(0, frameTime - (playing ? reactionOffset() : 0));
      if (code.kind === "state") {
        const open = openStates.has(code.key);
        if (open && action !== "start") {
          const start = openStates.get(code.key);
          const asked = stateModifiers.get(code.key) || Promise.resolve("");
          openStates.delete(code.key);
          stateModifiers.delete(code.key);
          markOpen();
          // A state's modifiers are asked when it starts; if it stops before they are chosen, it is saved then.
          return asked.then((modifiers) => saveEvent(code, Math.min(start, now), Math.max(start, now), modifiers));
        }
        if (open || action === "stop") return null;
        openStates.set(code.key, now);
        markOpen();
        const key = code.shortcut ? code.shortcut.toUpperCase() : "";
        say(
          action === "start"
            ? `${code.name} started at ${clock(now, true)}. Let go of ${key} when it stops (after a quick tap, press ${key} again).`
            : `${code.name} started at ${clock(now, true)}. Press ${key || "its button"} again when it stops.`,
        );
        drawEvents();
        if (code.modifierSets && code.modifierSets.length) stateModifiers.set(code.key, askModifiers(code, now));
        return null;
      }
      return askModifiers(code, now).then((modifiers) => saveEvent(code, now, null, modifiers));
    });
  }

  function markOpen() {
    if (!buttons) return;
    for (const button of buttons.querySelectorAll("button")) {
      const open = openStates.has(button.dataset.code);
      button.setAttribute("aria-pressed", open ? "true" : "false");
    }
  }

  function drawButtons() {
    if (!buttons) return;
    for (const code of codes) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = `button secondary code-button code-${code.subject}`;
      button.dataset.code = code.key;
      if (code.kind === "state") button.setAttribute("aria-pressed", "false");
      button.innerHTML = "";
      const name = document.createElement("span");
      name.textContent = code.name;
      if (code.kind === "state") {
        const kind = document.createElement("span");
        kind.className = "code-kind";
        kind.textContent = " (start/stop)";
        name.append(kind);
      }
      button.append(name);
      if (code.shortcut) {
        const key = document.createElement("kbd");
        key.textContent = code.shortcut.toUpperCase();
        button.append(" ", key);
        button.setAttribute("aria-keyshortcuts", code.shortcut);
      }
      button.addEventListener("click", () => codeNow(code));
      buttons.append(button);
    }
  }

  function removeEvent(event) {
    post(event.remove, {}).then(({ ok, data }) => {
      if (!ok) {
        say(`Not removed: ${(data.errors || ["please try again"]).join(" ")}`, true);
        return;
      }
      events = events.filter((e) => e.id !== event.id);
      say(`${nameOf(event.code)} at ${clock(event.time, true)} removed.`);
      drawEvents();
    });
  }

  function drawEvents() {
    drawTimeline();
    if (!eventList) return;
    eventList.replaceChildren();
    for (const event of events) {
      const item = document.createElement("li");
      const jump = document.createElement("button");
      jump.type = "button";
      jump.className = "time-link";
      jump.dataset.seek = event.time;
      jump.textContent = event.end === null ? clock(event.time, true) : `${clock(event.time, true)}–${clock(event.end, true)}`;
      const remove = document.createElement("button");
      remove.type = "button";
      remove.className = "button small secondary";
      remove.textContent = "Remove";
      remove.setAttribute("aria-label", `Remove ${nameOf(event.code)} at ${clock(event.time, true)}`);
      remove.addEventListener("click", () => removeEvent(event));
      const chosen = modifierWords(event.modifiers);
      item.append(jump, ` ${nameOf(event.code)}${chosen ? ` (${chosen})` : ""} `, remove);
      eventList.append(item);
    }
    if (!events.length) {
      const empty = document.createElement("li");
      empty.className = "muted";
      empty.textContent = "No events coded yet.";
      eventList.append(empty);
    }
  }

  // --- The timeline: a row per code in use, a mark per event, the notes, and where the player is ----------

  let playhead = null;

  function percentOf(seconds) {
    return `${Math.min(Math.max((seconds / setup.duration) * 100, 0), 100)}%`;
  }

  function timelineRow(label) {
    const row = document.createElement("div");
    row.className = "timeline-row";
    const name = document.createElement("span");
    name.className = "timeline-label";
    name.textContent = label;
    const track = document.createElement("div");
    track.className = "timeline-track";
    row.append(name, track);
    timeline.append(row);
    return track;
  }

  function mark(track, start, end, text, className) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = `timeline-mark ${className}`;
    button.dataset.seek = start;
    button.title = text;
    button.setAttribute("aria-label", text);
    button.style.left = percentOf(start);
    if (end !== null && end > start) button.style.width = percentOf(end - start);
    track.append(button);
  }

  function drawTimeline() {
    if (!timeline) return;
    timeline.replaceChildren();
    const used = [...new Set(events.map((e) => e.code).concat([...openStates.keys()]))];
    used.sort((a, b) => nameOf(a).localeCompare(nameOf(b)));
    for (const key of used) {
      const code = codeByKey.get(key);
      const track = timelineRow(nameOf(key));
      for (const event of events.filter((e) => e.code === key)) {
        const when = event.end === null ? clock(event.time, true) : `${clock(event.time, true)} to ${clock(event.end, true)}`;
        mark(track, event.time, event.end, `${nameOf(key)} at ${when}`, `subject-${code ? code.subject : "other"}`);
      }
      if (openStates.has(key)) mark(track, openStates.get(key), null, `${nameOf(key)} started`, "open");
    }
    const notes = document.querySelectorAll(".comment-head [data-seek]");
    if (notes.length) {
      const track = timelineRow("Notes");
      for (const note of notes) mark(track, Number(note.dataset.seek), null, `Note at ${note.textContent}`, "note");
    }
    playhead = document.createElement("div");
    playhead.className = "timeline-playhead";
    playhead.setAttribute("aria-hidden", "true");
    timeline.append(playhead);
    timeline.hidden = !used.length && !notes.length;
    drawPlayhead();
  }

  function drawPlayhead() {
    if (!playhead) return;
    const track = timeline.querySelector(".timeline-track");
    if (!track) return;
    const left = track.offsetLeft + (track.offsetWidth * Math.min(shownTime / setup.duration, 1));
    playhead.style.left = `${left}px`;
  }

  // --- Keys ----------------------------------------------------------------------------------------------

  // A state's key held down longer than HOLD_MS starts it, and letting go stops it; a quick tap starts it and
  // the next tap stops it.
  const HOLD_MS = 400;
  const held = new Map(); // code key → when its key went down (the event's own time)

  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const target = event.target;
    if (target.closest("input, textarea, select, [contenteditable]")) return;
    if (answerKey(event)) {
      event.preventDefault();
      return;
    }
    const key = event.key;
    const actions = {
      " ": togglePlay,
      ArrowLeft: () => seek(shownTime - 5),
      ArrowRight: () => seek(shownTime + 5),
      ",": () => stepFrame(-1),
      ".": () => stepFrame(1),
      "[": () => changeSpeed(-1),
      "]": () => changeSpeed(1),
    };
    if (actions[key] && !(key === " " && target.closest("button, a, summary"))) {
      event.preventDefault();
      actions[key]();
      return;
    }
    const code = codeByShortcut.get(key.toLowerCase());
    if (code && setup.eventsUrl) {
      event.preventDefault();
      if (event.repeat) return; // a key held down codes once
      if (code.kind === "state" && !openStates.has(code.key)) {
        // Held down, the state lasts until the key is let go; tapped, it stays open until the next tap.
        held.set(code.key, event.timeStamp);
        codeNow(code, "start");
      } else {
        held.delete(code.key);
        codeNow(code);
      }
    }
  });

  document.addEventListener("keyup", (event) => {
    const code = codeByShortcut.get(event.key.toLowerCase());
    if (!code || !held.has(code.key)) return;
    const downFor = event.timeStamp - held.get(code.key); // when the keys went, not when this page got to them
    held.delete(code.key);
    if (downFor >= HOLD_MS) codeNow(code, "stop");
  });
  window.addEventListener("blur", () => {
    // Focus left the page with a key down: its key-up will not come here, so the state stays open to be tapped.
    held.clear();
  });

  window.addEventListener("beforeunload", (event) => {
    if (openStates.size || asking) {
      event.preventDefault();
      event.returnValue = "";
    }
  });

  // --- Interval ratings ----------------------------------------------------------------------------------

  const ratingMessage = document.getElementById("rating-message");

  function markCurrentInterval() {
    for (const row of document.querySelectorAll("table.ratings tbody tr")) {
      const current = shownTime >= Number(row.dataset.start) && shownTime < Number(row.dataset.end);
      row.classList.toggle("current", current);
    }
  }

  for (const table of document.querySelectorAll("table.ratings")) {
    table.addEventListener("change", (event) => {
      const select = event.target.closest("select[data-item]");
      if (!select) return;
      post(setup.ratingsUrl, {
        scheme: table.dataset.scheme,
        scale: table.dataset.scale,
        interval: table.dataset.interval,
        item: select.dataset.item,
        start: select.dataset.start,
        value: select.value,
      }).then(({ ok, data }) => {
        ratingMessage.textContent = ok ? `Saved: ${select.getAttribute("aria-label")}.` : `Not saved: ${(data.errors || []).join(" ")}`;
        ratingMessage.classList.toggle("error", !ok);
      });
    });
  }

  // --- Drawing each person's box on a picture from the video ----------------------------------------------

  function setUpRegionDrawing(area) {
    const image = area.querySelector("img");
    const frame = area.querySelector(".region-frame");
    const size = { width: Number(area.dataset.width), height: Number(area.dataset.height) };
    let target = "learner-region";
    let start = null;

    const boxOf = (id) => area.querySelector(`[data-box="${id}"]`);
    const scale = () => size.width / image.clientWidth;

    function show(id) {
      const parts = document.getElementById(id).value.split(",").map(Number);
      const box = boxOf(id);
      if (parts.length !== 4 || parts.some(Number.isNaN)) {
        box.hidden = true;
        return;
      }
      const [x, y, w, h] = parts.map((v) => v / scale());
      Object.assign(box.style, { left: `${x}px`, top: `${y}px`, width: `${w}px`, height: `${h}px` });
      box.hidden = false;
    }

    function point(event) {
      const rect = image.getBoundingClientRect();
      return {
        x: Math.min(Math.max(event.clientX - rect.left, 0), rect.width),
        y: Math.min(Math.max(event.clientY - rect.top, 0), rect.height),
      };
    }

    function fill(a, b) {
      const k = scale();
      const x = Math.round(Math.min(a.x, b.x) * k);
      const y = Math.round(Math.min(a.y, b.y) * k);
      const w = Math.min(Math.round(Math.abs(a.x - b.x) * k), size.width - x);
      const h = Math.min(Math.round(Math.abs(a.y - b.y) * k), size.height - y);
      document.getElementById(target).value = `${x},${y},${w},${h}`;
      show(target);
    }

    for (const button of area.querySelectorAll("[data-draw]")) {
      button.addEventListener("click", () => {
        target = button.dataset.draw;
        for (const other of area.querySelectorAll("[data-draw]")) other.setAttribute("aria-pressed", String(other === button));
      });
    }
    frame.addEventListener("pointerdown", (event) => {
      event.preventDefault();
      frame.setPointerCapture(event.pointerId);
      start = point(event);
    });
    frame.addEventListener("pointermove", (event) => start && fill(start, point(event)));
    frame.addEventListener("pointerup", (event) => {
      if (start) fill(start, point(event));
      start = null;
    });
    for (const id of ["learner-region", "partner-region"]) {
      document.getElementById(id).addEventListener("input", () => show(id));
    }
    const showBoth = () => ["learner-region", "partner-region"].forEach(show);
    if (image.complete) showBoth();
    image.addEventListener("load", showBoth);
    window.addEventListener("resize", showBoth);
    area.closest("details")?.addEventListener("toggle", showBoth);
  }

  for (const area of document.querySelectorAll(".region-drawing")) setUpRegionDrawing(area);

  // --- One screen: the video takes the height its controls and code buttons leave ------------------------

  const area = document.getElementById("player-area");
  // Side by side (wide and short screens, see site.css) the video has the window's height to itself.
  const sideBySide = window.matchMedia("(min-width: 1180px) and (min-aspect-ratio: 3/2)");
  function fitScreen() {
    if (sideBySide.matches) {
      video.style.maxHeight = `${Math.max(160, Math.floor(window.innerHeight - 8))}px`;
      return;
    }
    const below = area.getBoundingClientRect().height - video.getBoundingClientRect().height;
    video.style.maxHeight = `${Math.max(160, Math.floor(window.innerHeight - below - 8))}px`;
  }

  drawButtons();
  drawEvents();
  showTime();
  fitScreen();
  window.addEventListener("resize", () => {
    fitScreen();
    drawPlayhead();
  });
})();
