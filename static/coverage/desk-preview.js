/* liveblog live desk: the update as readers will see it, under the composer's text.
 * A moment after typing stops, the headline and text are posted to /desk/<slug>/preview,
 * which renders them as the story page does (Markdown, sanitizing, embed facades: a URL
 * alone on a line shows its facade before publishing); the answer is shown here. One
 * request at a time: what is typed while one is out is sent when it is back, and an answer
 * for a text that has changed since is dropped. The preview is a region named "Preview" for
 * screen readers, is not announced as it changes, and never takes the focus.
 */
(function () {
  "use strict";

  var kit = window.liveblog && window.liveblog.deskKit;
  if (!kit || !kit.data.preview_url || document.getElementById("desk-preview")) return;

  var QUIET_MS = 500; /* typing stopped this long: ask for the preview */

  var content = kit.element("div", { "class": "desk-preview-content" });
  var trouble = kit.element("p", { "class": "desk-preview-trouble" });
  trouble.hidden = true;
  var region = kit.element("section", { id: "desk-preview", "class": "desk-preview", "aria-labelledby": "desk-preview-title" }, [
    kit.element("h3", { id: "desk-preview-title", "class": "desk-preview-title" }, [kit.text("preview")]),
    content,
    trouble,
  ]);
  region.hidden = true;
  kit.extras.insertBefore(region, kit.extras.firstChild); /* right under the text, before other parts' controls */

  var timer = null;
  var asking = false;
  var shown = null; /* the text the preview shows, as sent: {markdown, headline} */

  function typed() {
    return { markdown: kit.body.value, headline: kit.headline.value };
  }

  function same(one, other) {
    return !!one && !!other && one.markdown === other.markdown && one.headline === other.headline;
  }

  function refresh() {
    timer = null;
    var wanted = typed();
    if (!wanted.markdown.trim() && !wanted.headline.trim()) {
      shown = wanted;
      region.hidden = true;
      content.textContent = "";
      return;
    }
    if (asking || same(wanted, shown)) return; /* the answer in flight asks again if needed */
    asking = true;
    kit.request(kit.data.preview_url, { method: "POST", body: wanted })
      .then(function (result) {
        if (!same(wanted, typed())) return; /* typed since: stale, the next answer shows it */
        shown = wanted; /* answered, well or not: asked again only once the text changes */
        if (result.ok && result.answer && typeof result.answer.html === "string") {
          content.innerHTML = result.answer.html; /* rendered and sanitized by the site, as the page is */
          trouble.hidden = true;
        } else {
          failed();
        }
        region.hidden = false;
      }, function () {
        if (!same(wanted, typed())) return;
        shown = wanted;
        failed();
        region.hidden = false;
      })
      .then(function () {
        asking = false;
        if (!same(typed(), shown) && timer === null) later();
      });
  }

  function failed() {
    trouble.textContent = kit.text("preview_failed");
    trouble.hidden = false;
  }

  function later() {
    if (timer !== null) clearTimeout(timer);
    timer = setTimeout(refresh, QUIET_MS);
  }

  kit.body.addEventListener("input", later);
  kit.headline.addEventListener("input", later);
  /* After publishing, the composer is emptied (or keeps what was typed meanwhile). */
  kit.form.addEventListener("desk:published", function () { setTimeout(refresh, 0); });
  if (kit.body.value.trim()) refresh(); /* a draft restored */
})();
