// The console's only script: refresh the live parts of the page while it is shown. Every element marked
// `data-live` with an id is replaced by the same element of a fresh copy of the page, fetched every
// `data-refresh` seconds (none while the tab is hidden, none while a form on the page has focus or is being
// filled). Nothing is loaded from anywhere but the console.
(function () {
  "use strict";
  var seconds = parseInt(document.body.getAttribute("data-refresh"), 10) || 0;
  var status = document.getElementById("live-status");
  var busy = false;

  function editing() {
    var active = document.activeElement;
    return active && /^(INPUT|SELECT|TEXTAREA)$/.test(active.tagName) && active.closest("form:not(.filters)") !== null;
  }

  function stamp() {
    if (!status) return;
    var now = new Date();
    var time = [now.getHours(), now.getMinutes(), now.getSeconds()].map(function (n) {
      return (n < 10 ? "0" : "") + n;
    }).join(":");
    status.textContent = status.getAttribute("data-updated-text").replace("{time}", time);
  }

  function refresh() {
    if (busy || document.hidden || editing()) return;
    var live = document.querySelectorAll("[data-live][id]");
    if (!live.length) return;
    busy = true;
    fetch(window.location.href, { headers: { "X-Console-Refresh": "1" }, credentials: "same-origin", redirect: "manual" })
      .then(function (answer) {
        if (!answer.ok) throw new Error("HTTP " + answer.status);
        return answer.text();
      })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html");
        live.forEach(function (part) {
          var next = fresh.getElementById(part.id);
          if (next && next.innerHTML !== part.innerHTML) {
            part.innerHTML = next.innerHTML;
          }
        });
        document.body.setAttribute("data-refreshed", String(Date.now()));
        stamp();
      })
      .catch(function () { /* the service or the console is restarting: the next tick tries again */ })
      .then(function () { busy = false; });
  }

  if (seconds > 0) {
    window.setInterval(refresh, seconds * 1000);
    document.addEventListener("visibilitychange", function () { if (!document.hidden) refresh(); });
  }
})();
