"""Bad input: hypothesis-driven fuzzing of the seed parser and of changes.json's query string.

Two targets, 10,000 examples each, run at once in two fresh processes, each
with its own SQLite database (Django set up and migrated once) and media folder:

- ``coverage.seed.parse`` on seed-like documents built from the format's pieces
  (bylines, headlines, ``Image`` lines with and without captions, bullets,
  ``Credit…``, contributor lines, the comment form, blank lines, unicode) and on
  raw text and bytes. It must return a ``Document`` or raise ``SeedError`` whose
  message starts with ``path:line: ``. One parsed document in eight is then
  loaded with ``coverage.seed.load`` in a transaction that is rolled back: no
  exception allowed, and every value must fit its column (PostgreSQL refuses
  what SQLite stores).
- ``GET /live/<slug>/changes.json`` through ``django.test.Client`` with fuzzed
  query strings and conditional headers: never a 500; 200, 400 and 404 answer
  JSON, 304 nothing.

Failures are counted, not raised, so every example runs; the first few of each
kind are reported with their input. The hypothesis seed is fixed (``--seed``),
so a run repeats exactly; lines of text are mostly words picked by a seeded
generator (one hypothesis choice per line), which keeps 10,000 examples within
two minutes.

    python -m tests.benchmarks.fuzz [--examples 10000] [--quick]
"""

import argparse
import collections
import json
import random
import re
import subprocess
import tempfile
import time
import traceback
from pathlib import Path
from urllib.parse import urlencode

from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from tests.benchmarks import servers
from tests.benchmarks.seed_speed import SLUG as GENERATED_SLUG
from tests.benchmarks.seed_speed import generate

EXAMPLES = 10_000
QUICK_EXAMPLES = 300
LOAD_EVERY = 8  # load one parsed document in this many
SAMPLES_KEPT = 5
PATH = "fuzzed.txt"
ERROR_PREFIX = re.compile(rf"^{re.escape(PATH)}:\d+: ")
LIVE_SLUG = GENERATED_SLUG
ENDED_SLUG = "an-ended-story"
DRAFT_SLUG = "a-draft-story"
COMMENT_FORM = "Leave a Reply\n\nYour email address will not be published. Required fields are marked *"


# --- strategies: seed documents --------------------------------------------------

# Any character but surrogates; line breaks (all that str.splitlines() knows) come from
# the separators between blocks, or from garbage.
any_char = st.characters(blacklist_categories=("Cs",))
line_char = st.characters(
    blacklist_categories=("Cs",), blacklist_characters="\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
)
# Lines are mostly words (cheap to generate, and they look like the format), sometimes any characters.
WORDS = [
    "the", "a", "said", "on", "Thursday", "Mr.", "Putin", "Kremlin", "Kyiv,", "Łódź", "São", "Paulo",
    "O’Neill", "McCarthy", "van", "der", "al-Assad", "Jr.", "J.", "—", "“We", "will”", "(AP)", "Credit…",
    "Credit", "Image", "•", "#", "-", "1.", "2)", "*", "_", "`", "<b>", "</p>", "&amp;", "&#0;", "\\",
    "[x](y)", "contributed", "reporting", "Leave", "Reply", "Here’s", "what", "else", "to", "know:", "日本語",
    "😀", "\u200b", "\t", "\u00a0", "ǅ", "ß", "İ", "Σ", "ﬁ", "\u0301", "\ufeff", "…", ".", ",", ":", "!",
    "?", "”", "’", ")",
]  # fmt: skip


def _words(number, fewest=0, most=16):
    """Words picked by a seeded generator: one hypothesis choice makes a whole line."""
    rng = random.Random(number)
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(fewest, most)))


