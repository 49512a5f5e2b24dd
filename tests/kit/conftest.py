"""Fixtures for the kit's own tests: build submissions and grade them as a learner would."""
import ast
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import pytest

from grader.course.steps import FILES, STEPS
from grader.kit import KIT_ROOT

from corpus import AS_TAUGHT

# The hostile corpus holds submissions, some with their own conftest.py and test files: they are
# graded (test_hostile.py), never collected as the kit's tests.
collect_ignore = ["hostile"]


def _keep_bytecode():
    """The graders these tests start compile the grader's modules again at every run where
    PYTHONDONTWRITEBYTECODE is set (as on CI): 0.25 s of each of hundreds of grades. Their
    bytecode goes to a cache of the tests' own instead (root's alone), never beside the sources
    of the kit, a handout or a submission. The worker runs with -I and ignores both variables."""
    cache = os.path.join(tempfile.gettempdir(), f"lstm-kit-tests-pycache-{os.getuid()}")
    os.makedirs(cache, mode=0o700, exist_ok=True)
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    os.environ["PYTHONPYCACHEPREFIX"] = cache


_keep_bytecode()


@dataclass
class Graded:
    """One ``python -m grader`` run: exit code, parsed results.json, terminal text, wall time."""
    exit_code: int
    results: dict
    output: str
    seconds: float

    @property
    def score(self):
        return self.results["score"]

    @property
    def steps(self):
        return self.results["extra_data"]["steps"]

    def status(self, step):
        return self.steps[step]["status"]

    def points(self, step):
        return self.steps[step]["points"]

    def message(self, step):
        return self.steps[step]["message"]


def grade(submission, results_dir, *extra, env=None, timeout=120, python=sys.executable):
    """Grade ``submission`` in a fresh grader process, exactly as ``make grade`` does (with the
    kit's venv, or with ``python``, another venv's interpreter)."""
    started = time.monotonic()
    proc = subprocess.run(
        [python, "-m", "grader", "--submission", str(submission), "--results", str(results_dir), *extra],
        cwd=KIT_ROOT, capture_output=True, text=True, timeout=timeout,
        env={**os.environ, "NO_COLOR": "1", "LSTM_KIT_STATE": os.path.join(results_dir, "state.json"), **(env or {})})
    seconds = time.monotonic() - started
    path = os.path.join(results_dir, "results.json")
    results = json.load(open(path)) if os.path.exists(path) else {}
    return Graded(proc.returncode, results, proc.stdout + proc.stderr, seconds)


def learner_rows(gradebook):
    """gradebook.csv's rows by learner, without the max-points row."""
    import csv

    from instructor.gradebook import MAX_ROW

    with open(gradebook, encoding="utf-8") as f:
        return {row["learner"]: row for row in csv.DictReader(f) if row["learner"] != MAX_ROW}


# CPython 3.11's ast.parse is not safe in threads (it can fail "AST constructor recursion depth
# mismatch"), and the fixtures that grade side by side build their submissions in threads.
PARSING = threading.RLock()


def function_source(path, name):
    """The source of the top-level function ``name`` in the file at ``path``."""
    text = open(path).read()
    with PARSING:
        node = next(n for n in ast.parse(text).body if isinstance(n, ast.FunctionDef) and n.name == name)
    return ast.get_source_segment(text, node)


def build_submission(folder, done=(), replace=None):
    """A submission folder: the stubs, with a passing version of each step in ``done`` (the
    reference's; for sequence.py, ``AS_TAUGHT``'s), then each ``replace[step]`` source (a
    learner's version of that function) on top.

    A later ``def`` of the same name wins, so appending a function is enough to swap it in.
    """
    folder.mkdir(parents=True, exist_ok=True)
    for name in FILES:
        shutil.copy(os.path.join(KIT_ROOT, "exercises", name), folder / name)
    replace = replace or {}
    with PARSING:
        redefined = {n.name for code in replace.values() for n in ast.parse(code).body
                     if isinstance(n, ast.FunctionDef)}
    for step in STEPS:
        source = AS_TAUGHT if step.file == "sequence.py" else os.path.join(KIT_ROOT, "solutions", step.file)
        chunks = [function_source(source, function)
                  for function in step.functions if step.name in done and function not in redefined]
        chunks += [replace[step.name]] if step.name in replace else []
        if chunks:
            with open(folder / step.file, "a") as f:
                f.write("".join("\n\n" + code.strip() + "\n" for code in chunks))
    return folder


