"""The grader's pytest plugin: step markers, the submission and reference fixtures, verdicts.

Loaded with ``-p grader.plugin.hooks`` by ``python -m grader``; a graded test (public or an
instructor's hidden one) is an ordinary pytest function that uses these fixtures and markers.
"""
import os
import time

import pytest
from _pytest.config import ConftestImportFailure

from grader.course.steps import BY_FUNCTION, BY_NAME, builds_on
from grader.judge import evidence
from grader.judge.checks import CheckFailed
from grader.judge.diagnosis import name_mistake, open_forms
from grader.judge.reference import MISTAKE_RECORDING, ReferenceUnavailable, digest, open_reference
from grader.plugin import validate
from grader.plugin.outcome import Outcome, step_status
from grader.sandbox.client import NotJudged, NotStarted, Submission, SubmissionError, Worker
from grader.sandbox.perturb import copied

STATE = pytest.StashKey()
GRADED = pytest.StashKey()  # a test's validate.GradedTest
EARLY_PROBLEMS = pytest.StashKey()  # found before the grading state exists: a conftest.py that does not import


class GradingState:
    def __init__(self, config):
        time_limit = config.getoption("time_limit")
        self.reference_dir = config.getoption("reference")
        tests = [os.path.abspath(a if os.path.isdir(a) else os.path.dirname(a)) for a in config.args]
        self.worker = Worker.for_grading(config.getoption("submission"), config.getoption("call_timeout"),
                                         config.getoption("memory_limit"), time_limit,
                                         [self.reference_dir, *tests, *config.getoption("protect")])
        started = config.getoption("run_started") or time.monotonic()
        self.submission = Submission(self.worker, deadline=started + time_limit)
        self.outcomes = []
        self.collected = []  # Outcome for every graded test, as "not judged" until it is
        self.record_to = config.getoption("record_reference")
        # A handout names mistakes from their outputs, recorded beside the reference's (grader.judge.mistake_outputs).
        self.record_mistakes_to = self.record_to and os.path.join(os.path.dirname(self.record_to), MISTAKE_RECORDING)
        self.checked = {}    # while recording the mistakes: digest -> (function, inputs) of every check
        self.notes = []      # lines for the report's notes, about the grader rather than the code
        self.test_folders = [str(a) for a in config.args]
        self._reference = None
        self.tests = []      # every validate.GradedTest collected, in path order
        # What makes the test folders unusable, one line each: all of them, so one pass shows every one.
        self.problems = [*config.getoption("folder_problem"), *config.stash.get(EARLY_PROBLEMS, [])]
        self.unimportable = []  # paths of test files and folders that could not be collected

    def reference(self):
        if self._reference is None:
            self._reference = open_reference(self.reference_dir, self.test_folders, self.record_to, self.stand_in)
        return self._reference

    def note_check(self, name, inputs):
        """A check's function and inputs, on which the mistakes' outputs are recorded for a handout."""
        try:
            self.checked.setdefault(digest(name, inputs), (name, tuple(copied(a) for a in inputs)))
        except TypeError:  # an input no digest can key (not a public test's seeded arrays): nothing to record
            pass

    def save_recordings(self):
        """After a --record-reference run: the reference's outputs, and the mistakes' beside them."""
        if not self.record_to or self._reference is None:  # None: no check met a reference
            return
        from grader.judge.diagnosis import LiveForms
        from grader.judge.mistake_outputs import record

        self._reference.save(self.record_to)
        record(LiveForms(self._reference.real), self.checked.values(), self.record_mistakes_to)

    def name_mistake(self, failure, message):
        """(mistake key or "", message) for a failed check; without a way to name mistakes in a
        copy that should have one (a handout whose recording is missing or damaged), a note says so."""
        named = name_mistake(failure, message, self.reference_dir, self.test_folders)
        for problem in open_forms(self.reference_dir, self.test_folders)[1]:
            note = f"Common mistakes are not named in this run: {problem}. The checks grade as usual."
            if note not in self.notes:
                self.notes.append(note)
        return named

    def stand_in(self, function):
        """Without solutions/, the learner's own ``function`` stands in for the reference on inputs
        no recording holds, once its step passes (or when this run does not grade that step)."""
        step = BY_FUNCTION[function].name
        if self.step_status(step) in ("failed", "not started"):
            raise CheckFailed(f"this check runs {function} on what your code produced, and this copy of the kit "
                              f"has no reference solution for that: it uses your own {function} once {step} "
                              f"passes, so fix {step} first")
        return getattr(self.submission, function)

    def step_status(self, step):
        """The step's status from the verdicts so far, as the steps built on it see it; None when
        none of its tests ran yet. A failed check of side effects (an input changed in place)
        leaves its values to be trusted, so it does not count here."""
        return step_status(o.status for o in self.outcomes if o.step == step and o.mistake != "mutated_input")


