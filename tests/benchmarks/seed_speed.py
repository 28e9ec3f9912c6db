"""Seed speed: load a generated 10,000-update document, then load it again.

``generate()`` writes a valid seed document of any length (SPEC.md, "The seed
format"): a header, a summary with a "what else to know" list, then updates
newest first with bylines from a pool of twenty names (initials, hyphens,
apostrophes, inner capitals, non-ASCII letters, and now and then two names run
together), headlines, paragraphs, bullet lists, pictures with captions and
credits, contributor lines, and the comment-form trailer.

Each ``manage.py seed`` runs in its own fresh process under a small wrapper, so
the wrapper's ``RUSAGE_CHILDREN`` peak is that seed's alone.

    python -m tests.benchmarks.seed_speed [--updates 10000] [--quick]
"""

import argparse
import json
import random
import re
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

from tests.benchmarks import servers

SLUG = "live-updates-generated-benchmark-story"
SECONDS_LIMIT = 10
MEGABYTES_LIMIT = 300
IMAGE_EVERY = 50  # one picture per this many updates, on average
ROUND_TRIP_UPDATES = 300

LEAD_AUTHOR = "Anton Troianovski"
AUTHORS = [
    LEAD_AUTHOR,
    "Nataliya Vasilyeva",
    "Ivan Nechepurenko",
    "Maria Varenikova",
    "Andrew E. Kramer",
    "Siobhan McDonnell",
    "Jean-Luc Moreau",
    "Conor O’Neill",
    "José Álvarez",
    "Łukasz Żak",
    "Megan Specia",
    "Constant Méheut",
    "Dara D'Angelo",
    "Aisha al-Rashid",
    "Ron DeWitt",
    "Pieter van der Berg",
    "Yuki Tanaka",
    "Chidi Okonkwo",
    "Emma Bubola",
    "Lara Jakes",
]
CONTRIBUTORS = ["Marc Santora", "Oleksandra Mykolyshyn", "Valerie Hopkins", "Cassandra Vinograd"]
PHOTOGRAPHERS = [
    "Tyler Hicks/The New York Times",
    "Evgeniy Maloletka/Associated Press",
    "Finbarr O’Reilly for The New York Times",
    "Pool photo by Saul Loeb",
    "Sputnik, via Reuters",
    "Nicole Tung for The New York Times",
]
PLACES = ["Kyiv", "Kharkiv", "Moscow", "Brussels", "Düsseldorf", "Łódź", "São Paulo", "Jeddah", "Odesa"]
PEOPLE = ["Mr. Putin", "Mr. Zelensky", "Mr. Rubio", "Ms. Kallas", "Dmitri S. Peskov", "Gen. Syrsky"]
SUBJECTS = [
    "the cease-fire proposal",
    "the talks",
    "the prisoner exchange",
    "the aid package",
    "the front line",
]
HEADLINES = [
    "Drones strike {place} overnight as talks continue",
    "What we know about {subject}",
    "Officials in {place} describe a tense night",
    "{person} speaks about {subject} after a meeting in {place}",
    "A closer look at {subject} and why it matters for the months ahead in {place}",
]
SENTENCES = [
    "{person} said on {day} that {subject} would be discussed in {place}.",
    "Officials in {place} reported {number} people injured after an overnight attack.",
    "“We will not rush into anything,” {person} told reporters in {place} — a remark repeated twice.",
    "Analysts said {subject} depended on talks that could take {number} days.",
    "The ministry said {number} drones were shot down near {place}, a figure that could not be verified.",
    "It was meeting No. {number} this year, according to officials in {place}.",
]
BULLET_LABELS = ["Diplomacy", "On the ground", "Aid", "Energy", "Prisoners"]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]
COMMENT_FORM = "Leave a Reply\n\nYour email address will not be published. Required fields are marked *"


