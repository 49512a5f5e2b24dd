"""``make handout``: the learners' copy of the kit, without solutions and without hidden tests.

dist/handout/ (and dist/lstm-kit-handout.zip, whose files sit under lstm-kit/) holds the stubs, the
grader, the public tests, the learner's notebook, docs/math.md, README.md and Makefile (copied
unchanged), what ``pip install`` of it needs (pyproject.toml, setup.py, lstm_kit/), and a GitHub
Actions workflow that grades every push (.github/workflows/grade.yml). In place of solutions/ it
carries the reference's outputs for exactly the calls the public tests make
(tests/steps/reference_outputs.npz, see grader/judge/reference.py), so its ``make grade`` works as
in the kit, and every catalogued mistake's outputs on the inputs of those tests' checks
(tests/steps/mistake_outputs.npz, see grader/judge/mistake_outputs.py), so it names the
same mistakes as the kit. Both are numbers for fixed inputs, keyed by digest; no code. Its grader
has no code of the mistakes' forms (grader/judge/variants.py stays in the kit), only which forms
there are (grader/judge/forms_index.py), which is all that replaying the recording needs; its demo
has no loop of its own for the plain RNN (demo/reference_rnn.py stays in the kit). Before it is
written out, the handout grades its own stubs (all "not started") and the reference (full marks),
and reads its recording of the mistakes back; a handout that fails is not shipped.
"""
import argparse
import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import zipfile

from grader.judge.reference import MISTAKE_RECORDING, RECORDING
from grader.kit import KIT_ROOT
from instructor.common import ToolError, fresh_dir, grade, remove_caches, self_check, step_points

MANIFEST = ".lstm-kit-handout.json"
ZIP_ROOT = "lstm-kit"
# Copied as they are, byte for byte: the learners' files are written to be read in the kit and in
# a handout alike. Everything else (solutions/, tests/kit and tests/hidden, instructor/, bench/,
# instructor.mk, dev.mk, the other docs, requirements-test.txt and requirements-torch.txt, .git)
# stays in the kit.
COPIED = ["README.md", "Makefile", "docs/math.md", "exercises", "grader", "demo", "requirements.txt",
          "requirements-extra.txt", ".gitignore", "notebooks", "lstm_kit", "pyproject.toml", "setup.py"]
IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", ".pytest_cache", RECORDING, MISTAKE_RECORDING)
# Inside the copied folders but the kit's alone: the mistakes' forms are the reference with one
# piece changed, so the rest of each is right code for a step the learner writes; the demo's loop
# for the reference's plain RNN is the structure of the sequence steps (a handout's demo runs the
# RNN through the learner's own loop).
KIT_ONLY = ["grader/judge/variants.py", "demo/reference_rnn.py"]
# Kept in the kit under instructor/ (so the kit's own repository does not grade its stubs on every
# push), written into the handout where GitHub Actions looks for it.
WORKFLOW = (os.path.join(KIT_ROOT, "instructor", "workflows", "grade.yml"), os.path.join(".github", "workflows", "grade.yml"))


def ignored(directory, names):
    """What copying ``directory`` of the kit leaves out: IGNORED's patterns and the KIT_ONLY files."""
    here = os.path.relpath(directory, KIT_ROOT).replace(os.sep, "/")
    return set(IGNORED(directory, names)) | {name for name in names if f"{here}/{name}" in KIT_ONLY}


def record_reference(public, dest):
    """Run the public tests on the reference once, recording every reference call they make and,
    beside it (MISTAKE_RECORDING), every catalogued mistake's outputs on their checks' inputs."""
    with tempfile.TemporaryDirectory() as results:
        done = grade(os.path.join(KIT_ROOT, "solutions"), public, results, "--record-reference", dest)
    if done.returncode != 0:
        raise ToolError("the reference solution does not pass every public test, so its outputs cannot be "
                        f"recorded:\n{done.stdout[-3000:]}{done.stderr[-2000:]}")


