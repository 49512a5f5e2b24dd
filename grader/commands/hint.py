"""``python -m grader hint`` (``make hint``): the next hint you have not seen for your current step.

The current step is the first one not passing, as of the last grade; if a submission file has
changed since, the submission is graded again first (quietly). ``--step NAME`` asks about
another step. Seen hints are remembered in the kit's state file (``grader.commands.progress``).
"""
import argparse
import contextlib
import io
import os
import shutil
import sys
import textwrap

from grader.commands import progress
from grader.course.hints import load_hints
from grader.course.steps import BY_FUNCTION, BY_NAME, STEPS, functions_text
from grader.kit import EXERCISES


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="python -m grader hint",
                                     description="Show the next hint for the current step.")
    parser.add_argument("--submission", default=EXERCISES,
                        help="the folder you are working in (default: exercises/)")
    parser.add_argument("--tests", help="test folder(s) for finding the current step (default: tests/steps/)")
    parser.add_argument("--results", help="where a grade run for that writes its files (default: build/)")
    parser.add_argument("--step", help="a step's name, for a hint on another step than the current one")
    return parser.parse_args(argv)


class CannotGrade(Exception):
    pass


def current_step(submission, tests=None, results=None):
    """The first step not passing, grading the submission again if it changed since the last grade."""
    last = progress.last_grade(submission)
    if last is None or not last[1]:
        from grader.commands.grade import main as grade
        with contextlib.redirect_stdout(io.StringIO()):
            grade(["--submission", submission, *(["--tests", tests] if tests else []),
                   *(["--results", results] if results else [])], report=False)
        last = progress.last_grade(submission)
        if last is None:
            raise CannotGrade("could not grade the submission to find your current step: run `make grade` "
                              "to see why, or ask for a step with `make hint STEP=name`")
    return last[0]


def _wrap(text, first="  ", rest="  "):
    width = min(shutil.get_terminal_size((100, 24)).columns, 100)
    return textwrap.fill(text, width=width, initial_indent=first, subsequent_indent=rest)


def hint_text(submission, step, again_command, place=None):
    """The lines to show for ``step``, marking the hint shown as seen (``place``: where the
    learner writes it, when that is not the submission folder's file)."""
    texts = load_hints().get(step) or []
    place = place or f"{os.path.relpath(os.path.abspath(submission))}/{BY_NAME[step].file}"
    where = f"{functions_text(BY_NAME[step])} in {place}"
    if not texts:
        return [f"There are no hints for {where}."]
    if progress.seen(submission, step) >= len(texts):
        lines = [f"You have seen all {len(texts)} hints for {where}:"]
        lines += [_wrap(text, f"  {k}. ", "     ") for k, text in enumerate(texts, 1)]
        return lines + ["docs/math.md walks through the math of every step, forward and backward."]
    k = progress.reveal_next(submission, step, len(texts))
    lines = [f"Hint {k} of {len(texts)} for {where}:", _wrap(texts[k - 1])]
    if k < len(texts):
        return lines + [f"Still stuck? `{again_command}` again shows hint {k + 1}."]
    return lines + ["That was the last hint for this step; docs/math.md walks through its math."]


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if not os.path.isdir(args.submission):
        print(f"hint: no submission folder at {args.submission}", file=sys.stderr)
        return 2
    if args.step in BY_FUNCTION and args.step not in BY_NAME:
        args.step = BY_FUNCTION[args.step].name  # a function's name stands for its step
    if args.step is not None and args.step not in BY_NAME:
        print(f"hint: no step named {args.step!r}; the steps are {', '.join(s.name for s in STEPS)}",
              file=sys.stderr)
        return 2
    try:
        step = args.step or current_step(args.submission, args.tests, args.results)
    except CannotGrade as exc:
        print(f"hint: {exc}", file=sys.stderr)
        return 2
    if step is None:
        print("All steps pass: there is nothing left to hint. Well done!")
        return 0
    again = f"make hint STEP={step}" if args.step else "make hint"
    print("\n".join(hint_text(args.submission, step, again)))
    return 0

