"""Time from saving a file to the new report on screen, with ``make watch`` running.

The watcher runs on a copy of the reference; each round edits one function (one step) and
times from the moment the file is written until the watcher has printed the whole new report.
Target: under 0.5 s for a single changed step (the last one: a change re-grades its step and
every step after it). Figures are wall-clock seconds.
"""
import os
import select
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

from grader.kit import KIT_ROOT

ROUNDS = 7
FOOTER = "Watching "  # the watcher's last line after every report
TARGET = 0.5
# (file, code in one function, the same computed another way, what is graded again)
EDITS = [("memory.py", "min(1.0, clip / norm)", "min(clip / norm, 1.0)", "train, the last step"),
         ("sequence.py", "T, _, N, H = gates.shape", "(T, _, N, H) = gates.shape", "lstm_backward and the 3 steps after it"),
         ("cell.py", "H = h_prev.shape[1]", "H = h_prev.shape[-1]", "lstm_step_forward and the 6 steps after it"),
         ("gates.py", "return f * c_prev + i * g", "return i * g + f * c_prev", "cell_update and the 9 steps after it")]


def wait_for_report(stream, timeout=30.0):
    """Reads the watcher's output until a report's footer; returns that footer line."""
    deadline = time.monotonic() + timeout
    buffer = b""
    while time.monotonic() < deadline:
        if select.select([stream], [], [], deadline - time.monotonic())[0]:
            chunk = os.read(stream.fileno(), 1 << 16)
            if not chunk:
                raise RuntimeError("the watcher stopped")
            buffer += chunk
            for line in buffer.decode(errors="replace").splitlines():
                if line.startswith(FOOTER):
                    return line
    raise RuntimeError("no report within the time-out")


def save_to_screen(path, code, other, rounds, stream):
    """Seconds from each save (alternating ``code`` and ``other``) to the watcher's new report."""
    times, footer = [], ""
    for k in range(rounds):
        text = open(path).read()
        edited = text.replace(code, other, 1) if k % 2 == 0 else text.replace(other, code, 1)
        assert edited != text, code
        started = time.perf_counter()
        with open(path, "w") as f:
            f.write(edited)
        footer = wait_for_report(stream)
        times.append(time.perf_counter() - started)
        time.sleep(0.2)  # let the watcher settle before the next save
    return times, footer


def measure(tmp, edits, *extra):
    """Starts a watcher on a copy of the reference and prints the save-to-screen figures for ``edits``."""
    submission = tempfile.mkdtemp(dir=tmp)
    shutil.copytree(os.path.join(KIT_ROOT, "solutions"), submission, dirs_exist_ok=True)
    env = {**os.environ, "NO_COLOR": "1", "LSTM_KIT_STATE": os.path.join(tmp, "state.json")}
    watcher = subprocess.Popen([sys.executable, "-m", "grader", "watch", "--submission", submission,
                                "--results", os.path.join(tmp, "results"), *extra],
                               cwd=KIT_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        first = wait_for_report(watcher.stdout)
        print(f"  file events from {first[first.index('(') + 1:first.index(')')]}:")
        for name, code, other, what in edits:
            times, footer = save_to_screen(os.path.join(submission, name), code, other, ROUNDS, watcher.stdout)
            median = statistics.median(times)
            verdict = f"  -> {'met' if median < TARGET else 'MISSED'} (target < {TARGET} s)" if what == edits[0][3] else ""
            print(f"    {name:<12} {what:<44} {median:6.3f} s (max {max(times):.3f}){verdict}")
        print(f"    (the watcher's own account of its last run: {footer.split('Last run: ')[-1]})")
    finally:
        watcher.terminate()
        watcher.wait()


def main():
    with tempfile.TemporaryDirectory() as tmp:
        print(f"make watch: from a save to the new report on screen, median of {ROUNDS} saves")
        measure(tmp, EDITS)
        measure(tmp, EDITS[:1], "--poll")


if __name__ == "__main__":
    main()
