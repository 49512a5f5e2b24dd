"""``python -m grader [hint | watch] [options]``: the learner's commands.

``python -m grader`` grades (``make grade``), ``python -m grader hint`` shows the next hint
(``make hint``), ``python -m grader watch`` grades on every save (``make watch``). Each
command lives in ``grader.commands``; this module only picks one.
"""
import sys

from grader.kit import use_one_blas_thread

COMMANDS = ("hint", "watch")


def main(argv):
    use_one_blas_thread()  # before anything imports numpy
    if argv and argv[0] in COMMANDS:
        name, argv = argv[0], argv[1:]
    else:
        name = "grade"
    if name == "hint":
        from grader.commands.hint import main as command
    elif name == "watch":
        from grader.commands.watch import main as command
    else:
        from grader.commands.grade import main as command
    return command(argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