def recorded_mistakes(handout):
    """How many check inputs the handout's recording of the mistakes covers, read as a grade reads it."""
    from grader.judge.mistake_outputs import Unusable, load

    try:
        return len(load(os.path.join(handout, "tests", "steps", MISTAKE_RECORDING)))
    except Unusable as exc:
        raise ToolError(f"the handout's recording of the mistakes' outputs does not read back: {exc}") from None


def write_zip(folder, path, top=ZIP_ROOT):
    """A zip of ``folder`` with its files under ``top``; the same bytes for the same files."""
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for dirpath, dirnames, filenames in os.walk(folder):
            dirnames.sort()
            for name in sorted(filenames):
                full = os.path.join(dirpath, name)
                info = zipfile.ZipInfo(os.path.join(top, os.path.relpath(full, folder)), (1980, 1, 1, 0, 0, 0))
                info.external_attr = (stat.S_IFREG | (0o755 if os.access(full, os.X_OK) else 0o644)) << 16
                info.compress_type = zipfile.ZIP_DEFLATED
                with open(full, "rb") as f:
                    archive.writestr(info, f.read())


def build(out, zip_path, public):
    public = os.path.abspath(public)
    fresh_dir(out, MANIFEST)
    for name in COPIED:
        source, target = os.path.join(KIT_ROOT, *name.split("/")), os.path.join(out, *name.split("/"))
        if os.path.isdir(source):
            shutil.copytree(source, target, ignore=ignored)
        else:
            os.makedirs(os.path.dirname(target), exist_ok=True)
            shutil.copy2(source, target)
    shutil.copytree(public, os.path.join(out, "tests", "steps"), ignore=IGNORED)
    recording = os.path.join(out, "tests", "steps", RECORDING)
    record_reference(public, recording)
    steps = step_points(public)
    os.makedirs(os.path.dirname(os.path.join(out, WORKFLOW[1])), exist_ok=True)
    shutil.copy2(WORKFLOW[0], os.path.join(out, WORKFLOW[1]))
    self_check(out, "tests/steps", "exercises")  # the handout's own stubs, graded inside it
    remove_caches(out)
    from grader.judge.reference import read_recording
    recorded = {"recorded_reference_calls": len(read_recording(recording)[0]["entries"]),
                "recorded_mistake_inputs": recorded_mistakes(out)}
    with open(os.path.join(out, MANIFEST), "w") as f:
        json.dump({"handout": "lstm-kit", "public_tests": os.path.relpath(public, KIT_ROOT), **recorded,
                   "points": sum(p for _, _, p in steps)}, f, indent=2)
    write_zip(out, zip_path)
    return recorded, steps


def kib(path):
    return f"{os.path.getsize(path) / 1024:.0f} KiB"


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m instructor handout", description=__doc__.split("\n")[0])
    parser.add_argument("--out", default=os.path.join(KIT_ROOT, "dist", "handout"), help="default: dist/handout/")
    parser.add_argument("--zip", default=os.path.join(KIT_ROOT, "dist", "lstm-kit-handout.zip"),
                        help="default: dist/lstm-kit-handout.zip")
    parser.add_argument("--public", default=os.path.join(KIT_ROOT, "tests", "steps"),
                        help="the public test folder learners get (default: tests/steps/)")
    args = parser.parse_args(argv)
    try:
        recorded, steps = build(os.path.abspath(args.out), os.path.abspath(args.zip), args.public)
    except (ToolError, subprocess.TimeoutExpired) as exc:
        print(f"handout: {exc}", file=sys.stderr)
        return 2
    files = sum(len(f) for _, _, f in os.walk(args.out))
    print(f"wrote {os.path.relpath(args.out)}/ ({files} files) and {os.path.relpath(args.zip)}")
    print(f"  public tests: {len(steps)} steps, {sum(p for _, _, p in steps):g} points; no solutions/, no hidden tests")
    print(f"  reference outputs recorded for the public tests' inputs: {recorded['recorded_reference_calls']} calls")
    print(f"  catalogued mistakes' outputs recorded for their checks' inputs: {recorded['recorded_mistake_inputs']} "
          f"inputs ({kib(os.path.join(args.out, 'tests', 'steps', MISTAKE_RECORDING))})")
    print("  checked inside the handout: its stubs grade as not started, the reference gets full marks")
    return 0

