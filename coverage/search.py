"""Search within a story: what is stored for it, how a query finds updates, how matches are shown.

Each update keeps two columns for search, stamped from its headline and body whenever it is
written (``stamp``, called by ``Update.save``, ``UpdateQuerySet.bulk_create`` and
``services.save_update``):

- ``search_text``: its words, casefolded, one space around each (`` kyiv talks ``). Unicode
  case folding is done here, once: SQLite's LIKE folds only ASCII, and PostgreSQL's folding
  follows the database's locale.
- ``search_vector`` (PostgreSQL only): the same words as a ``tsvector``, the headline's
  weighted above the body's, under a GIN index (migration ``0024_update_search``).

A query is split into the same words. Each must begin a word of the update (``war`` finds
"warning" and "war", not "toward"): on PostgreSQL through the ``tsvector`` and its index
(``war:* & talks:*``), elsewhere with ``LIKE '% war%'`` on ``search_text``. Scripts written
without spaces between words (Chinese, Japanese, Thai…) have no word starts to go by, and
Arabic and Hebrew words begin with their article or conjunction, so a query in them matches
anywhere in the text (``ANYWHERE``), on every backend, through ``search_text``.

Matches are highlighted in Python for every backend alike (``highlight``, ``excerpt``): on the
plain text, each piece escaped, then wrapped in ``<mark>``; never in stored HTML.
"""

import html
import re
import unicodedata
from dataclasses import dataclass
from functools import cache

from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db import connection
from django.db.models import Value
from django.utils.html import escape
from django.utils.safestring import mark_safe

from . import markup, pagination

# The text search configuration: "simple" (no stemming, no stop words) reads every script.
# The one place to choose another (e.g. by the story's language, where PostgreSQL has one).
CONFIG = "simple"
MIN_LENGTH = 2  # characters a query needs (one is enough in a script without spaces)
MAX_LENGTH = 100  # characters of a query read; the rest is ignored
MAX_TERMS = 8
COLUMNS = ("search_text", "search_vector")  # what ``stamp`` sets
EXCERPT_CHARS = 220  # about the length of a search engine's snippet


def _marks():
    """A character class of the combining marks of the Basic Multilingual Plane: letters of
    Devanagari, Thai or vowelled Arabic words, which ``\\w`` alone would split the words at."""
    ranges, start = [], None
    for code in range(0x10001):
        is_mark = code < 0x10000 and unicodedata.category(chr(code)).startswith("M")
        if is_mark and start is None:
            start = code
        elif not is_mark and start is not None:
            ranges.append(f"{re.escape(chr(start))}-{re.escape(chr(code - 1))}")
            start = None
    return "".join(ranges)


@cache
def _word():
    """A word, and a word's character: built on first use (``_marks`` reads the whole plane,
    which a process that never writes or searches an update need not pay for at start).

    A word: letters, digits and the marks on them (no underscore: PostgreSQL's parser splits
    there, so ``words`` reads it as a space). One character class: an alternation costs twice.
    The character reads underscores as they are, not as spaces (for highlighting).
    """
    marks = _marks()
    return re.compile(rf"[\w{marks}]+"), rf"(?:[^\W_]|[{marks}])"


# Letters of scripts whose words a query may not begin: those written without spaces between
# words (Thai, Lao, Myanmar, Khmer, Hiragana, Katakana, Han with its extensions, Hangul), and
# those whose words take their article, conjunction or preposition as a first letter (Arabic
# "المفاوضات" is "the negotiations", Hebrew "בירושלים" "in Jerusalem").
ANYWHERE = re.compile(
    "[\u0590-\u05ff\ufb1d-\ufb4f"  # Hebrew
    "\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff"  # Arabic
    "\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff"
    "\uac00-\ud7af\uf900-\ufaff\U00020000-\U0003134f]"
)


def words(text):
    """The casefolded words of ``text``, in order."""
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
    return _word()[0].findall(text.casefold().replace("_", " "))


# A Markdown link's target, ``](url "title")``: readers see the link's text, not its URL.
LINK_TARGET = re.compile(r"\]\([^)\s]*(?:\s+\"[^\"]*\")?\)")


def text_of(source):
    """The words of Markdown ``source`` as readers see them, for search: its characters with the
    syntax's own (escapes, link targets, character references) removed. Not ``markup.plain_text``,
    which renders the Markdown: that costs a millisecond an update, ten seconds more for a
    10,000-update seed document; this costs a few microseconds, and the words are the same
    (punctuation, emphasis and list markers are no words)."""
    return html.unescape(markup.unescape(LINK_TARGET.sub("]", source or "")))


