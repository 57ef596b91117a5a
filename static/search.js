/* The search page (/soeg/): Pagefind's UI over the bundle the build wrote to <base path>pagefind/.
   Loaded as a file (no inline script) so it runs under the site's Content-Security-Policy. */
(function () {
  "use strict";

  // Pagefind anchors sub-results to the heading (#punkt-3-h); the public item URL is #punkt-3.
  var HEADING_ANCHOR = /#(punkt-\d+)-h$/;

  function itemUrl(url) {
    return typeof url === "string" ? url.replace(HEADING_ANCHOR, "#$1") : url;
  }

  function start() {
    var root = document.getElementById("search");
    if (!root || typeof window.PagefindUI !== "function") {
      return;
    }
    var bundle = root.getAttribute("data-bundle") || "/pagefind/";
    var ui = new window.PagefindUI({
      element: "#search",
      bundlePath: bundle,
      baseUrl: bundle.replace(/pagefind\/$/, ""),
      showSubResults: true,
      pageSize: 10, // Pagefind shows 5 at first; a question about a topic usually spans more meetings
      showImages: false,
      excerptLength: 30,
      resetStyles: false,
      translations: {
        placeholder: "Søg i referaterne",
        search_label: "Søg i referaterne",
        filters_label: "Afgræns",
      },
      processResult: function (result) {
        result.url = itemUrl(result.url);
        (result.sub_results || []).forEach(function (sub) {
          sub.url = itemUrl(sub.url);
        });
        return result;
      },
    });
    var query = new URLSearchParams(window.location.search).get("q");
    if (query) {
      ui.triggerSearch(query);
      var top = document.getElementById("q-top");
      if (top) {
        top.value = query;
      }
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
