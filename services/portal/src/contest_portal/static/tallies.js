// Live results follow the page's stream of server-sent events. Each event is one
// nomination's section, made by the server in the reader's language, and replaces the
// old one. Without this script the page shows the figures of the moment it was made.
"use strict";
(function () {
  var board = document.querySelector(".tallies[data-stream]");
  if (!board || !window.EventSource || !window.DOMParser) {
    return;
  }
  var stream = new EventSource(board.getAttribute("data-stream"));
  stream.addEventListener("tally", function (event) {
    var parsed = new DOMParser().parseFromString(event.data, "text/html");
    var fresh = parsed.body.firstElementChild;
    var old = fresh && fresh.id ? document.getElementById(fresh.id) : null;
    if (old) {
      old.replaceWith(fresh);
    }
  });
  // After the certified figures the stream ends: the page's state line changes too, so
  // it is read again (revalidated by its ETag) rather than reconnecting for nothing.
  stream.addEventListener("end", function () {
    stream.close();
    fetch(window.location.href, { cache: "no-cache", credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : ""; })
      .then(function (html) {
        var page = new DOMParser().parseFromString(html, "text/html");
        var state = page.getElementById("tallies-state");
        var old = document.getElementById("tallies-state");
        if (state && old) {
          old.replaceWith(state);
        }
      })
      .catch(function () { /* the figures are final already; the line waits for a reload */ });
  });
})();