line = st.one_of(
    st.integers(0, 2**32).map(_words),
    st.integers(0, 2**32).map(_words),
    st.integers(0, 2**32).map(_words),
    st.text(line_char, max_size=30),
)
long_line = st.integers(0, 2**32).map(lambda number: _words(number, 60, 140))
upper = st.characters(categories=("Lu",))
lower = st.text(st.characters(categories=("Ll",)), min_size=1, max_size=9)
name_word = st.one_of(
    st.builds(str.__add__, upper, lower),
    st.sampled_from(["J.", "E.", "van", "der", "al-Assad", "O’Neill", "D'Angelo", "McCarthy", "Jr."]),
)
generated_name = st.lists(name_word, min_size=1, max_size=4).map(" ".join)
known_names = st.sampled_from(
    [
        "Anton Troianovski",
        "Nataliya Vasilyeva",
        "Kevin McCarthy",
        "Ron DeSantis",
        "José Álvarez",
        "Łukasz Żak",
    ]
)
a_name = st.one_of(known_names, generated_name)
byline = st.one_of(a_name, st.lists(a_name, min_size=2, max_size=3).map("".join))
closing = st.sampled_from([".", "!", "?", "…", ":", ".”", "”", ")", ""])
paragraph = st.builds(str.__add__, line, closing)
markdownish = st.sampled_from(
    [
        "#", "# not a heading", "- not a list", "1. not a list", "> quote", "```", "***", "---", "|a|b|",
        "    indented code", "<script>alert(1)</script>", "[link](javascript:alert(1))", "&amp; &#0;",
        "\\", "*", "_", "#TBT", "• ", "  •", "  • ", "Image", "Image ", "Credit…", "Leave a Reply",
        "\ufeff", "\u2028", "\x00", "\x0b", "\x1c", "\u0085",
    ]
)  # fmt: skip
caption = st.one_of(
    line,
    st.builds(lambda text, credit: f"{text}Credit…{credit}", line, line),
    st.builds(lambda text, credit: f"{text}Credit…{credit}", long_line, long_line),
)
picture = st.one_of(st.builds(lambda text: f"Image\n\n{text}", caption), st.just("Image"))
bullet = st.builds(lambda indent, text: f"{indent}• {text}", st.sampled_from(["", "  ", "\t"]), line)
bullets = st.lists(bullet, min_size=1, max_size=5).map("\n".join)
contributor = st.builds(lambda name, place: f"{name} contributed reporting from {place}.", a_name, line)
block = st.one_of(
    byline, byline, paragraph, paragraph, line, long_line, markdownish, picture, bullets, contributor,
    st.just(COMMENT_FORM), st.sampled_from(["", " ", "\t"]),
)  # fmt: skip
separator = st.sampled_from(["\n\n", "\n\n", "\n", "\n\n\n", "\r\n\r\n", "\r"])
slug = st.one_of(
    st.from_regex(r"[a-z0-9:._-]{1,60}", fullmatch=True), line, st.text(min_size=201, max_size=260)
)


# Updates of documents shaped like the format avoid the blocks that refuse a whole document
# (an Image line without a caption, an empty bullet), so that more of them load.
nonblank = line.map(lambda text: text if text.strip() else "…")
body_block = st.one_of(
    paragraph,
    paragraph,
    line,
    markdownish.filter(lambda text: text.strip() not in {"Image", "•", "Leave a Reply"}),
    st.builds(lambda text: f"Image\n\n{text}", nonblank),
    st.lists(st.builds("  • {}".format, nonblank), min_size=1, max_size=4).map("\n".join),
    contributor,
)
update = st.builds(lambda author, body: [author, *body], byline, st.lists(body_block, min_size=1, max_size=4))
title = st.one_of(line.filter(str.strip), long_line)


