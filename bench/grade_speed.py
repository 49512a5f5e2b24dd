"""How long a full grade takes, beside the start-up floor of a bare pytest run.

Target: a full grade of the reference (every step, gradient checks and step 14's training run included) in under
2 x floor + 0.5 s. Figures are medians of several runs, in wall-clock seconds.
"""
import os
import statistics
import subprocess
import sys
import tempfile
import time

from grader.kit import KIT_ROOT

RUNS = 7


def wall(command, **kwargs):
    started = time.perf_counter()
    subprocess.run(command, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **kwargs)
    return time.perf_counter() - started


def median_of(command, **kwargs):
    wall(command, **kwargs)  # warm the file cache
    return statistics.median(wall(command, **kwargs) for _ in range(RUNS))


def main():
    with tempfile.TemporaryDirectory() as tmp:
        with open(os.path.join(tmp, "test_empty.py"), "w") as f:
            f.write("def test_empty():\n    pass\n")
        floor = median_of([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", tmp], cwd=tmp)
        full = median_of([sys.executable, "-m", "grader", "--submission", os.path.join(KIT_ROOT, "solutions"),
                          "--results", os.path.join(tmp, "results")], cwd=KIT_ROOT,
                         env={**os.environ, "NO_COLOR": "1", "LSTM_KIT_STATE": os.path.join(tmp, "state.json")})
    target = 2 * floor + 0.5
    print(f"bare pytest, one empty test (floor):   {floor:6.3f} s")
    print(f"full grade of the reference, 14 steps: {full:6.3f} s")
    print(f"target (2 x floor + 0.5 s):            {target:6.3f} s  -> {'met' if full < target else 'MISSED'}")


if __name__ == "__main__":
    main()
