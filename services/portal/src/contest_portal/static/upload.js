// A file form (`form[data-upload]`) is sent with XMLHttpRequest, whose upload reports its
// progress: a <progress> bar and a status line say how much has gone. A file larger than
// the form's `data-most-bytes` is not sent at all; the sentence the page holds for it is
// shown next to the field. The page the server answers with (after the redirect of a
// success, or the same page with a refusal) replaces this one, as a plain post would show
// it; where this script does not run, the form is that plain post.
"use strict";
(function () {
  if (!window.XMLHttpRequest || !window.FormData || !window.DOMParser || !window.history.pushState) {
    return;
  }
  var sending = false;
  var shown = where(window.location.href);

  // Going back from a page this script put in place shows the page the address names.
  window.addEventListener("popstate", function () {
    if (where(window.location.href) !== shown) {
      window.location.reload();
    }
  });

  function where(address) {
    var url = new URL(address, window.location.href);
    return url.pathname + url.search;
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (event.defaultPrevented || !(form instanceof HTMLFormElement) || !form.hasAttribute("data-upload")) {
      return;
    }
    var input = form.querySelector("input[type=file]");
    var file = input && input.files && input.files[0];
    var most = parseInt(form.getAttribute("data-most-bytes") || "", 10);
    if (file && most > 0 && file.size > most) {
      event.preventDefault();
      tooLarge(form, input);
      return;
    }
    event.preventDefault();
    if (sending) {
      return; // a second tap while the file is on its way
    }
    sending = true;
    send(form);
  });

  function tooLarge(form, input) {
    var sentence = form.querySelector("#file-too-large");
    var field = form.querySelector(".field");
    if (!sentence || !field) {
      return;
    }
    var other = form.querySelector("#file-error");
    if (other) {
      other.hidden = true;
    }
    sentence.hidden = false;
    field.classList.add("field--error");
    input.setAttribute("aria-invalid", "true");
    input.setAttribute("aria-describedby", "file-hint file-too-large");
    input.focus();
  }

  function send(form) {
    var shown = form.querySelector(".upload__progress");
    var bar = form.querySelector("progress");
    var status = shown && shown.querySelector("[role=status]");
    var button = form.querySelector("button[type=submit]");
    var said = -1;
    if (shown) {
      shown.hidden = false;
    }
    if (button) {
      button.disabled = true;
    }
    form.setAttribute("aria-busy", "true");
    var request = new XMLHttpRequest();
    request.open("POST", form.action);
    request.setRequestHeader("Accept", "text/html");
    request.upload.addEventListener("progress", function (progress) {
      if (!progress.lengthComputable || !bar) {
        return;
      }
      var percent = Math.floor((progress.loaded / progress.total) * 100);
      bar.value = percent;
      // The status line speaks in steps of a quarter, not at every event.
      var step = Math.floor(percent / 25) * 25;
      if (status && step !== said) {
        said = step;
        status.textContent = (status.getAttribute("data-sent") || "{percent}%").replace("{percent}", String(step));
      }
    });
    request.addEventListener("load", function () {
      var type = request.getResponseHeader("content-type") || "";
      if (type.indexOf("text/html") !== 0) {
        reread();
        return;
      }
      show(request.responseText, request.responseURL);
    });
    // The file may have reached the server: it is not sent again behind the person's back.
    // The page is read again as it stands, and they decide.
    request.addEventListener("error", reread);
    request.addEventListener("abort", reread);
    request.addEventListener("loadend", function () {
      sending = false;
    });
    request.send(new FormData(form));
  }

  function reread() {
    window.location.assign(window.location.href);
  }

  function show(html, address) {
    var page = new DOMParser().parseFromString(html, "text/html");
    document.title = page.title;
    document.documentElement.lang = page.documentElement.lang;
    document.body.replaceWith(page.body);
    if (address && address !== window.location.href) {
      window.history.pushState(null, "", address);
    }
    shown = where(window.location.href);
    var start = document.querySelector(".error-summary") || document.getElementById("main");
    if (start) {
      start.focus();
    }
    window.scrollTo(0, 0);
  }
})();
