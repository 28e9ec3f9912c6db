"""The language a page speaks: a story's own, else the site's.

A story page, its updates' pages, its feed and its live texts (``changes.json``, the stream)
are in the story's language; the home page, author pages and the admin in the site's
(``LANGUAGE_CODE``). The reader's own Accept-Language is not asked: a page is the same for
every reader, which is what lets caches keep one copy of it.
"""

from contextlib import contextmanager

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext, ngettext


def spoken(code):
    """``code`` if the site speaks it (``LANGUAGES``), else the site's language."""
    return code if code in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


@contextmanager
def speaking(story=None):
    """Within it, translations, dates and ``<html lang dir>`` follow ``story``'s language
    (without one, the site's)."""
    with translation.override(spoken(getattr(story, "language", ""))):
        yield


# One count of each plural form the site's languages have (Arabic has six: 0, 1, 2, 3–10,
# 11–99, 100–102…): the page's scripts pick the text of the sample whose form their count
# has (``Intl.PluralRules``), so a count's words need no catalogue of their own in the browser.
PLURAL_SAMPLES = (0, 1, 2, 3, 5, 11, 21, 100, 101, 102)


def script_texts():
    """The words the reader pages' scripts write (live.js, gallery.js, embeds.js), in the active
    language: a counted text maps each of ``PLURAL_SAMPLES`` to its form, ``%(count)s`` left in."""
    samples = PLURAL_SAMPLES
    return {
        "just_now": gettext("Just now"),
        "minutes_ago": {n: ngettext("%(count)s min ago", "%(count)s min ago", n) for n in samples},
        "hours_ago": {n: ngettext("%(count)s hour ago", "%(count)s hours ago", n) for n in samples},
        "link_copied": gettext("Link copied"),
        "show_latest": gettext("Show the latest updates"),
        "reload_announcement": gettext(
            "Many updates have changed. Show the latest updates to reload the page."
        ),
        "new_updates": {n: ngettext("%(count)s new update", "%(count)s new updates", n) for n in samples},
        "show_new_updates": {
            n: ngettext("Show %(count)s new update", "Show %(count)s new updates", n) for n in samples
        },
        "new_updates_shown": {
            n: ngettext("%(count)s new update shown", "%(count)s new updates shown", n) for n in samples
        },
        "coverage_ended": gettext("Coverage ended"),
        "coverage_has_ended": gettext("Coverage has ended."),
        "more_than_new_updates": {
            n: ngettext("More than %(count)s new update", "More than %(count)s new updates", n)
            for n in samples
        },
        "key_events": {n: ngettext("%(count)s key event", "%(count)s key events", n) for n in samples},
        # Translators: the catch-up notice; %(updates)s is e.g. "5 new updates", then a link follows.
        "since_last_visit": gettext("%(updates)s since your last visit — "),
        # Translators: as above, %(key_events)s is e.g. "2 key events".
        "since_last_visit_with_key_events": gettext(
            "%(updates)s and %(key_events)s since your last visit — "
        ),
        "jump_to_oldest_unread": gettext("Jump to the oldest unread"),
        # Translators: a gallery's counter, e.g. "2 of 5".
        "picture_of": gettext("%(number)s of %(count)s"),
        # Translators: read aloud when a gallery moves, e.g. "Picture 2 of 5: Firefighters at the scene".
        "picture_status": gettext("Picture %(number)s of %(count)s"),
        "picture_status_with_alt": gettext("Picture %(number)s of %(count)s: %(alt)s"),
        # Translators: a full-screen gallery's button shows "Close" and is heard as "Close full screen".
        "close": gettext("Close"),
        "close_full_screen": gettext("Close full screen"),
        # Translators: a gallery's name in full screen, e.g. "Gallery, 5 pictures, full screen".
        "full_screen": gettext("%(name)s, full screen"),
        "embedded_content": gettext("Embedded content"),
    }
