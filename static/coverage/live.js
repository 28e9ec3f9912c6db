/* liveblog reader script: relative times and share links (progressive enhancement). */
(function () {
  "use strict";

  var MINUTE = 60 * 1000;
  var HOUR = 60 * MINUTE;

  function relativeText(date, now) {
    var elapsed = now - date;
    if (elapsed < 0 || elapsed >= 12 * HOUR) return null;
    if (elapsed < MINUTE) return "Just now";
    if (elapsed < HOUR) return Math.floor(elapsed / MINUTE) + " min ago";
    var hours = Math.floor(elapsed / HOUR);
    return hours + (hours === 1 ? " hour ago" : " hours ago");
  }

  function refreshTimes(root) {
    var now = Date.now();
    var times = (root || document).querySelectorAll(".update-time a > time[data-relative]");
    Array.prototype.forEach.call(times, function (time) {
      if (!time.dataset.absolute) time.dataset.absolute = time.textContent;
      var text = relativeText(new Date(time.getAttribute("datetime")), now);
      time.textContent = text || time.dataset.absolute;
      time.title = time.dataset.absolute;
    });
  }

  function share(event) {
    var link = event.target.closest("a[data-share]");
    if (!link) return;
    var url = link.href;
    if (navigator.share) {
      event.preventDefault();
      navigator.share({ title: link.dataset.title || document.title, url: url }).catch(function () {});
    } else if (navigator.clipboard && window.isSecureContext) {
      event.preventDefault();
      navigator.clipboard.writeText(url).then(function () {
        var label = link.textContent;
        link.textContent = "Link copied";
        setTimeout(function () { link.textContent = label; }, 2000);
      });
    }
  }

  window.liveblog = window.liveblog || {};
  window.liveblog.refreshTimes = refreshTimes;

  refreshTimes(document);
  setInterval(function () { refreshTimes(document); }, MINUTE);
  document.addEventListener("click", share);
})();