class _Writer:
    def __init__(self, rng):
        self.rng = rng
        self.pictures = 0

    def fill(self, template):
        rng = self.rng
        return template.format(
            person=rng.choice(PEOPLE),
            place=rng.choice(PLACES),
            subject=rng.choice(SUBJECTS),
            day=rng.choice(DAYS),
            number=rng.randint(2, 900),
        )

    def paragraph(self):
        return " ".join(self.fill(self.rng.choice(SENTENCES)) for _ in range(self.rng.randint(1, 3)))

    def bullets(self, *, lead_in):
        items = [
            f"  • {label}: {self.fill(self.rng.choice(SENTENCES))}"
            for label in self.rng.sample(BULLET_LABELS, 3)
        ]
        separator = "\n" if self.rng.random() < 0.5 else "\n\n"
        return [*([lead_in] if lead_in else []), separator.join(items)]

    def picture(self):
        self.pictures += 1
        caption = f"{self.fill(self.rng.choice(SENTENCES))} (Picture {self.pictures}.)"
        return ["Image", f"{caption}Credit…{self.rng.choice(PHOTOGRAPHERS)}"]

    def update(self, byline):
        rng = self.rng
        blocks = [byline]
        if rng.random() < 1 / 200:
            return [*blocks, "#TBT"]  # a single short line, Markdown-looking
        if rng.random() < 1 / (IMAGE_EVERY * 4):
            return [*blocks, *self.picture()]  # a picture alone
        if rng.random() < 0.25:
            blocks.append(self.fill(rng.choice(HEADLINES)))
        if rng.random() < 1 / (IMAGE_EVERY * 4):
            blocks += self.picture()  # opening the update
        paragraphs = [self.paragraph() for _ in range(rng.randint(1, 4))]
        if rng.random() < 1 / (IMAGE_EVERY * 2):
            paragraphs.insert(rng.randint(1, len(paragraphs)), self.picture())
        if rng.random() < 0.1:
            paragraphs.insert(rng.randint(0, len(paragraphs)), self.bullets(lead_in="Key developments:"))
        for paragraph in paragraphs:
            blocks += paragraph if isinstance(paragraph, list) else [paragraph]
        if rng.random() < 0.08:
            blocks.append(f"{rng.choice(CONTRIBUTORS)} contributed reporting from {rng.choice(PLACES)}.")
        return blocks


def generate(updates, *, seed, leave_out_newest=0):
    """A seed document of ``updates`` updates, the same for the same ``seed``.

    ``leave_out_newest`` drops the newest updates: the same page, seen earlier.
    """
    rng = random.Random(seed)
    writer = _Writer(rng)
    bylines = [rng.choice(AUTHORS) for _ in range(updates)]
    alone = set(bylines) | {LEAD_AUTHOR}
    for index in range(len(bylines)):
        if rng.random() < 1 / 40:  # two reporters, names run together
            first, second = rng.sample(sorted(alone), 2)
            bylines[index] = first + second
    blocks = ["Live Updates: A Generated Benchmark Story", SLUG, LEAD_AUTHOR]
    blocks += [writer.paragraph() for _ in range(3)]
    blocks += writer.picture()  # the story's lead image
    blocks += writer.bullets(lead_in="Here’s what else to know:")
    for index, byline in enumerate(bylines):
        update = writer.update(byline)  # written even when left out: the same draws either way
        if index >= leave_out_newest:
            blocks += update
    blocks.append(COMMENT_FORM)
    return "\n\n".join(blocks) + "\n"


# --- measuring -----------------------------------------------------------------

# Runs one command and reports its wall time and peak RSS (its own: this wrapper
# has no other children).
MEASURE = textwrap.dedent(
    """
    import json, resource, subprocess, sys, time
    start = time.monotonic()
    done = subprocess.run(sys.argv[1:], capture_output=True, text=True)
    print(json.dumps({
        "returncode": done.returncode,
        "seconds": time.monotonic() - start,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
        "stdout": done.stdout,
        "stderr": done.stderr,
    }))
    """
)

ROUND_TRIP = textwrap.dedent(
    """
    import json, os
    from coverage.models import Story
    from coverage.seed.export import export_story
    from coverage.seed.parse import parse, parse_file

    def shape(document):
        return {
            "title": document.title,
            "source_slug": document.source_slug,
            "lead_author": document.lead_author,
            "summary": [document.summary.blocks, [image.key() for image in document.summary.images]],
            "updates": [update.key() for update in document.updates],
            "comments_open": document.comments_open,
        }

    original = parse_file(os.environ["ROUND_TRIP_FILE"])
    exported = parse(export_story(Story.objects.get(slug=original.slug)), "exported")
    authors = sorted({name for update in original.updates for name in update.authors})
    print(json.dumps({
        "same": json.dumps(shape(original)) == json.dumps(shape(exported)),
        "updates": len(original.updates),
        "authors": authors,
        "run_together": sum(len(update.authors) > 1 for update in original.updates),
        "images": sum(len(update.text.images) for update in original.updates) + len(original.summary.images),
    }))
    """
)


