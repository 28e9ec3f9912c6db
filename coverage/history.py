"""What readers saw of an update over time: its public versions, and what each one changed.

Every save of an update is kept as an ``UpdateRevision`` with the status and time
that save left (``services.updates``). A revision was seen by readers when the
update was public for a while under it: not a draft, and its publication time came
before the next save replaced it (a text saved while the update was scheduled is
seen from that time if nobody changed it by then). Drafts, schedules replaced
before their time, and revisions kept before statuses were recorded are never shown.

``changes(...)`` pairs each public version with a word-level diff against the one
readers saw before it, as escaped HTML with ``<ins>`` and ``<del>``.
"""

import difflib
import re
from dataclasses import dataclass
from datetime import datetime
from itertools import pairwise

from django.utils import timezone
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe

from . import markup
from .models import Update

PARAGRAPH = "\n\n"
# The units a diff compares: a paragraph break, a Chinese or Japanese character (those
# scripts put no spaces between words), a run of other letters and digits, white space,
# or one other character (punctuation, a symbol).
_CJK = "\u2e80-\u9fff\uf900-\ufaff"
TOKENS = re.compile(rf"\n\n|[{_CJK}]|[^\W{_CJK}]+|\s+|[^\w\s]")


@dataclass(frozen=True)
class Version:
    """A text of the update as readers saw it, from ``shown_at``."""

    number: int  # 1 for the first text readers saw, counting public versions only
    shown_at: datetime
    headline: str
    body: str

    @property
    def text(self):
        """The body as readers read it: Markdown rendered, paragraphs apart."""
        return markup.plain_text(self.body)


@dataclass(frozen=True)
class Change:
    """A public version with what changed since the one before (None for the first)."""

    version: Version
    headline: SafeString | None  # the headline, marked, when it changed
    paragraphs: list  # SafeString per paragraph: the text, marked where it changed

    @property
    def is_first(self):
        return self.version.number == 1


def public_versions(revisions, now=None):
    """The texts readers saw among ``revisions`` (an update's), oldest first.

    A revision counts when its status is public (not a draft) and readers had time to
    see it: from its save, or its publication time if later, to the next save. The
    first text is dated at its publication (the time readers see on the update),
    each later one when readers first saw it. A text seen again right after itself
    (a save that changed only the status, the pin, the byline) is one version.
    """
    now = now or timezone.now()
    ordered = sorted(revisions, key=lambda revision: revision.version)
    versions = []
    for revision, following in pairwise([*ordered, None]):
        if revision.status not in Update.SHOWN_STATUSES:
            continue  # a draft, or kept before statuses were recorded
        if revision.published_at is None:
            continue
        shown_from = max(revision.saved_at, revision.published_at)
        until = following.saved_at if following is not None else now
        if shown_from > until or (following is not None and shown_from == until):
            continue  # replaced before readers could see it
        if versions and (versions[-1].headline, versions[-1].body) == (revision.headline, revision.body):
            continue
        dated = revision.published_at if not versions else shown_from
        versions.append(Version(len(versions) + 1, dated, revision.headline, revision.body))
    return versions


def versions_of(update, now=None):
    """The texts readers saw of ``update`` (public now), oldest first: its revisions' public
    versions, or its text as it stands when none is on record (an update written before
    revisions recorded statuses, and never saved since)."""
    versions = public_versions(update.revisions.all(), now)
    return versions or [Version(1, update.published_at, update.headline, update.body)]


def changes(versions):
    """Each of ``versions`` (oldest first) with its diff against the one before, newest first."""
    result, before = [], None
    for version in versions:
        if before is None:
            headline = None
            paragraphs = [conditional_escape(text) for text in _paragraphs(version.text)]
        else:
            headline = None
            if before.headline != version.headline:
                headline = diff(before.headline, version.headline)
            paragraphs = _split(diff(before.text, version.text))
        result.append(Change(version, headline, paragraphs))
        before = version
    return result[::-1]


def diff(old, new):
    """``new`` against ``old``, word by word, as escaped HTML: removed words in ``<del>``,
    added ones in ``<ins>`` (a replaced run is its removal, then its addition)."""
    a, b = TOKENS.findall(old), TOKENS.findall(new)
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    runs = [("".join(a[i1:i2]), "".join(b[j1:j2]), tag) for tag, i1, i2, j1, j2 in matcher.get_opcodes()]
    html = []
    for removed, added, tag in _joined(runs):
        if tag == "equal":
            html.append(conditional_escape(added))
            continue
        if removed:
            html.append(format_html("<del>{}</del>", removed))
        if added:
            html.append(format_html("<ins>{}</ins>", added))
    return mark_safe("".join(html))


def _joined(runs):
    """``runs`` (removed, added, tag) with white space alone between two changes taken into
    them: "a b" to "c d" reads as one replacement, not two with a kept space between."""
    joined = []
    for removed, added, tag in runs:
        if tag != "equal" and len(joined) >= 2 and joined[-2][2] != "equal" and joined[-1][2] == "equal":
            kept = joined[-1][1]
            if kept.isspace() and PARAGRAPH not in kept:
                space, change = joined.pop(), joined.pop()
                joined.append((change[0] + space[0] + removed, change[1] + space[1] + added, "replace"))
                continue
        joined.append((removed, added, tag))
    return joined


def _paragraphs(text):
    return [part for part in text.split(PARAGRAPH) if part.strip()]


def _split(html):
    """Marked-up text cut at its paragraph breaks (a mark spanning one is closed and reopened)."""
    paragraphs, current, open_mark = [], [], None
    for piece in re.split(r"(<ins>|</ins>|<del>|</del>|\n\n)", html):
        if piece in ("<ins>", "<del>"):
            open_mark = piece[1:-1]
        elif piece in ("</ins>", "</del>"):
            open_mark = None
        elif piece == PARAGRAPH:
            if open_mark:
                current.append(f"</{open_mark}>")
            paragraphs.append("".join(current))
            current = [f"<{open_mark}>"] if open_mark else []
            continue
        current.append(piece)
    paragraphs.append("".join(current))
    # The text is escaped: a literal "<ins></ins>" can only be a mark cut down to nothing.
    paragraphs = [paragraph.replace("<ins></ins>", "").replace("<del></del>", "") for paragraph in paragraphs]
    return [mark_safe(paragraph) for paragraph in paragraphs if paragraph.strip()]
