// Forms go without a full reload: a form is posted with fetch, and the page it leads to
// (after the redirect of a success, or the same page with a refusal) replaces this one's
// body, the address bar following. The server answers exactly as it does for a plain
// POST, which is what happens wherever this script does not run or gives up.
"use strict";
(function () {
  if (!window.fetch || !window.DOMParser || !window.history.pushState || !window.URLSearchParams) {
    return;
  }
  var busy = false;

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
        form.submit(); // the network or the answer failed us: post it the plain way
      })
      .finally(function () {
        busy = false;
        form.removeAttribute("aria-busy");
      });
  });

  // Going back shows the page the address names, as the server makes it now.
  window.addEventListener("popstate", function () {
    window.location.reload();
  });

  function show(html, address) {
    var page = new DOMParser().parseFromString(html, "text/html");
    document.title = page.title;
    document.documentElement.lang = page.documentElement.lang;
    document.body.replaceWith(page.body);
    if (address && address !== window.location.href) {
      window.history.pushState(null, "", address);
    }
    // Where a person who cannot see the page would start: the error summary, else the
    // page's main content.
    var start = document.querySelector(".error-summary") || document.getElementById("main");
    if (start) {
      start.focus();
    }
    window.scrollTo(0, 0);
  }
})();
