"""``make gradescope``: dist/autograder.zip for a Gradescope programming assignment.

The zip follows Gradescope's conventions: ``setup.sh`` (run once, as root, to build the image)
and ``run_autograder`` at its top; Gradescope unpacks it into /autograder/source, puts each
upload in /autograder/submission and reads /autograder/results/results.json (each test's output
in Markdown, output_format "md": grader.outputs.markdown). It carries the grader, the reference
and every test folder in TESTS (public and hidden); learners never see it.
Before writing the zip, the tests are validated and the reference must earn full marks on them.
"""
import argparse
import json
import os
import shutil
import sys
import tempfile

from grader.kit import KIT_ROOT
from grader.outputs.points import render_catalog
from instructor.common import ToolError, catalog, copy_bundle, require_full_marks
from instructor.handout import IGNORED, write_zip

TEMPLATES = os.path.join(KIT_ROOT, "instructor", "autograder")
COPIED = ["grader", "solutions", "requirements.txt"]
AT_TOP = ["setup.sh", "run_autograder", "grade_submission.py"]


def build(tests, out, call_timeout):
    graded = catalog(tests)
    require_full_marks(tests)
    with tempfile.TemporaryDirectory() as tmp:
        root = os.path.join(tmp, "autograder")
        os.makedirs(root)
        inside = copy_bundle(root, COPIED, IGNORED, tests)
        for name in AT_TOP:
            shutil.copy2(os.path.join(TEMPLATES, name), os.path.join(root, name))
        with open(os.path.join(root, "autograder.json"), "w") as f:
            json.dump({"tests": inside, "call_timeout": call_timeout}, f, indent=2)
        if os.path.exists(out):
            os.remove(out)
        write_zip(root, out, top="")
    os.chmod(out, 0o600)  # it holds the solutions and the hidden tests: its owner's alone
    return graded


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m instructor gradescope", description=__doc__.split("\n")[0])
    parser.add_argument("--tests", default=os.path.join(KIT_ROOT, "tests", "steps"),
                        help="test folders to grade with, public and hidden, separated by ':'")
    parser.add_argument("--out", default=os.path.join(KIT_ROOT, "dist", "autograder.zip"), help="default: dist/autograder.zip")
    parser.add_argument("--call-timeout", type=float, default=10.0, help="seconds allowed per call (default: 10)")
    args = parser.parse_args(argv)
    try:
        graded = build(args.tests, os.path.abspath(args.out), args.call_timeout)
    except ToolError as exc:
        print(f"gradescope: {exc}", file=sys.stderr)
        return 2
    render_catalog(graded, sys.stdout)
    total = sum(t.points for t in graded)
    print(f"\nwrote {os.path.relpath(args.out)}; the reference earns full marks on every test.")
    print(f"On Gradescope, set the assignment's autograder points to {total:g}.")
    return 0

