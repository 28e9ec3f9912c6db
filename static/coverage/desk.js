/* liveblog live desk: publish an update from the story page itself (newsroom logins only).
 * live.js loads this script once /desk/<slug>/ has answered for the signed-in login; its
 * answer (window.liveblog.desk) holds where to post, the CSRF token, the byline and the words.
 * - a composer above the stream: Markdown text, optional headline, "Key event", "Pin"
 *   (for those who may pin), Publish; Ctrl+Enter (⌘+Enter) publishes from anywhere in it;
 * - it posts through the write API (POST /api/v1/stories/<slug>/updates/), so its
 *   permissions and saves are the API's; the byline is the login's own author;
 * - what is typed is kept in this browser (localStorage) as it is typed and comes back
 *   after a reload or a crash; a publish that fails keeps it, says why, and offers Retry.
 */
(function () {
  "use strict";

  var desk = window.liveblog && window.liveblog.desk;
  var stream = document.getElementById("latest");
  if (!desk || !stream || document.getElementById("desk")) return;

  function text(key, values) {
    values = values || {};
    return String(desk.texts[key] || key).replace(/%\((\w+)\)s/g, function (whole, name) {
      return name in values ? values[name] : whole;
    });
  }

  function element(tag, attributes, children) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) { node.setAttribute(name, attributes[name]); });
    (children || []).forEach(function (child) {
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  function toggle(id, label) {
    var box = element("input", { type: "checkbox", id: id, name: id });
    return { box: box, label: element("label", { "class": "desk-toggle", "for": id }, [box, " ", label]) };
  }

  /* ---- the composer ------------------------------------------------------ */

  var stylesheet = element("link", { rel: "stylesheet", href: desk.stylesheet });
  document.head.appendChild(stylesheet);

  var headline = element("input", { type: "text", id: "desk-headline", maxlength: "300", dir: "auto", autocomplete: "off" });
  var body = element("textarea", {
    id: "desk-body", rows: "5", dir: "auto", required: "", "aria-describedby": "desk-note",
  });
  var keyEvent = toggle("desk-key-event", text("key_event"));
  var pin = desk.can_pin ? toggle("desk-pin", text("pin")) : null;
  var publishButton = element("button", { type: "submit", "class": "desk-publish" }, [text("publish")]);
  var note = element("p", { id: "desk-note", "class": "desk-note" }, [
    (desk.author ? text("byline", { name: desk.author }) + " · " : "") + text("shortcut"),
  ]);
  var status = element("p", { "class": "desk-status", role: "status", "aria-live": "polite" });
  var problemText = element("p", { "class": "desk-problem-text" });
  var retry = element("button", { type: "button", "class": "desk-retry" }, [text("retry")]);
  var problem = element("div", { "class": "desk-problem", role: "alert" }, [problemText, retry]);
  problem.hidden = true;

  var form = element("form", { id: "desk", "class": "desk", "aria-labelledby": "desk-title", novalidate: "" }, [
    element("h2", { id: "desk-title", "class": "desk-title" }, [text("title")]),
    element("label", { "for": "desk-headline" }, [text("headline")]),
    headline,
    element("label", { "for": "desk-body" }, [text("body")]),
    body,
    note,
    element("div", { "class": "desk-actions" }, [keyEvent.label].concat(pin ? [pin.label] : []).concat([publishButton])),
    status,
    problem,
  ]);
  stream.insertBefore(form, stream.firstChild);

  /* ---- the draft, kept in this browser ----------------------------------- */

  function store(action) {
    try { return action(window.localStorage); } catch (error) { return null; } /* private mode, full disk */
  }

  function draft() {
    return {
      headline: headline.value,
      markdown: body.value,
      key_event: keyEvent.box.checked,
      pinned: pin ? pin.box.checked : false,
    };
  }

  function keep() {
    var current = draft();
    store(function (storage) {
      if (current.headline || current.markdown) storage.setItem(desk.draft_key, JSON.stringify(current));
      else storage.removeItem(desk.draft_key);
    });
  }

  var kept = store(function (storage) { return JSON.parse(storage.getItem(desk.draft_key) || "null"); });
  if (kept && (kept.headline || kept.markdown)) {
    headline.value = kept.headline || "";
    body.value = kept.markdown || "";
    keyEvent.box.checked = !!kept.key_event;
    if (pin) pin.box.checked = !!kept.pinned;
    status.textContent = text("draft_restored");
  }
  form.addEventListener("input", keep);
  form.addEventListener("change", keep);

  /* ---- publishing --------------------------------------------------------- */

  var publishing = false;

  function failed(message) {
    status.textContent = "";
    problemText.textContent = message;
    problem.hidden = false;
  }

  function published(sent) {
    /* What was typed while the request was out stays in the composer (and in the draft). */
    if (body.value === sent.markdown) body.value = "";
    if (headline.value === sent.headline) headline.value = "";
    keyEvent.box.checked = false;
    if (pin) pin.box.checked = false;
    keep();
    status.textContent = text("published");
    body.focus();
    if (window.liveblog.story) window.liveblog.story.schedule(0); /* show it on this page now */
  }

  function reason(answer, code) {
    var first = answer && answer.errors && answer.errors[0];
    var detail = (answer && answer.detail) || String(code);
    return first && first.message && detail.indexOf(first.message) === -1 ? detail + " " + first.message : detail;
  }

  function publish() {
    if (publishing) return;
    var sent = draft();
    if (!sent.markdown.trim()) {
      failed(text("empty"));
      retry.hidden = true;
      body.focus();
      return;
    }
    publishing = true;
    form.setAttribute("aria-busy", "true");
    problem.hidden = true;
    retry.hidden = false;
    status.textContent = text("publishing");
    var payload = { markdown: sent.markdown, headline: sent.headline.trim(), key_event: sent.key_event };
    if (sent.pinned) payload.pinned = true;
    fetch(desk.post_url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": desk.csrf_token },
      body: JSON.stringify(payload),
    })
      .then(function (response) {
        return response.json().catch(function () { return null; }).then(function (answer) {
          return { ok: response.ok, code: response.status, answer: answer };
        });
      })
      .then(function (result) {
        if (result.ok) published(sent);
        else failed(text("refused", { reason: reason(result.answer, result.code) }));
      }, function () {
        failed(text("network"));
      })
      .then(function () {
        publishing = false;
        form.removeAttribute("aria-busy");
      });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    publish();
  });
  form.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      publish();
    }
  });
  retry.addEventListener("click", function () {
    publish();
    body.focus();
  });
})();
