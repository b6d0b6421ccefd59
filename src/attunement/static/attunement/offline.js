// Attunement with no connection: installs the service worker (its address is this script's data-worker) and
// tells it who is signed in on this page, so that it keeps that person's pages, and only theirs.
// Every page works without this file; where the browser has no service workers (an address that is not https
// or localhost), nothing is kept and nothing changes.
(function () {
  "use strict";
  const script = document.currentScript;
  if (!("serviceWorker" in navigator) || !script || !script.dataset.worker) return;

  function whoIsHere() {
    const user = document.body.dataset.user || "";
    // A page with nobody signed in (the sign-in page after logging out, or the idle time-out) means the pages
    // kept for whoever was here before must go.
    return user ? { type: "signed-in", user: user, organisation: document.body.dataset.organisation || "" } : { type: "signed-out" };
  }

  // Pages that show what is kept listen for "attunement:offline-pages" (the worker kept or forgot them).
  navigator.serviceWorker.addEventListener("message", function (event) {
    const data = event.data || {};
    if (data.type === "offline-pages-kept" || data.type === "offline-pages-forgotten") {
      document.dispatchEvent(new CustomEvent("attunement:offline-pages", { detail: data }));
    }
  });
  navigator.serviceWorker.startMessages();

  navigator.serviceWorker
    .register(script.dataset.worker, { scope: "/" })
    .then(function () {
      return navigator.serviceWorker.ready;
    })
    .then(function (registration) {
      if (registration.active) registration.active.postMessage(whoIsHere());
    })
    .catch(function () {
      // The pages work as before; only keeping them for no connection is not possible here.
    });
})();