def pytest_addoption(parser):
    group = parser.getgroup("lstm-kit", "lstm-kit grading")
    group.addoption("--submission", default="exercises", help="folder with gates.py, cell.py, sequence.py, memory.py")
    group.addoption("--reference", default="solutions", help="folder with the reference solution")
    group.addoption("--call-timeout", type=float, default=10.0, help="seconds allowed per call")
    group.addoption("--time-limit", type=float, default=600.0,
                    help="seconds for the whole run; checks not reached by then are 'not judged'")
    group.addoption("--run-started", type=float, default=None,
                    help="time.monotonic() in this process when the run began, from which --time-limit counts "
                         "(default: when pytest is configured)")
    group.addoption("--memory-limit", type=float, default=2.0, help="address space of the worker, in GiB")
    group.addoption("--protect", action="append", default=[],
                    help="a folder the worker must not read (under root); the reference and tests always are")
    group.addoption("--record-reference", default=None,
                    help="write the reference's outputs to this .npz, and the catalogued mistakes' outputs on "
                         "every check's inputs to mistake_outputs.npz beside it")
    group.addoption("--only-step", default=None, help="run only the tests of this step")
    group.addoption("--folder-problem", action="append", default=[],
                    help="a problem with the test folders found before pytest ran (nothing is graded)")


def pytest_configure(config):
    config.addinivalue_line("markers", "step(name, points): the path step a test grades, and its points")
    config.addinivalue_line("markers", "timeout(seconds): time allowed per call into the submission")
    config.addinivalue_line("markers", "visibility(value): Gradescope visibility: visible, hidden, "
                                       "after_due_date or after_published")
    state = config.stash[STATE] = GradingState(config)
    if state.record_mistakes_to:
        state.stop_watching = evidence.watch(state.note_check)
    if not config.option.collectonly and not state.problems:
        state.worker.start()  # early: the worker imports numpy while pytest collects


def pytest_unconfigure(config):
    if STATE in config.stash:
        state = config.stash[STATE]
        state.worker.close()
        if state.record_mistakes_to:
            state.stop_watching()
        state.save_recordings()


@pytest.hookimpl(wrapper=True)
def pytest_load_initial_conftests(early_config, parser, args):
    try:
        return (yield)
    except ConftestImportFailure as failure:  # a conftest.py in a test folder that does not import
        # Noted, not raised: collection goes on, so the other folders' problems are found in the same pass.
        problem = validate.describe_exception(failure.cause, failure.path, args)
        early_config.stash.setdefault(EARLY_PROBLEMS, []).append(problem)


@pytest.hookimpl(wrapper=True)
def pytest_make_collect_report(collector):
    report = yield
    call = report.__dict__.get("call")
    if report.failed and call is not None and call.excinfo is not None:
        state = collector.config.stash[STATE]
        problem = validate.collection_problem(call.excinfo, collector, state.test_folders)
        if problem is not None and problem not in state.problems:  # a broken conftest.py is met again below it
            state.problems.append(problem)
        state.unimportable.append(str(collector.path))
        report.longrepr = problem or "not collected"  # not the traceback: it would quote the test file's source
    return report


def step_marker(item):
    """(step name, points) of a graded test, as its markers give them (see grader.plugin.validate)."""
    graded = item.stash.get(GRADED, None) or validate.graded_test(item)
    return graded.step, graded.points


@pytest.hookimpl(tryfirst=True)  # validates before any other plugin reorders or deselects tests
def pytest_collection_modifyitems(config, items):
    state = config.stash[STATE]
    for item in items:
        try:
            item.stash[GRADED] = validate.graded_test(item)
        except validate.TestFolderError as problem:
            state.problems += problem.problems
    found = [str(item.path) for item in items] + state.unimportable
    state.problems += validate.empty_folder_problems(state.test_folders, found)
    if not state.problems:
        state.tests = [item.stash[GRADED] for item in items]
    only = config.getoption("only_step")
    dropped = items if state.problems else [i for i in items if only and i.stash[GRADED].step != only]
    if dropped:
        config.hook.pytest_deselected(items=list(dropped))
        items[:] = [i for i in items if i not in dropped]
    # Path order, so a step's prerequisites are judged before it.
    items.sort(key=lambda item: BY_NAME[item.stash[GRADED].step].number)


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
    """The reference solution's functions, by name, run in the grader's own process
    (from solutions/, or replayed from the outputs recorded in a handout's test folder)."""
    return request.config.stash[STATE].reference()


