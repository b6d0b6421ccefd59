// Uploading a video with a progress bar. Too-large files are refused before a byte is sent; the server
// checks everything again (size, and that the file really is a video).
(function () {
  "use strict";

  const form = document.getElementById("video-upload");
  if (!form) return;
  const input = document.getElementById("video-file");
  const area = document.getElementById("upload-progress-area");
  const bar = document.getElementById("upload-progress");
  const label = document.getElementById("upload-progress-label");
  const errors = document.getElementById("upload-errors");
  const submit = form.querySelector("button[type=submit]");

  function showErrors(messages) {
    errors.replaceChildren(...messages.map((text) => Object.assign(document.createElement("p"), { textContent: text })));
    errors.hidden = false;
    area.hidden = true;
    submit.disabled = false;
  }

  form.addEventListener("submit", (event) => {
    const file = input.files[0];
    if (!file) return;
    event.preventDefault();
    // The limit and its words come from the server, on the file input (data-max-bytes, data-too-big).
    if (file.size > Number(input.dataset.maxBytes)) {
      showErrors([input.dataset.tooBig]);
      return;
    }
    if (file.size === 0) {
      showErrors(["The file is empty. Please choose the video again."]);
      return;
    }
    errors.hidden = true;
    area.hidden = false;
    submit.disabled = true;
    const request = new XMLHttpRequest();
    request.open("POST", form.action || window.location.href);
    request.setRequestHeader("Accept", "application/json");
    request.upload.addEventListener("progress", (progress) => {
      if (!progress.lengthComputable) return;
      const percent = Math.floor((progress.loaded / progress.total) * 100);
      bar.value = percent;
      bar.textContent = `${percent}%`;
      label.textContent = percent < 100 ? `${percent}% uploaded` : "Uploaded. Checking the video…";
    });
    request.addEventListener("load", () => {
      let answer = {};
      try {
        answer = JSON.parse(request.responseText);
      } catch (_) {
        answer = { errors: ["The upload did not finish. Please try again."] };
      }
      if (request.status < 300 && answer.url) window.location.assign(answer.url);
      else showErrors(answer.errors || ["The upload did not finish. Please try again."]);
    });
    request.addEventListener("error", () =>
      showErrors(["The connection was lost during the upload. Nothing was saved; please try again."]),
    );
    request.send(new FormData(form));
  });
})();
