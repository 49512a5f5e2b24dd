"""GitHub Classroom: one autograding test per step, worth that step's points.

Each test runs ``python -m grader --step NAME``, which exits 0 when that step passes and 1 when
it does not; GitHub Classroom gives a test its points on exit status 0. The points come from
the tests' own markers, so they always match what ``make grade`` shows.

    python -m instructor classroom            # write .github/classroom/autograding.json
    python -m instructor classroom --check    # exit 1 if that file is out of date

``workflow_yaml`` gives the equivalent GitHub Actions workflow for a learner's repository
(``make handout`` puts it in the handout as .github/workflows/classroom.yml).
"""
import argparse
import json
import os
import sys

from grader.kit import KIT_ROOT
from instructor.common import ToolError, catalog

AUTOGRADING = os.path.join(".github", "classroom", "autograding.json")
WORKFLOW = os.path.join(".github", "workflows", "classroom.yml")
SETUP = "make setup"
TIMEOUT_MINUTES = 5


def step_points(tests):
    """[(step number, step name, points)] in path order."""
    from grader.course.steps import BY_NAME
    from grader.outputs.points import points_by_step

    return [(BY_NAME[name].number, name, points) for name, points in points_by_step(catalog(tests)).items()]


def _points(value):
    return int(value) if float(value).is_integer() else value


def autograding_json(steps):
    entries = [{
        "name": f"{number}. {name}",
        "setup": SETUP,
        "run": f".venv/bin/python -m grader --step {name}",
        "input": "",
        "output": "",
        "comparison": "included",
        "timeout": TIMEOUT_MINUTES,
        "points": _points(points),
    } for number, name, points in steps]
    return json.dumps({"tests": entries}, indent=2) + "\n"


def workflow_yaml(steps):
    lines = [
        "# GitHub Classroom autograding: one test per step of the path, worth that step's points.",
        "# Made by `make handout` from the tests' markers; the same tests as .github/classroom/autograding.json.",
        "name: Autograding Tests",
        "'on':",
        "- push",
        "- repository_dispatch",
        "permissions:",
        "  checks: write",
        "  actions: read",
        "  contents: read",
        "jobs:",
        "  run-autograding-tests:",
        "    runs-on: ubuntu-latest",
        "    if: github.actor != 'github-classroom[bot]'",
        "    steps:",
        "    - name: Checkout code",
        "      uses: actions/checkout@v4",
    ]
    for number, name, points in steps:
        lines += [
            f"    - name: '{number}. {name}'",
            f"      id: {name}",
            "      uses: classroom-resources/autograding-command-grader@v1",
            "      with:",
            f"        test-name: '{number}. {name}'",
            f"        setup-command: {SETUP}",
            f"        command: .venv/bin/python -m grader --step {name}",
            f"        timeout: {TIMEOUT_MINUTES}",
            f"        max-score: {_points(points)}",
        ]
    lines += ["    - name: Autograding Reporter",
              "      uses: classroom-resources/autograding-grading-reporter@v1",
              "      env:"]
    lines += [f"        {name.upper()}_RESULTS: \"${{{{steps.{name}.outputs.result}}}}\"" for _, name, _ in steps]
    lines += ["      with:", f"        runners: {','.join(name for _, name, _ in steps)}"]
    return "\n".join(lines) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m instructor classroom", description=__doc__.split("\n")[0])
    parser.add_argument("--tests", default=os.path.join(KIT_ROOT, "tests", "steps"),
                        help="the tests learners' repositories run (default: tests/steps/)")
    parser.add_argument("--out", default=os.path.join(KIT_ROOT, AUTOGRADING), help=f"default: {AUTOGRADING}")
    parser.add_argument("--check", action="store_true", help="only check that --out is up to date")
    args = parser.parse_args(argv)
    try:
        text = autograding_json(step_points(args.tests))
    except ToolError as exc:
        print(f"classroom: {exc}", file=sys.stderr)
        return 2
    current = open(args.out).read() if os.path.exists(args.out) else None
    if args.check:
        if current != text:
            print(f"{os.path.relpath(args.out)} is out of date: run `make classroom`", file=sys.stderr)
            return 1
        print(f"{os.path.relpath(args.out)} is up to date")
        return 0
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w") as f:
        f.write(text)
    total = sum(entry["points"] for entry in json.loads(text)["tests"])
    print(f"wrote {os.path.relpath(args.out)}: {len(json.loads(text)['tests'])} tests, {total:g} points")
    return 0

