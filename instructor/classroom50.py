"""``make classroom50``: dist/classroom50/<slug>/, an autograder bundle for Classroom 50.

Copy the folder to ``autograders/<slug>/`` in the classroom's repository (the slug is the
assignment's). Classroom 50's runner calls its ``autograder.py`` in each learner's repository at
the submitted commit (see instructor/platforms/classroom50_autograder.py for what it writes).

The bundle is public (Classroom 50 publishes it, and the learner's code runs in the same job), so
like a handout it carries no solutions/ and no code of the mistakes' forms: the reference's
outputs for exactly the calls the tests in TESTS make, and the catalogued mistakes' outputs on
their inputs, recorded here. Hidden test folders go in (their checks count and their output is
withheld from the release), but their code is as public as the rest. Classroom 50 takes whole
points only: when some test gives a fraction, every point is multiplied by the smallest factor
that makes them whole (2 for the kit's own tests), in result.json and the release alike. Before
writing, the tests are validated, the reference must earn full marks on them, and the bundle
grades the stubs (all "not started") and the reference (full marks) itself.
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys

from grader.commands.bundle import CONFIG
from grader.judge.reference import RECORDING
from grader.kit import KIT_ROOT
from grader.outputs.points import render_catalog
from instructor.common import ToolError, catalog, copy_bundle, fresh_dir, remove_caches, require_full_marks, self_check, zero_rows
from instructor.handout import ignored, record_reference

MARKER = ".lstm-kit-classroom50"
AUTOGRADER = os.path.join(KIT_ROOT, "instructor", "platforms", "classroom50_autograder.py")
COPIED = ["grader", "requirements.txt"]
SLUG = re.compile(r"^[a-z0-9][a-z0-9._-]*$")


def whole_scale(graded, largest=100):
    """The smallest factor that makes every test's points whole: Classroom 50 rejects fractional
    scores, and a step half passed must keep its half (the kit's own tests give 0.5-point checks:
    2, and every point is doubled there)."""
    for scale in range(1, largest + 1):
        if all(abs(t.points * scale - round(t.points * scale)) < 1e-9 for t in graded):
            return scale
    raise ToolError(f"no factor up to {largest} makes every test's points a whole number, as Classroom 50 needs: "
                    + ", ".join(f"{t.nodeid} ({t.points:g})" for t in graded))


def build(tests, out, call_timeout, time_limit):
    graded = catalog(tests)
    scale = whole_scale(graded)
    require_full_marks(tests)
    fresh_dir(out, MARKER)
    inside = copy_bundle(out, COPIED, ignored, tests)
    record_reference(tests, os.path.join(out, inside.split(":")[0], RECORDING))
    with open(os.path.join(out, CONFIG), "w") as f:
        json.dump({"tests": inside, "call_timeout": call_timeout, "time_limit": time_limit, "scale": scale,
                   "rows": [(label, round(points * scale)) for label, points in zero_rows(graded)]}, f, indent=2)
    shutil.copy2(AUTOGRADER, os.path.join(out, "autograder.py"))
    self_check(out, inside, os.path.join(KIT_ROOT, "exercises"))
    remove_caches(out)
    return graded, scale


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m instructor classroom50", description=__doc__.split("\n")[0])
    parser.add_argument("--tests", default=os.path.join(KIT_ROOT, "tests", "steps"),
                        help="test folders to grade with, public and hidden, separated by ':'")
    parser.add_argument("--slug", default="lstm-kit", help="the assignment's slug on Classroom 50 (default: lstm-kit)")
    parser.add_argument("--out", default=os.path.join(KIT_ROOT, "dist", "classroom50"),
                        help="the bundle goes in OUT/SLUG (default: dist/classroom50)")
    parser.add_argument("--call-timeout", type=float, default=10.0, help="seconds allowed per call (default: 10)")
    parser.add_argument("--time-limit", type=float, default=600.0,
                        help="seconds for the whole grade (default: 600; Classroom 50's job has 15 minutes in all)")
    args = parser.parse_args(argv)
    if not SLUG.match(args.slug):
        print(f"classroom50: {args.slug!r} is not a slug (lower-case letters, digits, '.', '_', '-')", file=sys.stderr)
        return 2
    out = os.path.abspath(os.path.join(args.out, args.slug))
    try:
        graded, scale = build(args.tests, out, args.call_timeout, args.time_limit)
    except (ToolError, subprocess.TimeoutExpired) as exc:
        print(f"classroom50: {exc}", file=sys.stderr)
        return 2
    render_catalog(graded, sys.stdout)
    hidden = [t for t in graded if t.visibility != "visible"]
    print(f"\nwrote {os.path.relpath(out)}/: autograder.py, the grader, the tests and the reference's recorded outputs "
          "(no solutions); it grades the stubs as not started and the reference at full marks.")
    total = sum(t.points for t in graded)
    scaled = f" (Classroom 50 counts whole points: every point is multiplied by {scale}, {total * scale:g} in all)" \
        if scale > 1 else ""
    print(f"Copy it to autograders/{args.slug}/ in your classroom's repository; each submission is graded out of "
          f"{total:g}{scaled}.")
    if hidden:
        print(f"{len(hidden)} hidden or after-due-date tests: their output is withheld from releases, but their code "
              "is in this public bundle.")
    return 0
