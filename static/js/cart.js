/* The admin center's cart ([data-cart]): when the license count or the payment frequency changes, the totals
   ([data-cart-items]) are fetched again from the cart's own URL with ?fragment=items (the server computes them:
   no price arithmetic here) and replace the old ones; a fault (say, fewer licenses than today) comes back as a
   400 whose body holds the message and today's totals, shown the same way. The "Update totals" button
   ([data-cart-refresh]) does the same without JavaScript; with it, the button is hidden. */
(function () {
  "use strict";

  function wire(form) {
    var items = form.querySelector("[data-cart-items]");
    var refresh = form.querySelector("[data-cart-refresh]");
    if (!items || !window.fetch || !window.URLSearchParams) { return; }
    if (refresh) { refresh.hidden = true; }
    var timer = null;
    var sequence = 0;

    function update() {
      var params = new URLSearchParams();
      ["quantity", "billing_cycle"].forEach(function (name) {
        var field = form.elements[name];
        if (field) { params.set(name, field.value); }
      });
      params.set("fragment", "items");
      var mine = ++sequence;
      form.setAttribute("aria-busy", "true");
      window.fetch(form.getAttribute("data-cart-url") + "?" + params.toString(), {
        credentials: "same-origin",
        headers: { "Accept": "text/html" }
      }).then(function (response) {
        return response.text();
      }).then(function (html) {
        if (mine !== sequence) { return; }  // an older answer arriving late
        items.innerHTML = html;
        form.removeAttribute("aria-busy");
      }).catch(function () {
        form.removeAttribute("aria-busy");
        if (refresh) { refresh.hidden = false; }
      });
    }

    function later() {
      window.clearTimeout(timer);
      timer = window.setTimeout(update, 250);
    }
    ["quantity", "billing_cycle"].forEach(function (name) {
      var field = form.elements[name];
      if (field) {
        field.addEventListener("input", later);
        field.addEventListener("change", later);
      }
    });
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-cart]"), wire);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
