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
