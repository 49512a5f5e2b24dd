"""The hostile corpus (tests/kit/hostile/): its cases, how each becomes a submission (a folder,
or a notebook), and what the grader must make of it. Used by test_hostile.py and bench/hostile_corpus.py."""
import base64
import json
import os
import re
import shutil
from dataclasses import dataclass

from grader.course.steps import FILES
from grader.kit import KIT_ROOT

CORPUS = os.path.join(KIT_ROOT, "tests", "kit", "hostile")
CALL_TIMEOUT = 1.0   # seconds per call: the sleep cases are built around it
TIME_LIMIT = 30.0    # seconds for a whole run, unless a case says otherwise
START_UP = 15.0      # slack for starting Python and pytest on a busy machine
PID = re.compile(r"hostile-pid=(\d+)")
LEFT_FILE = re.compile(r'hostile-file=([^\s\\"]+)')
# Raw in a result, where the grader must have escaped it: controls (escape codes, carriage returns),
# line separators and lone surrogates; tabs and line breaks are what printed output may keep.
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")
SECRET = {"LSTM_KIT_GRADER_SECRET": "s3cret-the-worker-must-not-see"}  # in every run's environment
RESULTS_SIZE = 200_000  # bytes: a flood of output must not reach results.json
# sequence.py as learners write it, looping over the cell; the reference's does not call the cell
AS_TAUGHT = os.path.join(KIT_ROOT, "tests", "kit", "as_taught.py")
CELLS = "cells.py"              # a notebook case's own cells, in the percent format
NOTEBOOK = "notebook.ipynb"     # the name it is graded under: notes and messages name it
CELL_SEPARATOR = re.compile(r"^# %%(?:\s+file:\s*(\S+))?(?:\s|$)")  # "# %% file: ../case/gates.py" starts with that file
# "# !ls", "# files = !ls" and "# %time f()" are the lines "!ls", ... in the cell, as jupytext writes them
COMMENTED_MAGIC = re.compile(r"^(\s*)# ((?:[\w.]+\s*=\s*)?[!%])")


@dataclass
class Case:
    name: str
    folder: str
    what: str       # the one-line README
    expected: dict  # expected.json

    @property
    def notebook(self):
        """Whether the case is a notebook (it holds cells.py) rather than a folder of files."""
        return os.path.exists(os.path.join(self.folder, CELLS))

    @property
    def root_only(self):
        return self.expected.get("root_only")

    def args(self):
        """The grader's arguments: the corpus's limits, then the case's own (the last one counts)."""
        return ["--call-timeout", str(CALL_TIMEOUT), "--time-limit", str(TIME_LIMIT), *self.expected.get("args", [])]

    def time_limit(self):
        args = self.args()
        return float(args[max(k for k, a in enumerate(args) if a == "--time-limit") + 1])

    def max_seconds(self):
        return self.expected.get("max_seconds", self.time_limit() + START_UP)

    def points(self, max_points):
        """The exact points each step must get: full marks unless the case says otherwise."""
        return {step: self.expected.get("points", {}).get(step, full) for step, full in max_points.items()}


def cases():
    found = []
    for name in sorted(os.listdir(CORPUS)):
        folder = os.path.join(CORPUS, name)
        if os.path.isdir(folder):
            with open(os.path.join(folder, "README.md")) as f:
                what = f.read().strip()
            with open(os.path.join(folder, "expected.json")) as f:
                found.append(Case(name, folder, what, json.load(f)))
    return found


def build(case, target):
    """The case as a submission folder at ``target``; returns ``target``.

    Each file is the base's (the reference's unless the case names another, with ``AS_TAUGHT``
    for the reference's sequence.py), followed by the case's own file of the same name. A
    notebook case is written as ``target/notebook.ipynb`` instead, and that path is returned.
    """
    os.makedirs(target)
    if case.notebook:
        return build_notebook(case, os.path.join(target, NOTEBOOK))
    expected = case.expected
    for name in sorted(os.listdir(case.folder)):
        if name in ("README.md", "expected.json"):
            continue
        source = os.path.join(case.folder, name)
        if name in FILES and name not in expected.get("replace", ()):
            continue  # added to the base below
        shutil.copy(source, os.path.join(target, name))
    for name in FILES:
        if name in expected.get("absent", ()) or name in expected.get("replace", ()) \
                or name in expected.get("symlinks", {}):
            continue
        text = base_text(expected, name)
        own = os.path.join(case.folder, name)
        if os.path.exists(own):
            with open(own) as f:
                text += "\n\n# ---- added by the hostile case ----\n" + f.read()
        with open(os.path.join(target, name), "w") as f:
            f.write(text)
    for name, kit_path in expected.get("symlinks", {}).items():
        os.symlink(os.path.join(KIT_ROOT, kit_path), os.path.join(target, name))
    return target


def base_text(expected, name):
    """The base's file ``name``: the reference's (``AS_TAUGHT`` for sequence.py) or the stubs'."""
    base = expected.get("base", "solutions")
    as_taught = name == "sequence.py" and base == "solutions"
    with open(AS_TAUGHT if as_taught else os.path.join(KIT_ROOT, base, name)) as f:
        return f.read()