@st.composite
def documents(draw):
    """A seed-like document: a header and updates, or blocks in any order; maybe cut short or spliced."""
    if draw(st.integers(0, 2)):  # two in three shaped like the format
        header = [
            draw(title),
            draw(st.from_regex(r"[a-z0-9][a-z0-9:._-]{0,80}", fullmatch=True)),
            draw(a_name),
        ]
        blocks = [*header, draw(paragraph)]
        for lines in draw(st.lists(update, max_size=8)):
            blocks += lines
        if draw(st.booleans()):
            blocks.append(COMMENT_FORM)
    else:
        header = [draw(st.one_of(line, long_line)), draw(slug), draw(st.one_of(a_name, line))]
        blocks = [*header, draw(paragraph), *draw(st.lists(block, max_size=20))]
    text = "".join(part + draw(separator) for part in blocks)
    damage = draw(st.sampled_from(["none", "none", "none", "cut", "splice"]))
    if damage == "cut":
        text = text[: draw(st.integers(0, len(text)))]
    elif damage == "splice":
        where = draw(st.integers(0, len(text)))
        text = text[:where] + draw(st.text(any_char, max_size=40)) + text[where:]
    if draw(st.booleans()):
        return text
    data = text.encode("utf-8")
    if draw(st.integers(0, 9)) == 0:  # a stray byte: not UTF-8 any more
        where = draw(st.integers(0, len(data)))
        data = data[:where] + draw(st.binary(min_size=1, max_size=3)) + data[where:]
    return data


seed_inputs = st.one_of(
    documents(),
    documents(),
    documents(),
    documents(),
    st.text(any_char, max_size=400),
    st.binary(max_size=400),
)


# --- strategies: changes.json -------------------------------------------------------

numbers = st.one_of(
    st.integers(-(10**30), 10**30),
    st.integers(0, 2_000_000_000),
    st.integers(10**11, 10**13 - 1),
)
since_value = st.one_of(
    numbers.map(str),
    st.just(""),
    st.text(any_char, max_size=20),
    st.from_regex(r"[0-9]{1,25}", fullmatch=True),
    st.floats().map(str),
    st.sampled_from(["²", "١٢٣", "１２３", "0x10", "1e9", " 1", "1 ", "+1", "-0", "00000000001", "NaN"]),
)
key = st.one_of(
    st.just("since"),
    st.just("since"),
    st.sampled_from(["page", "author", "key", "format", "callback", "before"]),
    st.text(any_char, max_size=10),
)
pairs = st.lists(st.tuples(key, since_value), max_size=6)
query_string = st.one_of(
    pairs.map(lambda items: urlencode(items)),
    pairs.map(lambda items: "&".join(f"{name}={value}" for name, value in items)),
    st.text(any_char, max_size=80),
    st.from_regex(r"(since=)?(%[0-9a-fA-F]{0,2}|[=&;+a-z0-9.-])*", fullmatch=True),
)
conditional = st.one_of(
    st.none(),
    st.text(any_char, max_size=40),
    st.sampled_from(['"x"', "*", 'W/"abc"', '""', "Thu, 01 Jan 1970 00:00:00 GMT", "garbage"]),
)


# --- the worker: runs inside its own Django process ----------------------------------


class Tally:
    def __init__(self):
        self.examples = 0
        self.failures = 0
        self.kinds = collections.Counter()
        self.samples = {}
        self.extra = collections.Counter()

    def fail(self, kind, given_input, detail):
        self.failures += 1
        self.kinds[kind] += 1
        if kind not in self.samples and len(self.samples) < SAMPLES_KEPT:
            self.samples[kind] = {"input": repr(given_input)[:400], "detail": detail[-1500:]}

    def report(self, seconds):
        return {
            "examples": self.examples,
            "failures": self.failures,
            "failure_kinds": dict(self.kinds),
            "samples": self.samples,
            "seconds": round(seconds, 1),
            **{key: round(value, 1) for key, value in self.extra.items()},
        }


def _settings(examples, seed_value):
    def wrap(test):
        test = settings(
            max_examples=examples,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )(test)
        return seed(seed_value)(test)

    return wrap


def _too_long(instance):
    """``field=length`` for values longer than their column (SQLite stores them, PostgreSQL refuses)."""
    return [
        f"{type(instance).__name__}.{field.name}={len(value)}>{field.max_length}"
        for field in instance._meta.concrete_fields
        if getattr(field, "max_length", None)
        and isinstance(value := getattr(instance, field.attname), str)
        and len(value) > field.max_length
    ]


