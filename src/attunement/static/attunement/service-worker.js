// Attunement with no connection. Served from the site's root (/service-worker.js) by practice/offline.py, which
// puts the settings in front of this file as self.ATTUNEMENT_OFFLINE, so this worker looks after every page.
//
// - Pages are asked of the network first. When the network fails, or is slower than networkWaitMs, the copy
//   kept on this tablet for the signed-in user is shown, with a banner saying when it was saved; a page not kept
//   shows what is kept instead.
// - The copies are kept for one user, in the cache "attunement-pages-<user id>", and only ever shown while that
//   user is the one the pages say is signed in. When a page says someone else is signed in, or nobody, every
//   other user's copies are deleted at once.
// - Only what the server lists for the user (its offline_pages answer) is kept: no saves (POSTs are never
//   touched), no photos, video, sound, PDFs or downloads, no admin, sign-in or API answers.
"use strict";

const SETTINGS = Object.assign(
  {
    networkWaitMs: 4000,
    refreshMinutes: 5,
    keepHours: 12,
    staticUrl: "/static/",
    listUrl: "/offline/pages/",
    offlineUrl: "/offline/",
    loginUrl: "/accounts/login/",
    copyHeader: "X-Attunement-Offline-Copy",
    precache: [],
  },
  self.ATTUNEMENT_OFFLINE || {}
);

const PAGES_PREFIX = "attunement-pages-"; // + the user's id: each user's copies in a cache of their own
const STATIC_CACHE = "attunement-static"; // the site's own styles, scripts and icons: the same for everyone
const STATE_CACHE = "attunement-state"; // whose copies these are, and when they were last brought up to date
const STATE_KEY = new URL("/offline/state", self.location.origin).href;
const INDEX_KEY = new URL(SETTINGS.listUrl, self.location.origin).href;
const SAVED_AT = "X-Attunement-Saved-At";
// Never kept, whatever a list says: people's files, the admin, signing in, the API, and the static files
// (which have a cache of their own).
const NEVER_KEPT = ["/media/", "/admin/", "/accounts/", "/login/", "/api/", SETTINGS.staticUrl];

// --- Whose copies these are -------------------------------------------------------------------------------------

async function readState() {
  const response = await (await caches.open(STATE_CACHE)).match(STATE_KEY);
  if (!response) return { user: null };
  try {
    return await response.json();
  } catch (e) {
    return { user: null };
  }
}

async function writeState(state) {
  const body = JSON.stringify(state);
  await (await caches.open(STATE_CACHE)).put(STATE_KEY, new Response(body, { headers: { "Content-Type": "application/json" } }));
}

async function forgetPagesExcept(user) {
  const keep = user ? PAGES_PREFIX + user : null;
  for (const name of await caches.keys()) {
    if (name.startsWith(PAGES_PREFIX) && name !== keep) await caches.delete(name);
  }
}

async function tellPages(message) {
  for (const client of await self.clients.matchAll({ type: "window", includeUncontrolled: true })) {
    client.postMessage(message);
  }
}

// Nobody is signed in (the server sent the sign-in page): nothing kept may be shown to anyone any more.
async function signedOut() {
  await forgetPagesExcept(null);
  await writeState({ user: null });
  await tellPages({ type: "offline-pages-forgotten" });
}

let refreshing = null;

async function signedIn(user, organisation) {
  let state = await readState();
  await forgetPagesExcept(user);
  if (state.user !== user) {
    state = { user: user, organisation: organisation, refreshedAt: 0 };
    await writeState(state);
  }
  const due = state.organisation !== organisation || Date.now() - (state.refreshedAt || 0) > SETTINGS.refreshMinutes * 60000;
  if (due && !refreshing) {
    refreshing = refresh(user, organisation).finally(function () {
      refreshing = null;
    });
  }
  return refreshing;
}

// --- Keeping copies ---------------------------------------------------------------------------------------------

function mayKeepPath(path) {
  return !NEVER_KEPT.some((prefix) => path.startsWith(prefix));
}

function toSignIn(response) {
  const path = response.url ? new URL(response.url).pathname : "";
  return path.startsWith(SETTINGS.loginUrl) && (response.redirected || response.ok);
}

function keepable(response, address) {
  const type = response.headers.get("Content-Type") || "";
  return (
    response.status === 200 &&
    response.type === "basic" &&
    new URL(response.url).pathname === new URL(address).pathname && // not sent on somewhere else
    type.startsWith("text/html") &&
    !response.headers.has("Content-Disposition") &&
    mayKeepPath(new URL(address).pathname)
  );
}

