/* liveblog live desk: who else is at this story's desk right now, so that two editors do
 * not write or correct the same thing.
 * - A heartbeat to /desk/<slug>/presence says what this editor does: "writing" (typed in
 *   the composer in the last few seconds), "editing" an update (the desk:editing event), or
 *   "here". It goes every few seconds (the site says how often) while the page is visible,
 *   at once when what the editor does changes, and a goodbye (navigator.sendBeacon, a form
 *   with the CSRF token) when the page is left.
 * - Each answer lists the others: shown at the top of the composer ("Olena is writing…",
 *   "Ivan is editing an update", "Petro is here") and on the update being edited ("Ivan is
 *   editing this update"). A polite status tells screen readers when that changes, never
 *   at every heartbeat.
 */
(function () {
  "use strict";

  var kit = window.liveblog && window.liveblog.deskKit;
  if (!kit || !kit.data.presence_url || document.getElementById("desk-presence")) return;

  var writingMs = 15000; /* "is writing…": typed this recently; the site's answers say */
  var every = 10000; /* the heartbeat; each answer may say otherwise */

  /* ---- what the others see of this editor ------------------------------- */

  var typedAt = 0;
  var editing = null; /* the id of the update this editor has open in place */
  var told = null; /* what the last heartbeat said */
  var asking = false;
  var again = false;
  var stopped = false;
  var beatTimer = null;
  var writingTimer = null;

  function doing() {
    if (editing !== null) return { doing: "editing", update: editing };
    if (Date.now() - typedAt < writingMs) return { doing: "writing", update: null };
    return { doing: "here", update: null };
  }

  function changed() {
    var now = doing();
    if (!told || now.doing !== told.doing || now.update !== told.update) beat();
  }

  function beat() {
    if (stopped) return;
    if (asking) { again = true; return; }
    clearTimeout(beatTimer);
    var sent = doing();
    told = sent;
    asking = true;
    kit.request(kit.data.presence_url, { method: "POST", body: sent })
      .then(function (result) {
        if (result.code === 403) { stopped = true; show([]); return; } /* signed out */
        if (result.ok && result.answer) {
          if (result.answer.heartbeat > 0) every = result.answer.heartbeat * 1000;
          if (result.answer.writing > 0) writingMs = result.answer.writing * 1000;
          show(result.answer.present || []);
        }
      }, function () { /* the site is out of reach: the next heartbeat tries again */ })
      .then(function () {
        asking = false;
        if (again) { again = false; beat(); return; }
        next();
      });
  }

  function next() {
    clearTimeout(beatTimer);
    if (!stopped && document.visibilityState !== "hidden") beatTimer = setTimeout(beat, every);
  }

  function typing() {
    typedAt = Date.now();
    changed();
    clearTimeout(writingTimer);
    writingTimer = setTimeout(changed, writingMs + 50);
  }

  kit.body.addEventListener("input", typing);
  kit.headline.addEventListener("input", typing);
  kit.form.addEventListener("desk:published", function () {
    typedAt = 0; /* what was written is out: no longer "writing" */
    changed();
  });
  document.addEventListener("desk:editing", function (event) {
    var update = parseInt(event.detail && event.detail.update, 10); /* an id, as a number or text */
    editing = isNaN(update) ? null : update;
    changed();
  });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") beat();
    else clearTimeout(beatTimer);
  });
  window.addEventListener("pagehide", function () {
    if (stopped || !navigator.sendBeacon) return;
    var goodbye = new FormData();
    goodbye.append("csrfmiddlewaretoken", kit.data.csrf_token);
    goodbye.append("doing", "gone");
    navigator.sendBeacon(kit.data.presence_url, goodbye);
    told = null; /* back from the page cache (bfcache): say hello again */
  });
  window.addEventListener("pageshow", function (event) { if (event.persisted) beat(); });

  /* ---- what this editor sees of the others ------------------------------ */

  var list = kit.element("ul", { "class": "desk-presence-list" });
  var box = kit.element("section", { id: "desk-presence", "class": "desk-presence", "aria-labelledby": "desk-presence-title" }, [
    kit.element("h3", { id: "desk-presence-title", "class": "desk-presence-title" }, [kit.text("presence")]),
    list,
  ]);
  box.hidden = true;
  var news = kit.element("p", { "class": "visually-hidden", role: "status", "aria-live": "polite" });
  var title = document.getElementById("desk-title");
  kit.form.insertBefore(box, title ? title.nextSibling : kit.form.firstChild);
  kit.form.appendChild(news);

  /* The words of `key` with the name set apart in its own direction (Arabic in an English
   * sentence, Latin in an Arabic one). */
  function sentence(key, name) {
    var parts = kit.text(key).split("%(name)s");
    var nodes = [parts[0], kit.element("bdi", { dir: "auto", "class": "desk-presence-name" }, [name])];
    return nodes.concat(parts.slice(1).join(name));
  }

  function words(key, name) { return kit.text(key, { name: name }); }

  function item(person) {
    if (person.doing === "writing") return kit.element("li", {}, sentence("presence_writing", person.name));
    if (person.doing === "editing" && person.update) {
      var link = kit.element("a", { href: "#update-" + person.update }, sentence("presence_editing_elsewhere", person.name));
      return kit.element("li", {}, [link]);
    }
    return kit.element("li", {}, sentence("presence_here", person.name));
  }

  function summary(person) {
    if (person.doing === "writing") return words("presence_writing", person.name);
    if (person.doing === "editing") return words("presence_editing_elsewhere", person.name);
    return words("presence_here", person.name);
  }

  var shownAs = "";

  /* The notes on the updates being edited are checked at every answer (an update edited
   * live is replaced on the page, and its note with it); the list and the status change
   * only when who is here or what they do has changed. */
  function show(people) {
    markEdited(people);
    var signature = JSON.stringify(people.map(function (person) {
      return [person.id, person.name, person.doing, person.update];
    }));
    if (signature === shownAs) return;
    shownAs = signature;
    list.textContent = "";
    people.forEach(function (person) { list.appendChild(item(person)); });
    box.hidden = !people.length;
    news.textContent = people.map(summary).join(" \u2022 ");
  }

  function markEdited(people) {
    var wanted = {};
    people.forEach(function (person) {
      if (person.doing === "editing" && person.update) wanted[person.update + ":" + person.id] = person;
    });
    Array.prototype.forEach.call(document.querySelectorAll(".desk-presence-note"), function (note) {
      var key = note.getAttribute("data-presence");
      var article = document.getElementById("update-" + key.split(":")[0]);
      if (!wanted[key] || !article || !article.contains(note)) note.remove();
      else delete wanted[key]; /* still there */
    });
    Object.keys(wanted).forEach(function (key) {
      var person = wanted[key];
      var article = document.getElementById("update-" + person.update);
      if (!article) return;
      var note = kit.element("p", { "class": "desk-presence-note", "data-presence": key },
        sentence("presence_editing", person.name));
      var header = article.querySelector(".update-meta");
      article.insertBefore(note, header ? header.nextSibling : article.firstChild);
    });
  }

  beat();
})();
