"""Print the suite's line coverage from slipcover's JSON, and fail below a floor.

    python -m tests.coverage_report .coverage.json --floor 90

Prints the total and the least-covered files, so a drop shows where it is.
"""

import argparse
import json
import sys
from pathlib import Path

LEAST_COVERED = 8


def report(data, floor):
    files = [
        (name, summary["percent_covered"], summary["missing_lines"])
        for name, entry in data["files"].items()
        if (summary := entry["summary"])["covered_lines"] + summary["missing_lines"]
    ]
    total = data["summary"]["percent_covered"]
    covered = data["summary"]["covered_lines"]
    lines = covered + data["summary"]["missing_lines"]
    print(f"Line coverage of coverage/ and liveblog/: {total:.1f} % ({covered:,} of {lines:,} lines)")
    print("Least covered:")
    for name, percent, missing in sorted(files, key=lambda item: (item[1], -item[2]))[:LEAST_COVERED]:
        print(f"  {percent:5.1f} %  {missing:4} lines not run  {name}")
    if total < floor:
        print(f"FAILED: line coverage {total:.1f} % is under the floor of {floor} %")
        return 1
    print(f"At or above the floor of {floor} %.")
    return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path)
    parser.add_argument("--floor", type=float, required=True)
    arguments = parser.parse_args()
    sys.exit(report(json.loads(arguments.path.read_text()), arguments.floor))


if __name__ == "__main__":
    main()
