"""Running the graded tests under the kit's pytest plugin, as a library call.

``run_pytest`` is what ``python -m grader``, ``make watch`` and the instructor tools share: it
checks the folders, then runs pytest on the test folders with the grader's own ``pytest.ini``
and ``grader.plugin.hooks`` loaded, and hands back pytest's exit code and terminal output. The
verdicts are read afterwards from the plugin's state on the ``Collector``'s config.
"""
import contextlib
import io
import os

PYTEST_INI = os.path.join(os.path.dirname(os.path.abspath(__file__)), "pytest.ini")


class GraderError(Exception):
    """The grader cannot grade (not the submission's fault): exit status 2."""


class Collector:
    """Keeps a handle on pytest's config so the verdicts can be read after the run."""

    config = None

    def pytest_configure(self, config):
        self.config = config


def run_pytest(args, collector, report_file, plugins=()):
    """Run the checks (with extra pytest ``plugins``); returns (pytest's exit code, its terminal output)."""
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
    problems = validate.folder_problems(tests)
    if problems:
        raise GraderError(problems_text(problems))
    options = ["--collect-only"] if args.check_tests else []
    options += ["--record-reference", os.path.abspath(args.record_reference)] if args.record_reference else []
    options += ["--only-step", args.step] if args.step else []
    # --tb=no: pytest would format every failure's traceback (source and all) only for the plugin
    # to replace it with the learner's message; skipping that saves ~0.15 s a failing grade.
    options.append("--tb=no")
    top = os.path.commonpath(tests)
    log = io.StringIO()  # pytest's own terminal output: shown only if the checks could not run
    try:
        with contextlib.redirect_stdout(log):
            code = pytest.main([
                # --confcutdir: no conftest.py from above the tests (a shared /tmp, say) is loaded.
                *tests, "-c", PYTEST_INI, "--rootdir", top, "--confcutdir", top,
                "-q", "-p", "grader.plugin.hooks", "-p", "no:cacheprovider", *options,
                "--submission", os.path.abspath(args.submission), "--reference", os.path.abspath(args.reference),
                "--call-timeout", str(args.call_timeout), "--time-limit", str(args.time_limit),
                "--memory-limit", str(args.memory_limit), "--protect", os.path.abspath(args.results),
                "--json-report", "--json-report-file", report_file,
            ], plugins=[collector, *plugins])
    except validate.TestFolderError as problem:
        raise GraderError(problems_text([str(problem)])) from None
    return int(code), log.getvalue()


def problems_text(problems):
    return "the tests cannot grade:\n" + "\n".join(f"  {p}" for p in problems)