def build_notebook(case, path):
    """The case as a notebook at ``path``: one cell per base file, then the case's own cells
    (a later definition wins, as in a kernel); returns ``path``. The outputs expected.json asks
    for are made here, so that the corpus commits no large file."""
    with open(os.path.join(case.folder, CELLS)) as f:
        own = split_cells(f.read(), case.folder)
    sizes = {int(number): size for number, size in case.expected.get("outputs", {}).items()}
    cells = [_code_cell(base_text(case.expected, name)) for name in FILES]
    cells += [_code_cell(source, _output(sizes.get(number, 0))) for number, source in enumerate(own, 1)]
    document = {"nbformat": 4, "nbformat_minor": 4, "cells": cells,
                "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}}
    with open(path, "w") as f:
        json.dump(document, f, indent=1)
    return path


def split_cells(text, folder):
    """The code cells of a percent-format file: each starts at a ``# %%`` line (what precedes the
    first is a header, not a cell), and a commented magic (``# !ls``, ``# %time f()``) is uncommented.
    A ``# %% file: PATH`` cell starts with the text of that file (relative to ``folder``): a
    folder case's code, pasted into a notebook."""
    cells, lines = [], None
    for line in text.splitlines(keepends=True):
        separator = CELL_SEPARATOR.match(line)
        if separator:
            lines = []
            if separator.group(1):
                with open(os.path.join(folder, separator.group(1))) as f:
                    lines.append(f.read())
            cells.append(lines)
        elif lines is not None:
            lines.append(COMMENTED_MAGIC.sub(r"\1\2", line))
    return ["".join(lines).strip("\n") + "\n" for lines in cells]


def _code_cell(source, outputs=()):
    return {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": list(outputs),
            "source": source.splitlines(keepends=True)}


def _output(size):
    """About ``size`` bytes of output, as a plot and printed lines save: a PNG in base64, then
    text that reads as code (a grader that took outputs for code would grade the wrong functions)."""
    if not size:
        return []
    picture = base64.b64encode(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * (size // 2 // 342)).decode()
    line = "def forget_gate(x, h_prev, Wx, Wh, b):  return x\n"
    return [{"output_type": "display_data", "metadata": {}, "data": {"image/png": picture, "text/plain": ["<Figure>"]}},
            {"output_type": "stream", "name": "stdout", "text": [line] * (size // 2 // len(line))}]


def results_problems(results):
    """What is wrong with a results.json document, as a list of sentences (empty when valid)."""
    problems = []
    if not isinstance(results, dict) or not isinstance(results.get("tests"), list):
        return ["results.json is missing or has no list of tests"]
    for key, kind in (("score", (int, float)), ("execution_time", (int, float)), ("output", str)):
        if not isinstance(results.get(key), kind):
            problems.append(f"results.json has no valid {key!r}")
    for test in results["tests"]:
        if not (isinstance(test.get("name"), str) and test.get("status") in ("passed", "failed")
                and isinstance(test.get("output"), str) and 0 <= test.get("score", -1) <= test.get("max_score", -1)):
            problems.append(f"results.json has a malformed test entry: {str(test)[:200]}")
    steps = results.get("extra_data", {}).get("steps", {})
    if abs(sum(s["points"] for s in steps.values()) - results.get("score", -1)) > 1e-9:
        problems.append("results.json's score is not the sum of its steps' points")
    if abs(sum(t["score"] for t in results["tests"]) - results.get("score", -1)) > 1e-9:
        problems.append("results.json's score is not the sum of its tests' scores")
    return problems


def problems(case, results, seconds, max_points):
    """Everything the grader got wrong on ``case``, as sentences; empty when all is right."""
    found = results_problems(results)
    if found:
        return found
    steps = results["extra_data"]["steps"]
    got = {step: steps[step]["points"] if step in steps else None for step in max_points}
    want = case.points(max_points)
    for step in max_points:
        if got[step] != want[step]:
            found.append(f"{step}: {got[step]} points, expected {want[step]} ({steps.get(step, {}).get('message', '')[:300]})")
    for step, text in case.expected.get("messages", {}).items():
        if text not in steps.get(step, {}).get("message", ""):
            found.append(f"{step}: message lacks {text!r}: {steps.get(step, {}).get('message', '')[:300]!r}")
    for step, text in case.expected.get("printed", {}).items():
        outputs = [t["output"] for t in results["tests"] if t["extra_data"]["step"] == step]
        if not any(text in output for output in outputs):
            found.append(f"{step}: no test output shows {text!r} of what it printed")
    for text in case.expected.get("notes", []):
        if text not in results["output"]:
            found.append(f"output lacks {text!r}: {results['output'][:300]!r}")
    dump = json.dumps(results)
    if len(dump) > RESULTS_SIZE:
        found.append(f"results.json has {len(dump)} bytes, over {RESULTS_SIZE}")
    if any(CONTROL.search(text) for text in strings(results)):
        found.append("results.json carries terminal control characters from the submission")
    if any(secret in dump for secret in SECRET.values()):
        found.append("the submission saw the grader's environment")
    if seconds > case.max_seconds():
        found.append(f"the run took {seconds:.1f} s, over its bound of {case.max_seconds():g} s")
    for pid in PID.findall(dump):
        if os.path.exists(f"/proc/{pid}"):
            found.append(f"process {pid}, which the submission detached, outlived the grade")
    for path in LEFT_FILE.findall(dump) if os.geteuid() == 0 else ():
        if os.path.lexists(path):
            found.append(f"{path}, which the submission wrote, outlived the grade")
    return found


def strings(value):
    """Every string in a JSON document (its keys aside)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)


def inflated(results, case, max_points):
    """Steps that got more points than the case earns."""
    steps = results.get("extra_data", {}).get("steps", {})
    want = case.points(max_points)
    return [step for step, s in steps.items() if s["points"] > want.get(step, 0)]