def fuzz_parser(examples, seed_value):
    from django.db import transaction

    from coverage.models import Author, Byline, Image, Story, Update
    from coverage.seed import load, parse

    tally = Tally()
    parsed = 0

    @_settings(examples, seed_value)
    @given(seed_inputs)
    def target(data):
        nonlocal parsed
        tally.examples += 1
        try:
            document = parse.parse(data, PATH)
        except parse.SeedError as error:
            tally.extra["refused"] += 1
            if not ERROR_PREFIX.match(str(error)):
                tally.fail("SeedError without path:line", data, str(error))
            return
        except Exception as error:
            tally.fail(f"parse: {type(error).__name__}: {str(error)[:80]}", data, traceback.format_exc())
            return
        tally.extra["parsed"] += 1
        parsed += 1
        if parsed % LOAD_EVERY:
            return
        load_started = time.monotonic()
        try:
            with transaction.atomic():
                load.load(document)
                story = Story.objects.get(slug=document.slug)
                rows = [
                    story,
                    *Update.objects.filter(story=story),
                    *Image.objects.filter(story=story),
                    *Author.objects.all(),
                    *Byline.objects.filter(update__story=story),
                ]
                tally.extra["loaded"] += 1
                tally.extra["loaded_updates"] += len(document.updates)
                long_values = [problem for row in rows for problem in _too_long(row)]
                transaction.set_rollback(True)
        except Exception as error:
            tally.fail(f"load: {type(error).__name__}: {str(error)[:80]}", data, traceback.format_exc())
            return
        finally:
            tally.extra["load_seconds"] += time.monotonic() - load_started
        if long_values:
            tally.fail(f"load: value too long for its column: {long_values[0]}", data, ", ".join(long_values))

    started = time.monotonic()
    target()
    return tally.report(time.monotonic() - started)


def fuzz_changes(examples, seed_value):
    from django.test import Client, override_settings

    tally = Tally()
    client = Client()
    slugs = st.sampled_from([LIVE_SLUG, LIVE_SLUG, LIVE_SLUG, ENDED_SLUG, DRAFT_SLUG, "no-such-story"])

    @_settings(examples, seed_value)
    @given(slugs, query_string, conditional, conditional, st.sampled_from([0, 60]))
    def target(slug, query, if_none_match, if_modified_since, page_cache):
        tally.examples += 1
        headers = {}
        if if_none_match is not None:
            headers["HTTP_IF_NONE_MATCH"] = if_none_match
        if if_modified_since is not None:
            headers["HTTP_IF_MODIFIED_SINCE"] = if_modified_since
        url = f"/live/{slug}/changes.json?{query}"
        given_input = {"url": url, **headers}
        try:
            with override_settings(LIVEBLOG_PAGE_CACHE_SECONDS=page_cache):
                response = client.get(url, **headers)
        except Exception as error:
            tally.fail(f"{type(error).__name__}: {str(error)[:80]}", given_input, traceback.format_exc())
            return
        tally.extra[f"status_{response.status_code}"] += 1
        if response.status_code not in (200, 304, 400, 404):
            tally.fail(f"status {response.status_code}", given_input, response.content.decode()[:500])
        elif response.status_code != 304:
            try:
                assert response["Content-Type"].startswith("application/json")
                json.loads(response.content)
            except (AssertionError, ValueError) as error:
                tally.fail(f"not JSON: {error!r}", given_input, response.content.decode()[:500])

    started = time.monotonic()
    target()
    return tally.report(time.monotonic() - started)


def _setup_database():
    from django.core.management import call_command

    from coverage.models import Story
    from coverage.seed import load, parse

    call_command("migrate", verbosity=0)
    # A small live story (a lead picture, three updates): the feed's answers stay cheap to render.
    load.load(parse.parse(generate(3, seed=1), "live.txt"))
    lead = Story.objects.get(slug=LIVE_SLUG).lead_author
    Story.objects.create(title="Ended", slug=ENDED_SLUG, status=Story.Status.ENDED, lead_author=lead)
    Story.objects.create(title="Draft", slug=DRAFT_SLUG, status=Story.Status.DRAFT, lead_author=lead)


