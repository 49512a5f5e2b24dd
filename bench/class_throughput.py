"""How fast ``make grade-all`` grades a class, beside the time of one single grade.

A generated class of a third complete, a third partial and a third broken submissions (syntax
errors, realistic mistakes, crashes at import) is graded the way ``make grade-all`` does it,
in parallel across the machine's cores. Target: at least 100 submissions a minute.

Per-submission overhead is what batching costs beyond grading each submission alone: the batch's
wall time per submission minus the ideal, the submissions' single grade times spread evenly over
the cores (negative when running more grades than cores wins back a grade's idle time).
"""
import os
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time

from grader.kit import KIT_ROOT

sys.path.insert(0, os.path.join(KIT_ROOT, "tests", "kit"))  # the kit tests' submission builders

from instructor.grade_all import DEFAULT_JOBS, grade_class  # noqa: E402

from conftest import ALL_STEPS, build_submission  # noqa: E402
from mistakes import MISTAKES  # noqa: E402

PER_KIND = 30
TARGET = 100  # submissions a minute


def broken(folder, k):
    """A broken submission; the kind of breakage cycles with k."""
    names = sorted(MISTAKES)
    kind = k % 3
    if kind == 0:  # a realistic mistake in one step, the rest complete
        step, _, source = MISTAKES[names[k % len(names)]]
        return build_submission(folder, done=ALL_STEPS, replace={step: source})
    build_submission(folder, done=ALL_STEPS[:6])
    if kind == 1:  # a syntax error that stops gates.py from importing
        with open(folder / "gates.py", "a") as f:
            f.write("\ndef unfinished(:\n")
    else:  # an exception at import time in cell.py
        with open(folder / "cell.py", "a") as f:
            f.write("\nraise RuntimeError('half-written')\n")
    return folder


def make_class(root):
    kinds = {}
    for k in range(PER_KIND):
        kinds[build_submission(root / f"complete-{k:02}", done=ALL_STEPS)] = "complete"
        kinds[build_submission(root / f"partial-{k:02}", done=ALL_STEPS[:1 + k % (len(ALL_STEPS) - 1)])] = "partial"
        kinds[broken(root / f"broken-{k:02}", k)] = "broken"
    return kinds


def single_grade_seconds(folder, results, runs=3):
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "grader", "--submission", str(folder), "--results", results],
                       cwd=KIT_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       env={**os.environ, "NO_COLOR": "1"})
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main():
    jobs, cores = DEFAULT_JOBS, os.cpu_count() or 1
    with tempfile.TemporaryDirectory() as tmp:
        root = pathlib.Path(tmp) / "class"
        kinds = make_class(root)
        # One single grade per kind stands for its kind; partial ones vary, so take a middle one.
        samples = {kind: next(f for f, k in kinds.items() if k == kind and (kind != "partial" or "-05" in f.name))
                   for kind in ("complete", "partial", "broken")}
        single = {kind: single_grade_seconds(folder, os.path.join(tmp, "single")) for kind, folder in samples.items()}
        os.environ.setdefault("NO_COLOR", "1")
        started = time.perf_counter()
        with open(os.devnull, "w") as quiet:
            stderr, sys.stderr = sys.stderr, quiet
            try:
                results, _, _, _ = grade_class(str(root), os.path.join(tmp, "out"), os.path.join(KIT_ROOT, "tests", "steps"),
                                               jobs, 10.0, 300.0)
            finally:
                sys.stderr = stderr
        wall = time.perf_counter() - started
    n = len(results)
    sequential = sum(single[kind] for kind in kinds.values())
    rate = 60 * n / wall
    ideal = sequential / n / cores
    print(f"single grade, complete submission:      {single['complete']:6.3f} s")
    print(f"single grade, partial / broken:         {single['partial']:6.3f} s / {single['broken']:.3f} s")
    print(f"class of {n} ({PER_KIND} complete, {PER_KIND} partial, {PER_KIND} broken), {jobs} at a time on "
          f"{cores} cores: {wall:.2f} s wall")
    print(f"per submission: {wall / n:.3f} s in the batch, ideal {ideal:.3f} s (single grades over {cores} cores), "
          f"overhead {wall / n - ideal:+.3f} s")
    print(f"throughput: {rate:.0f} submissions a minute (target >= {TARGET}) -> {'met' if rate >= TARGET else 'MISSED'}")


if __name__ == "__main__":
    main()
