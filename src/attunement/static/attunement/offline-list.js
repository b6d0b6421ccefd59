// "What is on this tablet": lists the pages the service worker keeps for the signed-in user (offline.js and
// service-worker.js), by person, with when each was saved. Only the tablet knows what it holds, so the list is
// read here from its cache, not sent by the server. Shown again whenever the worker keeps or forgets pages.
(function () {
  "use strict";
  const PAGES_PREFIX = "attunement-pages-";
  const SAVED_AT = "X-Attunement-Saved-At";

  function element(tag, text, attributes) {
    const el = document.createElement(tag);
    if (text) el.textContent = text;
    for (const [name, value] of Object.entries(attributes || {})) el.setAttribute(name, value);
    return el;
  }

  function clock(ms) {
    return new Date(ms).toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit" });
  }

  function savedWords(ms) {
    const saved = new Date(ms);
    const minutes = Math.max(0, Math.round((Date.now() - ms) / 60000));
    const ago = minutes < 1 ? "just now" : minutes === 1 ? "1 minute ago" : minutes < 120 ? minutes + " minutes ago" : Math.round(minutes / 60) + " hours ago";
    const day = saved.toDateString() === new Date().toDateString() ? "" : saved.toLocaleDateString("en-GB", { weekday: "long", day: "numeric", month: "long" }) + " ";
    return "saved " + day + "at " + clock(ms) + " (" + ago + ")";
  }

  function say(box, words) {
    box.replaceChildren(element("p", words));
  }

  async function show(box) {
    const user = document.body.dataset.user || "";
    if (!("caches" in window) || !("serviceWorker" in navigator)) {
      say(box, "This browser cannot keep pages here for use with no connection. It can when Attunement is opened at its secure address (starting https://).");
      return;
    }
    const name = PAGES_PREFIX + user;
    if (!user || !(await caches.has(name))) {
      say(box, "Nothing is saved on this tablet for you yet. Pages are saved in the background while you use Attunement with a connection: open the home page and come back in a minute.");
      return;
    }
    const cache = await caches.open(name);
    const indexResponse = await cache.match(new URL(box.dataset.listUrl, location.origin).href);
    if (!indexResponse) {
      say(box, "Saving pages on this tablet now…");
      return;
    }
    const index = await indexResponse.json();
    const keepMs = (index.keepHours || 12) * 3600000;
    const saved = {};
    for (const page of index.pages) {
      const response = await cache.match(new URL(page.url, location.origin).href);
      const at = response ? Number(response.headers.get(SAVED_AT)) || 0 : 0;
      if (at && Date.now() - at <= keepMs) saved[page.url] = at;
    }
    const parts = [element("p", "Last brought up to date at " + clock(index.keptAt) + ". " + Object.keys(saved).length + " pages are saved.", { class: "hint" })];
    const groups = [{ heading: "Pages", pages: index.pages.filter((page) => page.person === null) }];
    for (const person of index.people) {
      groups.push({ heading: person.name, pages: index.pages.filter((page) => page.person === person.id) });
    }
    for (const group of groups) {
      if (!group.pages.length) continue;
      const section = element("section", "", { class: "offline-person" });
      section.append(element("h2", group.heading));
      const list = element("ul", "", { class: "plain-list" });
      for (const page of group.pages) {
        const item = element("li");
        if (saved[page.url]) {
          item.setAttribute("data-saved-page", page.url);
          item.append(element("a", page.title, { href: page.url }), " — " + savedWords(saved[page.url]));
        } else {
          item.append(page.title + " — not saved yet");
        }
        list.append(item);
      }
      section.append(list);
      parts.push(section);
    }
    if (index.people_left_off) {
      parts.push(element("p", "Only " + index.people_limit + " " + (box.dataset.words || "people") + " are kept on this tablet; the pages of the others open only with a connection.", { class: "hint" }));
    }
    box.replaceChildren(...parts);
  }

  document.addEventListener("DOMContentLoaded", function () {
    const box = document.getElementById("offline-list");
    if (!box) return;
    const again = () => show(box).catch(() => say(box, "The list of saved pages could not be read on this tablet."));
    again();
    document.addEventListener("attunement:offline-pages", again);
  });
})();
