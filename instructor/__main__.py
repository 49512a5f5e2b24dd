"""``python -m instructor COMMAND [options]``: the instructors' tools (``make handout`` and friends).

    handout      dist/handout/ and its zip: stubs, grader, public tests, recorded reference outputs
    gradescope   dist/autograder.zip for a Gradescope programming assignment
    grade-all    grade a whole class into a gradebook with per-step statistics
    classroom50  dist/classroom50/<slug>/, an autograder bundle for Classroom 50
    prairielearn dist/prairielearn/<question>/, an externally graded PrairieLearn question
    notebook     notebooks/lstm_kit.ipynb, the learner's notebook, from the stubs

Each tool lives in its own module of this package; this one only picks it.
"""
import sys

from grader.kit import use_one_blas_thread

COMMANDS = {"handout": "handout", "gradescope": "gradescope", "grade-all": "grade_all", "classroom50": "classroom50",
            "prairielearn": "prairielearn", "notebook": "notebook"}


def main(argv):
    if not argv or argv[0] not in COMMANDS:
        said = f"no instructor command named {argv[0]!r}\n" if argv else ""
        print(f"{said}usage: python -m instructor {{{','.join(COMMANDS)}}} [options]\n{__doc__}", file=sys.stderr)
        return 2
    use_one_blas_thread()
    import importlib
    return importlib.import_module(f"instructor.{COMMANDS[argv[0]]}").main(argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
