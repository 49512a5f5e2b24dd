"""``python -m grader`` (``make grade``): grade a submission folder (or a Jupyter notebook) and report.

Exit status: 0 at full marks, 1 below, 2 when the grader itself could not run.
"""
import argparse
import os
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass

from grader.kit import BUILD, EXERCISES, PUBLIC_TESTS, SOLUTIONS
from grader.plugin.session import Collector, GraderError, problems_text, run_pytest

# GiB the grader's own process may add to its address space in a run: the judge holds a few
# replies of at most 64 MiB each, and the reference's work is small.
GRADER_MEMORY = 4.0


def parse_args(argv):
    parser = argparse.ArgumentParser(
        prog="python -m grader", description="Grade an lstm-kit submission.",
        epilog="Other commands: `python -m grader hint` shows the next hint for your current step (make hint), "
               "`python -m grader watch` grades again on every save (make watch); each takes --help.")
    parser.add_argument("--submission", default=EXERCISES,
                        help="folder holding gates.py, cell.py, sequence.py and memory.py, or a Jupyter notebook "
                             "(.ipynb) defining their functions (default: exercises/)")
    parser.add_argument("--tests", default=PUBLIC_TESTS,
                        help="test folder(s) to run, separated by ':' (default: tests/steps/)")
    parser.add_argument("--reference", default=SOLUTIONS,
                        help="folder with the reference solution (default: solutions/; without it, "
                             "the outputs recorded in the test folders' reference_outputs.npz)")
    parser.add_argument("--results", default=BUILD,
                        help="where results.json and report.json go (default: build/)")
    parser.add_argument("--call-timeout", type=float, default=10.0,
                        help="seconds allowed for one call into the submission (default: 10)")
    parser.add_argument("--time-limit", type=float, default=600.0,
                        help="seconds for the whole run (default: 600); checks not reached by then are "
                             "reported as not judged")
    parser.add_argument("--memory-limit", type=float, default=2.0,
                        help="address space allowed to the submission's process, in GiB (default: 2)")
    parser.add_argument("--grader-memory-limit", type=float, default=GRADER_MEMORY,
                        help=f"address space the grader's own process may add while it grades, in GiB "
                             f"(default: {GRADER_MEMORY:g}; 0: no limit); a run that reaches it still writes "
                             f"results.json")
    instructor = parser.add_argument_group("for instructors")
    instructor.add_argument("--step", metavar="NAME",
                            help="grade only this step; exit 0 if it passes, 1 if not")
    instructor.add_argument("--check-tests", action="store_true",
                            help="validate the test folders, list their points, and grade the reference with them "
                                 "(a test it does not pass is wrong); no submission is graded")
    instructor.add_argument("--max-score", type=float, metavar="POINTS",
                            help="with --check-tests or a grade: the tests' points must add up to this")
    instructor.add_argument("--note", action="append", default=[], metavar="TEXT",
                            help="a line for the report's notes and results.json (the instructor tools pass "
                                 "what they found in an upload); may be repeated")
    instructor.add_argument("--markdown", metavar="FILE",
                            help="also append the report in Markdown to FILE (a CI job's summary: "
                                 "--markdown \"$GITHUB_STEP_SUMMARY\"); it shows the visible checks only")
    instructor.add_argument("--record-reference", metavar="FILE.npz",
                            help="record the reference's outputs for a handout (needs solutions/)")
    return parser.parse_args(argv)


def check_on_reference(args, tests, time_limit):
    """``--check-tests`` grades the reference solution too: a test it does not pass is wrong."""
    from grader.plugin.session import ON_THE_REFERENCE, failures_on_the_reference

    failures = failures_on_the_reference(args, tests, time_limit)
    if failures is None:
        print(f"No reference solution at {os.path.relpath(args.reference)}: the tests were not run on one.")
    elif failures:
        raise GraderError(problems_text(failures, ON_THE_REFERENCE))
    else:
        print(f"The reference solution ({os.path.relpath(args.reference)}) passes every test.")


def staged_submission(args):
    """What ``--submission`` grades: a folder whose files are at its top, as it is; else what
    make grade-all and Gradescope stage from it (grader.sandbox.staging: the learner's copy of the
    files wherever it sits, a zip unpacked, a notebook's files written out by parsing, never
    running it), in a folder of its own. Returns (that folder or None, the label the report uses,
    the notes to report: what staging found, and any package graded in place of a file)."""
    from grader.sandbox.staging import choose, notebooks_in, package_notes, stage

    path, label = args.submission, os.path.relpath(os.path.abspath(args.submission))
    if os.path.isdir(path):
        choice = choose(path)
        if choice.direct() and (choice.folder or not notebooks_in(path)):
            return None, label, package_notes(path)
        if choice.folder:
            label = os.path.relpath(choice.folder)  # where the next step's file is
    elif not os.path.isfile(path):
        return None, label, []  # nothing there: the grader says so
    folder = tempfile.mkdtemp(prefix="lstm-kit-staged-")
    staged = stage(path, folder)
    text = staged.describe()
    if staged.notebook:
        named = "; messages name those files" if staged.found else ""
        said = [] if staged.error else [f"{text[0].upper()}{text[1:]}{named}."]
    else:
        said = [f"{text[0].upper()}{text[1:]}."] if staged.missing else []
    return folder, label, said + staged.notes + package_notes(folder)