TARGETS = {"seed_parser": fuzz_parser, "changes_json": fuzz_changes}
LABELS = {"seed_parser": "seed parser", "changes_json": "changes.json query strings"}


def work(target, examples, seed_value):
    import django
    from django.conf import settings as django_settings

    django.setup()
    # Static files are not collected here: URLs without the manifest's hashes will do.
    django_settings.STORAGES = {
        **django_settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    _setup_database()
    return TARGETS[target](examples, seed_value)


# --- the benchmark -----------------------------------------------------------------


def _start_worker(workdir, target, examples, seed_value):
    """A fresh process for ``target``: its own Django, SQLite database, media folder and cache."""
    folder = workdir / target
    folder.mkdir()
    env = servers.project_env(
        folder,
        DATABASE_URL=f"sqlite:///{folder / 'fuzz.sqlite3'}",
        ALLOWED_HOSTS="testserver",
        REDIS_URL="",  # the process's own local-memory cache
        LOG_LEVEL="ERROR",  # not a line per 404
    )
    command = [servers.PYTHON, "-m", "tests.benchmarks.fuzz", "--worker", target, "--examples", str(examples)]
    # Output goes to files: a pipe nobody reads yet would fill up and stop the worker.
    with open(folder / "stdout", "wb") as stdout, open(folder / "stderr", "wb") as stderr:
        return subprocess.Popen(
            [*command, "--seed", str(seed_value)], env=env, cwd=servers.ROOT, stdout=stdout, stderr=stderr
        )


def _check_line(target, part):
    if target == "seed_parser":
        extra = (
            f"{part.get('parsed', 0):,} parsed, {part.get('refused', 0):,} refused with path:line, "
            f"{part.get('loaded', 0):,} loaded with {part.get('loaded_updates', 0):,} updates"
        )
    else:
        extra = ", ".join(
            f"{key[7:]}: {value:,}" for key, value in sorted(part.items()) if key[:7] == "status_"
        )
    return f"{LABELS[target]}: {part['examples']:,} examples, {part['failures']} failures ({extra})"


def run(*, quick=False, examples=None, seed_value=0):
    """Both targets at once, one process each (the machine has two cores)."""
    examples = examples or (QUICK_EXAMPLES if quick else EXAMPLES)
    with tempfile.TemporaryDirectory(prefix="liveblog-fuzz-", ignore_cleanup_errors=True) as folder:
        workdir = Path(folder)
        started = time.monotonic()
        workers = {target: _start_worker(workdir, target, examples, seed_value) for target in TARGETS}
        result = {"examples_per_target": examples, "hypothesis_seed": seed_value}
        checks, passed = [], True
        for target, process in workers.items():
            process.wait()
            stdout, stderr = ((workdir / target / name).read_text() for name in ("stdout", "stderr"))
            if process.returncode:
                result[target] = {"error": (stderr or stdout).strip()[-3000:]}
                checks.append(f"{LABELS[target]}: the fuzz process failed (exit {process.returncode})")
                passed = False
                continue
            part = result[target] = json.loads(stdout.strip().splitlines()[-1])
            checks.append(_check_line(target, part))
            passed = passed and part["failures"] == 0 and part["examples"] >= examples
        result["seconds"] = round(time.monotonic() - started, 1)
        return {**result, "passed": passed, "checks": checks}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_EXAMPLES} examples per target")
    parser.add_argument("--examples", type=int, help=f"examples per target (default {EXAMPLES:,})")
    parser.add_argument(
        "--seed", type=int, default=0, help="hypothesis seed (default 0: the same run each time)"
    )
    parser.add_argument("--worker", choices=TARGETS, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(work(args.worker, args.examples or EXAMPLES, args.seed)))
        return
    result = run(quick=args.quick, examples=args.examples, seed_value=args.seed)
    print(json.dumps(result, indent=2, ensure_ascii=False))
    raise SystemExit(0 if result["passed"] else 1)


if __name__ == "__main__":
    main()