def measure(env, *args):
    command = [servers.PYTHON, "-c", MEASURE, servers.PYTHON, str(servers.ROOT / "manage.py"), *args]
    done = subprocess.run(command, env=env, cwd=servers.ROOT, capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def round_trip(workdir, updates):
    """Seed a small generated document, export it, and parse both: same structure?"""
    env = servers.project_env(workdir, DATABASE_URL=f"sqlite:///{workdir / 'round-trip.sqlite3'}")
    path = workdir / "round-trip.txt"
    path.write_text(generate(updates, seed=7), encoding="utf-8")
    servers.manage(env, "migrate", "--noinput")
    servers.manage(env, "seed", str(path))
    done = subprocess.run(
        [servers.PYTHON, "manage.py", "shell", "-c", ROUND_TRIP],
        env={**env, "ROUND_TRIP_FILE": str(path)},
        cwd=servers.ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        return {"same": False, "error": done.stderr[-2000:]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def _line(label, updates, result):
    """Whether one seed run met the targets, and the line that says so."""
    ok = result["returncode"] == 0
    fast = result["seconds"] < SECONDS_LIMIT
    small = result["peak_rss_mb"] < MEGABYTES_LIMIT
    text = (
        f"{label} {updates:,} updates: {result['seconds']:.1f} s {'<' if fast else '>='} {SECONDS_LIMIT} s, "
        f"peak {result['peak_rss_mb']:.0f} MB {'<' if small else '>='} {MEGABYTES_LIMIT} MB"
    )
    if not ok:
        text += f"; exit {result['returncode']}: {result['stderr'].strip()[-300:]}"
    return ok and fast and small, text


def run(*, quick=False, updates=None):
    updates = updates or (1_000 if quick else 10_000)
    with tempfile.TemporaryDirectory(prefix="liveblog-seed-speed-", ignore_cleanup_errors=True) as folder:
        workdir = Path(folder)
        path = workdir / "generated.txt"
        started = time.monotonic()
        path.write_text(generate(updates, seed=2025), encoding="utf-8")
        generated_seconds = time.monotonic() - started
        document_mb = path.stat().st_size / 1024 / 1024
        env = servers.project_env(workdir, DATABASE_URL=f"sqlite:///{workdir / 'seed.sqlite3'}")
        servers.manage(env, "migrate", "--noinput")
        first = measure(env, "seed", str(path))
        again = measure(env, "seed", str(path))
        trip = round_trip(workdir, ROUND_TRIP_UPDATES)
    first_ok, first_line = _line("seed", updates, first)
    again_ok, again_line = _line("re-seed", updates, again)
    up_to_date = "up to date" in again["stdout"]
    round_trip_ok = bool(trip.get("same")) and trip["run_together"] > 0 and trip["images"] > 1
    pictures = re.search(r"(\d+) images", first["stdout"])
    checks = [
        first_line,
        again_line,
        f"re-seed reports “up to date”: {'yes' if up_to_date else 'no: ' + again['stdout'].strip()[-200:]}",
        f"export then parse of a {ROUND_TRIP_UPDATES}-update generated document gives the same structure "
        f"({trip.get('run_together', 0)} run-together bylines, {trip.get('images', 0)} pictures, "
        f"{len(trip.get('authors', []))} authors): {'yes' if round_trip_ok else 'no'}",
    ]
    return {
        "updates": updates,
        "pictures": int(pictures[1]) if pictures else None,
        "document_mb": round(document_mb, 1),
        "generate_seconds": round(generated_seconds, 2),
        "seed_seconds": round(first["seconds"], 2),
        "seed_peak_rss_mb": round(first["peak_rss_mb"], 1),
        "seed_output": first["stdout"].strip(),
        "reseed_seconds": round(again["seconds"], 2),
        "reseed_peak_rss_mb": round(again["peak_rss_mb"], 1),
        "reseed_output": again["stdout"].strip(),
        "round_trip": trip,
        "passed": first_ok and again_ok and up_to_date and round_trip_ok,
        "checks": checks,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1,000 updates instead of 10,000")
    parser.add_argument("--updates", type=int, help="how many updates to generate")
    parser.add_argument("--print-document", action="store_true", help="print a generated document and stop")
    args = parser.parse_args()
    if args.print_document:
        sys.stdout.write(generate(args.updates or 20, seed=2025))
        return
    result = run(quick=args.quick, updates=args.updates)
    print(json.dumps(result, indent=2, ensure_ascii=False))
    raise SystemExit(0 if result["passed"] else 1)


if __name__ == "__main__":
    main()