def main(argv=None, plugins=(), report=True):
    """Grade as ``argv`` says; returns the exit status. ``report=False`` grades without showing the
    report, for a command that only needs the result (the report's hint would count as seen)."""
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        folder, label, staged_notes = staged_submission(args)
    except Exception as exc:  # a zip that cannot be unpacked, an unreadable folder
        from grader.sandbox.staging import unreadable
        print(f"grader: {args.submission} could not be read: {unreadable(exc)}", file=sys.stderr)
        return 2
    try:
        return grade(args, label, [*args.note, *staged_notes], folder or args.submission, plugins, report)
    finally:
        if folder:
            shutil.rmtree(folder, ignore_errors=True)


@dataclass
class Graded:
    """What one grading run found: the step results, the notes, and the run's exit status."""
    results: list
    notes: list
    status: int  # 0 at full marks, 1 below, 2 when the grader itself could not run
    submission: str  # what was asked for: a folder, or the notebook a folder was written from


def grade(args, label, staged_notes, folder, plugins, report=True):
    """One grading run of ``folder`` (the submission, or what a notebook was written to), reported
    unless ``report`` is false."""
    graded = run_grade(args, staged_notes, folder, plugins)
    # The grade stands (results.json is written) even when the Markdown asked for cannot be: exit status 2.
    written = not args.markdown or args.check_tests or append_markdown(args.markdown, args.results)
    if isinstance(graded, int) or not report:  # --check-tests or the grader could not run (already said), or no report
        status = graded if isinstance(graded, int) else graded.status
        return status if written else 2
    from grader.commands.progress import report_hints
    from grader.course.hints import load_hints
    from grader.outputs.report import TERMINAL, render

    hints = report_hints(graded.submission, graded.results, load_hints(), TERMINAL.hint)
    render(graded.results, label, hints, graded.notes)
    return graded.status if written else 2


def append_markdown(path, results_dir):
    """The report in Markdown, from the results.json just written, at the end of ``path``; False
    when it cannot be written there (said on stderr)."""
    import json

    from grader.outputs.markdown import report_markdown

    results = os.path.join(results_dir, "results.json")
    if not os.path.exists(results):
        return True  # the grader could not run: it said why on stderr, and its exit status says so
    with open(results) as f:
        text = report_markdown(json.load(f))
    try:
        with open(path, "a", encoding="utf-8") as f:
            f.write(text)
    except OSError as exc:
        print(f"grader: cannot write the Markdown report to {path}: {exc.strerror}", file=sys.stderr)
        return False
    return True


def run_grade(args, staged_notes, folder, plugins=()):
    """Grade ``folder`` as ``args`` say; Graded, or an exit status when there is nothing to report."""
    submission, args.submission = args.submission, folder

    from grader.commands.progress import fingerprint, record_grade
    from grader.outputs.guard import RunGuard
    from grader.sandbox.limits import GiB

    collector = Collector()
    guard = RunGuard(args.results, args.time_limit, collector, memory=int(args.grader_memory_limit * GiB))
    try:
        guard.clear()
    except OSError as exc:
        print(f"grader: cannot write results to {args.results}: {exc.strerror}", file=sys.stderr)
        return 2
    files = fingerprint(submission)  # before grading: a save during the run makes it stale
    with guard:
        try:
            code, log = run_pytest(args, collector, guard.report_draft, plugins, started=guard.started)
            state = guard.state()
            if state is None:
                raise GraderError(f"pytest could not start (exit status {code}):\n{log.strip()[-3000:]}")
            if not state.problems:
                from grader.plugin import validate
                state.problems += validate.total_problems(state.tests, args.max_score)
            if args.step and not state.problems and not any(t.step == args.step for t in state.tests):
                raise GraderError(f"no test grades the step {args.step}")
            if args.check_tests or (state.problems and not state.outcomes):
                if state.problems:
                    raise GraderError(problems_text(state.problems))
                from grader.outputs.points import render_catalog
                render_catalog(state.tests, sys.stdout)
                if args.check_tests:
                    state.collected = []  # listed, not graded: no test is "not judged"
                    check_on_reference(args, state.tests, args.time_limit - (time.monotonic() - guard.started))
                return 0
        except GraderError as exc:
            print(f"grader: {exc}", file=sys.stderr)
            guard.finish([*staged_notes, f"Not graded: {exc}"])
            return 2
        except BaseException as exc:  # pytest itself died: still write what was judged
            code, log, state = 3, f"{type(exc).__name__}: {exc}", guard.state()
        notes = [problems_text(state.problems)] if state is not None and state.problems else []
        if code not in (0, 1) and not notes:  # pytest's own trouble: usage error, internal error
            # Its log stays in the terminal: it can quote test code, which results.json must not show.
            notes.append(f"The checks could not all run (pytest exit status {code}).")
            print(log.strip()[-3000:], file=sys.stderr)
        results, notes = guard.finish([*staged_notes, *notes])
        unavailable = state is not None and state.worker.failure
        problems = state is None or bool(state.problems)

    from grader.outputs.results import score

    got, total = score(results)
    if results and code in (0, 1) and not problems and not args.step:  # a whole grade, not one step
        record_grade(submission, results, files)
    if code not in (0, 1) or not results or unavailable or problems:
        status = 2
    elif args.step:
        status = 0 if results[0].status == "passed" else 1
    else:
        status = 0 if got == total else 1
    return Graded(results, notes, status, submission)