def pytest_runtest_setup(item):
    submission = item.config.stash[STATE].submission
    submission.timeout = item.stash[GRADED].timeout
    submission.printed = ""
    submission.budget()  # raises NotJudged once the whole run's time is up


def _title(item):
    doc = (item.function.__doc__ or "").strip().split("\n")[0]
    return doc or item.name


def _broke(exc):
    """Whether the check itself raised, rather than judging (or being unable to judge) the code."""
    return not isinstance(exc, (NotJudged, ReferenceUnavailable, NotStarted, CheckFailed, SubmissionError,
                                AssertionError, MemoryError))


def _untouched(step, submission):
    """Whether every function of ``step`` is still the stub as handed out."""
    return all(getattr(submission, f).is_stub() for f in BY_NAME[step].functions)


def _verdict(excinfo, step, submission, problems):
    """(status, message, printed) for a test of ``step`` that raised ``excinfo``."""
    exc = excinfo.value
    if isinstance(exc, NotJudged):
        return "not judged", str(exc), ""
    if isinstance(exc, MemoryError):  # the grader's own limit (RunGuard), met while judging this check
        return "failed", "not graded: the grader ran out of its own memory while judging this check", ""
    if isinstance(exc, ReferenceUnavailable):  # the grader's own trouble, not the learner's
        if str(exc) not in problems:
            problems.append(str(exc))
        return "failed", f"not graded: {exc}", ""
    if isinstance(exc, NotStarted):
        functions = BY_NAME[step].functions
        if exc.function in functions or _untouched(step, submission):
            return "not started", f"{exc.function if exc.function in functions else step} is not written yet", exc.printed
        return "failed", f"this check needs {exc.function}, which is not written yet: write it first", exc.printed
    # What the failing call printed, read before asking the worker anything else (each request
    # starts a new printed output).
    printed = getattr(exc, "printed", submission.printed)
    if isinstance(exc, (AssertionError, SubmissionError)) and _untouched(step, submission):
        # The check failed before it reached the stub (a step this one builds on is wrong): the
        # step is still not started, whatever the steps before it do.
        return "not started", f"{step} is not written yet", printed
    if isinstance(exc, (CheckFailed, SubmissionError)):
        return "failed", str(exc), printed
    if isinstance(exc, AssertionError):
        entry = excinfo.traceback[-1]
        return "failed", str(exc).split("\n")[0] or f"assertion failed ({entry.path.name}, line {entry.lineno + 1})", ""
    return "failed", f"the check itself broke: {type(exc).__name__}: {exc}", ""


def _failing_roots(step, state):
    """The failing steps ``step`` builds on that no failing step of their own explains: for train
    on a cell with the gates in the wrong order, lstm_step_forward, not the classifier_loss between."""
    failing = [s for s in builds_on(step) if state.step_status(s) in ("failed", "not started")]
    return [s for s in failing if not set(builds_on(s)) & set(failing)]


def _with_blockers(message, step, exc, state):
    """``message`` with the failing steps this one builds on: first, as the likely cause, unless
    the error was raised on a line of this step's own function, which then leads."""
    blockers = _failing_roots(step, state)
    if not blockers:
        return message
    named = " and ".join(blockers)
    if getattr(exc, "raised_in", None) in BY_NAME[step].functions:
        return f"{message} (also failing: {named}, which this step builds on)"
    return f"fix {named} first (this step builds on it). {message}"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "teardown" and report.failed:
        report.longrepr = f"teardown failed: {type(call.excinfo.value).__name__}"  # no source, as below
    if report.when == "call" or (report.when == "setup" and not report.passed):
        state = item.config.stash[STATE]
        graded = item.stash[GRADED]
        step, points = graded.step, graded.points
        status, message, printed = ("passed", "", "") if report.passed else \
            _verdict(call.excinfo, step, state.submission, state.problems)
        broke = not report.passed and _broke(call.excinfo.value)
        detail = validate.describe_exception(call.excinfo.value, str(item.path), state.test_folders) if broke \
            else message
        mistake = ""
        if status == "failed":
            mistake, message = state.name_mistake(call.excinfo.value, message)
            message = _with_blockers(message, step, call.excinfo.value, state)
        outcome = Outcome(item.nodeid, _title(item), step, points, status, message, printed, mistake,
                          graded.visibility, detail, broke)
        if status != "passed":
            # The learner's message (as the Outcome cleaned it), never the test's source or traceback.
            report.longrepr = outcome.message
        state.outcomes.append(outcome)
    return report