// Fetch one page for keeping and keep it, if it is the signed-in user's own page. Says what happened.
async function keepCopy(cache, address, user) {
  let response;
  try {
    response = await fetch(address, {
      credentials: "same-origin",
      cache: "no-store",
      headers: { [SETTINGS.copyHeader]: "1" },
    });
  } catch (e) {
    return "no connection";
  }
  if (toSignIn(response)) return "signed out";
  if ([403, 404, 410].includes(response.status)) {
    await cache.delete(address); // no longer theirs to see
    return "gone";
  }
  if (!keepable(response, address)) return "not kept";
  const body = await response.text();
  if (!body.includes('data-user="' + user + '"')) return "not kept"; // someone else is signed in now
  const headers = { "Content-Type": response.headers.get("Content-Type"), [SAVED_AT]: String(Date.now()) };
  await cache.put(address, new Response(body, { status: 200, headers: headers }));
  return "kept";
}

async function refresh(user, organisation) {
  let list;
  try {
    const response = await fetch(SETTINGS.listUrl, { credentials: "same-origin", cache: "no-store" });
    if (toSignIn(response)) return signedOut();
    if (!response.ok) return;
    list = await response.json();
  } catch (e) {
    return; // no connection: what is kept stays as it is
  }
  if (String(list.user) !== user) return; // someone else is signed in now; their own pages will say so
  const cache = await caches.open(PAGES_PREFIX + user);
  const addresses = list.pages
    .map((page) => new URL(page.url, self.location.origin).href)
    .filter((address) => mayKeepPath(new URL(address).pathname));
  const waiting = addresses.slice();
  let stop = null;
  async function worker() {
    while (waiting.length && !stop) {
      const outcome = await keepCopy(cache, waiting.shift(), user);
      if (outcome === "signed out" || outcome === "no connection") stop = outcome;
    }
  }
  await Promise.all([worker(), worker()]); // two at a time: kind to a busy server
  if (stop === "signed out") return signedOut();
  if ((await readState()).user !== user) return forgetPagesExcept(null); // signed out while this ran
  const wanted = new Set(addresses);
  for (const request of await cache.keys()) {
    if (request.url !== INDEX_KEY && !wanted.has(request.url)) await cache.delete(request); // no longer theirs
  }
  const keptAt = Date.now();
  const index = Object.assign({}, list, { keptAt: keptAt, keepHours: SETTINGS.keepHours, complete: !stop });
  await cache.put(INDEX_KEY, new Response(JSON.stringify(index), { headers: { "Content-Type": "application/json" } }));
  if (!stop) await writeState({ user: user, organisation: organisation, refreshedAt: keptAt });
  await tellPages({ type: "offline-pages-kept", user: user });
}

// --- Showing copies ---------------------------------------------------------------------------------------------

function savedWhen(savedAt) {
  const saved = new Date(savedAt);
  const time = saved.toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit" });
  const today = new Date();
  const yesterday = new Date(today.getFullYear(), today.getMonth(), today.getDate() - 1);
  if (saved.toDateString() === today.toDateString()) return "at " + time;
  if (saved.toDateString() === yesterday.toDateString()) return "yesterday at " + time;
  return "on " + saved.toLocaleDateString("en-GB", { weekday: "long", day: "numeric", month: "long" }) + " at " + time;
}

// The copy of `address` kept for the signed-in user, if there is one and it is not too old to show.
async function keptCopy(address) {
  const state = await readState();
  if (!state.user || !(await caches.has(PAGES_PREFIX + state.user))) return null;
  const cache = await caches.open(PAGES_PREFIX + state.user);
  const response = await cache.match(address);
  if (!response || address === INDEX_KEY) return null;
  const savedAt = Number(response.headers.get(SAVED_AT)) || 0;
  if (Date.now() - savedAt > SETTINGS.keepHours * 3600000) {
    await cache.delete(address); // kept longer than a sign-in lasts: not shown any more
    return null;
  }
  return { response: response, savedAt: savedAt };
}

function banner(words) {
  return (
    '<div class="offline-banner" role="status" data-offline-banner><p>' +
    words +
    ' <a href="' +
    SETTINGS.offlineUrl +
    '">What is on this tablet</a></p></div>'
  );
}

// Each time a page is opened the server gives its forms a new key, so that one form sent twice is saved once
// but two sessions logged one after the other are both saved. A kept copy does the same each time it is shown.
function freshKeys(html) {
  return html.replace(/<input\b[^>]*\bname="submission_key"[^>]*>/g, function (input) {
    return input.replace(/\bvalue="[^"]*"/, 'value="' + self.crypto.randomUUID() + '"');
  });
}

