"""Grading one learner's work for a platform's own script (Classroom 50's ``autograder.py``,
PrairieLearn's entrypoint): find the files, grade them in a child ``python -m grader``, read
its results.json back.

The script lives in a bundle beside the grader (``grader/``, ``tests/``, ``bundle.json``, which
``make classroom50`` and ``make prairielearn`` write); ``bundle.json`` names the test folders
and the limits. Nothing here runs the learner's code: staging only copies and parses, and the
child grader runs it in its worker as ``make grade`` does.
"""
import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field

CONFIG = "bundle.json"


@dataclass
class Upload:
    """What was found in the learner's work, and the grade of it (None when there was nothing to grade)."""
    found: bool
    said: str = ""            # for the learner: what was found, what is missing, why nothing was graded
    syntax_errors: list = field(default_factory=list)  # "gates.py, line 3: invalid syntax", parsed, never run
    document: dict = None     # the grader's results.json
    status: int = None        # the grader's exit status
    log: str = ""             # the grader's own output, for the instructor's log


def read_config(bundle):
    with open(os.path.join(bundle, CONFIG)) as f:
        return json.load(f)


def syntax_errors(folder, names):
    """Where each of ``names`` in ``folder`` fails to parse (compiled, never run)."""
    errors = []
    for name in names:
        path = os.path.join(folder, name)
        if not os.path.isfile(path):
            continue
        try:
            with open(path, "rb") as f:
                compile(f.read(), name, "exec", dont_inherit=True)
        except SyntaxError as exc:
            errors.append(f"{name}, line {exc.lineno}: {exc.msg}")
        except ValueError as exc:  # a null byte
            errors.append(f"{name}: {exc}")
    return errors


def grade_upload(bundle, source, scratch=None):
    """Stage ``source`` (a folder, zip or notebook) and grade it with the bundle's grader and tests."""
    sys.path.insert(0, bundle)
    from grader.course.steps import FILES
    from grader.sandbox.staging import stage, unreadable

    config = read_config(bundle)
    scratch = scratch or tempfile.mkdtemp(prefix="lstm-kit-bundle-")
    folder, results = os.path.join(scratch, "submission"), os.path.join(scratch, "results")
    try:
        staged = stage(source, folder)
    except Exception as exc:  # whatever the cause, the learner is told in plain words, with no path of ours
        return Upload(False, f"Your upload could not be read: {unreadable(exc).replace(scratch, '')}")
    if not staged.found:
        said = f"Your upload: {staged.describe()}." if staged.notebook else \
            f"Your work holds none of {', '.join(FILES)}."
        return Upload(False, said)
    said = f"Your upload: {staged.describe()}." if staged.missing or staged.notebook else ""
    errors = syntax_errors(staged.folder, list(staged.found))
    done = subprocess.run(
        [sys.executable, "-m", "grader", "--submission", staged.folder, "--tests", config["tests"],
         "--results", results, "--call-timeout", str(config["call_timeout"]),
         "--time-limit", str(config["time_limit"]), *[f"--note={note}" for note in staged.notes]],
        cwd=bundle, capture_output=True, text=True,
        env={**os.environ, "NO_COLOR": "1", "LSTM_KIT_STATE": os.path.join(scratch, "progress.json")})
    path = os.path.join(results, "results.json")
    document = None
    if os.path.exists(path):
        with open(path) as f:
            document = json.load(f)
    return Upload(True, said, errors, document, done.returncode, done.stdout + done.stderr)


def graded(upload):
    """Whether the grader judged the checks (whatever the score): it ran and has tests to show."""
    return upload.document is not None and bool(upload.document.get("tests")) and upload.status in (0, 1)
