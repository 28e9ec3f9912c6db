/* liveblog embed, inside the partner's frame: tells the page around it how tall the
 * stream is, so the partner's embed.js sizes the iframe to it (no inner scroll bar).
 * Posted on load and whenever the document's height changes (ResizeObserver: arriving
 * updates, edits, pictures loading, a narrower frame).
 *
 * The message is a fixed type name and a number, nothing else. It is posted to any
 * origin ("*"): only a height leaves this page, and the only pages that can frame it are
 * the partners the site's CSP frame-ancestors names (the browser refuses every other),
 * whose origins this page need not know. */
(function () {
  "use strict";

  var MESSAGE = "liveblog-embed:height";
  if (window.parent === window) return; /* opened on its own: nothing to size */

  var sent = -1;
  function post() {
    var height = Math.ceil(document.documentElement.getBoundingClientRect().height);
    if (height === sent) return;
    sent = height;
    window.parent.postMessage({ type: MESSAGE, height: height }, "*");
  }

  if (window.ResizeObserver) new ResizeObserver(post).observe(document.documentElement);
  window.addEventListener("load", post);
  post();
})();
