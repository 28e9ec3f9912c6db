/* liveblog live desk: publish an update from the story page itself (newsroom logins only).
 * live.js loads this script, then the desk's other scripts in order, once /desk/<slug>/ has
 * answered for the signed-in login; its answer (window.liveblog.desk) holds where to post,
 * the CSRF token, the byline, the newsroom's authors and the words.
 * - a composer above the stream: Markdown text, optional headline, a byline (the login's own
 *   author; co-authors added by typing a name), "Key event", "Pin" (for those who may pin),
 *   publish now or at a time; Ctrl+Enter (⌘+Enter) publishes from anywhere in it;
 * - it posts through the write API (POST /api/v1/stories/<slug>/updates/), so its
 *   permissions and saves are the API's; each update carries an Idempotency-Key made once
 *   per draft, so a Retry after a lost answer never publishes it twice;
 * - what is typed is kept in this browser (localStorage) as it is typed and comes back
 *   after a reload or a crash; a publish that fails keeps it, says why, and offers Retry.
 *
 * The desk's other scripts build on window.liveblog.deskKit (below): its helpers, the
 * composer's parts, `extras` (a place in the composer for their controls) and
 * `attachments` (things sent with an update once it exists, such as pictures).
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

  function store(action) {
    try { return action(window.localStorage); } catch (error) { return null; } /* private mode, full disk */
  }

  /* A request to the site as this login: JSON both ways (or a FormData body), with the CSRF
   * token. Resolves to {ok, code, answer, etag} for any answer; rejects only when the site
   * could not be reached. `etag` is as the site sent it: a compressed answer's is weak
   * (W/"…"), and the write API takes that as naming the same version. */
  function request(url, options) {
    options = options || {};
    var headers = { Accept: "application/json", "X-CSRFToken": desk.csrf_token };
    var body = options.body;
    if (body !== undefined && !(body instanceof FormData)) {
      headers["Content-Type"] = "application/json";
      body = JSON.stringify(body);
    }
    Object.keys(options.headers || {}).forEach(function (name) { headers[name] = options.headers[name]; });
    return fetch(url, { method: options.method || "GET", credentials: "same-origin", headers: headers, body: body })
      .then(function (response) {
        return response.json().catch(function () { return null; }).then(function (answer) {
          return { ok: response.ok, code: response.status, answer: answer, etag: response.headers.get("ETag") };
        });
      });
  }

  /* The site's reason for a refusal, in its words: the detail and the first field's error. */
  function reason(result) {
    var answer = result.answer;
    var first = answer && answer.errors && answer.errors[0];
    var detail = (answer && answer.detail) || String(result.code);
    return first && first.message && detail.indexOf(first.message) === -1 ? detail + " " + first.message : detail;
  }

  /* Where one update of this story is, in the write API. */
  function updateUrl(id) { return desk.post_url + id + "/"; }

  function newKey() {
    if (window.crypto && window.crypto.randomUUID) return window.crypto.randomUUID();
    return Date.now().toString(36) + "-" + Math.random().toString(36).slice(2) + Math.random().toString(36).slice(2);
  }

  function toggle(id, label) {
    var box = element("input", { type: "checkbox", id: id, name: id });
    return { box: box, label: element("label", { "class": "desk-toggle", "for": id }, [box, " ", label]) };
  }

  /* ---- the composer ------------------------------------------------------ */

  document.head.appendChild(element("link", { rel: "stylesheet", href: desk.stylesheet }));

  var headline = element("input", { type: "text", id: "desk-headline", maxlength: "300", dir: "auto", autocomplete: "off" });
  var body = element("textarea", {
    id: "desk-body", rows: "5", dir: "auto", required: "", "aria-describedby": "desk-note",
  });
  var extras = element("div", { "class": "desk-extras" });

  /* The byline: the login's own author first; co-authors by typing a name. */
  var authors = desk.authors || [];
  var names = {};
  authors.forEach(function (person) { names[person.slug] = person.name; });
  var bylineList = element("ul", { "class": "desk-byline", "aria-labelledby": "desk-byline-label" });
  var coauthor = element("input", {
    type: "text", id: "desk-coauthor", list: "desk-authors", dir: "auto", autocomplete: "off",
    "aria-describedby": "desk-byline-label",
  });
  var directory = element("datalist", { id: "desk-authors" }, authors.map(function (person) {
    return element("option", { value: person.name });
  }));
  var addAuthor = element("button", { type: "button", "class": "desk-secondary" }, [text("add_author_button")]);
  var byline = element("div", { "class": "desk-byline-field" }, [
    element("span", { id: "desk-byline-label", "class": "desk-label" }, [text("byline_label")]),
    bylineList,
    element("label", { "for": "desk-coauthor", "class": "desk-label-quiet" }, [text("add_author")]),
    element("div", { "class": "desk-inline" }, [coauthor, addAuthor]),
    directory,
  ]);

  var keyEvent = toggle("desk-key-event", text("key_event"));
  var pin = desk.can_pin ? toggle("desk-pin", text("pin")) : null;
  var later = toggle("desk-later", text("schedule"));
  var when = element("input", { type: "datetime-local", id: "desk-when", step: "60" });
  var whenField = element("div", { "class": "desk-when" }, [
    element("label", { "for": "desk-when" }, [text("publish_at")]), when,
  ]);
  whenField.hidden = true;
  var publishButton = element("button", { type: "submit", "class": "desk-publish" }, [text("publish")]);
  var note = element("p", { id: "desk-note", "class": "desk-note" }, [text("shortcut")]);
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
    extras,
    byline,
    element("div", { "class": "desk-actions" },
      [keyEvent.label].concat(pin ? [pin.label] : []).concat([later.label, whenField, publishButton])),
    status,
    problem,
  ]);
  stream.insertBefore(form, stream.firstChild);

  /* ---- the byline --------------------------------------------------------- */

  var chosen = [];

  function showByline() {
    bylineList.textContent = "";
    chosen.forEach(function (slug) {
      var name = names[slug] || slug;
      var remove = element("button", {
        type: "button", "class": "desk-remove", "aria-label": text("remove_author", { name: name }),
      }, ["×"]);
      remove.addEventListener("click", function () {
        chosen = chosen.filter(function (other) { return other !== slug; });
        showByline();
        keep();
        coauthor.focus();
      });
      bylineList.appendChild(element("li", { dir: "auto" }, [name, " ", remove]));
    });
  }

  function findAuthor(typed) {
    var wanted = typed.trim().toLocaleLowerCase();
    if (!wanted) return null;
    var exact = authors.filter(function (person) { return person.name.toLocaleLowerCase() === wanted; });
    if (exact.length) return exact[0];
    var starting = authors.filter(function (person) {
      return person.name.toLocaleLowerCase().indexOf(wanted) === 0;
    });
    return starting.length === 1 ? starting[0] : null;
  }

  function addTyped() {
    if (!coauthor.value.trim()) return;
    var person = findAuthor(coauthor.value);
    if (!person) {
      status.textContent = text("unknown_author", { name: coauthor.value.trim() });
      return;
    }
    if (chosen.indexOf(person.slug) === -1) chosen.push(person.slug);
    coauthor.value = "";
    status.textContent = "";
    showByline();
    keep();
  }

  addAuthor.addEventListener("click", function () { addTyped(); coauthor.focus(); });
  coauthor.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.ctrlKey && !event.metaKey) {
      event.preventDefault();
      addTyped();
    }
  });
  coauthor.addEventListener("change", function () { if (findAuthor(coauthor.value)) addTyped(); });

  function ownByline() { return desk.author ? [desk.author.slug] : []; }

  /* ---- scheduling ----------------------------------------------------------- */

  function showWhen() {
    whenField.hidden = !later.box.checked;
    publishButton.textContent = text(later.box.checked ? "schedule_button" : "publish");
  }
  later.box.addEventListener("change", function () {
    showWhen();
    if (later.box.checked) when.focus();
  });

  /* ---- the draft, kept in this browser ----------------------------------- */

  var draftKey = newKey();

  function draft() {
    return {
      headline: headline.value,
      markdown: body.value,
      key_event: keyEvent.box.checked,
      pinned: pin ? pin.box.checked : false,
      authors: chosen.slice(),
      later: later.box.checked,
      when: when.value,
      key: draftKey,
    };
  }

  function keep() {
    var current = draft();
    store(function (storage) {
      if (current.headline || current.markdown) storage.setItem(desk.draft_key, JSON.stringify(current));
      else storage.removeItem(desk.draft_key);
    });
  }

  function clear() {
    headline.value = "";
    body.value = "";
    keyEvent.box.checked = false;
    if (pin) pin.box.checked = false;
    later.box.checked = false;
    when.value = "";
    chosen = ownByline();
    draftKey = newKey();
    showByline();
    showWhen();
  }

  clear();
  var kept = store(function (storage) { return JSON.parse(storage.getItem(desk.draft_key) || "null"); });
  if (kept && (kept.headline || kept.markdown)) {
    headline.value = kept.headline || "";
    body.value = kept.markdown || "";
    keyEvent.box.checked = !!kept.key_event;
    if (pin) pin.box.checked = !!kept.pinned;
    later.box.checked = !!kept.later;
    when.value = kept.when || "";
    if (Array.isArray(kept.authors)) chosen = kept.authors.filter(function (slug) { return slug in names; });
    if (kept.key) draftKey = kept.key;
    showByline();
    showWhen();
    status.textContent = text("draft_restored");
  }
  form.addEventListener("input", function (event) { if (event.target !== coauthor) keep(); });
  form.addEventListener("change", function (event) { if (event.target !== coauthor) keep(); });

  /* ---- publishing --------------------------------------------------------- */

  var kit = {
    data: desk,
    text: text,
    element: element,
    store: store,
    request: request,
    updateUrl: updateUrl,
    reason: reason,
    form: form,
    headline: headline,
    body: body,
    extras: extras,
    status: status,
    /* Each: {pending(): bool, send(update, etag): Promise of the update's ETag once they are
     * added (rejects with an Error whose message says what went wrong), clear(), and
     * optionally check(): null, or {message, field} when something the editor must fill in is
     * missing (publishing stops before anything is sent, the message shows and the field has
     * the focus)}. An update with attachments pending is posted as a draft, given them, then
     * published (or scheduled): readers never see it half made, and if one is refused the
     * draft is deleted and the composer keeps it all. */
    attachments: [],
    keep: keep,
  };
  window.liveblog.deskKit = kit;

  var publishing = false;

  function failed(message, canRetry) {
    status.textContent = "";
    problemText.textContent = message;
    retry.hidden = !canRetry;
    problem.hidden = false;
  }

  function published(sent, update) {
    /* What was typed while the request was out stays in the composer (and in the draft). */
    var typedSince = body.value !== sent.markdown || headline.value !== sent.headline;
    if (!typedSince) clear();
    else draftKey = newKey();
    kit.attachments.forEach(function (attachment) { attachment.clear(); });
    keep();
    status.textContent = update.status === "scheduled"
      ? text("scheduled", { time: new Date(update.published_at).toLocaleString(document.documentElement.lang || undefined, { dateStyle: "medium", timeStyle: "short" }) })
      : text("published");
    body.focus();
    form.dispatchEvent(new CustomEvent("desk:published", { detail: update }));
    if (window.liveblog.story) window.liveblog.story.schedule(0); /* show it on this page now */
  }

  function timing(sent) {
    if (!sent.later) return { status: "published" };
    return { status: "scheduled", published_at: new Date(sent.when).toISOString() };
  }

  /* Attachments one after the other, each given the update's ETag the one before left. */
  function attach(update, etag) {
    var pending = kit.attachments.filter(function (attachment) { return attachment.pending(); });
    return pending.reduce(function (previous, attachment) {
      return previous.then(function (current) { return attachment.send(update, current); });
    }, Promise.resolve(etag));
  }

  function undo(update) {
    /* The draft an attachment failed on goes: nothing half made stays in the newsroom's list. */
    return request(updateUrl(update.id), { method: "DELETE", headers: { "If-Match": "*" } })
      .catch(function () { return null; });
  }

  function publish() {
    if (publishing) return;
    var sent = draft();
    if (!sent.markdown.trim()) {
      failed(text("empty"), false);
      body.focus();
      return;
    }
    if (!sent.authors.length) {
      failed(text("no_author"), false);
      coauthor.focus();
      return;
    }
    if (sent.later && (!sent.when || isNaN(new Date(sent.when).getTime()))) {
      failed(text("when_missing"), false);
      when.focus();
      return;
    }
    var missing = null;
    kit.attachments.some(function (attachment) { return (missing = attachment.check && attachment.check()); });
    if (missing) {
      failed(missing.message, false);
      if (missing.field) missing.field.focus();
      return;
    }
    var withAttachments = kit.attachments.some(function (attachment) { return attachment.pending(); });
    publishing = true;
    form.setAttribute("aria-busy", "true");
    problem.hidden = true;
    status.textContent = text("publishing");
    var wanted = timing(sent);
    var payload = {
      markdown: sent.markdown,
      headline: sent.headline.trim(),
      key_event: sent.key_event,
      authors: sent.authors,
      status: withAttachments ? "draft" : wanted.status,
    };
    if (!withAttachments && wanted.published_at) payload.published_at = wanted.published_at;
    if (sent.pinned && !withAttachments) payload.pinned = true;
    var update = null;
    request(desk.post_url, { method: "POST", body: payload, headers: { "Idempotency-Key": sent.key } })
      .then(function (result) {
        if (!result.ok) throw { refused: text("refused", { reason: reason(result) }) };
        update = result.answer;
        if (!withAttachments || update.status !== "draft") return result;
        return attach(update, result.etag).then(function (etag) {
          var finish = { status: wanted.status };
          if (wanted.published_at) finish.published_at = wanted.published_at;
          if (sent.pinned) finish.pinned = true;
          return request(updateUrl(update.id), {
            method: "PATCH", body: finish, headers: { "If-Match": etag },
          });
        }, function (error) {
          return undo(update).then(function () {
            throw { refused: text("refused", { reason: error.message || "" }), attachment: true };
          });
        }).then(function (finished) {
          if (!finished.ok) throw { refused: text("refused", { reason: reason(finished) }) };
          return finished;
        });
      })
      .then(function (result) {
        published(sent, result.answer);
      }, function (error) {
        if (error && error.refused) failed(error.refused, !error.attachment);
        else failed(text("network"), true);
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
  kit.publish = publish;
})();