def stamp(update):
    """Set ``update``'s search columns from its headline and body (before it is written)."""
    headline, body = " ".join(words(update.headline)), " ".join(words(text_of(update.body)))
    update.search_text = f" {headline} {body} "
    update.search_vector = vector(headline, body)


def vector(headline, body):
    """The ``tsvector`` expression of a headline's and a body's words (None off PostgreSQL)."""
    if connection.vendor != "postgresql":
        return None
    # Values, not columns: the words are found in Python, and an expression without column
    # references can be written by INSERT, bulk INSERT and UPDATE alike.
    return SearchVector(Value(headline), config=CONFIG, weight="A") + SearchVector(
        Value(body), config=CONFIG, weight="B"
    )


@dataclass(frozen=True)
class Query:
    """A reader's query as the search reads it."""

    text: str  # as the reader typed it, trimmed, for the form and the heading
    terms: tuple  # its words, casefolded, at most MAX_TERMS
    anywhere: bool  # a word in one of the ``ANYWHERE`` scripts: every term matches inside words too

    @classmethod
    def parse(cls, raw):
        text = " ".join((raw or "").split())[:MAX_LENGTH]
        terms = tuple(dict.fromkeys(words(text)))[:MAX_TERMS]
        return cls(text, terms, any(ANYWHERE.search(term) for term in terms))

    @property
    def usable(self):
        """Enough to search with: a word of two characters (one in the ``ANYWHERE`` scripts: a
        Chinese character is a word)."""
        longest = max((len(term) for term in self.terms), default=0)
        return longest >= (1 if self.anywhere else MIN_LENGTH)

    def filter(self, updates):
        """``updates`` (a queryset) narrowed to those holding every term."""
        if not self.anywhere and connection.vendor == "postgresql":
            prefixes = " & ".join(f"{term}:*" for term in self.terms)  # words only: nothing to quote
            return updates.filter(search_vector=SearchQuery(prefixes, config=CONFIG, search_type="raw"))
        for term in self.terms:
            updates = updates.filter(search_text__contains=term if self.anywhere else f" {term}")
        return updates

    def pattern(self):
        """A regular expression finding the matches in plain text (the whole word a term begins)."""
        alternatives = "|".join(re.escape(term) for term in sorted(self.terms, key=len, reverse=True))
        if self.anywhere:
            return re.compile(f"(?:{alternatives})", re.IGNORECASE)
        character = _word()[1]
        return re.compile(rf"(?<!{character})(?:{alternatives}){character}*", re.IGNORECASE)


def highlight(text, pattern):
    """``text`` as safe HTML: escaped, with each match of ``pattern`` in ``<mark>``."""
    pieces, last = [], 0
    for match in pattern.finditer(text):
        pieces.append(escape(text[last : match.start()]))
        pieces.append(f"<mark>{escape(match.group())}</mark>")
        last = match.end()
    pieces.append(escape(text[last:]))
    return mark_safe("".join(pieces))


def excerpt(text, pattern, length=EXCERPT_CHARS):
    """A passage of ``text`` (plain) about ``length`` characters long around its first match,
    cut at spaces, with "…" where it was cut, highlighted; the start of ``text`` if nothing matches."""
    text = " ".join(text.split())
    found = pattern.search(text)
    start = 0
    if found and found.end() > length:
        start = max(0, found.start() - length // 3)
        start = text.find(" ", start) + 1 if text.find(" ", start) != -1 else start
    end = start + length
    if end < len(text):
        cut = text.rfind(" ", start, end)
        end = cut if cut > start else end
    passage = highlight(text[start:end], pattern)
    return mark_safe(f"{'…' if start else ''}{passage}{'…' if end < len(text) else ''}")


@dataclass
class Result:
    """An update found, with its headline and an excerpt of its body highlighted, and the link
    to its place in the story's stream."""

    update: object
    headline: str
    excerpt: str
    in_story_url: str


def results(updates, query, *, order=""):
    """``Result``s for ``updates`` (found by ``query``), in the same order; their places in the
    stream are linked in the reader's ``order`` ("oldest", "newest") or else the story's."""
    pattern = query.pattern()
    return [
        Result(
            update=update,
            headline=highlight(update.headline, pattern) if update.headline else "",
            excerpt=excerpt(markup.plain_text(update.body), pattern),
            in_story_url=pagination.in_story_url(update.story, update, order),
        )
        for update in updates
    ]
