"""Run every benchmark, print a table, write JSON and docs/benchmarks.md.

    python -m tests.benchmarks            # everything (about 18 minutes on 2 cores)
    python -m tests.benchmarks --quick    # a smaller smoke run
    python -m tests.benchmarks --only throughput fanout

Each benchmark runs in its own process (some configure Django in-process) and
prints JSON with "passed" and "checks". Needs the README setup; installs wrk,
nginx and redis-server from Debian's packages when missing (as root).
Fault and backup checks that need PostgreSQL use DATABASE_URL or the CI role.
"""

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

from tests.benchmarks import servers

ROOT = servers.ROOT
BENCHMARKS = [
    ("querycounts", "SQL queries per page at 10 and 1,000 updates", []),
    ("changes_bound", "changes.json?since=0 on a 20,000-update story: one bounded answer", []),
    ("scale", "A 100,000-update story against a 1,000-update one: queries and time per reader path", []),
    (
        "throughput",
        "Throughput against Django itself, with and without Redis: page, 304, first poll after a publish",
        [],
    ),
    ("api", "The read API against Django itself, with and without Redis; its queries at 10 and 1,000", []),
    ("fanout", "Reader fan-out through nginx: 10, 100, 1,000 readers, with publishes", ["--series"]),
    (
        "push",
        "Push through Pushpin: 10, 100, 1,000 stream readers; Pushpin killed mid-run; saves with it down",
        [],
    ),
    ("edge", "Behind nginx: readers' pages against a static file, and how soon a publish shows", []),
    ("loadwrites", "64 readers polling while an editor publishes every second for 60 s", []),
    ("seed_speed", "Seeding a 10,000-update document, and re-running it", []),
    ("faults", "Faults: a worker killed, the database stopped mid-seed, a full disk on upload", []),
    ("fuzz", "Fuzzing the seed parser and changes.json (hypothesis, 10,000 examples each)", []),
]


def run_one(name, arguments, quick):
    if not (Path(__file__).parent / f"{name}.py").exists():
        return {"passed": False, "checks": [f"{name}: not available"], "seconds": 0}
    command = [sys.executable, "-m", f"tests.benchmarks.{name}", *arguments, *(["--quick"] if quick else [])]
    started = time.monotonic()
    completed = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=900)
    elapsed = round(time.monotonic() - started, 1)
    try:
        result = json.loads(completed.stdout[completed.stdout.index("{") :])
    except ValueError:
        tail = (completed.stderr or completed.stdout).strip().splitlines()[-3:]
        result = {"passed": False, "checks": [f"{name} crashed: {' / '.join(tail)}"]}
    result["seconds"] = elapsed
    return result


def machine():
    cores = os.cpu_count()
    memory = ""
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        kilobytes = int(meminfo.read_text().split()[1])
        memory = f", {kilobytes / 1024 / 1024:.0f} GiB"
    return (
        f"{platform.system()} {platform.machine()}, {cores} cores{memory}, Python {platform.python_version()}"
    )


def markdown(results, started, total):
    lines = [
        "# Benchmarks",
        "",
        f"Run on {started:%Y-%m-%d %H:%M} UTC, {machine()}, in {total / 60:.1f} minutes, with",
        "`python -m tests.benchmarks`. Ratios are measured in one run; absolute figures are this",
        "shared machine's and vary from run to run.",
        "",
        "| benchmark | result | figures |",
        "|---|---|---|",
    ]
    for name, title, _ in BENCHMARKS:
        result = results.get(name)
        if result is None:
            continue
        verdict = "pass" if result.get("passed") else "FAIL"
        if result.get("run_at", f"{started:%Y-%m-%d %H:%M}") != f"{started:%Y-%m-%d %H:%M}":
            verdict += f" (run {result['run_at']} UTC)"
        lines.append(f"| {title} | {verdict} | {'<br>'.join(result.get('checks', []))} |")
    lines += ["", "The full figures of this run are in `docs/benchmarks.json`.", ""]
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--only", nargs="*", help="names: " + ", ".join(name for name, _, _ in BENCHMARKS))
    parser.add_argument("--no-docs", action="store_true", help="do not rewrite docs/benchmarks.md and .json")
    args = parser.parse_args()
    started = datetime.datetime.now(datetime.UTC)
    clock = time.monotonic()
    results = {}
    for name, title, arguments in BENCHMARKS:
        if args.only and name not in args.only:
            continue
        print(f"… {title}", flush=True)
        results[name] = run_one(name, arguments, args.quick)
        results[name]["run_at"] = started.strftime("%Y-%m-%d %H:%M")
        verdict = "pass" if results[name]["passed"] else "FAIL"
        print(f"  {verdict} in {results[name]['seconds']} s", flush=True)
        for check in results[name].get("checks", []):
            print(f"    {check}", flush=True)
    total = time.monotonic() - clock
    passed = sum(result["passed"] for result in results.values())
    print(f"\n{passed} passed, {len(results) - passed} failed in {total / 60:.1f} minutes")
    if not args.no_docs and not args.quick:
        docs = ROOT / "docs"
        docs.mkdir(exist_ok=True)
        earlier = docs / "benchmarks.json"
        if args.only and earlier.exists():
            # A partial run replaces its own rows; the others stay as the last run left them.
            kept = json.loads(earlier.read_text())
            results = {name: kept[name] for name, _, _ in BENCHMARKS if name in kept} | results
        payload = {
            "date": started.isoformat(),
            "machine": machine(),
            "minutes": round(total / 60, 1),
            **results,
        }
        (docs / "benchmarks.json").write_text(json.dumps(payload, indent=2) + "\n")
        (docs / "benchmarks.md").write_text(markdown(results, started, total))
    raise SystemExit(0 if all(r["passed"] for r in results.values()) else 1)


if __name__ == "__main__":
    main()
