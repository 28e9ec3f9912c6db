/* liveblog galleries: several pictures in a row of an update, one at a time.
 *
 * Without this script a gallery is a row of pictures that scrolls sideways (swipe,
 * wheel, arrow keys on the focused row), each picture snapping into place, with its
 * own caption. The script adds, over the pictures:
 * - previous/next buttons and a "2 of 4" counter; the picture moved to is announced
 *   politely ("Picture 2 of 4: " and its text alternative);
 * - on each picture, a button opening a full-screen view (a modal <dialog>): arrows
 *   move between pictures, Tab stays inside, Escape closes it and focus returns to
 *   the button that opened it; pictures there ask for the rendition the whole screen
 *   needs (sizes="100vw"), captions and credits shown.
 * It works by delegation from the document and the server renders each gallery in
 * its first state, so a gallery that arrives later in a live story (live.js loads
 * this script for it) needs no setting up. Nothing here changes the layout: the
 * buttons and counter lie over the pictures (site.css, "Galleries").
 */
(function () {
  "use strict";

  if (window.liveblogGallery) return; /* named by the page and again by an arrival */
  window.liveblogGallery = true;
  document.documentElement.classList.add("has-gallery-script");

  var targets = new WeakMap(); /* gallery -> the picture a button or key is moving to */
  var queued = [];
  var dialog = null;
  var opener = null;

  function trackOf(box) {
    return box.querySelector(".gallery-track");
  }

  function slidesOf(box) {
    return trackOf(box).querySelectorAll(":scope > figure");
  }

  /* The picture in view: the row scrolls by whole widths, one picture each. */
  function current(box) {
    var track = trackOf(box);
    var last = slidesOf(box).length - 1;
    if (!track.clientWidth) return 0;
    return Math.max(0, Math.min(last, Math.round(Math.abs(track.scrollLeft) / track.clientWidth)));
  }

  function target(box) {
    return targets.has(box) ? targets.get(box) : current(box);
  }

  function go(box, index, instant) {
    var track = trackOf(box);
    index = Math.max(0, Math.min(slidesOf(box).length - 1, index));
    var still = instant || window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    if (!still) targets.set(box, index);
    var start = rightToLeft(box) ? -1 : 1; /* right to left, the row scrolls towards negative lefts */
    track.scrollTo({ left: start * index * track.clientWidth, behavior: still ? "instant" : "smooth" });
  }

  function rightToLeft(box) {
    return getComputedStyle(box).direction === "rtl";
  }

  function setDisabled(button, disabled) {
    if (!button) return;
    if (disabled) {
      button.setAttribute("aria-disabled", "true");
    } else {
      button.removeAttribute("aria-disabled");
    }
  }

  /* Counter, buttons and the one full-screen button in the tab order follow the picture in view. */
  function sync(box) {
    var index = current(box);
    var slides = slidesOf(box);
    if (targets.get(box) === index) targets.delete(box);
    var count = box.querySelector(".gallery-count");
    var place = { number: index + 1, count: slides.length };
    var text = words("picture_of", place);
    if (count.textContent !== text) {
      count.textContent = text;
      var img = slides[index].querySelector("img");
      if (img && img.alt) place.alt = img.alt;
      box.querySelector(".gallery-status").textContent =
        words(place.alt ? "picture_status_with_alt" : "picture_status", place);
    }
    setDisabled(box.querySelector(".gallery-prev"), index === 0);
    setDisabled(box.querySelector(".gallery-next"), index === slides.length - 1);
    Array.prototype.forEach.call(slides, function (slide, position) {
      var zoom = slide.querySelector(".gallery-zoom");
      if (!zoom) return;
      if (position === index) {
        zoom.removeAttribute("tabindex");
      } else {
        zoom.setAttribute("tabindex", "-1");
      }
    });
  }

  function galleryOfTrack(event) {
    var track = event.target;
    if (!track.classList || !track.classList.contains("gallery-track")) return null;
    return track.closest("[data-gallery]");
  }

  /* Scroll events do not bubble: the document hears them while capturing. */
  document.addEventListener("scroll", function (event) {
    var box = galleryOfTrack(event);
    if (!box || queued.indexOf(box) !== -1) return;
    queued.push(box);
    if (queued.length === 1) {
      requestAnimationFrame(function () {
        var boxes = queued;
        queued = [];
        boxes.forEach(sync);
      });
    }
  }, true);

  /* A swipe may end elsewhere than a button meant: the picture in view is the truth. */
  document.addEventListener("scrollend", function (event) {
    var box = galleryOfTrack(event);
    if (!box) return;
    targets.delete(box);
    sync(box);
  }, true);

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest(".gallery-prev, .gallery-next, .gallery-zoom, .gallery-close");
    var box = button && button.closest("[data-gallery]");
    if (!box) return;
    if (button.classList.contains("gallery-zoom")) {
      openFullScreen(box, button);
    } else if (button.classList.contains("gallery-close")) {
      dialog.close();
    } else if (button.getAttribute("aria-disabled") !== "true") {
      go(box, target(box) + (button.classList.contains("gallery-next") ? 1 : -1));
    }
  });

  /* Arrows move from the row or its buttons, and anywhere in the full screen; not from a
   * picture's own button, which would be left behind, out of view. */
  document.addEventListener("keydown", function (event) {
    var box = event.target.closest && event.target.closest("[data-gallery]");
    if (!box || event.altKey || event.ctrlKey || event.metaKey) return;
    if (box !== dialog && !event.target.matches(".gallery-track, .gallery-prev, .gallery-next")) return;
    var back = rightToLeft(box) ? "ArrowRight" : "ArrowLeft"; /* the arrow that points to the first picture */
    var moves = { Home: 0, End: slidesOf(box).length - 1 };
    moves[back] = target(box) - 1;
    moves[back === "ArrowLeft" ? "ArrowRight" : "ArrowLeft"] = target(box) + 1;
    if (event.key in moves) {
      event.preventDefault();
      go(box, moves[event.key]);
    } else if (event.key === "Tab" && box === dialog) {
      keepFocusInside(event);
    }
  });

  /* ---- full screen --------------------------------------------------------- */

  function keepFocusInside(event) {
    var stops = Array.prototype.filter.call(dialog.querySelectorAll("button, [tabindex]"), function (el) {
      return el.tabIndex >= 0 && el.getClientRects().length > 0;
    });
    var first = stops[0];
    var last = stops[stops.length - 1];
    if (event.shiftKey && document.activeElement === first) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && document.activeElement === last) {
      event.preventDefault();
      first.focus();
    }
  }

  /* The page's words (live.js reads them from the page: languages.script_texts). */
  function words(key, values) {
    return window.liveblog.text(key, values);
  }

  function element(tag, className, text) {
    var el = document.createElement(tag);
    el.className = className;
    if (text) el.textContent = text;
    return el;
  }

  function createDialog(box) {
    var el = element("dialog", "gallery-dialog");
    el.setAttribute("data-gallery", "");
    var bar = element("div", "gallery-dialog-bar");
    var count = element("p", "gallery-count");
    count.setAttribute("aria-hidden", "true");
    var status = element("p", "gallery-status visually-hidden");
    status.setAttribute("aria-live", "polite");
    var close = element("button", "gallery-close");
    close.type = "button";
    var shown = element("span", "", words("close"));
    shown.setAttribute("aria-hidden", "true"); /* seen; heard in full from the next */
    close.append(shown, element("span", "visually-hidden", words("close_full_screen")));
    bar.append(count, status, close);
    var track = element("div", "gallery-track");
    track.tabIndex = 0;
    el.append(bar, track);
    ["gallery-prev", "gallery-next"].forEach(function (name) {
      var button = box.querySelector("." + name).cloneNode(true);
      button.removeAttribute("aria-disabled");
      el.appendChild(button);
    });
    el.addEventListener("close", function () {
      trackOf(el).replaceChildren();
      count.textContent = status.textContent = ""; /* opened again, it says where it is again */
      var back = opener;
      opener = null;
      if (back && back.isConnected) back.focus();
    });
    document.body.appendChild(el);
    return el;
  }

  /* A picture of the gallery as the full screen shows it: no button on it, the
   * rendition the screen needs, the ones next to the shown picture loaded now. */
  function fullScreenCopy(figure, position, shown) {
    var copy = figure.cloneNode(true);
    var zoom = copy.querySelector(".gallery-zoom");
    if (zoom) zoom.remove();
    Array.prototype.forEach.call(copy.querySelectorAll("img[sizes], source[sizes]"), function (el) {
      el.setAttribute("sizes", "100vw");
    });
    var img = copy.querySelector("img");
    if (img) img.loading = Math.abs(position - shown) <= 1 ? "eager" : "lazy";
    return copy;
  }

  function openFullScreen(box, button) {
    var figures = slidesOf(box);
    var shown = Array.prototype.indexOf.call(figures, button.closest("figure"));
    dialog = dialog || createDialog(box);
    var copies = Array.prototype.map.call(figures, function (figure, position) {
      return fullScreenCopy(figure, position, shown);
    });
    trackOf(dialog).replaceChildren.apply(trackOf(dialog), copies);
    dialog.setAttribute("aria-label", words("full_screen", { name: box.getAttribute("aria-label") }));
    opener = button;
    dialog.showModal();
    go(dialog, shown, true);
    sync(dialog);
    dialog.querySelector(".gallery-close").focus();
  }
})();
