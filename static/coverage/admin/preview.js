// Live Markdown preview for the update form: the body is rendered by the server
// (the same code as the reader pages, sanitized) a moment after typing stops.
(function () {
  "use strict";

  function start() {
    var preview = document.querySelector("[data-preview-url]");
    var body = document.getElementById("id_body");
    var token = document.querySelector("input[name=csrfmiddlewaretoken]");
    if (!preview || !body || !token || !window.fetch) {
      return;
    }
    var timer = null;
    var controller = null;

    function refresh() {
      if (controller) {
        controller.abort();
      }
      controller = window.AbortController ? new AbortController() : null;
      var data = new FormData();
      data.append("text", body.value);
      fetch(preview.getAttribute("data-preview-url"), {
        method: "POST",
        body: data,
        credentials: "same-origin",
        headers: { "X-CSRFToken": token.value },
        signal: controller ? controller.signal : undefined,
      })
        .then(function (response) {
          if (!response.ok) {
            throw new Error("preview failed: " + response.status);
          }
          return response.json();
        })
        .then(function (json) {
          preview.innerHTML = json.html; // rendered and sanitized by the server
          preview.classList.remove("is-stale");
        })
        .catch(function (error) {
          if (error.name !== "AbortError") {
            preview.classList.add("is-stale");
          }
        });
    }

    body.addEventListener("input", function () {
      preview.classList.add("is-stale");
      window.clearTimeout(timer);
      timer = window.setTimeout(refresh, 300);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
