/* liveblog live desk: pictures in the composer (loaded after desk.js, for newsroom logins only).
 * - pictures come by paste (files on the clipboard), by drop onto the composer, or by the
 *   "Add a picture" button (a file input: the keyboard's and phones' way); each shows a
 *   thumbnail with its alt text (required), caption, credit and a Remove button, in order;
 * - a file that is not a picture is refused at once, here: its type and its first bytes
 *   must both be JPEG, PNG, WebP or GIF (the site checks the whole file again on upload);
 * - it is one of deskKit's attachments: the composer posts the update as a draft, this sends
 *   each picture to the write API (POST …/updates/<id>/images/, the admin's checks), then the
 *   composer publishes it; a picture the site refuses fails the publish with the site's
 *   reason (the draft is deleted; the text and the pictures stay here). Adding a picture
 *   does not change the update's version, so its ETag goes on unchanged;
 * - a missing alt text stops the publish before anything is sent (check());
 * - alt text, caption and credit are kept with the draft (localStorage) as they are typed,
 *   the files themselves in IndexedDB: both come back after a reload or a crash.
 */
(function () {
  "use strict";

  var kit = window.liveblog && window.liveblog.deskKit;
  if (!kit) return;
  var desk = kit.data;
  var text = kit.text;
  var element = kit.element;

  /* The formats the site accepts, each known by its first bytes. */
  var FORMATS = [
    { type: "image/jpeg", magic: [[0, [0xff, 0xd8, 0xff]]] },
    { type: "image/png", magic: [[0, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]]] },
    { type: "image/gif", magic: [[0, [0x47, 0x49, 0x46, 0x38]]] }, /* GIF8 */
    { type: "image/webp", magic: [[0, [0x52, 0x49, 0x46, 0x46]], [8, [0x57, 0x45, 0x42, 0x50]]] }, /* RIFF…WEBP */
  ];
  var THUMBNAIL_WIDTH = 192; /* px: shown at 96 px, sharp on a phone */
  var metaKey = desk.draft_key + ":pictures";

  var pictures = []; /* {id, file, alt, caption, credit, item, fields…} in the order added */
  var inFlight = [];

  /* ---- the controls ------------------------------------------------------ */

  var fileInput = element("input", {
    type: "file", accept: FORMATS.map(function (format) { return format.type; }).join(","), multiple: "",
    "class": "desk-pictures-input",
  });
  fileInput.hidden = true;
  var addButton = element("button", { type: "button", "class": "desk-secondary desk-add-picture" }, [text("add_picture")]);
  var list = element("ol", { "class": "desk-pictures-list", "aria-labelledby": "desk-pictures-title" });
  var announce = element("p", { "class": "desk-pictures-status", role: "status", "aria-live": "polite" });
  var problem = element("p", { "class": "desk-pictures-problem", role: "alert" });
  var section = element("section", { "class": "desk-pictures", "aria-labelledby": "desk-pictures-title" }, [
    element("h3", { id: "desk-pictures-title", "class": "desk-label" }, [text("pictures_title")]),
    element("p", { id: "desk-pictures-hint", "class": "desk-label-quiet" }, [text("pictures_hint")]),
    list,
    element("div", { "class": "desk-inline" }, [addButton, fileInput]),
    problem,
    announce,
  ]);
  kit.extras.appendChild(section);

  function say(message) { announce.textContent = message; }
  function refuse(message) { problem.textContent = message; }

  /* ---- is it a picture? --------------------------------------------------- */

  function readHead(file) {
    var head = file.slice(0, 16);
    if (head.arrayBuffer) return head.arrayBuffer().then(function (buffer) { return new Uint8Array(buffer); });
    return new Promise(function (resolve, reject) {
      var reader = new FileReader();
      reader.onload = function () { resolve(new Uint8Array(reader.result)); };
      reader.onerror = function () { reject(reader.error); };
      reader.readAsArrayBuffer(head);
    });
  }

  function formatOf(bytes) {
    var found = FORMATS.filter(function (format) {
      return format.magic.every(function (part) {
        return part[1].every(function (byte, index) { return bytes[part[0] + index] === byte; });
      });
    });
    return found.length ? found[0].type : null;
  }

  /* Resolves to null for a picture the site may take, else the refusal's words. */
  function judge(file) {
    var name = file.name || "?";
    var formats = FORMATS.map(function (format) { return format.type; });
    var notPicture = text("not_a_picture", { name: name, formats: text("picture_formats") });
    if (file.type && formats.indexOf(file.type) === -1) return Promise.resolve(notPicture);
    if (desk.picture_max_bytes && file.size > desk.picture_max_bytes) {
      return Promise.resolve(text("picture_too_big", {
        name: name,
        size: (Math.ceil(file.size / 1024 / 1024 * 10) / 10).toLocaleString(document.documentElement.lang || undefined),
        limit: Math.floor(desk.picture_max_bytes / 1024 / 1024),
      }));
    }
    return readHead(file).then(function (bytes) {
      var format = formatOf(bytes);
      /* Its first bytes decide; a type, when the system gave one, must agree with them. */
      return format && (!file.type || file.type === format) ? null : notPicture;
    }, function () { return notPicture; });
  }

  /* A small data: thumbnail (the page's policy allows data: pictures, not blob: ones). */
  function thumbnail(file, holder) {
    if (!window.createImageBitmap) return;
    window.createImageBitmap(file).then(function (bitmap) {
      var width = Math.min(THUMBNAIL_WIDTH, bitmap.width);
      var height = Math.max(1, Math.round(bitmap.height * width / bitmap.width));
      var canvas = element("canvas", { width: String(width), height: String(height) });
      canvas.getContext("2d").drawImage(bitmap, 0, 0, width, height);
      if (bitmap.close) bitmap.close();
      holder.textContent = "";
      holder.appendChild(element("img", { src: canvas.toDataURL("image/jpeg", 0.8), alt: "" }));
    }).catch(function () { /* this browser cannot draw it: "No preview" stays, the site judges it */ });
  }

  /* ---- the list ------------------------------------------------------------ */

  var counter = 0;

  function newId() {
    counter += 1;
    return Date.now().toString(36) + "-" + counter;
  }

  function field(picture, name, label, attributes) {
    var id = "desk-picture-" + picture.id + "-" + name;
    var input = element("input", Object.assign({ type: "text", id: id, dir: "auto", autocomplete: "off" }, attributes));
    input.value = picture[name] || "";
    input.addEventListener("input", function () {
      picture[name] = input.value;
      input.removeAttribute("aria-invalid");
      keepDetails();
    });
    input.addEventListener("keydown", function (event) {
      /* Enter alone would submit the composer; Ctrl+Enter (⌘+Enter) still publishes. */
      if (event.key === "Enter" && !event.ctrlKey && !event.metaKey) event.preventDefault();
    });
    return { input: input, box: element("div", { "class": "desk-picture-field" }, [
      element("label", { "for": id }, [label]), input,
    ]) };
  }

  function legendOf(picture, number) {
    return text("picture_legend", { number: number, name: picture.file.name });
  }

  function build(picture) {
    var preview = element("div", { "class": "desk-picture-thumb" }, [text("picture_preview")]);
    thumbnail(picture.file, preview);
    var alt = field(picture, "alt", text("alt_label"), { required: "", "aria-required": "true", maxlength: "500" });
    var caption = field(picture, "caption", text("caption_label"), { maxlength: "5000" });
    var credit = field(picture, "credit", text("credit_label"), { maxlength: "300" });
    var legend = element("legend", { dir: "auto" });
    var remove = element("button", { type: "button", "class": "desk-secondary desk-picture-remove" }, [text("remove_picture_button")]);
    var refusal = element("p", { "class": "desk-picture-refusal" });
    refusal.hidden = true;
    remove.addEventListener("click", function () { removePicture(picture); });
    picture.altInput = alt.input;
    picture.legend = legend;
    picture.remove = remove;
    picture.refusal = refusal;
    picture.item = element("li", { "class": "desk-picture" }, [
      element("fieldset", {}, [
        legend, preview,
        element("div", { "class": "desk-picture-fields" }, [alt.box, caption.box, credit.box, refusal, remove]),
      ]),
    ]);
    list.appendChild(picture.item);
  }

  function renumber() {
    pictures.forEach(function (picture, index) {
      picture.legend.textContent = legendOf(picture, index + 1);
      picture.remove.setAttribute("aria-label", text("remove_picture", { number: index + 1, name: picture.file.name }));
    });
  }

  function mark(picture, message) {
    picture.refusal.textContent = message || "";
    picture.refusal.hidden = !message;
    if (message) picture.item.classList.add("desk-picture-refused");
    else picture.item.classList.remove("desk-picture-refused");
  }

  function addPicture(file, details, quiet) {
    var picture = {
      id: (details && details.id) || newId(),
      file: file,
      alt: details ? details.alt || "" : "",
      caption: details ? details.caption || "" : "",
      credit: details ? details.credit || "" : "",
    };
    pictures.push(picture);
    build(picture);
    if (!quiet) keepFile(picture);
    return picture;
  }

  function removePicture(picture) {
    var index = pictures.indexOf(picture);
    if (index === -1) return;
    pictures.splice(index, 1);
    list.removeChild(picture.item);
    forgetFiles([picture.id]);
    renumber();
    keepDetails();
    refuse("");
    say(text("picture_removed"));
    var next = pictures[index] || pictures[index - 1];
    (next ? next.remove : addButton).focus();
  }

  /* Files from a paste, a drop or the file input: each judged, the pictures added in order. */
  function take(files) {
    files = Array.prototype.slice.call(files || []);
    if (!files.length) return;
    refuse("");
    Promise.all(files.map(judge)).then(function (verdicts) {
      var refusals = verdicts.filter(Boolean);
      var added = files.filter(function (file, index) { return !verdicts[index]; }).map(function (file) {
        return addPicture(file);
      });
      renumber();
      keepDetails();
      refuse(refusals.join(" "));
      if (added.length) {
        say(text("picture_added"));
        added[0].altInput.focus();
      }
    });
  }

  addButton.addEventListener("click", function () { fileInput.click(); });
  fileInput.addEventListener("change", function () {
    take(fileInput.files);
    fileInput.value = "";
  });

  kit.form.addEventListener("paste", function (event) {
    var clipboard = event.clipboardData;
    if (!clipboard || !clipboard.files || !clipboard.files.length) return;
    /* Copied text that also brings a rendering of itself (a spreadsheet's cells) pastes as text. */
    if (clipboard.getData("text/plain")) return;
    event.preventDefault();
    take(clipboard.files);
  });

  function carriesFiles(event) {
    return event.dataTransfer && Array.prototype.indexOf.call(event.dataTransfer.types || [], "Files") !== -1;
  }
  kit.form.addEventListener("dragover", function (event) {
    if (!carriesFiles(event)) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "copy";
    kit.form.classList.add("desk-dropping");
  });
  kit.form.addEventListener("dragleave", function (event) {
    if (!kit.form.contains(event.relatedTarget)) kit.form.classList.remove("desk-dropping");
  });
  /* Files dropped just beside the composer would open in the tab, leaving the desk. */
  ["dragover", "drop"].forEach(function (type) {
    document.addEventListener(type, function (event) {
      if (!carriesFiles(event) || kit.form.contains(event.target)) return;
      event.preventDefault();
      if (type === "dragover") event.dataTransfer.dropEffect = "none";
    });
  });
  kit.form.addEventListener("drop", function (event) {
    kit.form.classList.remove("desk-dropping");
    if (!carriesFiles(event)) return;
    event.preventDefault();
    take(event.dataTransfer.files);
  });

  /* ---- kept in this browser ---------------------------------------------------- */

  /* The details with the draft, as they are typed; the files, once each, in IndexedDB. */
  function keepDetails() {
    var details = pictures.map(function (picture) {
      return { id: picture.id, alt: picture.alt, caption: picture.caption, credit: picture.credit };
    });
    kit.store(function (storage) {
      if (details.length) storage.setItem(metaKey, JSON.stringify(details));
      else storage.removeItem(metaKey);
    });
  }

  var database = new Promise(function (resolve, reject) {
    if (!window.indexedDB) { reject(new Error("no IndexedDB")); return; }
    var opening = window.indexedDB.open("liveblog-desk", 1);
    opening.onupgradeneeded = function () { opening.result.createObjectStore("pictures"); };
    opening.onsuccess = function () { resolve(opening.result); };
    opening.onerror = function () { reject(opening.error); };
    opening.onblocked = function () { reject(new Error("blocked")); };
  });

  function fileKey(id) { return desk.draft_key + ":" + id; }

  /* One transaction on the files' store; resolves with what ``work(store)`` asked for. */
  function files(mode, work) {
    return database.then(function (db) {
      return new Promise(function (resolve, reject) {
        var transaction = db.transaction("pictures", mode);
        var asked = work(transaction.objectStore("pictures"));
        transaction.oncomplete = function () { resolve(asked && asked.result); };
        transaction.onerror = function () { reject(transaction.error); };
        transaction.onabort = function () { reject(transaction.error); };
      });
    });
  }

  function keepFile(picture) {
    var file = picture.file;
    files("readwrite", function (store) {
      store.put({ blob: file, name: file.name, type: file.type }, fileKey(picture.id));
    }).catch(notKept);
  }

  function forgetFiles(ids) {
    if (ids.length) files("readwrite", function (store) {
      ids.forEach(function (id) { store.delete(fileKey(id)); });
    }).catch(function () { /* nothing was kept */ });
  }

  var warned = false;
  function notKept() {
    if (warned) return;
    warned = true;
    section.insertBefore(
      element("p", { "class": "desk-label-quiet desk-pictures-not-kept" }, [text("pictures_not_kept")]), list
    );
  }

  /* Back after a reload: the kept details in order, each with its file; files of this
   * story's desk that no kept picture names any more (a crash between two writes) go. */
  function restore() {
    var kept = kit.store(function (storage) { return JSON.parse(storage.getItem(metaKey) || "[]"); }) || [];
    if (!Array.isArray(kept)) kept = [];
    var prefix = desk.draft_key + ":";
    return files("readonly", function (store) { return store.getAllKeys(); }).then(function (keys) {
      var wanted = kept.map(function (details) { return fileKey(details.id); });
      forgetFiles((keys || []).filter(function (key) {
        return String(key).indexOf(prefix) === 0 && wanted.indexOf(key) === -1;
      }).map(function (key) { return String(key).slice(prefix.length); }));
      return Promise.all(kept.map(function (details) {
        return files("readonly", function (store) { return store.get(fileKey(details.id)); });
      }));
    }).then(function (records) {
      var lost = 0;
      kept.forEach(function (details, index) {
        var record = records[index];
        if (!record || !record.blob) { lost += 1; return; }
        var file = new File([record.blob], record.name || "picture", { type: record.type || record.blob.type || "" });
        addPicture(file, details, true);
      });
      renumber();
      keepDetails();
      if (lost) refuse(text("pictures_lost"));
      else if (pictures.length) say(text("pictures_restored"));
    }, function () {
      notKept();
      if (kept.length) refuse(text("pictures_lost"));
      kit.store(function (storage) { storage.removeItem(metaKey); });
    });
  }

  restore();

  /* ---- sent with the update ----------------------------------------------------- */

  function upload(update, picture, number) {
    var body = new FormData();
    body.append("alt_text", picture.alt.trim());
    body.append("caption", picture.caption.trim());
    body.append("credit", picture.credit.trim());
    body.append("file", picture.file, picture.file.name);
    var named = { number: number, name: picture.file.name };
    return kit.request(kit.updateUrl(update.id) + "images/", { method: "POST", body: body })
      .then(function (result) {
        if (result.ok) return;
        var message = text("picture_refused", Object.assign({ reason: kit.reason(result) }, named));
        mark(picture, message);
        picture.remove.focus(); /* the way out: remove it (or replace it) and publish again */
        throw new Error(message);
      }, function () {
        throw new Error(text("picture_network", named));
      });
  }

  kit.attachments.push({
    pending: function () { return pictures.length > 0; },
    check: function () {
      var index = 0;
      while (index < pictures.length && pictures[index].alt.trim()) index += 1;
      var picture = pictures[index];
      if (!picture) return null;
      picture.altInput.setAttribute("aria-invalid", "true");
      return { message: text("alt_missing", { number: index + 1, name: picture.file.name }), field: picture.altInput };
    },
    /* One after the other, in order. A picture leaves the update's version (and ETag) as
     * it was, so the ETag the draft was posted with is the one to publish it with. */
    send: function (update, etag) {
      inFlight = pictures.slice();
      inFlight.forEach(function (picture) { mark(picture, ""); });
      refuse("");
      say("");
      return inFlight.reduce(function (previous, picture, index) {
        return previous.then(function () { return upload(update, picture, index + 1); });
      }, Promise.resolve()).then(function () { return etag; }, function (error) {
        inFlight = [];
        throw error;
      });
    },
    /* The update is out: the pictures it took go (those added meanwhile stay). */
    clear: function () {
      var sent = inFlight;
      inFlight = [];
      if (!sent.length) return;
      pictures = pictures.filter(function (picture) { return sent.indexOf(picture) === -1; });
      sent.forEach(function (picture) {
        if (picture.item.parentNode === list) list.removeChild(picture.item); /* unless removed meanwhile */
      });
      forgetFiles(sent.map(function (picture) { return picture.id; }));
      renumber();
      keepDetails();
      say("");
    },
  });
})();
