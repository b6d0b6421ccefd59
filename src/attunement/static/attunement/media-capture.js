// A voice note recorded in the browser: Record, Stop, listen back, Discard. The recording is put into the form's
// hidden file input (name "voice_note") so it is sent with the form like a chosen file. Shown only where the
// browser can record; the page works without it.
(function () {
  "use strict";
  const LIMIT_MS = 3 * 60 * 1000;

  function setUp(box) {
    const input = box.querySelector("input[name=voice_note]");
    const buttons = {
      record: box.querySelector("[data-voice=record]"),
      stop: box.querySelector("[data-voice=stop]"),
      discard: box.querySelector("[data-voice=discard]"),
    };
    const player = box.querySelector("[data-voice=play]");
    const status = box.querySelector("[data-voice=status]");
    const elapsed = box.querySelector("[data-voice=clock]");
    let recorder = null;
    let timer = null;
    let ticking = null;
    let playUrl = "";

    function show(recording, kept) {
      buttons.record.hidden = recording || kept;
      buttons.stop.hidden = !recording;
      buttons.discard.hidden = !kept;
      player.hidden = !kept;
    }

    function forget() {
      if (playUrl) URL.revokeObjectURL(playUrl);
      playUrl = "";
      player.removeAttribute("src");
      input.value = "";
      show(false, false);
    }

    function clock(ms) {
      const seconds = Math.floor(ms / 1000);
      return Math.floor(seconds / 60) + ":" + String(seconds % 60).padStart(2, "0");
    }

    function keep(blob) {
      if (!blob.size) {
        forget();
        status.textContent = "Nothing was recorded. Please try again.";
        return;
      }
      const type = blob.type || "audio/webm";
      const ending = type.includes("ogg") ? "ogg" : type.includes("mp4") ? "m4a" : "webm";
      const file = new File([blob], "voice-note." + ending, { type: type });
      const transfer = new DataTransfer();
      transfer.items.add(file);
      input.files = transfer.files;
      offer(file);
      status.textContent = "Voice note recorded. It is sent when you save.";
    }

    function offer(file) {
      if (playUrl) URL.revokeObjectURL(playUrl);
      playUrl = URL.createObjectURL(file);
      player.src = playUrl;
      show(false, true);
    }

    // A voice note put back in the form (a save kept on the tablet, opened again to be put right).
    input.addEventListener("change", function () {
      if (recorder || !input.files || !input.files.length) return;
      offer(input.files[0]);
      status.textContent = "The voice note you recorded is here again. It is sent when you save.";
    });

    buttons.record.addEventListener("click", async function () {
      let stream;
      try {
        stream = await navigator.mediaDevices.getUserMedia({ audio: true });
      } catch (e) {
        status.textContent = "The microphone could not be used. Check that this site may use it, or type a note instead.";
        return;
      }
      const parts = [];
      recorder = new MediaRecorder(stream);
      recorder.addEventListener("dataavailable", function (event) {
        if (event.data && event.data.size) parts.push(event.data);
      });
      recorder.addEventListener("stop", function () {
        clearTimeout(timer);
        clearInterval(ticking);
        elapsed.textContent = "";
        stream.getTracks().forEach(function (track) { track.stop(); });
        keep(new Blob(parts, { type: recorder.mimeType || "audio/webm" }));
        recorder = null;
        buttons.discard.focus();
      });
      recorder.start();
      const started = Date.now();
      timer = setTimeout(function () { if (recorder) recorder.stop(); }, LIMIT_MS);
      show(true, false);
      status.textContent = "Recording… press Stop when you have finished (3 minutes at most).";
      const tick = function () { elapsed.textContent = clock(Date.now() - started); };
      tick();
      ticking = setInterval(tick, 1000);
      buttons.stop.focus();
    });

    buttons.stop.addEventListener("click", function () {
      if (recorder && recorder.state !== "inactive") recorder.stop();
    });

    buttons.discard.addEventListener("click", function () {
      forget();
      status.textContent = "Voice note discarded.";
      buttons.record.focus();
    });

    const form = box.closest("form");
    if (form) form.addEventListener("reset", function () { if (!recorder) forget(); });
    box.hidden = false;
  }

  function start() {
    if (!window.MediaRecorder || !navigator.mediaDevices || !window.DataTransfer) return;
    document.querySelectorAll("[data-voice-note]").forEach(setUp);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
