"""``make prairielearn``: an externally graded PrairieLearn question, and the image it grades in.

dist/prairielearn/<question>/ goes into the course's ``questions/``: ``info.json`` (external
grading on, the image, the entrypoint, the time-out), ``question.html`` (a file upload for the
four files or the notebook, and the grader's results), and ``tests/``, which PrairieLearn mounts
at /grade/tests and never serves to students: the grader, the reference (solutions/, as in the
Gradescope zip), every test folder in TESTS and the entrypoint ``grade.py`` (see
instructor/platforms/prairielearn_grade.py for the results.json it writes).
dist/prairielearn/image/ is the Dockerfile of that image (Python and the pinned requirements:
grading has no network). Before writing, the tests are validated, the reference must earn full
marks on them, and the question's own copy grades the stubs (all "not started") and the reference
(full marks).
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import uuid

from grader.commands.bundle import CONFIG
from grader.kit import KIT_ROOT
from grader.outputs.points import render_catalog
from instructor.common import ToolError, catalog, copy_bundle, fresh_dir, remove_caches, require_full_marks, self_check, zero_rows
from instructor.handout import IGNORED

MARKER = ".lstm-kit-prairielearn"
PLATFORM = os.path.join(KIT_ROOT, "instructor", "platforms")
COPIED = ["grader", "solutions", "requirements.txt"]
ENTRYPOINT = "/grade/tests/grade.py"
MAX_TIMEOUT = 600  # seconds: PrairieLearn's own cap on a grading job
STARTUP = 30       # of them, for the container and the grader to start; the grade has the rest
QID = re.compile(r"^[A-Za-z0-9_-]+$")


def info_json(qid, title, image, timeout):
    return {
        # The same question id gives the same uuid: rebuilding the question keeps its history.
        "uuid": str(uuid.uuid5(uuid.NAMESPACE_URL, f"lstm-kit/prairielearn/{qid}")),
        "title": title,
        "topic": "Recurrent neural networks",
        "tags": ["lstm-kit", "code"],
        "type": "v3",
        "singleVariant": True,
        "gradingMethod": "External",
        "externalGradingOptions": {"enabled": True, "image": image, "entrypoint": ENTRYPOINT, "timeout": timeout},
    }


def build(tests, out, qid, title, image, timeout, call_timeout):
    graded = catalog(tests)
    require_full_marks(tests)
    question = os.path.join(out, qid)
    fresh_dir(question, MARKER)
    bundle = os.path.join(question, "tests")
    os.makedirs(bundle)
    inside = copy_bundle(bundle, COPIED, IGNORED, tests)
    with open(os.path.join(bundle, CONFIG), "w") as f:
        json.dump({"tests": inside, "call_timeout": call_timeout, "time_limit": timeout - STARTUP,
                   "rows": zero_rows(graded)}, f, indent=2)
    shutil.copy2(os.path.join(PLATFORM, "prairielearn_grade.py"), os.path.join(bundle, "grade.py"))
    os.chmod(os.path.join(bundle, "grade.py"), 0o755)
    shutil.copy2(os.path.join(PLATFORM, "prairielearn_question.html"), os.path.join(question, "question.html"))
    with open(os.path.join(question, "info.json"), "w") as f:
        json.dump(info_json(qid, title, image, timeout), f, indent=2)
    image_dir = os.path.join(out, "image")
    shutil.rmtree(image_dir, ignore_errors=True)
    os.makedirs(image_dir)
    shutil.copy2(os.path.join(PLATFORM, "prairielearn_Dockerfile"), os.path.join(image_dir, "Dockerfile"))
    shutil.copy2(os.path.join(KIT_ROOT, "requirements.txt"), os.path.join(image_dir, "requirements.txt"))
    self_check(bundle, inside, os.path.join(KIT_ROOT, "exercises"))
    remove_caches(question)
    for dirpath, _, filenames in os.walk(question):  # the reference and the hidden tests: the owner's alone
        os.chmod(dirpath, 0o700)
        for name in filenames:
            os.chmod(os.path.join(dirpath, name), 0o700 if name == "grade.py" else 0o600)
    return graded, question


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m instructor prairielearn", description=__doc__.split("\n")[0])
    parser.add_argument("--tests", default=os.path.join(KIT_ROOT, "tests", "steps"),
                        help="test folders to grade with, public and hidden, separated by ':'")
    parser.add_argument("--image", required=True,
                        help="the grading image on Docker Hub, built from dist/prairielearn/image/ (e.g. you/lstm-kit-grader)")
    parser.add_argument("--qid", default="lstmKit", help="the question's folder name (default: lstmKit)")
    parser.add_argument("--title", default="An LSTM from scratch", help="the question's title")
    parser.add_argument("--out", default=os.path.join(KIT_ROOT, "dist", "prairielearn"), help="default: dist/prairielearn")
    parser.add_argument("--timeout", type=int, default=180,
                        help=f"seconds PrairieLearn allows the grading job (default: 180; at most {MAX_TIMEOUT})")
    parser.add_argument("--call-timeout", type=float, default=10.0, help="seconds allowed per call (default: 10)")
    args = parser.parse_args(argv)
    if not QID.match(args.qid):
        print(f"prairielearn: {args.qid!r} is not a question id (letters, digits, '_', '-')", file=sys.stderr)
        return 2
    if not STARTUP * 2 <= args.timeout <= MAX_TIMEOUT:
        print(f"prairielearn: --timeout must be between {STARTUP * 2} and {MAX_TIMEOUT} seconds", file=sys.stderr)
        return 2
    try:
        graded, question = build(args.tests, os.path.abspath(args.out), args.qid, args.title, args.image,
                                 args.timeout, args.call_timeout)
    except (ToolError, subprocess.TimeoutExpired) as exc:
        print(f"prairielearn: {exc}", file=sys.stderr)
        return 2
    render_catalog(graded, sys.stdout)
    print(f"\nwrote {os.path.relpath(question)}/ (info.json, question.html, tests/) and "
          f"{os.path.relpath(os.path.join(args.out, 'image'))}/; the question grades the stubs as not started and "
          "the reference at full marks.")
    print(f"Copy {os.path.basename(question)}/ into your course's questions/ and build and push {args.image} from "
          "the image folder; results.json gives points out of "
          f"{sum(t.points for t in graded):g} and a score in [0, 1].")
    return 0
