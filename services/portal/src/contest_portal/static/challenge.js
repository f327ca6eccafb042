// The phone step's proof of work: before the number is sent, find a nonce such that
// sha256(challenge || phone || nonce) starts with `data-difficulty` zero bits, the rule
// voting checks (services/voting, domain/challenges.py). The phone is normalised as
// voting does, so that the work is for the number voting reads. Hashes are computed in
// batches with crypto.subtle (a secure context: https, or http on 127.0.0.1), giving the
// page back between batches, so that it keeps answering while it works.
"use strict";

(function () {
  if (!window.crypto || !window.crypto.subtle || !window.TextEncoder) {
    return; // the form goes as it is; voting's refusal says what to do
  }
  var BATCH = 512;
  var SLICE_MS = 40; // under the 50 ms that makes a task "long" (slow to answer a tap)
  var encoder = new TextEncoder();

  // The number as the portal and then voting read it (pages/vote.py written_phone,
  // voting's normalise_phone): +7 and ten digits, or null when it is not one.
  function normalised(raw) {
    var digits = raw.trim().replace(/[\s()\-.]/g, "").slice(0, 32);
    if (/^7\d{9}$/.test(digits)) {
      digits = "+7" + digits;
    } else if (/^8\d{10}$/.test(digits)) {
      digits = "+7" + digits.slice(1);
    } else if (/^7\d{10}$/.test(digits)) {
      digits = "+" + digits;
    }
    return /^\+7\d{10}$/.test(digits) ? digits : null;
  }

  function zeroBits(bytes) {
    var bits = 0;
    for (var i = 0; i < bytes.length; i++) {
      if (bytes[i] !== 0) {
        return bits + Math.clz32(bytes[i]) - 24;
      }
      bits += 8;
    }
    return bits;
  }

  // Back to the event loop between batches: digests resolve as microtasks, which alone
  // would hold the main thread (and every tap) for the whole work.
  var channel = new MessageChannel();
  var waiting = [];
  channel.port1.onmessage = function () {
    waiting.shift()();
  };
  function yieldToPage() {
    return new Promise(function (resume) {
      waiting.push(resume);
      channel.port2.postMessage(null);
    });
  }

  async function solve(prefix, difficulty) {
    var slice = performance.now();
    for (var start = 0; start < Number.MAX_SAFE_INTEGER; start += BATCH) {
      if (performance.now() - slice > SLICE_MS) {
        await yieldToPage();
        slice = performance.now();
      }
      var hashing = [];
      for (var n = start; n < start + BATCH; n++) {
        hashing.push(crypto.subtle.digest("SHA-256", encoder.encode(prefix + n)));
      }
      var digests = await Promise.all(hashing);
      for (var i = 0; i < digests.length; i++) {
        if (zeroBits(new Uint8Array(digests[i])) >= difficulty) {
          return String(start + i);
        }
      }
    }
    throw new Error("no nonce");
  }

  // Listened for on the document, before any other listener (capture): portal.js may put
  // a new page, and so a new form, in place of this one (after a refused number), and the
  // form found at each submission is the one on the page now.
  document.addEventListener(
    "submit",
    function (event) {
      var form = event.target;
      if (!(form instanceof HTMLFormElement) || form.id !== "challenged") {
        return;
      }
      var phone = normalised(form.elements.phone.value);
      var task = phone === null ? null : form.elements.challenge.value + phone;
      if (form.dataset.working) {
        event.preventDefault(); // a second tap while it works
        return;
      }
      // No number to work for, or the work done for this number: the form goes on (and
      // portal.js may send it without a reload).
      if (task === null || form.dataset.solvedFor === task) {
        return;
      }
      event.preventDefault();
      var status = document.getElementById("challenge-status");
      var button = form.querySelector("button[type=submit]");
      form.dataset.working = "yes";
      button.disabled = true;
      status.classList.remove("status--failed");
      status.textContent = form.dataset.checking;
      var started = performance.now();
      solve(task, Number(form.dataset.difficulty)).then(
        function (nonce) {
          form.elements.nonce.value = nonce;
          form.dataset.solvedFor = task;
          form.dataset.solvedMs = String(Math.round(performance.now() - started));
          delete form.dataset.working;
          button.disabled = false;
          // A new submission, which this listener lets go; in a task of its own, since
          // one asked for while the first is still being dispatched is dropped.
          setTimeout(function () {
            form.requestSubmit(button);
          }, 0);
        },
        function () {
          delete form.dataset.working;
          button.disabled = false;
          status.classList.add("status--failed");
          status.textContent = form.dataset.failed;
        }
      );
    },
    true
  );
})();
