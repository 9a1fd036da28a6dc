/* Fills a page's [data-summary-url] element (the opportunities page, the home page's opportunity card) from
   portal:opportunities_summary once the page is shown: each [data-summary-slot="NAME"] gets the answer's
   html.NAME, then the inserted charts are drawn (charts.js). [data-summary-status] says "Loading…" meanwhile;
   when the fetch fails it says the element's data-summary-failed text (or goes away: the page's fallback shows). */
(function () {
  "use strict";

  function fill(root) {
    var status = root.querySelector("[data-summary-status]");
    function failed() {
      if (!status) { return; }
      var text = root.getAttribute("data-summary-failed");
      if (text) { status.textContent = text; } else { status.parentNode.removeChild(status); }
    }
    if (!window.fetch) { failed(); return; }
    window.fetch(root.getAttribute("data-summary-url"), {
      credentials: "same-origin",
      headers: { "Accept": "application/json" }
    }).then(function (response) {
      if (!response.ok) { throw new Error(String(response.status)); }
      return response.json();
    }).then(function (body) {
      var html = body.html || {};
      Array.prototype.forEach.call(document.querySelectorAll("[data-summary-slot]"), function (slot) {
        var name = slot.getAttribute("data-summary-slot");
        if (Object.prototype.hasOwnProperty.call(html, name)) { slot.innerHTML = html[name]; }
      });
      if (status) { status.parentNode.removeChild(status); }
      root.setAttribute("data-summary-loaded", "true");
      if (window.PortalCharts) { window.PortalCharts.drawAll(); }
    }).catch(failed);
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-summary-url]"), fill);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
