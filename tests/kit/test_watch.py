"""make watch: a save re-grades from the first changed step on, keeps the earlier verdicts, shows
the whole report again, and Ctrl-C leaves cleanly. Both file-event sources: watchfiles and polling."""
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import time

import pytest

from grader.course.steps import BY_NAME, FILES
from grader.kit import KIT_ROOT
from grader.plugin.rerun import ChangedSteps

from corpus import AS_TAUGHT
from mistakes import MISTAKES

FOOTER = "Watching "


# -- which steps a save can change -------------------------------------------------------------

@pytest.fixture
def folder(tmp_path):
    """A submission that passes every step, with sequence.py as learners write it (the edits below
    swap in learners' versions of its functions)."""
    for name in FILES:
        shutil.copy(AS_TAUGHT if name == "sequence.py" else os.path.join(KIT_ROOT, "solutions", name), tmp_path / name)
    return tmp_path


def edit(path, old, new):
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


@pytest.mark.parametrize("file, old, new, first", [
    ("sequence.py", "    N, T, H = dh.shape", "    N, T, H = dh.shape  # shapes", "lstm_backward"),
    ("sequence.py", "import numpy as np", "import numpy as np\nimport math", "lstm_forward"),
    ("cell.py", "dx, dh_prev = da @ Wx.T, da @ Wh.T", "dx, dh_prev = da @ Wx.T, da @ Wh.T  # affine", "lstm_step_backward"),
    ("gates.py", "return o * np.tanh(c)", "return np.tanh(c) * o", "hidden_state"),
    ("gates.py", "return o * np.tanh(c)", "return o * np.tanh(c", "sigmoid"),  # no longer parses
    ("memory.py", "h = np.tanh(x @ Wx + h_prev @ Wh + b)", "h = np.tanh(h_prev @ Wh + x @ Wx + b)", "rnn_step"),
])
def test_first_changed_step(folder, file, old, new, first):
    changes = ChangedSteps(str(folder))
    edit(folder / file, old, new)
    assert changes.first_changed().name == first
    assert changes.first_changed() is None  # nothing new since


def test_a_new_helper_module_changes_every_step(folder):
    changes = ChangedSteps(str(folder))
    (folder / "helpers.py").write_text("def squash(z):\n    return z\n")
    assert changes.first_changed().name == "sigmoid"


def test_saving_unchanged_code_changes_nothing(folder):
    changes = ChangedSteps(str(folder))
    (folder / "cell.py").write_text((folder / "cell.py").read_text())
    (folder / "gates.py").write_text((folder / "gates.py").read_text() + "\n\n# a note between functions\n")
    assert changes.first_changed() is None


# -- the watcher, as a learner runs it ---------------------------------------------------------

class Watch:
    def __init__(self, folder, results, *extra):
        env = {**os.environ, "NO_COLOR": "1", "LSTM_KIT_STATE": str(results / "state.json")}
        self.results = results
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "grader", "watch", "--submission", str(folder), "--results", str(results), *extra],
            cwd=KIT_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)

    def next_report(self, timeout=60):
        """Everything the watcher printed up to and including its next footer line."""
        deadline, text = time.monotonic() + timeout, b""
        while time.monotonic() < deadline:
            if select.select([self.proc.stdout], [], [], 0.5)[0]:
                chunk = os.read(self.proc.stdout.fileno(), 1 << 16)
                assert chunk, text.decode()
                text += chunk
                lines = text.decode().splitlines()
                if lines and lines[-1].startswith(FOOTER) and text.endswith(b"\n"):
                    return text.decode()
        raise AssertionError(f"no report within {timeout} s: {text.decode()[-2000:]}")

    def steps(self):
        return json.loads((self.results / "results.json").read_text())["extra_data"]["steps"]

    def stop(self):
        self.proc.send_signal(signal.SIGINT)
        out, _ = self.proc.communicate(timeout=30)
        return self.proc.returncode, out.decode()


@pytest.mark.parametrize("how", ["watchfiles", "--poll"])
def test_watch_regrades_from_the_changed_step_and_stops_cleanly(folder, tmp_path, how):
    watch = Watch(folder, tmp_path / "results", *([how] if how == "--poll" else []))
    try:
        first = watch.next_report()
        assert "Score: 100/100" in first and "graded every step" in first
        assert ("(watchfiles)" if how == "watchfiles" else "(polling every") in first

        _, _, source = MISTAKES["lstm_backward_overwrites_weight_gradients"]
        with open(folder / "sequence.py", "a") as f:
            f.write("\n\n" + source.strip() + "\n")  # a later def wins, as in a learner's edit
        report = watch.next_report()
        last = len(BY_NAME)
        assert f"graded steps 11-{last} in" in report and "steps before 11 are unchanged" in report
        assert "This looks like dW overwritten instead of accumulated" in report
        assert ">11. lstm_backward" in report and "Hint: " in report  # marked as the step to work on
        steps = watch.steps()
        assert len(steps) == last and steps["lstm_backward"]["mistake"] == "dW_overwritten"
        assert all(s["status"] == "passed" for name, s in steps.items() if BY_NAME[name].number < 11)

        edit(folder / "gates.py", "return f * c_prev + i * g", "return f * c_prev + i + g")
        report = watch.next_report()
        assert f"graded steps 5-{last} in" in report and "This looks like + instead of * in a gate product" in report
        assert watch.steps()["lstm_backward"]["status"] == "failed"  # re-graded, still wrong
    finally:
        code, out = watch.stop()
    assert code == 0 and out.rstrip().endswith("Stopped watching.")
    assert "Traceback" not in out
    assert not workers_of(folder)  # the worker kept ready for the next save is gone too


def workers_of(folder):
    """The command lines of running worker processes for ``folder``."""
    listing = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True).stdout
    return [line for line in listing.splitlines() if "grader.sandbox.worker" in line and str(folder) in line]


def test_a_burst_of_saves_is_graded_once(folder, tmp_path):
    watch = Watch(folder, tmp_path / "results")
    try:
        watch.next_report()
        for k in range(5):  # an editor saving several times in quick succession
            edit(folder / "sequence.py", "    N, T, H = dh.shape", f"    N, T, H = dh.shape  # {k}")
            edit(folder / "sequence.py", f"    N, T, H = dh.shape  # {k}", "    N, T, H = dh.shape")
        edit(folder / "sequence.py", "    N, T, H = dh.shape", "    N, T, H = dh.shape  # done")
        watch.next_report()
        time.sleep(1.0)
        assert not select.select([watch.proc.stdout], [], [], 0)[0]  # no second report for the burst
    finally:
        watch.stop()


def test_watch_needs_a_submission_folder(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "grader", "watch", "--submission", str(tmp_path / "missing")],
                          cwd=KIT_ROOT, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and "no submission folder" in proc.stderr
