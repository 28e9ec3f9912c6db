"""The coverage summary ``make test`` prints fails the run below its floor."""

from tests.coverage_report import report


def slipcover_json(files):
    summaries = {
        name: {"summary": {"covered_lines": covered, "missing_lines": missing, "percent_covered": percent}}
        for name, (covered, missing, percent) in files.items()
    }
    covered = sum(covered for covered, _, _ in files.values())
    missing = sum(missing for _, missing, _ in files.values())
    return {
        "files": summaries,
        "summary": {
            "covered_lines": covered,
            "missing_lines": missing,
            "percent_covered": 100 * covered / (covered + missing),
        },
    }


def test_below_the_floor_fails_and_names_the_least_covered_file(capsys):
    data = slipcover_json({"coverage/a.py": (90, 10, 90.0), "coverage/b.py": (40, 60, 40.0)})
    assert report(data, floor=90) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "Line coverage of coverage/ and liveblog/: 65.0 % (130 of 200 lines)"
    assert out[2] == "   40.0 %    60 lines not run  coverage/b.py"
    assert out[-1] == "FAILED: line coverage 65.0 % is under the floor of 90 %"


def test_at_the_floor_passes(capsys):
    assert report(slipcover_json({"coverage/a.py": (90, 10, 90.0)}), floor=90) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "At or above the floor of 90 %."
