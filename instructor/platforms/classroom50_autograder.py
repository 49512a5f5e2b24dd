#!/usr/bin/env python3
"""lstm-kit's autograder for Classroom 50, written by ``make classroom50``.

Classroom 50's runner calls ``python autograder.py`` with no arguments, in the learner's checkout
at the graded commit. This script installs the grader's pinned requirements into the runner's
Python, grades the checkout with the grader and tests beside it (the reference is recorded
outputs: this bundle is public and holds no solution), then writes ./release-body.md (the
report) and, last, ./result.json ("classroom50/result/v1"). One row per step, from the visible
checks; hidden and after-due-date checks are one row, their points summed, with no name or
output, since a release is public at once. Exit status 0 whenever grading completed, at any
score; 1 when it could not (the runner then publishes nothing).
"""
import datetime
import json
import os
import subprocess
import sys
import tempfile

BUNDLE = os.environ.get("CLASSROOM50_BUNDLE_DIR") or os.path.dirname(os.path.abspath(__file__))
REQUIRED = ("CLASSROOM", "ASSIGNMENT", "SUBMISSION_TAG", "COMMIT_URL", "RELEASE_URL")
SCHEMA = "classroom50/result/v1"
RESULT, BODY = "result.json", "release-body.md"


def error(message):
    print(f"::error::lstm-kit autograder: {message}", file=sys.stderr)
    return 1


def install():
    """The pinned requirements, into the interpreter running this script; pip does nothing (and
    asks no index) when they are already installed at those versions."""
    done = subprocess.run([sys.executable, "-m", "pip", "install", "--disable-pip-version-check",
                           "--no-input", "-r", os.path.join(BUNDLE, "requirements.txt")],
                          capture_output=True, text=True)
    print(done.stdout[-3000:], done.stderr[-3000:], sep="\n")
    return done.returncode == 0


def whole(points):
    """Points as Classroom 50 takes them: an integer (make classroom50 chose the scale that makes
    every check's points whole; a sum of them may be off by a float's rounding)."""
    value = round(points)
    if abs(points - value) > 1e-6:
        raise ValueError(f"{points} points is not a whole number")
    return value


def entry(label, passed, score, max_score, status):
    return {"test-name": label, "passed": passed, "score": whole(score), "max-score": whole(max_score),
            "status": status}


def scaled(document, scale):
    """The grade with every point multiplied by ``scale`` (make classroom50 chose it so that each
    check's points are whole, as Classroom 50 needs)."""
    for test in document["tests"]:
        test["score"], test["max_score"] = test["score"] * scale, test["max_score"] * scale
    document["score"] = document.get("score", 0) * scale
    return document


def rows_of(upload, config):
    """result.json's tests: per step from the visible checks, then the other checks as one; all
    at zero, from the bundle's catalogue, when nothing could be graded."""
    from grader.commands.bundle import graded
    from grader.outputs.markdown import public_view
    from grader.outputs.report import LABELS
    from grader.plugin.outcome import PASSED

    if not graded(upload):
        return [entry(label, False, 0, points, "not graded") for label, points in config["rows"]]
    rows, withheld = public_view(upload.document)
    return [entry(r.label, r.status == PASSED, r.points, r.max_points, LABELS.get(r.status, r.status))
            for r in rows + ([withheld] if withheld else [])]


def body_of(upload, tests, assignment, scale):
    from grader.commands.bundle import graded
    from grader.outputs.markdown import escaped, report_markdown

    said = f"{escaped(upload.said)}\n\n" if upload.said else ""
    if scale > 1:
        said += f"Classroom 50 counts whole points: every point here is multiplied by {scale}.\n\n"
    if graded(upload):
        return said + report_markdown(upload.document, title=assignment)
    total = sum(t["max-score"] for t in tests)
    return (f"## {escaped(assignment)}: 0/{total}\n\n{said}Nothing was graded. Commit your gates.py, cell.py, "
            "sequence.py and memory.py (the handout keeps them in exercises/), or the notebook, and submit again.\n")


def write_atomically(path, text):
    fd, tmp = tempfile.mkstemp(dir=".", prefix=".lstm-kit-")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, path)


def main():
    missing = [name for name in REQUIRED if not os.environ.get(name)]
    if missing:  # run by hand in some folder: touch nothing there
        return error(f"not run by Classroom 50's runner: {', '.join(missing)} not set")
    if not os.environ["SUBMISSION_TAG"].startswith("submit/"):
        return error(f"SUBMISSION_TAG {os.environ['SUBMISSION_TAG']!r} is not a submit/ tag")
    for stale in (RESULT, BODY):  # a checkout may hold its own: only this run's are ever published
        if os.path.lexists(stale):
            os.remove(stale)
    if not install():
        return error("could not install the grader's requirements (its output is above)")
    sys.path.insert(0, BUNDLE)
    from grader.commands.bundle import grade_upload, graded, read_config

    config = read_config(BUNDLE)
    with tempfile.TemporaryDirectory(prefix="lstm-kit-") as scratch:  # outside the checkout
        upload = grade_upload(BUNDLE, os.getcwd(), scratch)
    print(upload.log[-5000:])
    if upload.found and not graded(upload):
        return error(f"the grader could not grade (exit status {upload.status}); nothing is published")
    if graded(upload):
        scaled(upload.document, config["scale"])
    tests = rows_of(upload, config)
    result = {
        "schema": SCHEMA,
        "classroom": os.environ["CLASSROOM"],
        "assignment": os.environ["ASSIGNMENT"],
        "submission": os.environ["SUBMISSION_TAG"],
        "commit": os.environ["COMMIT_URL"],
        "release": os.environ["RELEASE_URL"],
        "review": os.environ.get("REVIEW_URL") or os.environ["COMMIT_URL"],
        "datetime": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "score": sum(t["score"] for t in tests),
        "max-score": sum(t["max-score"] for t in tests),
        "tests": tests,
    }
    body = body_of(upload, tests, os.environ["ASSIGNMENT"], config["scale"])
    write_atomically(BODY, body)
    if os.environ.get("GITHUB_STEP_SUMMARY"):
        with open(os.environ["GITHUB_STEP_SUMMARY"], "a", encoding="utf-8") as f:
            f.write(body)
    write_atomically(RESULT, json.dumps(result, indent=2) + "\n")  # last: the runner reads it once this exits
    print(f"lstm-kit: {result['score']}/{result['max-score']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
