// Forms go without a full reload: a form is posted with fetch, and the page it leads to
// (after the redirect of a success, or the same page with a refusal) replaces this one's
// body, the address bar following. The server answers exactly as it does for a plain
// POST, which is what happens wherever this script does not run.
"use strict";
(function () {
  if (!window.fetch || !window.DOMParser || !window.history.pushState || !window.URLSearchParams) {
    return;
  }
  var busy = false;
  var shown = where(window.location.href);

  document.addEventListener("submit", function (event) {
    var form = event.target;
    // A script of the page may hold the submission back (and submit again when ready).
    if (event.defaultPrevented || !(form instanceof HTMLFormElement)) {
      return;
    }
    if (form.method.toLowerCase() !== "post" || form.hasAttribute("data-reload")) {
      return;
    }
    event.preventDefault();
    if (busy) {
      return; // a second tap while the first is on its way
    }
    busy = true;
    form.setAttribute("aria-busy", "true");
    var fields = new URLSearchParams(new FormData(form, event.submitter || undefined));
    fetch(form.action, {
      method: "POST",
      body: fields,
      credentials: "same-origin",
      headers: { "Accept": "text/html" },
    })
      .then(function (response) {
        var type = response.headers.get("content-type") || "";
        if (type.indexOf("text/html") !== 0) {
          throw new Error("not a page");
        }
        return response.text().then(function (html) {
          show(html, response.url);
        });
      })
      .catch(function () {
        // The form may have reached the server: it is not sent again behind the person's
        // back. The page is read again as it stands, and they decide.
        window.location.assign(window.location.href);
      })
      .finally(function () {
        busy = false;
        form.removeAttribute("aria-busy");
      });
  });

  // Going back shows the page the address names, as the server makes it now; a link to a
  // part of the same page (the skip link, an error summary's) is no other page.
  window.addEventListener("popstate", function () {
    if (where(window.location.href) !== shown) {
      window.location.reload();
    }
  });

  function where(address) {
    var url = new URL(address, window.location.href);
    return url.pathname + url.search;
  }

  function show(html, address) {
    var page = new DOMParser().parseFromString(html, "text/html");
    var loaded = new Set(Array.from(document.scripts, function (script) { return script.src; }));
    document.title = page.title;
    document.documentElement.lang = page.documentElement.lang;
    document.body.replaceWith(page.body);
    if (address && address !== window.location.href) {
      window.history.pushState(null, "", address);
    }
    shown = where(window.location.href);
    // A page put in place runs none of its scripts: those not loaded yet are loaded now
    // (the phone step's browser check after a redirect to it, for one).
    Array.from(document.body.querySelectorAll("script[src]")).forEach(function (inert) {
      if (!loaded.has(inert.src)) {
        var script = document.createElement("script");
        script.src = inert.src;
        document.body.appendChild(script);
      }
    });
    // Where a person who cannot see the page would start: the error summary, else the
    // page's main content.
    var start = document.querySelector(".error-summary") || document.getElementById("main");
    if (start) {
      start.focus();
    }
    window.scrollTo(0, 0);
  }
})();
