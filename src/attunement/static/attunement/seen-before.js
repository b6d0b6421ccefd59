// The quick log's live hint: when a behaviour is marked "Never seen before" but the person's records
// already hold it, say so beside it at once. The same rule as attunement/practice/novelty.py
// (behaviour_key); the check made on saving is the one that counts, this only saves a round trip.
(function () {
  "use strict";
  const SMALL_WORDS = new Set(
    "a an the my me his her their your our its to at on in into of for with and or then".split(" ")
  );
  const ENDINGS = ["ing", "ed", "es", "s", "e", "d"];

  function stem(word) {
    let shorter = true;
    while (shorter) {
      shorter = false;
      for (const ending of ENDINGS) {
        if (word.endsWith(ending) && word.length - ending.length >= 3) {
          word = word.slice(0, -ending.length);
          shorter = true;
          break;
        }
      }
    }
    return word;
  }

  function behaviourKey(text) {
    const words = (text || "").normalize("NFKC").toLowerCase().replace(/[^\p{L}\p{N}]+/gu, " ").trim().split(/\s+/).filter(Boolean);
    const kept = words.filter((w) => !SMALL_WORDS.has(w)).map(stem);
    return (kept.length ? kept : words.map(stem)).join(" ");
  }

  document.addEventListener("DOMContentLoaded", function () {
    const data = document.getElementById("seen-before-hints");
    const rows = document.getElementById("behaviour-rows");
    if (!data || !rows) return;
    const hints = JSON.parse(data.textContent);

    function update(row) {
      const text = row.querySelector("input[type=text]");
      const isNew = row.querySelector("input[type=radio][value=new][name$='-novelty']");
      const hint = row.querySelector(".seen-hint");
      if (!text || !isNew || !hint) return;
      const sentence = isNew.checked ? hints[behaviourKey(text.value)] : "";
      hint.textContent = sentence ? sentence + ". Is it really new?" : "";
    }

    rows.addEventListener("input", (event) => update(event.target.closest(".behaviour-row")));
    rows.addEventListener("change", (event) => update(event.target.closest(".behaviour-row")));
    for (const row of rows.querySelectorAll(".behaviour-row")) update(row);
  });
})();
