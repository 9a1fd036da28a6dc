// The bulk selections (opportunities, renewals): the header checkbox (un)checks every row of the page.
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var box = event.target;
    if (!box.matches || !box.matches("[data-select-page]")) return;
    document.querySelectorAll("[data-select-row]").forEach(function (row) { row.checked = box.checked; });
  });
})();
