/* liveblog reader script (progressive enhancement; the page works without it):
 * - relative times ("5 min ago"), refreshed every minute;
 * - share links (Web Share API or copy to clipboard);
 * - live updating of a live story's newest page: polls changes.json while the
 *   tab is visible, backs off on errors, shows "N new updates" instead of
 *   moving the text under the reader, applies edits, deletions and pins in place
 *   (an update being edited on the live desk, data-editing, once its editor closes it).
 *   The stream says its order (data-order): newest first, new updates join its
 *   top; oldest first (the last page), its end, and the button floats at the bottom.
 *   When more changed than one answer holds ("reload": a tab that slept for
 *   hours), the page is loaded afresh: at once if the reader is at the top and
 *   typing nothing, else when they press the button offered;
 * - the live desk, for a signed-in newsroom login only: when the desk's hint cookie is
 *   there, the desk (/desk/<slug>/) is asked for and its script loaded; readers ask nothing;
 * - "since your last visit": a returning reader is told what is new on the story's
 *   newest page and can jump to the oldest unread (kept in this browser only).
 */
(function () {
  "use strict";

  var MINUTE = 60 * 1000;
  var HOUR = 60 * MINUTE;
  var MAX_BACKOFF = 5 * MINUTE;
  var STREAM_ERRORS = 3; /* failures in a row before the page goes back to polling */
  var STREAM_RETRY = MINUTE; /* then the stream is tried again about this much later (± 25 %) */
  var STREAMING_POLL = MINUTE; /* the rare poll while the stream is open */
  var STREAM_SETTLE = 5 * 1000; /* one poll this long after a stream opens (see openStream) */

  /* ---- the page's words ------------------------------------------------- */

  /* The words this script writes, in the page's language, from the page's data block
   * (languages.script_texts): a counted text holds one form per sample count, and a
   * count takes the form of the sample in the same plural category. */
  var LANGUAGE = document.documentElement.lang || "en";
  var TEXTS = (function () {
    var block = document.getElementById("script-texts");
    try { return block ? JSON.parse(block.textContent) : {}; } catch (error) { return {}; }
  })();

  function fill(text, values) {
    return String(text).replace(/%\((\w+)\)s/g, function (whole, name) {
      return name in values ? values[name] : whole;
    });
  }

  function text(key, values) {
    return fill(TEXTS[key] || key, values || {});
  }

  var PLURALS = (function () {
    try { return new Intl.PluralRules(LANGUAGE); } catch (error) { return new Intl.PluralRules("en"); }
  })();

  function counted(key, count, values) {
    var forms = TEXTS[key] || {};
    var rules = PLURALS;
    var category = rules.select(count);
    var samples = Object.keys(forms);
    var chosen = samples.filter(function (sample) { return rules.select(Number(sample)) === category; })[0];
    var form = forms[chosen !== undefined ? chosen : samples[samples.length - 1]] || key;
    values = values || {};
    values.count = count;
    return fill(form, values);
  }

  /* ---- relative times ---------------------------------------------------- */

  function relativeText(date, now) {
    var elapsed = now - date;
    if (elapsed < -MINUTE || elapsed >= 12 * HOUR) return null;
    if (elapsed < MINUTE) return text("just_now");
    if (elapsed < HOUR) return counted("minutes_ago", Math.floor(elapsed / MINUTE));
    return counted("hours_ago", Math.floor(elapsed / HOUR));
  }

  /* "Updated just now": a time after words of the sentence starts in lower case ("Just now" alone). */
  function followsWords(time) {
    var before = time.previousSibling;
    return Boolean(before && before.nodeType === Node.TEXT_NODE && /\S/.test(before.textContent));
  }

  function refreshTimes(root) {
    var now = Date.now();
    var times = (root || document).querySelectorAll("time[data-relative]");
    Array.prototype.forEach.call(times, function (time) {
      if (!time.dataset.absolute) time.dataset.absolute = time.title || time.textContent;
      var text = relativeText(new Date(time.getAttribute("datetime")), now);
      if (text && followsWords(time)) text = text.charAt(0).toLocaleLowerCase(LANGUAGE) + text.slice(1);
      time.textContent = text || time.dataset.absolute;
      time.title = time.dataset.absolute;
    });
  }

  /* ---- share links ------------------------------------------------------- */

  function share(event) {
    var link = event.target.closest && event.target.closest("a[data-share]");
    if (!link) return;
    var url = link.href;
    if (navigator.share) {
      event.preventDefault();
      navigator.share({ title: link.dataset.title || document.title, url: url }).catch(function () {});
    } else if (navigator.clipboard && window.isSecureContext) {
      event.preventDefault();
      navigator.clipboard.writeText(url).then(function () {
        var label = link.textContent;
        link.textContent = text("link_copied");
        setTimeout(function () { link.textContent = label; }, 2000);
      });
    }
  }

  /* ---- the comment form -------------------------------------------------- */

  /* The story page is shared by all readers (and cached), so it carries no CSRF
   * token: fetch this reader's token when they start a comment. Without this
   * script the server asks the reader to confirm their first post instead. */
  function commentForm(form) {
    var field = form.querySelector("input[name=csrfmiddlewaretoken]");
    var pending = null;
    function fetchToken() {
      if (field.value) return Promise.resolve();
      if (!pending) {
        pending = fetch(form.dataset.tokenUrl, { credentials: "same-origin", cache: "no-store" })
          .then(function (response) { return response.json(); })
          .then(function (data) { field.value = data.token; })
          .catch(function () { pending = null; });
      }
      return pending;
    }
    form.addEventListener("focusin", fetchToken);
    form.addEventListener("submit", function (event) {
      if (field.value) return;
      event.preventDefault();
      fetchToken().then(function () { form.submit(); });
    });
  }

  /* ---- scripts an arriving update needs ---------------------------------- */

  /* A part of an update that needs a script of its own names it (a gallery:
   * data-script); a page that did not have one loads it when one arrives. */
  function loadScripts(root) {
    Array.prototype.forEach.call(root.querySelectorAll("[data-script]"), function (el) {
      var src = el.dataset.script;
      var loaded = Array.prototype.some.call(document.scripts, function (script) {
        return script.getAttribute("src") === src;
      });
      if (loaded) return;
      var script = document.createElement("script");
      script.src = src;
      document.body.appendChild(script);
    });
  }

  /* ---- live updating ----------------------------------------------------- */

  function LiveStory(story) {
    this.story = story;
    this.url = story.dataset.changesUrl;
    this.streamUrl = window.EventSource ? story.dataset.streamUrl : null;
    this.source = null;
    this.streaming = false;
    this.settleAt = null; /* when the poll owed after a stream opened is due */
    this.streamErrors = 0;
    this.streamTimer = null;
    this.cursor = story.dataset.cursor;
    this.interval = (parseInt(story.dataset.interval, 10) || 15) * 1000;
    this.failures = 0;
    this.timer = null;
    this.stopped = false;
    this.reloading = false;
    this.pending = [];
    this.baseTitle = document.title;
    this.stream = document.getElementById("updates");
    this.oldestFirst = this.stream.dataset.order === "oldest";
    /* Updates published before this are on older pages: one of them edited is not new here. */
    this.olderBefore = this.stream.dataset.olderBefore ? new Date(this.stream.dataset.olderBefore) : null;
    this.status = document.getElementById("live-status");
    this.keyEvents = document.getElementById("key-events");
    this.keyEventsHtml = null;
    this.button = null;
    /* Updates being edited in place (data-editing): their newest version (or null, deleted),
     * shown once the editor closes (release). */
    this.held = {};
  }

  LiveStory.prototype.start = function () {
    var self = this;
    document.addEventListener("visibilitychange", function () {
      if (document.hidden) {
        self.cancel();
        self.closeStream();
      } else {
        self.openStream();
        self.schedule(0);
      }
    });
    window.addEventListener("scroll", function () {
      if (self.reloading) {
        if (self.atEdge() && !self.typing()) window.location.reload();
        return;
      }
      if (self.atEdge() && self.pending.length) self.showPending(false);
    }, { passive: true });
    if (this.keyEvents) {
      /* A key event that is still behind the button: show the new updates, then follow the link. */
      this.keyEvents.addEventListener("click", function (event) {
        var link = event.target.closest && event.target.closest("a[data-update]");
        if (link && self.isPending(link.dataset.update)) self.showPending(false);
      });
    }
    this.openStream();
    this.schedule(this.interval);
  };

  /* ---- the pushed stream: changes within a second, when the server offers one ----
   * Each message is what a poll would answer; the cursor only moves forward, so a message
   * seen twice, or one also fetched by a poll, changes nothing. While the stream is open the
   * page still polls, rarely (a scheduled update coming due is written by nobody, so nobody
   * pushes it). A stream that fails STREAM_ERRORS times in a row, or that the server does not
   * offer (404), is closed: the page polls as usual and tries the stream again later.
   * The push engine subscribes a stream a moment after sending its opening message; a change
   * published in that moment never reaches this page by the stream, so each (re)opened stream
   * is followed by one poll STREAM_SETTLE later, from the cursor the opening gave. That poll is
   * owed until one starts at or after its time (settleAt): a poll already under way when the
   * stream opens, answered after it, must not put it off by a minute (schedule keeps it). */

  LiveStory.prototype.openStream = function () {
    var self = this;
    if (!this.streamUrl || this.source || this.stopped || document.hidden) return;
    if (this.streamTimer) clearTimeout(this.streamTimer);
    this.streamTimer = null;
    var source = new EventSource(this.streamUrl + "?since=" + encodeURIComponent(this.cursor));
    this.source = source;
    source.addEventListener("open", function () {
      self.streaming = true;
      self.streamErrors = 0;
      self.settleAt = Date.now() + STREAM_SETTLE;
      self.schedule(STREAM_SETTLE);
    });
    source.addEventListener("changes", function (event) {
      var data;
      try { data = JSON.parse(event.data); } catch (error) { return; }
      if (data.reload) {
        self.reload();
        return;
      }
      self.apply(data);
    });
    source.addEventListener("error", function () {
      self.streaming = false;
      self.streamErrors += 1;
      if (source.readyState === EventSource.CLOSED || self.streamErrors >= STREAM_ERRORS) {
        self.closeStream();
        self.schedule(0); /* catch up now, then poll at the usual pace */
        if (!self.stopped) {
          /* spread out: every page lost its stream at the same moment */
          var retry = STREAM_RETRY * (0.75 + Math.random() / 2);
          self.streamTimer = setTimeout(function () { self.openStream(); }, retry);
        }
      }
    });
  };

  LiveStory.prototype.closeStream = function () {
    if (this.source) this.source.close();
    this.source = null;
    this.streaming = false;
    this.settleAt = null;
  };

  LiveStory.prototype.pollInterval = function () {
    return this.streaming ? Math.max(this.interval * 4, STREAMING_POLL) : this.interval;
  };

  LiveStory.prototype.cancel = function () {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  };

  LiveStory.prototype.schedule = function (delay) {
    var self = this;
    this.cancel();
    if (this.stopped || document.hidden) return;
    if (this.settleAt) delay = Math.min(delay, Math.max(0, this.settleAt - Date.now()));
    this.timer = setTimeout(function () { self.poll(); }, delay);
  };

  LiveStory.prototype.backoff = function () {
    this.failures += 1;
    var base = Math.min(this.interval * Math.pow(2, this.failures), MAX_BACKOFF);
    return base / 2 + Math.random() * base / 2; /* jitter: spread retries out */
  };

  LiveStory.prototype.poll = function () {
    var self = this;
    if (this.settleAt && Date.now() >= this.settleAt) this.settleAt = null;
    var url = this.url + "?since=" + encodeURIComponent(this.cursor);
    fetch(url, { headers: { Accept: "application/json" }, credentials: "omit" })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(function (data) {
        self.failures = 0;
        if (data.reload) {
          self.reload();
          return;
        }
        self.apply(data);
        if (data.live) self.schedule(self.pollInterval());
      })
      .catch(function () {
        self.schedule(self.backoff());
      });
  };

  LiveStory.prototype.apply = function (data) {
    var self = this;
    if (data.interval) this.interval = data.interval * 1000;
    if (data.cursor && !(Number(data.cursor) < Number(this.cursor))) this.cursor = data.cursor;
    (data.deleted || []).forEach(function (id) { self.remove(id); });
    var arrivals = [];
    (data.updates || []).forEach(function (item) {
      var current = document.getElementById("update-" + item.id);
      var edited = item.edited && new Date(item.edited) > new Date(item.published);
      self.noteUpdated(edited ? item.edited : item.published);
      if (!current && self.onOlderPage(item, data.pinned)) return; /* an edit on an older page */
      var fresh = self.toElement(item.html);
      loadScripts(fresh);
      if (current) {
        self.replace(current, fresh);
      } else if (!self.isPending(item.id)) {
        arrivals.push(fresh);
      } else {
        self.pending = self.pending.map(function (el) { return el.id === fresh.id ? fresh : el; });
      }
    });
    this.placePinned(data.pinned);
    if (typeof data.key_events === "string") this.placeKeyEvents(data.key_events);
    refreshTimes(this.story);
    if (arrivals.length) {
      this.pending = this.pending.concat(arrivals);
      if (this.atEdge()) {
        this.showPending(false);
      } else {
        this.offerPending();
      }
    }
    if (!data.live) this.end();
  };

  /* More changed than one answer holds: applying part of it would leave the page
   * inconsistent, so the page is loaded afresh (it shows the newest updates, each
   * once). Polling stops: the fresh page polls from its own cursor. */
  LiveStory.prototype.reload = function () {
    this.stopped = true;
    this.reloading = true;
    this.cancel();
    this.closeStream();
    if (this.atEdge() && !this.typing()) {
      window.location.reload();
      return;
    }
    if (this.button) this.button.remove();
    this.button = this.makeButton();
    this.button.textContent = text("show_latest");
    this.button.addEventListener("click", function () { window.location.reload(); });
    this.announce(text("reload_announcement"));
  };

  /* The reader is writing something a reload would lose (a comment). */
  LiveStory.prototype.typing = function () {
    var fields = document.querySelectorAll("form textarea, form input[type=text], form input[type=email]");
    return Array.prototype.some.call(fields, function (field) { return field.value !== ""; });
  };

  LiveStory.prototype.toElement = function (html) {
    var template = document.createElement("template");
    template.innerHTML = html.trim();
    return template.content.firstElementChild;
  };

  LiveStory.prototype.isPending = function (id) {
    return this.pending.some(function (el) { return el.id === "update-" + id; });
  };

  /* An update shown here changed: its new version replaces it, unless someone is editing it
   * on this page (data-editing), whose form and text stay until they close it. */
  LiveStory.prototype.replace = function (current, fresh) {
    if (current.hasAttribute("data-editing")) this.held[current.id] = fresh;
    else current.replaceWith(fresh);
  };

  /* The editor of update ``id`` closed it: what changed meanwhile is shown now. */
  LiveStory.prototype.release = function (id) {
    var key = "update-" + id;
    if (!(key in this.held)) return;
    var fresh = this.held[key];
    var current = document.getElementById(key);
    delete this.held[key];
    if (!current) return;
    if (fresh) {
      current.replaceWith(fresh);
      refreshTimes(fresh);
    } else {
      current.remove();
    }
  };

  LiveStory.prototype.remove = function (id) {
    var el = document.getElementById("update-" + id);
    if (el && el.hasAttribute("data-editing")) this.held[el.id] = null;
    else if (el) el.remove();
    var count = this.pending.length;
    this.pending = this.pending.filter(function (item) { return item.id !== "update-" + id; });
    if (this.pending.length !== count) this.offerPending();
  };

  /* An update that is neither here nor new: published before this page's oldest, it
   * belongs to an older page (an edit there). The pinned one is shown wherever it is. */
  LiveStory.prototype.onOlderPage = function (item, pinnedId) {
    return Boolean(this.olderBefore) && item.id !== pinnedId && new Date(item.published) < this.olderBefore;
  };

  /* Where new updates join the stream is in the reader's view: its top (newest first),
   * or its end (oldest first). */
  LiveStory.prototype.atEdge = function () {
    var box = this.stream.getBoundingClientRect();
    if (this.oldestFirst) return box.bottom <= window.innerHeight + 40;
    return box.top >= -40;
  };

  LiveStory.prototype.insertSorted = function (el) {
    var published = new Date(el.dataset.published);
    var oldestFirst = this.oldestFirst;
    var children = this.stream.querySelectorAll(":scope > article.update");
    for (var i = 0; i < children.length; i++) {
      var other = new Date(children[i].dataset.published);
      if (oldestFirst ? other > published : other <= published) {
        this.stream.insertBefore(el, children[i]);
        return;
      }
    }
    this.stream.appendChild(el);
  };

  /* The floating button, before the stream (newest first) or after it (oldest first). */
  LiveStory.prototype.makeButton = function () {
    var button = document.createElement("button");
    button.type = "button";
    button.className = this.oldestFirst ? "new-updates at-end" : "new-updates";
    this.stream.parentNode.insertBefore(button, this.oldestFirst ? this.stream.nextSibling : this.stream);
    return button;
  };

  LiveStory.prototype.offerPending = function () {
    var count = this.pending.length;
    this.updateTitle();
    if (!count) {
      if (this.button) this.button.remove();
      this.button = null;
      return;
    }
    if (!this.button) {
      var self = this;
      this.button = this.makeButton();
      this.button.addEventListener("click", function () { self.showPending(true); });
    }
    this.button.textContent = counted("show_new_updates", count);
    this.announce(counted("new_updates", count));
  };

  LiveStory.prototype.showPending = function (scroll) {
    var self = this;
    var items = this.pending;
    var count = items.length;
    this.pending = [];
    this.updateTitle();
    items.sort(function (a, b) { return new Date(a.dataset.published) - new Date(b.dataset.published); });
    items.forEach(function (el) { self.insertSorted(el); });
    if (this.button) this.button.remove();
    this.button = null;
    var empty = this.stream.querySelector(":scope > .empty");
    if (empty) empty.remove();
    refreshTimes(this.stream);
    if (window.liveblog.catchUp) window.liveblog.catchUp.saw(items);
    if (count) this.announce(counted("new_updates_shown", count));
    if (scroll && items.length) {
      /* the first of them to read: the newest on top, or oldest first the oldest that came */
      var first = this.oldestFirst ? items[0] : this.stream.querySelector(":scope > article.update");
      first.setAttribute("tabindex", "-1");
      first.scrollIntoView({ block: "start" });
      first.focus({ preventScroll: true });
    }
  };

  LiveStory.prototype.placePinned = function (pinnedId) {
    var box = document.getElementById("pinned");
    var self = this;
    if (box) {
      Array.prototype.forEach.call(box.querySelectorAll("article.update"), function (el) {
        if (el.id === "update-" + pinnedId) return;
        /* unpinned: back in the stream, or on the older page it belongs to */
        if (self.olderBefore && new Date(el.dataset.published) < self.olderBefore) el.remove();
        else self.insertSorted(el);
      });
    }
    if (!pinnedId) {
      if (box) box.remove();
      return;
    }
    var el = document.getElementById("update-" + pinnedId);
    if (!el) return; /* the pinned update is on an older page: leave the stream alone */
    if (!box) {
      box = document.createElement("div");
      box.className = "pinned";
      box.id = "pinned";
      this.stream.parentNode.insertBefore(box, this.stream);
    }
    if (el.parentNode !== box) box.appendChild(el);
  };

  /* The key events box, as the server rendered it: links go to the update on this
   * page when it is here (or waiting behind the button), else to the page holding it,
   * in the order the reader chose (the server's box is the same for every reader). */
  LiveStory.prototype.placeKeyEvents = function (html) {
    if (!this.keyEvents || html === this.keyEventsHtml) return;
    var self = this;
    var chosen = new URLSearchParams(window.location.search).get("order");
    this.keyEventsHtml = html;
    this.keyEvents.innerHTML = html;
    Array.prototype.forEach.call(this.keyEvents.querySelectorAll("a[href]"), function (link) {
      var id = link.dataset.update;
      if (id && (document.getElementById("update-" + id) || self.isPending(id))) {
        link.setAttribute("href", "#update-" + id);
      } else if (chosen === "oldest" || chosen === "newest") {
        var url = new URL(link.getAttribute("href"), window.location.href);
        url.searchParams.set("order", chosen);
        link.setAttribute("href", url.pathname + url.search + url.hash);
      }
    });
  };

  /* "Updated 2 min ago" at the top follows the newest publication or edit. */
  LiveStory.prototype.noteUpdated = function (iso) {
    var time = document.querySelector("#story-updated time");
    if (!time || !iso || new Date(iso) <= new Date(time.getAttribute("datetime"))) return;
    time.setAttribute("datetime", iso);
    time.dataset.absolute = "";
    time.title = new Date(iso).toLocaleString([], { dateStyle: "medium", timeStyle: "short" });
  };

  LiveStory.prototype.announce = function (text) {
    if (!this.status) return;
    this.status.textContent = text;
  };

  /* The count in the title is always the count the button offers. */
  LiveStory.prototype.updateTitle = function () {
    var count = this.pending.length;
    document.title = (count ? "(" + count + ") " : "") + this.baseTitle;
  };

  LiveStory.prototype.end = function () {
    this.stopped = true;
    this.cancel();
    this.closeStream();
    var status = document.getElementById("story-status");
    if (status) {
      status.innerHTML = "";
      var badge = document.createElement("p");
      badge.className = "ended-badge";
      badge.textContent = text("coverage_ended");
      status.appendChild(badge);
    }
    this.announce(text("coverage_has_ended"));
  };

  /* ---- since your last visit ---------------------------------------------
   * The story's newest page, unfiltered, names its story in data-catch-up. The newest
   * update a reader has seen there is kept in this browser only (localStorage, one key
   * per story; no cookie, nothing sent): its cursor, "microseconds-id", the form the
   * page's own links use. On a later visit the updates newer than it are counted from
   * the page (each article's data-published, and its is-key class) and a notice offers
   * to jump to the oldest of them. When every update of the stream is new and older
   * pages exist, the oldest unread is on another page: the notice links to the page
   * that starts right after the kept cursor (?after=), where it is the last update.
   * A first visit shows nothing. Updates that arrive live count as seen once shown. */

  var SEEN_KEY = "liveblog:seen:";
  var OLDEST_UNREAD = "#oldest-unread";

  /* data-published ("2026-03-13T10:42:05.123456-04:00") in microseconds: Date keeps only
   * milliseconds, and the server orders updates to the microsecond. */
  function microseconds(iso) {
    var match = /^([^.]*T\d\d:\d\d:\d\d)(?:\.(\d+))?(.*)$/.exec(iso || "");
    if (!match) return NaN;
    var fraction = ((match[2] || "") + "000000").slice(0, 6);
    return Date.parse(match[1] + match[3]) * 1000 + parseInt(fraction, 10);
  }

  function cursorOf(article) {
    return { time: microseconds(article.dataset.published), id: parseInt(article.id.slice(7), 10) };
  }

  function isNewer(a, b) {
    return a.time > b.time || (a.time === b.time && a.id > b.id);
  }

  function readCursor(value) {
    var match = /^(\d{1,20})-(\d{1,20})$/.exec(value || "");
    return match ? { time: Number(match[1]), id: Number(match[2]) } : null;
  }

  function storage(action) {
    try { return action(window.localStorage); } catch (error) { return null; } /* storage off */
  }

  function CatchUp(story) {
    this.story = story;
    this.key = SEEN_KEY + story.dataset.catchUp;
    this.seen = readCursor(storage(function (store) { return store.getItem(this.key); }.bind(this)));
  }

  CatchUp.prototype.articles = function () {
    return this.story.querySelectorAll("#pinned article.update, #updates > article.update");
  };

  /* Keep the newest of ``articles`` as seen, if newer than what is kept (another tab may
   * have kept a newer one: the kept cursor only moves forward). */
  CatchUp.prototype.saw = function (articles) {
    var key = this.key;
    var newest = null;
    Array.prototype.forEach.call(articles, function (article) {
      var cursor = cursorOf(article);
      if (!isNaN(cursor.time) && (!newest || isNewer(cursor, newest))) newest = cursor;
    });
    if (!newest) return;
    storage(function (store) {
      var kept = readCursor(store.getItem(key));
      if (!kept || isNewer(newest, kept)) store.setItem(key, newest.time + "-" + newest.id);
    });
  };

  CatchUp.prototype.start = function () {
    if (this.seen) this.offer();
    this.saw(this.articles());
  };

  CatchUp.prototype.offer = function () {
    var seen = this.seen;
    var unread = Array.prototype.filter.call(this.articles(), function (article) {
      return isNewer(cursorOf(article), seen);
    });
    if (!unread.length) return;
    var oldest = unread.reduce(function (a, b) { return isNewer(cursorOf(a), cursorOf(b)) ? b : a; });
    var keys = unread.filter(function (article) { return article.classList.contains("is-key"); }).length;
    var stream = this.story.querySelectorAll("#updates > article.update");
    var beyond = stream.length && unread.indexOf(stream[stream.length - 1]) !== -1 &&
      this.story.querySelector(".pager-older");
    var href = "#" + oldest.id;
    if (beyond) {
      href = window.location.pathname + "?after=" + seen.time + "-" + seen.id + OLDEST_UNREAD;
      keys += this.keyEventsBeyond();
    }
    var count = unread.length;
    var updates = counted(beyond ? "more_than_new_updates" : "new_updates", count);
    var said = keys
      ? text("since_last_visit_with_key_events", { updates: updates, key_events: counted("key_events", keys) })
      : text("since_last_visit", { updates: updates });

    var notice = document.createElement("div");
    notice.className = "catch-up";
    notice.setAttribute("role", "status"); /* polite: read when the reader is not busy */
    var anchor = document.getElementById("live-status") || document.getElementById("updates");
    anchor.parentNode.insertBefore(notice, anchor);
    var paragraph = document.createElement("p");
    paragraph.appendChild(document.createTextNode(said));
    var link = document.createElement("a");
    link.href = href;
    link.textContent = text("jump_to_oldest_unread");
    if (!beyond) {
      link.addEventListener("click", function (event) {
        event.preventDefault();
        jumpTo(oldest);
      });
    }
    paragraph.appendChild(link);
    /* Filled a moment after the region is in the page, so screen readers announce it. */
    setTimeout(function () { notice.appendChild(paragraph); }, 50);
  };

  /* Key events newer than the kept cursor on older pages: the key events box lists the
   * newest ones, each with its time (to the second). */
  CatchUp.prototype.keyEventsBeyond = function () {
    var seen = this.seen;
    var links = this.story.querySelectorAll("#key-events a[data-update]");
    return Array.prototype.filter.call(links, function (link) {
      var time = link.querySelector("time");
      if (document.getElementById("update-" + link.dataset.update) || !time) return false;
      return microseconds(time.getAttribute("datetime")) > seen.time;
    }).length;
  };

  function jumpTo(article) {
    article.setAttribute("tabindex", "-1");
    article.scrollIntoView({ block: "start" });
    article.focus({ preventScroll: true });
  }

  /* The page a notice sent the reader to (?after=kept cursor): its last update is the oldest unread. */
  function landOnOldestUnread() {
    if (window.location.hash !== OLDEST_UNREAD || !/[?&]after=/.test(window.location.search)) return;
    var stream = document.querySelectorAll("#updates > article.update");
    if (stream.length) jumpTo(stream[stream.length - 1]);
  }


  /* ---- the live desk ------------------------------------------------------ */

  /* The page is the same for every reader, so it carries no sign of the newsroom: the hint
   * cookie (coverage.desk) says a newsroom login signed in here, and /desk/<slug>/ says
   * whether it may publish on this story (403 otherwise: a stale hint, cleared). */
  var DESK_HINT = "liveblog_desk";

  function openDesk(story) {
    if (document.cookie.split(/;\s*/).indexOf(DESK_HINT + "=1") === -1) return;
    var match = location.pathname.match(/^\/live\/([^/]+)\/$/); /* the story page, not its embed */
    if (!match || !story.querySelector("#latest")) return;
    fetch("/desk/" + match[1] + "/", { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (response.status === 403) document.cookie = DESK_HINT + "=; max-age=0; path=/; samesite=lax";
        return response.ok ? response.json() : null;
      })
      .then(function (desk) {
        if (!desk) return;
        window.liveblog.desk = desk;
        desk.scripts.forEach(function (source) {
          var script = document.createElement("script");
          script.src = source;
          script.async = false; /* in order: the composer first, then what builds on it */
          document.head.appendChild(script);
        });
      })
      .catch(function () { /* no desk this time: the page reads as readers see it */ });
  }

  /* ---- start ------------------------------------------------------------- */

  window.liveblog = { refreshTimes: refreshTimes, text: text };
  refreshTimes(document);
  setInterval(function () { refreshTimes(document); }, MINUTE);
  document.addEventListener("click", share);

  var form = document.querySelector("form.comment-form[data-token-url]");
  if (form && window.fetch) commentForm(form);

  var story = document.getElementById("story");
  if (story && story.dataset.catchUp) {
    window.liveblog.catchUp = new CatchUp(story);
    window.liveblog.catchUp.start();
  }
  landOnOldestUnread();
  if (story && story.dataset.changesUrl && window.fetch && document.getElementById("updates")) {
    window.liveblog.story = new LiveStory(story);
    window.liveblog.story.start();
  }
  if (story && window.fetch) openDesk(story);
})();
