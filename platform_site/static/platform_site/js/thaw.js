// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  // Pre-select the browser's time zone on forms that ask for one, unless the member chose already.
  document.addEventListener("DOMContentLoaded", function () {
    var zone;
    try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (e) { return; }
    if (!zone) { return; }
    document.querySelectorAll("select[data-detect-time-zone]").forEach(function (select) {
      var untouched = select.value === "UTC" && !select.dataset.touched;
      var known = Array.prototype.some.call(select.options, function (o) { return o.value === zone; });
      if (untouched && known && !document.querySelector(".errorlist")) { select.value = zone; }
    });
  });
})();

// A crisis panel drawn by a script comes from a <template>; the copy shown takes the one id every
// panel has on a page (#crisis-panel), so the page's source never carries it while hidden.
window.thawCrisisPanelFrom = function (template) {
  "use strict";
  var panel = template.content.firstElementChild.cloneNode(true);
  var heading = panel.querySelector("h2");
  panel.id = "crisis-panel";
  heading.id = "crisis-panel-heading";
  panel.setAttribute("aria-labelledby", heading.id);
  return panel;
};

// The crisis panel that answers what the writer just posted is scrolled to and focused when the
// page opens (the redirect's #crisis-panel already scrolls there without this script).
document.addEventListener("DOMContentLoaded", function () {
  "use strict";
  var panel = document.querySelector("#crisis-panel[data-focus-on-load]");
  if (!panel) { return; }
  panel.scrollIntoView({ block: "start" });
  panel.focus({ preventScroll: true });
});

// While a member drafts a post, a debounced check shows the crisis panel beside the form when the
// words sound unsafe. It never blocks or delays sending: the check only reveals help. It keeps
// the panel's id (#crisis-panel), so a page shows one panel at most.
(function () {
  "use strict";
  var DEBOUNCE_MS = 900;
  var MIN_LENGTH = 12;

  function csrfToken(form) {
    var input = form && form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function showPanel(textarea) {
    if (document.getElementById("crisis-panel")) { return; }
    var template = document.getElementById("draft-crisis-panel");
    if (!template) { return; }
    var panel = window.thawCrisisPanelFrom(template);
    textarea.dataset.riskPanelShown = "1";
    textarea.closest("form").before(panel);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var url = document.body.dataset.riskCheckUrl;
    if (!url || !window.fetch) { return; }
    document.querySelectorAll("textarea[data-risk-check]").forEach(function (textarea) {
      var timer = null;
      textarea.addEventListener("input", function () {
        clearTimeout(timer);
        timer = setTimeout(function () {
          var text = textarea.value;
          if (text.trim().length < MIN_LENGTH || document.getElementById("crisis-panel")) { return; }
          var body = new FormData();
          body.append("text", text);
          fetch(url, { method: "POST", body: body, credentials: "same-origin",
                       headers: { "X-CSRFToken": csrfToken(textarea.closest("form")) } })
            .then(function (response) { return response.ok ? response.json() : null; })
            .then(function (data) { if (data && data.show_panel) { showPanel(textarea); } })
            .catch(function () { /* the check is a help, never a gate */ });
        }, DEBOUNCE_MS);
      });
    });
  });
})();

// Every moderator page listens on /ws/moderation/: the badge with the open crisis items follows
// the feed, and on the queue page new items and changes (claims, decisions) replace the list in
// place, with the same filters, without a reload. Reconnects with a growing pause if it drops.
(function () {
  "use strict";
  var QUEUE_EVENTS = ["flag.raised", "flag.changed", "post.held", "review.requested", "case.changed"];
  document.addEventListener("DOMContentLoaded", function () {
    var feed = document.body.dataset.moderationFeed;
    if (!feed || !window.WebSocket) { return; }
    // The queue page's status line; not <body>, which carries the feed's address too (writing
    // the notice into it would replace the whole page).
    var status = document.querySelector("main [data-moderation-feed]");
    var queue = document.getElementById("queue");
    var badges = document.querySelectorAll("[data-open-crisis]");
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    var url = scheme + window.location.host + feed;
    var pause = 1000;
    var refreshing = null;

    function announce(text, withReload) {
      if (!status) { return; }
      status.textContent = text + " ";
      if (withReload) {
        var link = document.createElement("a");
        link.href = window.location.pathname + window.location.search;
        link.textContent = status.dataset.textReload;
        status.appendChild(link);
      }
      status.classList.add("live-alert");
    }

    function setBadge(count) {
      badges.forEach(function (badge) {
        badge.textContent = String(count);
      });
    }

    // One fetch at a time; events arriving meanwhile are covered by the fetch that follows.
    function refreshQueue() {
      if (refreshing) { refreshing.again = true; return; }
      refreshing = { again: false };
      fetch(queue.dataset.queueFragment, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
        .then(function (response) { return response.ok ? response.text() : Promise.reject(response.status); })
        .then(function (html) {
          // Items ticked for dismissal stay ticked when the list is replaced (the reason typed is
          // outside the list and stays as it is).
          var ticked = Array.prototype.map.call(queue.querySelectorAll("input[name=flag_ids]:checked"), function (box) { return box.value; });
          queue.innerHTML = html;
          queue.querySelectorAll("input[name=flag_ids]").forEach(function (box) {
            if (ticked.indexOf(box.value) !== -1) { box.checked = true; }
          });
          announce(status ? status.dataset.textUpdated : "", false);
        })
        .catch(function () { announce(status ? status.dataset.textFlag : "", true); })
        .then(function () {
          var again = refreshing.again;
          refreshing = null;
          if (again) { refreshQueue(); }
        });
    }

    // Who waits for an answer: a conversation's changes come as case.changed.
    var waiting = document.getElementById("waiting");
    function refreshWaiting() {
      fetch(waiting.dataset.waitingFragment, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
        .then(function (response) { return response.ok ? response.text() : Promise.reject(response.status); })
        .then(function (html) { waiting.innerHTML = html; })
        .catch(function () { /* the page's own reload link still works */ });
    }

    function connect() {
      var socket = new WebSocket(url);
      socket.addEventListener("open", function () { pause = 1000; });
      socket.addEventListener("message", function (event) {
        var frame;
        try { frame = JSON.parse(event.data); } catch (e) { return; }
        if (typeof frame.open_crisis === "number") { setBadge(frame.open_crisis); }
        if (QUEUE_EVENTS.indexOf(frame.type) === -1) { return; }
        if (waiting && frame.type === "case.changed") { refreshWaiting(); }
        if (queue) { refreshQueue(); return; }
        if (frame.type === "flag.raised") { announce(status ? status.dataset.textFlag : "", true); }
        if (frame.type === "case.changed") { announce(status ? status.dataset.textCase : "", true); }
      });
      socket.addEventListener("close", function (event) {
        if (event.code === 4401 || event.code === 4403) { return; }
        setTimeout(connect, pause);
        pause = Math.min(pause * 2, 30000);
      });
    }
    connect();
  });
})();
