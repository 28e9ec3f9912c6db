/* liveblog live desk: edit and delete updates in place (newsroom logins only; after desk.js).
 * - "Edit" and "Delete" on each update of the stream this login may change (editors: all;
 *   reporters: their own), also on updates that arrive live: the story page is the same for
 *   everyone, so which ones is asked of /desk/<slug>/updates/?id=… (desk.editable_url);
 * - Edit reads the update through the API (its Markdown and ETag) and shows a form in the
 *   update; Save sends a PATCH with If-Match. What is typed is kept in this browser per update
 *   until it is saved or dropped, and a reload opens the editor again with it;
 * - someone else saved first (412): their version and this editor's side by side, the words
 *   that differ marked (struck through / underlined, and named for screen readers), this
 *   editor's text kept: "Save mine over theirs", "Take theirs" or "Keep editing";
 * - Delete asks inline, then sends DELETE with If-Match the version the page shows: if it
 *   changed since, nothing is deleted and the editor is told;
 * - an update being edited carries data-editing: live.js keeps its newer versions until the
 *   editor closes it (liveblog.story.release);
 * - "desk:editing" on document, {update: id} when an editor opens and {update: null} when the
 *   last one closes (who is editing what is told to the others).
 */
(function () {
  "use strict";

  var kit = window.liveblog && window.liveblog.deskKit;
  var latest = document.getElementById("latest");
  if (!kit || !latest || !kit.data.editable_url) return;
  var desk = kit.data;
  var text = kit.text;
  var element = kit.element;

  var known = {}; /* id: {etag, saved_by, saved_at} where this login may edit it, false where not */
  var editors = {}; /* id: the open editor */
  var refocus = null; /* the update whose Edit button gets focus back when its article is redrawn */
  var announcer = element("div", { "class": "visually-hidden", role: "status", "aria-live": "polite" });
  document.body.appendChild(announcer);

  function announce(message) {
    announcer.textContent = "";
    setTimeout(function () { announcer.textContent = message; }, 50);
  }

  function keptKey(id) { return desk.draft_key + ":update:" + id; }
  function idOf(article) { return parseInt(article.id.slice("update-".length), 10); }

  function kept(id) {
    var raw = kit.store(function (storage) { return storage.getItem(keptKey(id)); });
    try { return raw ? JSON.parse(raw) : null; } catch (error) { return null; }
  }

  function keep(id, value) {
    kit.store(function (storage) {
      if (value) storage.setItem(keptKey(id), JSON.stringify(value));
      else storage.removeItem(keptKey(id));
    });
  }

  function articles() {
    return latest.querySelectorAll("#pinned article.update, #updates > article.update");
  }

  function when(iso) {
    if (!iso) return "";
    return new Date(iso).toLocaleString(document.documentElement.lang || undefined, {
      dateStyle: "medium", timeStyle: "short",
    });
  }

  /* ---- which updates this login may edit ----------------------------------- */

  var asking = null;

  function ask(ids) {
    var query = ids.map(function (id) { return "id=" + id; }).join("&");
    return kit.request(desk.editable_url + "?" + query).then(function (result) {
      if (!result.ok) return {};
      var found = {};
      ids.forEach(function (id) { known[id] = false; });
      (result.answer.updates || []).forEach(function (item) {
        known[item.id] = item;
        found[item.id] = item;
      });
      return found;
    });
  }

  /* Articles without the desk's buttons get them: those known at once, the others (new,
   * or redrawn because they changed, so their version moved) once the site has answered. */
  function decorateAll() {
    asking = null;
    var wanted = [];
    Array.prototype.forEach.call(articles(), function (article) {
      if (article.querySelector(".desk-edit-actions")) return;
      var id = idOf(article);
      if (known[id] === false) return;
      if (known[id]) decorate(article);
      wanted.push(id);
    });
    if (!wanted.length) return;
    ask(wanted).then(function () {
      wanted.forEach(function (id) {
        var article = document.getElementById("update-" + id);
        if (article && known[id] && !article.querySelector(".desk-edit-actions")) decorate(article);
      });
    }).catch(function () { /* no buttons this time: the page reads as readers see it */ });
  }

  function soon() { if (!asking) asking = setTimeout(decorateAll, 0); }

  function decorate(article) {
    var id = idOf(article);
    var edit = element("button", {
      type: "button", "class": "desk-edit-button", "aria-label": text("edit_update", { number: id }),
    }, [text("edit")]);
    var remove = element("button", {
      type: "button", "class": "desk-delete-button", "aria-label": text("delete_update", { number: id }),
    }, [text("delete")]);
    edit.addEventListener("click", function () { open(article, { focus: true }); });
    remove.addEventListener("click", function () { confirmDelete(article, remove); });
    var actions = element("div", { "class": "desk-edit-actions" }, [edit, remove]);
    var footer = article.querySelector(".update-actions");
    if (footer) footer.appendChild(actions);
    else article.appendChild(actions);
    var active = document.activeElement;
    if (refocus === id && (!active || active === document.body)) edit.focus();
    if (kept(id) && !editors[id]) open(article, { focus: false });
  }

  new MutationObserver(soon).observe(latest, { childList: true, subtree: true });
  soon();

  /* ---- the editor in place ------------------------------------------------- */

  function field(id, label, input) {
    return [element("label", { "for": id }, [label]), input];
  }

  function open(article, options) {
    var id = idOf(article);
    if (editors[id]) {
      editors[id].body.focus();
      return;
    }
    var prefix = "desk-edit-" + id;
    var headline = element("input", {
      type: "text", id: prefix + "-headline", maxlength: "300", dir: "auto", autocomplete: "off",
    });
    var body = element("textarea", {
      id: prefix + "-body", rows: "6", dir: "auto", required: "", "aria-describedby": prefix + "-note",
    });
    var keyBox = element("input", { type: "checkbox", id: prefix + "-key" });
    var save = element("button", { type: "submit", "class": "desk-save" }, [text("save")]);
    var cancel = element("button", { type: "button", "class": "desk-secondary" }, [text("cancel")]);
    var status = element("p", { "class": "desk-status", role: "status", "aria-live": "polite" });
    var fields = element("div", { "class": "desk-edit-fields" }, [].concat(
      field(prefix + "-headline", text("headline"), headline),
      field(prefix + "-body", text("body"), body),
      [
        element("p", { id: prefix + "-note", "class": "desk-note" }, [text("edit_shortcut")]),
        element("div", { "class": "desk-actions" }, [
          element("label", { "class": "desk-toggle", "for": prefix + "-key" }, [keyBox, " ", text("key_event")]),
          cancel, save,
        ]),
      ]
    ));
    var conflict = element("section", { "class": "desk-conflict", "aria-labelledby": prefix + "-conflict" });
    conflict.hidden = true;
    var form = element("form", {
      "class": "desk desk-edit", "aria-labelledby": prefix + "-title", novalidate: "", "aria-busy": "true",
    }, [
      element("h4", { id: prefix + "-title", "class": "desk-title" }, [text("edit_title")]),
      conflict, fields, status,
    ]);
    var editor = {
      id: id, article: article, form: form, headline: headline, body: body, keyBox: keyBox,
      fields: fields, conflict: conflict, status: status, base: null, busy: false,
    };
    editors[id] = editor;
    article.setAttribute("data-editing", "");
    Array.prototype.forEach.call(article.children, function (child) {
      if (!child.matches("header")) child.setAttribute("data-desk-hidden", "");
    });
    article.appendChild(form);
    fields.hidden = true;
    status.textContent = text("loading");
    document.dispatchEvent(new CustomEvent("desk:editing", { detail: { update: id } }));

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      saveEditor(editor, editor.base);
    });
    form.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        if (!conflict.hidden) return;
        saveEditor(editor, editor.base);
      } else if (event.key === "Escape") {
        event.preventDefault();
        if (!conflict.hidden) keepEditing(editor);
        else close(editor, { dropped: true });
      }
    });
    form.addEventListener("input", function () { remember(editor); });
    form.addEventListener("change", function () { remember(editor); });
    cancel.addEventListener("click", function () { close(editor, { dropped: true }); });

    var restored = kept(id);
    kit.request(kit.updateUrl(id)).then(function (result) {
      if (editors[id] !== editor) return;
      if (!result.ok || typeof result.answer.markdown !== "string") {
        close(editor, {}); /* a text kept from before stays kept */
        announce(text("cannot_open", { reason: kit.reason(result) }));
        return;
      }
      var source = restored || result.answer;
      headline.value = source.headline || "";
      body.value = source.markdown;
      keyBox.checked = !!source.key_event;
      editor.base = (restored && restored.base) || result.etag;
      form.removeAttribute("aria-busy");
      fields.hidden = false;
      status.textContent = restored ? text("edit_restored") : "";
      if (options.focus) {
        body.focus();
        body.setSelectionRange(body.value.length, body.value.length);
      }
    }, function () {
      if (editors[id] !== editor) return;
      close(editor, {});
      announce(text("open_network"));
    });
  }

  function mine(editor) {
    return { headline: editor.headline.value, markdown: editor.body.value, key_event: editor.keyBox.checked };
  }

  function remember(editor) {
    /* (A closed editor's text field still says "change" as it loses focus: it keeps nothing.) */
    if (!editor.base || editors[editor.id] !== editor) return;
    var value = mine(editor);
    value.base = editor.base;
    keep(editor.id, value);
  }

  /* Closes the editor: the update as readers see it comes back (its newest version, when
   * live.js kept one while it was being edited) and focus goes back to its Edit button. */
  function close(editor, options) {
    var id = editor.id;
    var article = editor.article;
    delete editors[id];
    if (options.dropped || options.saved) keep(id, null);
    editor.form.remove();
    Array.prototype.forEach.call(article.querySelectorAll("[data-desk-hidden]"), function (child) {
      child.removeAttribute("data-desk-hidden");
    });
    article.removeAttribute("data-editing");
    var others = Object.keys(editors);
    document.dispatchEvent(new CustomEvent("desk:editing", {
      detail: { update: others.length ? Number(others[others.length - 1]) : null },
    }));
    refocus = id;
    var button = article.querySelector(".desk-edit-button");
    if (button && options.focus !== false) button.focus();
    var live = window.liveblog.story;
    if (live) {
      live.release(id);
      live.schedule(0); /* the version that stands (a save's, or theirs), on this page now */
    }
  }

  function saveEditor(editor, etag) {
    if (editor.busy || !editor.base) return;
    var sent = mine(editor);
    if (!sent.markdown.trim()) {
      editor.status.textContent = text("empty");
      editor.body.focus();
      return;
    }
    editor.busy = true;
    editor.form.setAttribute("aria-busy", "true");
    editor.status.textContent = text("saving");
    kit.request(kit.updateUrl(editor.id), {
      method: "PATCH",
      body: { headline: sent.headline.trim(), markdown: sent.markdown, key_event: sent.key_event },
      headers: { "If-Match": etag },
    }).then(function (result) {
      if (result.ok) {
        delete known[editor.id]; /* its version moved: asked again when it is redrawn */
        close(editor, { saved: true });
        announce(text("saved"));
      } else if (result.code === 412 && result.answer && result.answer.current) {
        showConflict(editor, result.answer.current, result.etag);
      } else {
        editor.status.textContent = text("edit_refused", { reason: kit.reason(result) });
      }
    }, function () {
      editor.status.textContent = text("edit_network");
    }).then(function () {
      editor.busy = false;
      editor.form.removeAttribute("aria-busy");
    });
  }

  /* ---- someone else saved first ------------------------------------------- */

  /* Words and the spaces between them, kept so a text reads as it was typed. */
  function words(value) { return value.match(/\s+|[^\s]+/g) || []; }

  /* Which words of ``a`` and ``b`` the other lacks: the longest common subsequence of their
   * words (spaces go with the word before them). Long texts are compared line by line. */
  function difference(a, b) {
    var left = words(a);
    var right = words(b);
    if (left.length * right.length > 4000000) {
      left = a.split(/(\n)/);
      right = b.split(/(\n)/);
    }
    var rows = left.length;
    var columns = right.length;
    var table = [];
    for (var i = 0; i <= rows; i++) table.push(new Uint32Array(columns + 1));
    for (i = rows - 1; i >= 0; i--) {
      for (var j = columns - 1; j >= 0; j--) {
        table[i][j] = left[i] === right[j] ? table[i + 1][j + 1] + 1 : Math.max(table[i + 1][j], table[i][j + 1]);
      }
    }
    var theirs = [];
    var yours = [];
    i = 0;
    j = 0;
    while (i < rows || j < columns) {
      if (i < rows && j < columns && left[i] === right[j]) {
        theirs.push([left[i++], false]);
        yours.push([right[j++], false]);
      } else if (j >= columns || (i < rows && table[i + 1][j] >= table[i][j + 1])) {
        theirs.push([left[i++], true]);
      } else {
        yours.push([right[j++], true]);
      }
    }
    return { theirs: theirs, yours: yours };
  }

  /* One side's text: runs of words the other side lacks marked (del / ins, named for screen
   * readers by the stylesheet's data-label, so a text's own content stays exactly as typed). */
  function marked(parts, tag, label) {
    var box = element("div", { "class": "desk-compare-text", dir: "auto" });
    var run = null;
    function changed(part) { return Boolean(part && part[1] && /\S/.test(part[0])); }
    parts.forEach(function (part, index) {
      /* Spaces between two changed words stay in their run: one mark per changed phrase. */
      var between = run && !/\S/.test(part[0]) && changed(parts[index + 1]);
      if (changed(part) || between) {
        if (!run) box.appendChild(run = element(tag, { "data-label": label }));
        run.appendChild(document.createTextNode(part[0]));
      } else {
        run = null;
        box.appendChild(document.createTextNode(part[0]));
      }
    });
    return box;
  }

  function side(kind, title, headline, parts, tag, label, keyEvent) {
    return element("div", { "class": "desk-compare desk-" + kind }, [
      element("h5", {}, [title]),
      element("p", { "class": "desk-compare-headline", dir: "auto" }, [text("headline_line"), " ", headline || "—"]),
      marked(parts, tag, label),
      element("p", { "class": "desk-compare-key" }, [text(keyEvent ? "key_event_yes" : "key_event_no")]),
    ]);
  }

  function showConflict(editor, current, etag) {
    var yours = mine(editor);
    var diff = difference(current.markdown || "", yours.markdown);
    var prefix = "desk-edit-" + editor.id;
    var saveMine = element("button", { type: "button" }, [text("save_mine")]);
    var takeTheirs = element("button", { type: "button", "class": "desk-secondary" }, [text("take_theirs")]);
    var goOn = element("button", { type: "button", "class": "desk-secondary" }, [text("keep_editing")]);
    var conflict = editor.conflict;
    conflict.textContent = "";
    conflict.appendChild(element("h5", { id: prefix + "-conflict", "class": "desk-conflict-title", tabindex: "-1" },
      [text("conflict", { name: text("conflict_someone"), time: when(current.edited_at) })]));
    conflict.appendChild(element("p", { "class": "desk-note" }, [text("conflict_keep_note"), " ", text("diff_legend")]));
    conflict.appendChild(element("div", { "class": "desk-compare-sides" }, [
      side("theirs", text("theirs"), current.headline, diff.theirs, "del", text("removed_words"), current.key_event),
      side("yours", text("yours"), yours.headline, diff.yours, "ins", text("added_words"), yours.key_event),
    ]));
    conflict.appendChild(element("div", { "class": "desk-actions" }, [goOn, takeTheirs, saveMine]));
    editor.theirs = etag;
    editor.fields.hidden = true;
    conflict.hidden = false;
    editor.status.textContent = "";
    conflict.querySelector(".desk-conflict-title").focus();
    saveMine.addEventListener("click", function () { saveEditor(editor, etag); });
    takeTheirs.addEventListener("click", function () {
      close(editor, { dropped: true });
      announce(text("took_theirs"));
    });
    goOn.addEventListener("click", function () { keepEditing(editor); });
    /* Who saved it: the desk's list of editable updates names the last one to save. */
    kit.request(desk.editable_url + "?id=" + editor.id).then(function (result) {
      var item = result.ok && (result.answer.updates || [])[0];
      if (!item || !item.saved_by) return;
      conflict.querySelector(".desk-conflict-title").textContent = text("conflict", {
        name: item.saved_by, time: when(item.saved_at || current.edited_at),
      });
    }).catch(function () { /* "Someone" stays */ });
  }

  /* The editor goes on with their own text, now based on the version that stands. */
  function keepEditing(editor) {
    if (!editor.theirs) return;
    editor.base = editor.theirs;
    editor.theirs = null;
    remember(editor);
    editor.conflict.hidden = true;
    editor.conflict.textContent = "";
    editor.fields.hidden = false;
    editor.status.textContent = text("editing_mine");
    editor.body.focus();
  }

  /* ---- delete in place ------------------------------------------------------ */

  function confirmDelete(article, button) {
    var id = idOf(article);
    if (article.querySelector(".desk-confirm")) return;
    var question = element("p", { id: "desk-delete-" + id, tabindex: "-1" }, [text("delete_confirm")]);
    var yes = element("button", { type: "button", "class": "desk-danger" }, [text("delete_yes")]);
    var no = element("button", { type: "button", "class": "desk-secondary" }, [text("delete_no")]);
    var said = element("p", { "class": "desk-status", role: "status", "aria-live": "polite" });
    var box = element("div", {
      "class": "desk desk-confirm", role: "group", "aria-labelledby": "desk-delete-" + id,
    }, [question, element("div", { "class": "desk-actions" }, [no, yes]), said]);
    button.closest(".desk-edit-actions").after(box);
    no.focus();

    function back() {
      box.remove();
      button.focus();
    }
    no.addEventListener("click", back);
    box.addEventListener("keydown", function (event) {
      if (event.key === "Escape") {
        event.preventDefault();
        back();
      }
    });
    yes.addEventListener("click", function () {
      var etag = known[id] && known[id].etag;
      if (!etag) return;
      yes.disabled = true;
      said.textContent = text("deleting");
      kit.request(kit.updateUrl(id), { method: "DELETE", headers: { "If-Match": etag } }).then(function (result) {
        if (result.ok) {
          var next = article.nextElementSibling;
          var live = window.liveblog.story;
          if (live) live.remove(id);
          else article.remove();
          delete known[id];
          keep(id, null);
          announce(text("deleted"));
          var target = next && next.querySelector(".desk-edit-button");
          (target || kit.body).focus();
        } else if (result.code === 412) {
          said.textContent = text("delete_stale");
          yes.disabled = false;
          if (window.liveblog.story) window.liveblog.story.schedule(0);
        } else {
          said.textContent = text("delete_refused", { reason: kit.reason(result) });
          yes.disabled = false;
        }
      }, function () {
        said.textContent = text("delete_network");
        yes.disabled = false;
      });
    });
  }
})();
