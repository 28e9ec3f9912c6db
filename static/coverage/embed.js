/* liveblog embed, on a partner's page, next to the iframe the newsroom's admin gave:
 *   <iframe src="https://live.example.org/live/<slug>/embed/" … data-liveblog-embed></iframe>
 *   <script src="https://live.example.org/static/coverage/embed.js" async></script>
 * Sizes each such iframe to the height its page posts (its embedded.js), so the stream
 * reads as part of the partner's page and grows as updates arrive.
 *
 * A message is believed only from the iframe's own window (event.source) and from the
 * origin of its src (event.origin), and only as a height: a fixed type name and a number
 * within bounds. Nothing is sent back. Loaded twice (two embeds on one page), it listens once. */
(function () {
  "use strict";

  var MESSAGE = "liveblog-embed:height";
  var MAX_HEIGHT = 100000; /* px: a bound, not a layout */
  if (window.liveblogEmbed) return;
  window.liveblogEmbed = true;

  function frames() {
    return document.querySelectorAll("iframe[data-liveblog-embed]");
  }

  function prepare(frame) {
    /* What the pasted style attribute says, for partner pages whose CSP drops it. */
    frame.style.width = "100%";
    frame.style.border = "0";
  }

  function originOf(frame) {
    try {
      return new URL(frame.src, document.baseURI).origin;
    } catch (error) {
      return null;
    }
  }

  window.addEventListener("message", function (event) {
    var data = event.data;
    if (!data || data.type !== MESSAGE) return;
    var height = data.height;
    if (typeof height !== "number" || !isFinite(height) || height < 0 || height > MAX_HEIGHT) return;
    Array.prototype.forEach.call(frames(), function (frame) {
      if (frame.contentWindow !== event.source || originOf(frame) !== event.origin) return;
      frame.style.height = Math.ceil(height) + "px";
    });
  });

  function start() {
    Array.prototype.forEach.call(frames(), prepare);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
