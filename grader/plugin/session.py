"""Running the graded tests under the kit's pytest plugin, as a library call.

``run_pytest`` is what ``python -m grader``, ``make watch`` and the instructor tools share: it
checks the folders, then runs pytest on the test folders with the grader's own ``pytest.ini``
and ``grader.plugin.hooks`` loaded, and hands back pytest's exit code and terminal output. The
verdicts are read afterwards from the plugin's state on the ``Collector``'s config.
"""
import argparse
import contextlib
import io
import os
import tempfile

# pytest's own plugins that grading never uses (nor a graded test: fixtures such as tmp_path,
# monkeypatch and capsys stay); each costs set-up time in every run, 0.05 s for these together.
UNUSED = ("doctest", "junitxml", "pastebin", "stepwise", "setuponly", "setupplan")
PYTEST_INI = os.path.join(os.path.dirname(os.path.abspath(__file__)), "pytest.ini")


class GraderError(Exception):
    """The grader cannot grade (not the submission's fault): exit status 2."""


class Collector:
    """Keeps a handle on pytest's config so the verdicts can be read after the run."""

    config = None

    def pytest_configure(self, config):
        self.config = config


def run_pytest(args, collector, report_file, plugins=(), started=None):
    """Run the checks (with extra pytest ``plugins``); returns (pytest's exit code, its terminal output).

    ``started`` is time.monotonic() when the run began (a RunGuard's): the time limit counts from
    then, not from when pytest is ready, so the checks stop before the guard's watchdog, whose
    grace would otherwise go on pytest's start-up on a loaded machine."""
    import pytest

    from grader.course.steps import BY_NAME
    from grader.plugin import validate

    tests = [os.path.abspath(t) for t in args.tests.split(":") if t]
    missing = [t for t in tests if not os.path.isdir(t)]
    if missing:
        raise GraderError(f"no test folder at {', '.join(missing)}")
    if not os.path.isdir(args.submission) and not args.check_tests:
        raise GraderError(f"no submission folder at {args.submission}")
    if args.step and args.step not in BY_NAME:
        raise GraderError(f"no step named {args.step!r}; the steps are {', '.join(BY_NAME)}")
    # Problems with the folders themselves still let pytest collect, so that every other problem
    # is found in the same pass; nothing is graded.
    problems = validate.folder_problems(tests)
    options = ["--collect-only"] if args.check_tests or problems else []
    options += [f"--folder-problem={problem}" for problem in problems]
    options += ["--record-reference", os.path.abspath(args.record_reference)] if args.record_reference else []
    options += ["--only-step", args.step] if args.step else []
    # --tb=no: pytest would format every failure's traceback (source and all) only for the plugin
    # to replace it with the learner's message; skipping that saves ~0.15 s a failing grade.
    options.append("--tb=no")
    options += ["--run-started", repr(started)] if started is not None else []
    top = os.path.commonpath(tests)
    log = io.StringIO()  # pytest's own terminal output: shown only if the checks could not run
    try:
        with contextlib.redirect_stdout(log), _only_named_plugins():
            code = pytest.main([
                # --confcutdir: no conftest.py from above the tests (a shared /tmp, say) is loaded.
                *tests, "-c", PYTEST_INI, "--rootdir", top, "--confcutdir", top,
                "-q", "-p", "grader.plugin.hooks", "-p", "no:cacheprovider",
                # Its clean-up runs five full garbage collections a run (0.2 s in a notebook's kernel),
                # to report exceptions no graded test can raise: the learner's code runs in the worker.
                "-p", "no:unraisableexception", *[arg for name in UNUSED for arg in ("-p", f"no:{name}")],
                "-p", "pytest_jsonreport.plugin", *options,
                "--submission", os.path.abspath(args.submission), "--reference", os.path.abspath(args.reference),
                "--call-timeout", str(args.call_timeout), "--time-limit", str(args.time_limit),
                "--memory-limit", str(args.memory_limit), "--protect", os.path.abspath(args.results),
                "--json-report", "--json-report-file", report_file,
            ], plugins=[collector, *plugins])
    except validate.TestFolderError as problem:
        raise GraderError(problems_text([str(problem)])) from None
    return int(code), log.getvalue()


@contextlib.contextmanager
def _only_named_plugins():
    """No pytest plugin but those named on the command line: an environment's own (a notebook's
    kernel may have dozens) would change how grading runs, and loading them takes time."""
    before = os.environ.get(AUTOLOAD)
    os.environ[AUTOLOAD] = "1"
    try:
        yield
    finally:
        if before is None:
            del os.environ[AUTOLOAD]
        else:
            os.environ[AUTOLOAD] = before


AUTOLOAD = "PYTEST_DISABLE_PLUGIN_AUTOLOAD"


def problems_text(problems, heading="the tests cannot grade:"):
    return heading + "\n" + "\n".join(f"  {p}" for p in problems)


ON_THE_REFERENCE = "these tests do not pass on the reference solution, so they would grade learners wrongly:"


def failures_on_the_reference(args, tests, time_limit):
    """Grade the reference solution with the tests: one line for the tests' author for every
    test in ``tests`` (validate.GradedTest) that it does not pass, or None without a reference."""
    if not os.path.isdir(args.reference):
        return None
    from grader.plugin.hooks import STATE

    on_reference = argparse.Namespace(**{**vars(args), "submission": args.reference, "check_tests": False,
                                         "step": None, "record_reference": None, "time_limit": time_limit})
    collector = Collector()
    with tempfile.TemporaryDirectory(prefix="lstm-kit-check-") as scratch:
        code, log = run_pytest(on_reference, collector, os.path.join(scratch, "report.json"))
    state = collector.config.stash.get(STATE, None) if collector.config is not None else None
    if state is None:
        raise GraderError(f"pytest could not start on the reference solution (exit status {code}):\n"
                          f"{log.strip()[-3000:]}")
    if state.worker.failure:
        raise GraderError(f"the reference solution could not be graded: {state.worker.failure}")
    judged = {o.nodeid: o for o in state.outcomes}
    by_id = {test.nodeid: test for test in tests}
    return [*state.problems, *(_on_reference(judged.get(o.nodeid, o), by_id.get(o.nodeid))
                               for o in state.collected if judged.get(o.nodeid, o).status != "passed")]


def _on_reference(outcome, test):
    """What went wrong with one test on the reference solution, said to the test's author."""
    from grader.plugin.validate import where

    place = where(test.path, test.line) if test else outcome.nodeid
    name = outcome.nodeid.split("::", 1)[-1]
    if outcome.broke:
        return f"{place}: {name} breaks when it grades the reference solution: {outcome.detail}"
    if outcome.status == "failed":
        return (f'{place}: the reference solution fails {name}, so the test is wrong. It says ("yours" is the '
                f"reference's): {outcome.detail}")
    return f"{place}: {name} is {outcome.status} on the reference solution: {outcome.message}"
