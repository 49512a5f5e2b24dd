"""How long a full grade takes, beside the start-up floor of a bare pytest run.

Target: a full grade of the reference (every step, gradient checks and step 14's training run included) in under
2 x floor + 0.5 s. Figures are medians of several runs, in wall-clock seconds. The first grade after the reference
changed also evaluates the reference on every gradient check's moved inputs (grader.judge.trusted_stacks), shown apart.
"""
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

from grader.judge.trusted_stacks import CACHE
from grader.kit import KIT_ROOT

RUNS = 7


def wall(command, **kwargs):
    started = time.perf_counter()
    subprocess.run(command, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **kwargs)
    return time.perf_counter() - started


def median_of(command, before=lambda: None, **kwargs):
    before()
    wall(command, **kwargs)  # warm the file cache
    times = []
    for _ in range(RUNS):
        before()
        times.append(wall(command, **kwargs))
    return statistics.median(times)


def forget_kept_outputs():
    shutil.rmtree(os.path.join(KIT_ROOT, "solutions", CACHE), ignore_errors=True)


def main():
    with tempfile.TemporaryDirectory() as tmp:
        with open(os.path.join(tmp, "test_empty.py"), "w") as f:
            f.write("def test_empty():\n    pass\n")
        floor = median_of([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", tmp], cwd=tmp)
        grade = [sys.executable, "-m", "grader", "--submission", os.path.join(KIT_ROOT, "solutions"),
                 "--results", os.path.join(tmp, "results")]
        env = {**os.environ, "NO_COLOR": "1", "LSTM_KIT_STATE": os.path.join(tmp, "state.json")}
        first = median_of(grade, forget_kept_outputs, cwd=KIT_ROOT, env=env)
        full = median_of(grade, cwd=KIT_ROOT, env=env)
    target = 2 * floor + 0.5
    rows = [("bare pytest, one empty test (floor):", floor, ""),
            ("first grade after the reference changed:", first, " (its gradient checks' outputs made, then kept)"),
            ("full grade of the reference, 14 steps:", full, ""),
            ("target (2 x floor + 0.5 s):", target, f"  -> {'met' if full < target else 'MISSED'}")]
    for label, seconds, note in rows:
        print(f"{label:<42}{seconds:6.3f} s{note}")


if __name__ == "__main__":
    main()