ALL_STEPS = tuple(step.name for step in STEPS)


def pytest_configure(config):
    config.addinivalue_line("markers", "xdist_group(name): the tests that make test runs on one worker")


@pytest.hookimpl(tryfirst=True)  # before xdist's own hook reads the groups
def pytest_collection_modifyitems(items):
    """For make test's workers (pytest-xdist, --dist loadgroup): a file's tests run on one worker, so
    its module fixtures are made once, and the files that compare with the session's grades of the
    learner-style groups (group_grades) all run on one, so those grades are made once too."""
    sharing = {item.module.__name__ for item in items if "group_grades" in item.fixturenames}
    for item in items:
        module = item.module.__name__
        item.add_marker(pytest.mark.xdist_group("group_grades" if module in sharing else module))


@pytest.fixture
def report_figure(request):
    """report_figure(text): a figure a test measured, printed at the end of the run, from whichever worker ran it."""
    return lambda text: request.node.user_properties.append(("figure", text))


def pytest_terminal_summary(terminalreporter):
    figures = [f"{report.nodeid.split('::')[-1].split('@')[0]}: {value}" for reports in terminalreporter.stats.values()
               for report in reports if getattr(report, "when", None) == "call"
               for name, value in getattr(report, "user_properties", ()) if name == "figure"]
    if figures:
        terminalreporter.section("figures measured by the tests")
        for line in figures:
            terminalreporter.write_line(line)


@pytest.fixture
def grade_in(tmp_path):
    """grade_in(submission_folder, *args) -> Graded, with results in a fresh temporary folder."""
    counter = iter(range(1000))

    def run(submission, *extra, **kwargs):
        return grade(submission, tmp_path / f"results-{next(counter)}", *extra, **kwargs)
    return run


def build_wheel(source, out):
    """The kit's wheel, built by pip from ``source``: a zip as it is, or a copy of a folder (a
    checkout; pip builds in the tree it is given). Skips, with pip's reason, where it cannot."""
    copy = str(source)
    if os.path.isdir(source):
        copy = os.path.join(out, "source")
        shutil.copytree(source, copy, ignore=shutil.ignore_patterns(
            ".git", ".venv*", "build", "dist", "*.egg-info", "__pycache__", ".lstm-kit"))
    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--disable-pip-version-check", "--no-deps",
                           "-w", str(out), copy], capture_output=True, text=True, timeout=600)
    if proc.returncode != 0:
        errors = [line for line in (proc.stdout + proc.stderr).splitlines() if line.startswith("ERROR")]
        pytest.skip(f"cannot build the kit's wheel: pip wheel exited {proc.returncode}: " + " | ".join(errors[-3:]))
    return next(p for p in (os.path.join(out, n) for n in sorted(os.listdir(out))) if p.endswith(".whl"))


def install_wheel(wheel, python, target):
    """``wheel`` installed for ``python`` into the folder ``target`` alone (use it on PYTHONPATH)."""
    subprocess.run([python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-deps",
                    "--target", str(target), str(wheel)], check=True, capture_output=True, timeout=600)
    return target


@pytest.fixture(scope="session")
def group_grades(tmp_path_factory):
    """grades(kind, k) -> Graded for the k-th group of bundles.GROUPS[kind], with the kit's venv:
    each group graded once per session, two at a time, for every module that compares with it."""
    from bundles import CHANGES, GROUPS

    jobs = [(kind, k) for kind, groups in GROUPS.items() for k in range(len(groups))]

    def run(job):
        kind, k = job
        folder = tmp_path_factory.mktemp(f"{kind}-{k}")
        replace = {CHANGES[kind][case][0]: CHANGES[kind][case][1] for case in GROUPS[kind][k]}
        return grade(build_submission(folder / "submission", done=ALL_STEPS, replace=replace), folder / "results")
    with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 1)) as pool:
        results = dict(zip(jobs, pool.map(run, jobs)))
    return lambda kind, k: results[(kind, k)]