function page(html, status) {
  return new Response(html, {
    status: status || 200,
    headers: { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store" },
  });
}

async function showCopy(copy, why) {
  const when = savedWhen(copy.savedAt);
  const words =
    why === "slow"
      ? "The connection is not answering, so this is the copy saved on this tablet " + when + ". Anything newer shows once it answers: open the page again."
      : "You are offline. This page was saved on this tablet " + when + ".";
  const html = freshKeys(await copy.response.text()).replace(/<main\b[^>]*>/, (main) => main + banner(words));
  return page(html);
}

function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
}

// A page that was not kept: the kept "What is on this tablet" page, which lists what is, or else a plain page.
async function notKept() {
  const words = "You are offline. This page was not saved on this tablet.";
  const list = await keptCopy(new URL(SETTINGS.offlineUrl, self.location.origin).href);
  if (list) {
    const html = (await list.response.text())
      .replace(/<title>[^<]*<\/title>/, "<title>Not saved on this tablet · Attunement</title>")
      .replace(/(<h1\b[^>]*data-offline-heading[^>]*>)[^<]*(<\/h1>)/, "$1This page was not saved on this tablet$2")
      .replace(/(<p\b[^>]*data-offline-intro[^>]*>)[^<]*(<\/p>)/, "$1These pages are saved on it, and open with no connection:$2")
      .replace(/<main\b[^>]*>/, (main) => main + banner(words));
    return page(html, 503);
  }
  return page(
    '<!doctype html><html lang="en-GB"><head><meta charset="utf-8">' +
      '<meta name="viewport" content="width=device-width, initial-scale=1">' +
      "<title>Not saved on this tablet · Attunement</title>" +
      '<link rel="stylesheet" href="' +
      escapeHtml(SETTINGS.staticUrl + "attunement/site.css") +
      '"></head><body><header class="site-header"><a class="brand" href="/">Attunement</a></header>' +
      '<main id="main" tabindex="-1">' +
      banner(words) +
      "<h1>This page was not saved on this tablet</h1>" +
      "<p>Nothing is saved on this tablet for you yet. Pages are saved while you use Attunement logged in, " +
      "with a connection. Try again when you are connected.</p></main></body></html>",
    503
  );
}

async function navigate(event, address) {
  const path = new URL(address).pathname;
  const fromNetwork = fetch(event.request).then(async function (response) {
    // The sign-in page is only ever shown to nobody signed in: nothing kept may be shown any more.
    if (toSignIn(response) || (path.startsWith(SETTINGS.loginUrl) && response.ok)) await signedOut();
    return response;
  });
  event.waitUntil(fromNetwork.catch(() => null));
  const copy = mayKeepPath(path) ? keptCopy(address) : Promise.resolve(null);
  return new Promise(function (resolve) {
    let answered = false;
    const answer = function (response) {
      if (!answered) {
        answered = true;
        resolve(response);
      }
    };
    const timer = setTimeout(async function () {
      const kept = await copy;
      if (kept) answer(await showCopy(kept, "slow"));
    }, SETTINGS.networkWaitMs);
    fromNetwork.then(
      function (response) {
        clearTimeout(timer);
        answer(response);
      },
      async function () {
        clearTimeout(timer);
        if (answered) return;
        const kept = await copy;
        answer(kept ? await showCopy(kept, "offline") : await notKept());
      }
    );
  });
}

async function staticFile(request) {
  const cache = await caches.open(STATIC_CACHE);
  try {
    const response = await fetch(request);
    if (response.status === 200 && response.type === "basic") await cache.put(request, response.clone());
    return response;
  } catch (e) {
    const kept = await cache.match(request, { ignoreSearch: true });
    if (kept) return kept;
    throw e;
  }
}

// --- Events -----------------------------------------------------------------------------------------------------

self.addEventListener("install", function (event) {
  event.waitUntil(
    (async function () {
      const cache = await caches.open(STATIC_CACHE);
      await Promise.all(SETTINGS.precache.map((address) => cache.add(address).catch(() => null)));
      await self.skipWaiting();
    })()
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(self.clients.claim());
});

self.addEventListener("message", function (event) {
  const data = event.data || {};
  if (data.type === "signed-in" && /^\d+$/.test(String(data.user))) {
    event.waitUntil(signedIn(String(data.user), String(data.organisation || "")));
  } else if (data.type === "signed-out") {
    event.waitUntil(signedOut());
  }
});

self.addEventListener("fetch", function (event) {
  const request = event.request;
  if (request.method !== "GET") return; // saves go to the server as they always did
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate") {
    event.respondWith(navigate(event, url.href));
  } else if (url.pathname.startsWith(SETTINGS.staticUrl)) {
    event.respondWith(staticFile(request));
  }
  // Anything else (photos, video, downloads, the API) goes to the network as if there were no worker.
});
