// Live coverage (issue 14): an open live story's page asks its updates endpoint for entries
// newer than the newest it shows, every `data-live-interval` seconds, with a conditional GET
// (the browser sends If-None-Match; nothing new is a 304 from the cache or the edge). New
// entries are not put under the reader's eyes: a "N new updates" button in a polite live
// region announces them, and pressing it inserts them at the top (below the pinned ones).
// Without JavaScript the page is complete; a reload shows new entries.
(function () {
  "use strict";
  var live = document.querySelector("[data-live-updates]");
  if (!live || !live.hasAttribute("data-live-polling")) return;
  var button = live.querySelector(".live__new");
  var entries = live.querySelector(".live__entries");
  var interval = Math.max(parseFloat(live.getAttribute("data-live-interval")) || 15, 0.2) * 1000;
  var newest = live.getAttribute("data-live-newest") || "0";
  var waiting = [];  // fetched, not yet shown: newest first

  function label(count) {  // the page's own language (translated in the template)
    if (count === 1) return button.getAttribute("data-one");
    return button.getAttribute("data-many").replace("COUNT", String(count));
  }

  function announce() {
    if (!waiting.length) return;
    button.textContent = label(waiting.length);
    button.hidden = false;
  }

  function poll() {
    var url = live.getAttribute("data-live-updates") + "?after=" + encodeURIComponent(newest);
    fetch(url, { cache: "no-cache", credentials: "omit", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error("updates: " + response.status);
        return response.json();
      })
      .then(function (data) {
        var known = {};
        waiting.forEach(function (entry) { known[entry.id] = true; });
        var fresh = data.entries.filter(function (entry) {
          return !known[entry.id] && !document.getElementById("entry-" + entry.id);
        });
        waiting = fresh.concat(waiting);
        if (data.newest) newest = String(data.newest);
        announce();
        if (data.ended) {
          live.removeAttribute("data-live-polling");  // coverage ended: no more requests
          return;
        }
        window.setTimeout(poll, interval);
      })
      .catch(function () {
        window.setTimeout(poll, interval * 2);  // an outage: ask again, less often
      });
  }

  button.addEventListener("click", function () {
    var html = waiting.map(function (entry) { return entry.html; }).join("");
    waiting = [];
    var empty = entries.querySelector(".live__none");
    if (empty) empty.remove();
    var first = entries.firstElementChild;
    entries.insertAdjacentHTML("afterbegin", html);
    button.hidden = true;
    button.textContent = "";
    var top = entries.firstElementChild;
    if (top && top !== first) {
      top.setAttribute("tabindex", "-1");
      top.focus({ preventScroll: false });
    }
  });

  window.setTimeout(poll, interval);
})();
