"""``python -m demo``: train on the pronoun task, then show the gates, the bucket brigade, and
accuracy against distance for a plain RNN and the LSTM."""
import os

from grader.kit import EXERCISES, use_one_blas_thread

use_one_blas_thread()  # before numpy loads: these sizes run faster on one thread

import argparse  # noqa: E402
import sys  # noqa: E402

from demo import terminal  # noqa: E402
from demo.experiment import Settings, run  # noqa: E402
from demo.models import NothingToRun, choose_folder, failure, folder_label, load_code, stopped_in  # noqa: E402


def _listed(ks):
    return ",".join(map(str, ks))


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="python -m demo", description=__doc__)
    parser.add_argument("--submission", default=EXERCISES,
                        help="folder with your code; used once every step passes (default: exercises/)")
    parser.add_argument("--reference", action="store_true", help="run the reference solution, whatever the grade")
    parser.add_argument("--png", metavar="DIR", help="also write the pictures as PNG files (needs matplotlib)")
    parser.add_argument("--hidden", type=int, default=Settings.hidden, help=f"hidden size H (default: {Settings.hidden})")
    parser.add_argument("--steps", type=int, default=Settings.steps,
                        help=f"training steps per model (default: {Settings.steps})")
    parser.add_argument("--distances", default=_listed(Settings.distances),
                        help="distances k for accuracy against distance; a model is trained at each "
                             f"(default: {_listed(Settings.distances)})")
    parser.add_argument("--reach", default=_listed(Settings.reach),
                        help=f"distances k for the gradient that reaches the first word (default: {_listed(Settings.reach)})")
    args = parser.parse_args(argv)
    try:
        distances, reach = ([int(k) for k in text.split(",")] for text in (args.distances, args.reach))
    except ValueError:
        parser.error("--distances and --reach take whole numbers separated by commas, like 10,20,30")
    try:
        args.settings = Settings(args.hidden, args.steps, distances, reach)
    except ValueError:
        parser.error("--hidden, --steps, --distances and --reach must be 1 or more")
    if not os.path.isdir(args.submission):
        parser.error(f"no submission folder at {args.submission}")
    if args.png:
        from demo.figures import check_matplotlib
        problem = check_matplotlib()
        if problem:
            parser.error(problem)
    return args


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    view = terminal.View()
    try:
        folder, whose = choose_folder(args.submission, args.reference)
    except NothingToRun as exc:
        raise SystemExit(f"demo: {exc}") from None
    view.intro(whose)
    try:
        results = run(load_code(folder), args.settings, view)
    except Exception as exc:  # the learner's code passed the grader yet failed here: say where, briefly
        print(f"demo: {stopped_in(folder_label(folder), failure(exc))}", file=sys.stderr)
        return 1
    view.show(results)
    if args.png:
        from demo.figures import write_figures
        for path in write_figures(args.png, results):
            view.note(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
