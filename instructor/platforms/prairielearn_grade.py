#!/usr/bin/env python3
"""lstm-kit's entrypoint for PrairieLearn's external grader, written by ``make prairielearn``.

PrairieLearn runs it in the question's image with the upload in /grade/student and this folder
(the question's tests/: grader, reference, test folders, bundle.json) at /grade/tests. It writes
/grade/results/results.json (the folder is not there before): gradable false for an upload
that cannot be graded (none of the files, an unreadable zip, a file that does not parse; the
learner keeps the attempt), else the score in [0, 1], the points, and one test per step from its
visible checks, with the hidden and after-due-date checks as one test without their words
(PrairieLearn shows every test to the learner). LSTM_KIT_GRADE_ROOT moves /grade, for the
kit's own tests.
"""
import json
import os
import sys
import tempfile

ROOT = os.environ.get("LSTM_KIT_GRADE_ROOT", "/grade")
BUNDLE = os.path.dirname(os.path.abspath(__file__))
LIMIT = 1_000_000  # bytes of results.json PrairieLearn takes
OUTPUT_SHARE = 20_000  # characters of one test's output, should the whole go over LIMIT
CUT = " ... (cut: results.json must stay under 1 MB)"


def write(document):
    folder = os.path.join(ROOT, "results")
    os.makedirs(folder, exist_ok=True)
    text = json.dumps(document, indent=2)
    if len(text) > LIMIT:
        for holder in (*document["tests"], document):
            if len(holder["output"]) > OUTPUT_SHARE:
                holder["output"] = holder["output"][:OUTPUT_SHARE] + CUT
        text = json.dumps(document, indent=2)
    with open(os.path.join(folder, "results.json"), "w") as f:
        f.write(text)


def ungradable(said, errors, max_points):
    return {"gradable": False, "score": 0.0, "points": 0, "max_points": max_points, "message": said,
            "format_errors": errors or [said], "output": "", "tests": []}


def test_of(row):
    """A step (or the withheld checks) as PrairieLearn's test: the named mistake or first line as
    the message, the rest (details, what the code printed, the hint) as the output."""
    from grader.outputs.markdown import as_plain
    from grader.outputs.report import LABELS

    text = as_plain(row.output).strip()
    first, _, rest = text.partition("\n\n")
    test = {"name": row.label, "points": row.points, "max_points": row.max_points,
            "message": first if text else LABELS.get(row.status, row.status), "output": rest.strip()}
    if row.step:  # the withheld checks' row says nothing of how many there are
        test["description"] = f"{row.tests} check{'s' if row.tests != 1 else ''} of {row.step}"
    return test


def close_reference():
    """Under root (as PrairieLearn runs it), the reference and the tests become root's alone, so
    the learner's code, which the grader runs as a user of its own, reads neither (a course's
    repository gives them no such modes)."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return
    for top in ("solutions", "tests"):
        for dirpath, _, filenames in os.walk(os.path.join(BUNDLE, top)):
            os.chmod(dirpath, 0o700)
            for name in filenames:
                os.chmod(os.path.join(dirpath, name), 0o600)


def main():
    if not os.path.isdir(os.path.join(ROOT, "student")):  # not in PrairieLearn's container: write nothing
        print(f"grade.py: {ROOT} has no student/ folder: this runs in PrairieLearn's grading container, or with "
              "LSTM_KIT_GRADE_ROOT=folder (holding student/); nothing written", file=sys.stderr)
        return 2
    close_reference()
    sys.path.insert(0, BUNDLE)
    from grader.commands.bundle import grade_upload, graded, read_config

    config = read_config(BUNDLE)
    total = sum(points for _, points in config["rows"])
    with tempfile.TemporaryDirectory(prefix="lstm-kit-") as scratch:
        upload = grade_upload(BUNDLE, os.path.join(ROOT, "student"), scratch)
    print(upload.log[-5000:])  # PrairieLearn shows the entrypoint's output to course staff
    if not upload.found:
        write(ungradable(upload.said, [], total))
        return 0
    if upload.syntax_errors:
        said = "Your files do not parse, so nothing was graded (this attempt does not count): " + \
            "; ".join(upload.syntax_errors) + "."
        write(ungradable(said, upload.syntax_errors, total))
        return 0
    if not graded(upload):
        write(ungradable(f"The grader could not grade this upload (exit status {upload.status}); "
                         "this attempt does not count.", [], total))
        return 0
    from grader.outputs.markdown import public_view

    rows, withheld = public_view(upload.document)
    tests = [test_of(r) for r in rows + ([withheld] if withheld else [])]
    points, max_points = sum(t["points"] for t in tests), sum(t["max_points"] for t in tests)
    notes = [upload.said, upload.document.get("output", "")]  # the grader's notes: plain text already
    write({"gradable": True, "score": points / max_points if max_points else 0.0, "points": points,
           "max_points": max_points, "message": f"{points:g}/{max_points:g} points",
           "output": "\n".join(n for n in notes if n), "tests": tests})
    return 0


if __name__ == "__main__":
    sys.exit(main())
