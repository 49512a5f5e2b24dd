"""The grader's pytest plugin: step markers, the submission and reference fixtures, verdicts.

Loaded with ``-p grader.plugin`` by ``python -m grader``; a graded test (public or an
instructor's hidden one) is an ordinary pytest function that uses these fixtures and markers.
"""
import importlib
import os
import sys
import time
import types
from dataclasses import dataclass

import pytest

from grader.checks import CheckFailed
from grader.diagnosis import name_mistake
from grader.limits import GiB, Limits
from grader.steps import BY_NAME, STEPS
from grader.submission import NotJudged, NotStarted, Submission, SubmissionError, Worker

STATE = pytest.StashKey()


@dataclass
class Outcome:
    """The verdict on one graded test."""
    nodeid: str
    name: str
    step: str
    points: float
    status: str         # "passed", "failed", "not started" or "not judged"
    message: str = ""
    printed: str = ""
    mistake: str = ""   # the catalogued mistake the failure was recognised as (grader.mistakes)


class GradingState:
    def __init__(self, config):
        time_limit = config.getoption("time_limit")
        self.reference_dir = config.getoption("reference")
        tests = [os.path.abspath(a if os.path.isdir(a) else os.path.dirname(a)) for a in config.args]
        limits = Limits(memory=int(config.getoption("memory_limit") * GiB), cpu_seconds=int(time_limit) + 1)
        self.worker = Worker(config.getoption("submission"), config.getoption("call_timeout"), limits,
                             protect=[self.reference_dir, *tests, *config.getoption("protect")])
        self.submission = Submission(self.worker, deadline=time.monotonic() + time_limit)
        self.outcomes = []
        self.collected = []  # Outcome for every graded test, as "not judged" until it is

    def step_status(self, step):
        statuses = {o.status for o in self.outcomes if o.step == step}
        if not statuses:
            return "not graded"
        return "passed" if statuses == {"passed"} else "not started" if statuses == {"not started"} else "failed"


def pytest_addoption(parser):
    group = parser.getgroup("lstm-kit", "lstm-kit grading")
    group.addoption("--submission", default="exercises", help="folder with gates.py, cell.py, sequence.py, memory.py")
    group.addoption("--reference", default="solutions", help="folder with the reference solution")
    group.addoption("--call-timeout", type=float, default=10.0, help="seconds allowed per call")
    group.addoption("--time-limit", type=float, default=600.0,
                    help="seconds for the whole run; checks not reached by then are 'not judged'")
    group.addoption("--memory-limit", type=float, default=2.0, help="address space of the worker, in GiB")
    group.addoption("--protect", action="append", default=[],
                    help="a folder the worker must not read (under root); the reference and tests always are")


def pytest_configure(config):
    config.addinivalue_line("markers", "step(name, points): the path step a test grades, and its points")
    config.addinivalue_line("markers", "timeout(seconds): time allowed per call into the submission")
    state = config.stash[STATE] = GradingState(config)
    state.worker.start()  # early: the worker imports numpy while pytest collects


def pytest_unconfigure(config):
    if STATE in config.stash:
        config.stash[STATE].worker.close()


def step_marker(item):
    marker = item.get_closest_marker("step")
    if marker is None:
        raise pytest.UsageError(f"{item.nodeid}: a graded test needs @pytest.mark.step(name, points=...)")
    name = marker.args[0] if marker.args else marker.kwargs.get("name")
    if name not in BY_NAME:
        raise pytest.UsageError(f"{item.nodeid}: unknown step {name!r}; the steps are "
                                f"{', '.join(s.name for s in STEPS)}")
    return name, float(marker.kwargs.get("points", marker.args[1] if len(marker.args) > 1 else 0))


def pytest_collection_modifyitems(config, items):
    # Path order, so a step's prerequisites are judged before it.
    items.sort(key=lambda item: BY_NAME[step_marker(item)[0]].number)


def pytest_collection_finish(session):
    # Every test that is to run, so a run that stops early can still list the ones it did not.
    session.config.stash[STATE].collected = [
        Outcome(item.nodeid, _title(item), *step_marker(item), "not judged",
                "not judged: the run ended before this check") for item in session.items]


@pytest.fixture(scope="session")
def submission(request):
    """The submission's functions, called in the worker: ``submission.forget_gate(...)``."""
    return request.config.stash[STATE].submission


@pytest.fixture(scope="session")
def reference(request):
    """The reference solution's functions, by name, run in the grader's own process."""
    sys.path.insert(0, request.config.stash[STATE].reference_dir)
    try:
        modules = {f: importlib.import_module(f[:-3]) for f in dict.fromkeys(s.file for s in STEPS)}
    finally:
        sys.path.pop(0)
    return types.SimpleNamespace(**{f: getattr(modules[s.file], f) for s in STEPS for f in s.functions})


def pytest_runtest_setup(item):
    marker = item.get_closest_marker("timeout")
    submission = item.config.stash[STATE].submission
    submission.timeout = float(marker.args[0]) if marker else None
    submission.printed = ""
    submission.budget()  # raises NotJudged once the whole run's time is up


def _title(item):
    doc = (item.function.__doc__ or "").strip().split("\n")[0]
    return doc or item.name


def _verdict(excinfo, step, submission):
    """(status, message, printed) for a test of ``step`` that raised ``excinfo``."""
    exc = excinfo.value
    if isinstance(exc, NotJudged):
        return "not judged", str(exc), ""
    if isinstance(exc, NotStarted):
        functions = BY_NAME[step].functions
        if exc.function in functions or all(getattr(submission, f).is_stub() for f in functions):
            return "not started", f"{exc.function if exc.function in functions else step} is not written yet", exc.printed
        return "failed", f"this check needs {exc.function}, which is not written yet: write it first", exc.printed
    if isinstance(exc, (CheckFailed, SubmissionError)):
        return "failed", str(exc), getattr(exc, "printed", submission.printed)
    if isinstance(exc, AssertionError):
        entry = excinfo.traceback[-1]
        return "failed", str(exc).split("\n")[0] or f"assertion failed ({entry.path.name}, line {entry.lineno + 1})", ""
    return "failed", f"the check itself broke: {type(exc).__name__}: {exc}", ""


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call" or (report.when == "setup" and not report.passed):
        state = item.config.stash[STATE]
        step, points = step_marker(item)
        status, message, printed = ("passed", "", "") if report.passed else _verdict(call.excinfo, step, state.submission)
        mistake = ""
        if status == "failed":
            mistake, message = name_mistake(call.excinfo.value, message, state.reference_dir)
            blockers = [r for r in BY_NAME[step].requires if state.step_status(r) in ("failed", "not started")]
            if blockers:
                message = f"fix {' and '.join(blockers)} first (this step builds on it). {message}"
        if status != "passed":
            report.longrepr = message  # the learner's message, never the test's source or traceback
        state.outcomes.append(Outcome(item.nodeid, _title(item), step, points, status, message, printed, mistake))
    return report
