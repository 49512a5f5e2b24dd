"""make hint: one new hint at a time for the current step, remembered in the state file, and the
last one seen shown again by make grade; the backward stubs leave the formulas to the hints and
docs/math.md, and the reference carries the stubs' docstrings word for word."""
import ast
import os
import re
import subprocess
import sys

from grader.course.hints import load_hints
from grader.course.steps import FILES
from grader.kit import KIT_ROOT, SOLUTIONS

from conftest import build_submission, function_source

HINTS = load_hints()
STUBS = os.path.join(KIT_ROOT, "exercises")


def flat(text):
    return " ".join(text.split())


class Learner:
    """One learner's submission folder and state file, driven through the grader's commands."""

    def __init__(self, tmp_path):
        self.folder = build_submission(tmp_path / "submission")
        self.env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "100",
                    "LSTM_KIT_STATE": str(tmp_path / "state" / "state.json")}
        self.results = str(tmp_path / "build")

    def run(self, command=(), *args):
        proc = subprocess.run([sys.executable, "-m", "grader", *command, "--submission", str(self.folder),
                               "--results", self.results, *args],
                              cwd=KIT_ROOT, env=self.env, capture_output=True, text=True, timeout=120)
        return proc.returncode, flat(proc.stdout + proc.stderr)

    def hint(self, *args):
        return self.run(["hint"], *args)

    def grade(self):
        return self.run()[1]

    def solve(self, step, file):
        with open(self.folder / file, "a") as f:
            f.write("\n\n" + function_source(os.path.join(KIT_ROOT, "solutions", file), step) + "\n")


def test_each_hint_once_then_all_three(tmp_path):
    learner = Learner(tmp_path)
    for k in (1, 2, 3):
        code, out = learner.hint()
        assert code == 0
        assert out.startswith(f"Hint {k} of 3 for sigmoid() in ") and flat(HINTS["sigmoid"][k - 1]) in out
    code, out = learner.hint()
    assert out.startswith("You have seen all 3 hints for sigmoid()")
    assert all(flat(text) in out for text in HINTS["sigmoid"])


def test_grade_shows_the_last_seen_hint_or_the_first(tmp_path):
    learner = Learner(tmp_path)
    out = learner.grade()
    assert f"Hint: {flat(HINTS['sigmoid'][0])} [hint 1 of 3; `make hint` shows the next]" in out
    assert "> 1. sigmoid" in out  # the current step is marked
    learner.hint()
    out = learner.grade()
    assert f"Hint: {flat(HINTS['sigmoid'][1])} [hint 2 of 3; `make hint` shows the next]" in out
    learner.hint()
    assert f"Hint: {flat(HINTS['sigmoid'][2])} [hint 3 of 3]" in learner.grade()


def test_after_a_grade_has_shown_hint_k_make_hint_shows_hint_k_plus_1(tmp_path):
    learner = Learner(tmp_path)
    assert "[hint 1 of 3;" in learner.grade()
    code, out = learner.hint()
    assert code == 0 and out.startswith("Hint 2 of 3 for sigmoid()"), out
    assert flat(HINTS["sigmoid"][1]) in out and "`make hint` again shows hint 3" in out
    assert "[hint 2 of 3;" in learner.grade()  # grading again repeats it, and does not move on
    assert learner.hint()[1].startswith("Hint 3 of 3 for sigmoid()")


def test_in_a_notebook_check_then_hint_shows_hint_2(tmp_path):
    """check() shows hint 1 in its report, so the hint() after it goes on to hint 2."""
    learner = Learner(tmp_path)
    folder = str(learner.folder)
    code = f"from lstm_kit import check, hint; check(submission={folder!r}); print('#' * 8); hint(submission={folder!r})"
    proc = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env={**learner.env, "PYTHONPATH": KIT_ROOT},
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    report, hinted = (flat(part) for part in proc.stdout.split("#" * 8))
    assert f"{flat(HINTS['sigmoid'][0])} [hint 1 of 3; `hint()` shows the next]" in report
    assert hinted.startswith("Hint 2 of 3 for sigmoid()") and flat(HINTS["sigmoid"][1]) in hinted
    assert "`hint()` again shows hint 3" in hinted


def test_hint_follows_the_current_step_after_a_save(tmp_path):
    learner = Learner(tmp_path)
    assert learner.hint()[1].startswith("Hint 1 of 3 for sigmoid()")
    learner.solve("sigmoid", "gates.py")  # no grade in between: hint notices the change itself
    code, out = learner.hint()
    assert out.startswith("Hint 1 of 3 for forget_gate()"), out
    assert flat(HINTS["forget_gate"][0]) in out


def test_hint_for_a_named_step_keeps_its_own_count(tmp_path):
    learner = Learner(tmp_path)
    code, out = learner.hint("--step", "lstm_backward")
    assert code == 0 and out.startswith("Hint 1 of 3 for lstm_backward()")
    assert "`make hint STEP=lstm_backward` again shows hint 2" in out
    assert learner.hint()[1].startswith("Hint 1 of 3 for sigmoid()")
    assert learner.hint("--step", "lstm_backward")[1].startswith("Hint 2 of 3 for lstm_backward()")


def test_unknown_step_is_a_clear_error(tmp_path):
    code, out = Learner(tmp_path).hint("--step", "forget")
    assert code == 2
    assert "no step named 'forget'; the steps are sigmoid, forget_gate" in out


def test_all_steps_passing_needs_no_hint(tmp_path):
    learner = Learner(tmp_path)
    learner.folder = tmp_path / "solved"
    build_submission(learner.folder, done=[name for name in HINTS])
    code, out = learner.hint()
    assert code == 0 and out == "All steps pass: there is nothing left to hint. Well done!"


def docstrings(folder):
    """{function: docstring} of the four files in ``folder``."""
    found = {}
    for name in FILES:
        with open(os.path.join(folder, name)) as f:
            tree = ast.parse(f.read())
        found.update({node.name: ast.get_docstring(node) for node in tree.body if isinstance(node, ast.FunctionDef)})
    return found


# A gradient written as a formula: "dx = da @ Wx.T", "dc_prev = dc_tot * f", "dscores = (p - ...".
GRADIENT_LINE = re.compile(r"\bd[a-z_]*[A-Za-z]\w*\s*=\s*[^=]*[-+*@/]")
BACKWARD = ("lstm_step_backward", "lstm_backward", "rnn_step_backward", "classifier_loss")


def test_backward_stubs_leave_the_formulas_to_the_hints():
    stubs = docstrings(STUBS)
    for name in BACKWARD:
        found = [line.strip() for line in stubs[name].splitlines() if GRADIENT_LINE.search(line)]
        assert found == [], f"{name}'s docstring gives gradient formulas: {found}"
    assert "in the order i, f, g, o" in stubs["lstm_step_backward"] and "dc += ..." in stubs["lstm_step_backward"]
    local, nearly = HINTS["lstm_step_backward"][1:]
    assert "o * (1 - tanh(c)^2)" in local and "s(1 - s)" in local and "dx =" not in local
    assert all(line in nearly for line in ("dx = da @ Wx.T", "dWh = h_prev.T @ da", "dc_tot = dc + dh"))
    assert GRADIENT_LINE.search("dx = da @ Wx.T") and not GRADIENT_LINE.search("- dx: Gradient of x")


def test_the_reference_carries_the_stubs_docstrings():
    stubs, reference = docstrings(STUBS), docstrings(SOLUTIONS)
    assert set(stubs) <= set(reference)
    assert {name: reference[name] for name in stubs} == stubs
