// Embeds: each post, video, audio or chart stands as a facade (templates/coverage/includes/embed.html)
// and nothing is asked of its provider until the reader presses "Show …", or has chosen
// "Always show embeds from …" (remembered in this browser). The facade then becomes the
// provider's iframe, built from what the server rendered and sized as the facade was.
// The page's Content-Security-Policy frames exactly the origins this script tag lists:
// an embed arriving later (live updates) from another origin keeps its link to the original.
(function () {
  "use strict";

  var script = document.currentScript;
  var allowed = ((script && script.getAttribute("data-frame-origins")) || "").split(" ").filter(Boolean);
  var KEY = "liveblog.embeds.always";
  // Frames this reader opened on this page: an update edited live comes back as a facade,
  // and opens again at once.
  var opened = {};

  function alwaysShown() {
    try {
      var list = JSON.parse(window.localStorage.getItem(KEY) || "[]");
      return Array.isArray(list) ? list : [];
    } catch (error) {
      return []; // storage off or unreadable: ask every time
    }
  }

  function setAlways(provider, on) {
    var list = alwaysShown().filter(function (name) {
      return name !== provider;
    });
    if (on) {
      list.push(provider);
    }
    try {
      window.localStorage.setItem(KEY, JSON.stringify(list));
    } catch (error) {
      // storage off: the choice lasts for this page only
    }
  }

  function permitted(figure) {
    var origin = figure.getAttribute("data-origin") || "";
    var src = figure.getAttribute("data-src") || "";
    return allowed.indexOf(origin) !== -1 && src.indexOf(origin + "/") === 0;
  }

  function show(figure, focus) {
    if (figure.classList.contains("is-shown") || !permitted(figure)) {
      return;
    }
    var frame = figure.querySelector(".embed-frame");
    var iframe = document.createElement("iframe");
    iframe.className = "embed-iframe";
    iframe.title = figure.getAttribute("data-title") || window.liveblog.text("embedded_content");
    iframe.setAttribute("sandbox", figure.getAttribute("data-sandbox") || "");
    iframe.setAttribute("referrerpolicy", figure.getAttribute("data-referrer") || "no-referrer");
    var allow = figure.getAttribute("data-allow");
    if (allow) {
      iframe.setAttribute("allow", allow);
    }
    if (figure.classList.contains("embed-video")) {
      iframe.setAttribute("allowfullscreen", "");
    }
    var src = figure.getAttribute("data-src");
    iframe.src = src;
    opened[src] = true;
    frame.replaceChildren(iframe);
    figure.classList.add("is-shown");
    if (focus) {
      iframe.focus();
    }
  }

  function prepare(figure) {
    if (figure.hasAttribute("data-ready")) {
      return;
    }
    figure.setAttribute("data-ready", "");
    if (!permitted(figure)) {
      figure.classList.add("is-elsewhere"); // the link to the original stays the way to it
      return;
    }
    var provider = figure.getAttribute("data-provider");
    if (alwaysShown().indexOf(provider) !== -1 || opened[figure.getAttribute("data-src")]) {
      show(figure, false);
      return;
    }
    var actions = figure.querySelector(".embed-actions");
    if (actions) {
      actions.hidden = false;
    }
  }

  function prepareAll(root) {
    var figures = root.querySelectorAll("figure[data-embed]");
    for (var index = 0; index < figures.length; index++) {
      prepare(figures[index]);
    }
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest(".embed-show");
    var figure = button && button.closest("figure[data-embed]");
    if (figure) {
      show(figure, true);
    }
  });

  document.addEventListener("change", function (event) {
    var box = event.target;
    if (!box.matches || !box.matches("input[data-always]")) {
      return;
    }
    var provider = box.getAttribute("data-always");
    setAlways(provider, box.checked);
    if (box.checked) {
      var figures = document.querySelectorAll("figure[data-embed]");
      for (var index = 0; index < figures.length; index++) {
        if (figures[index].getAttribute("data-provider") === provider) {
          show(figures[index], figures[index].contains(box)); // the box goes with its facade
        }
      }
    }
  });

  function start() {
    prepareAll(document);
    // Updates arriving or edited live bring facades of their own.
    if (window.MutationObserver) {
      new MutationObserver(function (records) {
        records.forEach(function (record) {
          record.addedNodes.forEach(function (node) {
            if (node.nodeType === 1) {
              if (node.matches("figure[data-embed]")) {
                prepare(node);
              } else {
                prepareAll(node);
              }
            }
          });
        });
      }).observe(document.body, { childList: true, subtree: true });
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
