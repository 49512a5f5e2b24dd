"""`make grade-all`: a whole class in any export layout, a gradebook and a summary, and no
submission, however broken or hostile, stops the batch or changes another learner's score."""
import csv
import json
import os
import shutil
import subprocess
import tempfile
import zipfile

from grader.kit import KIT_ROOT
from instructor.gradebook import failure_key

from conftest import ALL_STEPS, build_submission
from mistakes import MISTAKES


def make_class(root):
    """Learners in the shapes exports produce, with the grades they must get (None: not graded)."""
    expected = {}
    build_submission(root / "alice" / "lstm-kit-main" / "exercises", done=ALL_STEPS)
    expected["alice"] = 100
    bob = build_submission(root.parent / "bob-src", done=ALL_STEPS[:3])
    with zipfile.ZipFile(root / "bob.zip", "w") as archive:
        for path in bob.iterdir():
            archive.write(path, f"bob-attempt-2/{path.name}")
    expected["bob"] = 12
    carol = build_submission(root / "carol", done=ALL_STEPS)
    with open(carol / "gates.py", "a") as f:
        f.write("\ndef unfinished(:\n")
    expected["carol"] = 0
    dave = build_submission(root / "dave", done=ALL_STEPS)
    (dave / "cell.py").write_text("while True:\n    pass\n")  # hangs whenever cell.py is imported
    expected["dave"] = 28  # one time-out at import, remembered: only cell.py's steps and those after fail
    ivan = build_submission(root / "ivan", done=ALL_STEPS)
    with open(ivan / "gates.py", "a") as f:  # hangs in one function only: that check times out
        f.write("\n\ndef hidden_state(c, o):\n    while True:\n        pass\n")
    expected["ivan"] = 96
    eve = build_submission(root / "eve", done=ALL_STEPS)
    (eve / "gates.py").write_text("import os, signal\nos.kill(os.getppid(), signal.SIGKILL)\n" + (eve / "gates.py").read_text())
    expected["eve"] = 0  # the worker runs as another user: the kill is refused, so gates.py fails to import
    (root / "frank").mkdir()
    (root / "frank" / "answers.txt").write_text("I ran out of time")
    expected["frank"] = None
    step, _, source = MISTAKES["cell_update_swaps_gates"]
    for name in ("grace", "heidi"):
        build_submission(root / name / "src", done=ALL_STEPS, replace={step: source})
        expected[name] = 96
    # Graded first: sabotages the last learner's upload when its gates.py is imported.
    mallory = build_submission(root / "aaa-mallory", done=ALL_STEPS)
    victim = root / "zed" / "gates.py"
    (mallory / "gates.py").write_text(f"try:\n    open({str(victim)!r}, 'w').write('raise SystemExit(1)')\n"
                                      "except OSError:\n    pass\n" + (mallory / "gates.py").read_text())
    expected["aaa-mallory"] = 100
    build_submission(root / "zed", done=ALL_STEPS)
    expected["zed"] = 100
    return expected


def test_grade_all_grades_every_learner_on_their_own(tmp_path):
    submissions, out = tmp_path / "export", tmp_path / "class"
    submissions.mkdir()
    expected = make_class(submissions)
    # A call limit that a correct learner's slowest call (a batched gradient check) stays well
    # under on a busy machine; the learners whose code hangs still reach it.
    # The batch's work folder goes in a folder of this test's, so its processes are told from those of
    # another test's grade-all running beside it; the workers' uid must pass through it, as through /tmp.
    work = tempfile.mkdtemp(prefix="test-grade-all-")
    os.chmod(work, 0o711)
    done = subprocess.run(["make", "-s", "grade-all", f"SUBMISSIONS={submissions}", f"OUT={out}", "JOBS=2",
                           "CALL_TIMEOUT=2", "TIME_LIMIT=60"], cwd=KIT_ROOT, capture_output=True, text=True,
                          env={**os.environ, "NO_COLOR": "1", "TMPDIR": str(work)})
    assert done.returncode == 0, done.stdout + done.stderr
    rows = list(csv.DictReader(open(out / "gradebook.csv")))
    assert list(rows[0]) == ["learner", "total", "visible", "hidden", *ALL_STEPS, "note"]
    assert (rows[0]["learner"], rows[0]["total"]) == ("(max points)", "100")
    rows = rows[1:]
    assert {r["learner"]: float(r["total"]) for r in rows} == {k: v or 0 for k, v in expected.items()}
    notes = {r["learner"]: r["note"] for r in rows}
    assert "none of gates.py, cell.py, sequence.py, memory.py found" in notes["frank"]
    bob = next(r for r in rows if r["learner"] == "bob")
    assert [float(bob[s]) for s in ALL_STEPS] == [4, 4, 4] + [0] * (len(ALL_STEPS) - 3)
    for learner, score in expected.items():
        if score is not None:
            results = json.load(open(out / learner / "results.json"))
            assert results["score"] == score
            assert f"Score: {score}/100" in (out / learner / "report.txt").read_text()
    assert "PermissionError" in json.load(open(out / "eve" / "results.json"))["extra_data"]["steps"]["sigmoid"]["message"]
    ivan = json.load(open(out / "ivan" / "results.json"))["extra_data"]["steps"]
    assert "did not answer within 2 s" in ivan["hidden_state"]["message"]
    # Graders and workers name the learner's staged copy, under the batch's work folder.
    leftovers = [pid for pid in os.listdir("/proc") if pid.isdigit() and f"{work}/lstm-kit-class-" in _cmdline(pid)]
    shutil.rmtree(work)
    assert not leftovers, "a grader or worker outlived the batch"
    # The summary: distribution, the share passing each step, the most common failure.
    assert "Graded 11 submissions" in done.stdout
    assert "Scores out of 100: mean" in done.stdout
    cell_row = next(line for line in done.stdout.splitlines() if line.strip().startswith("cell_update "))
    from grader.course.mistakes import CATALOGUE
    assert f"{CATALOGUE['gates_swapped'].name} (2 of 4 failing)" in cell_row  # named mistakes group
    assert "Not graded (1;" in done.stdout and "frank:" in done.stdout
    assert "[11/11]" in done.stderr  # progress, one line per learner when not in a terminal


def _cmdline(pid):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read().decode(errors="replace")
    except OSError:
        return ""


def test_grade_all_needs_a_submissions_folder():
    done = subprocess.run(["make", "-s", "grade-all"], cwd=KIT_ROOT, capture_output=True, text=True)
    assert done.returncode != 0 and "usage: make grade-all SUBMISSIONS=folder" in done.stdout


def test_failures_group_by_named_mistake_or_by_message_without_details():
    assert failure_key({"status": "failed", "mistake": "gates in CS231n order", "message": "h has wrong values"}) == \
        "gates in CS231n order"
    one = {"message": "f has wrong values: first at f[0, 1], yours 0.12, expected 0.53; 18 of 18 entries differ"}
    two = {"message": "f has wrong values: first at f[2, 0], yours -1.5, expected 0.2; 3 of 18 entries differ "
                      "(inputs: seed 1, N=2, T=5, D=7, H=3)"}
    assert failure_key(one) == failure_key(two) == "f has wrong values"
    assert failure_key({"message": "fix sigmoid first (this step builds on it). gates.py could not be imported: "
                                   "SyntaxError: invalid syntax (gates.py, line 3: def f(:)"}) == \
        "gates.py could not be imported: SyntaxError: invalid syntax"
    assert failure_key({"message": "gradient check: dWh disagrees with central differences of your own forward "
                                   "(relative error 3.1e-01, allowed 1e-06)"}) == \
        "gradient check: dWh disagrees with central differences of your own forward"


def test_gradebook_shows_an_uploads_text_escaped_capped_and_never_as_a_formula(tmp_path):
    from instructor.gradebook import SHOWN, LearnerResult, summary_lines, write_gradebook

    hostile = LearnerResult("=HYPERLINK(\"x\")", note="\x1b[2J\rALL TESTS PASSED " + "n" * 10_000, graded=False)
    failing = LearnerResult("zoe", steps={"sigmoid": {"status": "failed", "points": 0, "mistake": "",
                                                      "message": "sigmoid raised \x1b[31mValueError " + "m" * 10_000}})
    write_gradebook(tmp_path / "gradebook.csv", [hostile, failing], ["sigmoid"])
    rows = list(csv.reader(open(tmp_path / "gradebook.csv")))
    assert rows[1][0] == "'=HYPERLINK(\"x\")" and rows[1][-1].startswith("\\x1b[2J\\x0dALL TESTS PASSED nnn")
    assert len(rows[1][-1]) < SHOWN + 100
    text = "\n".join(summary_lines([hostile, failing], ["sigmoid"], 4, 1.0, 1))
    assert "\x1b" not in text and "\r" not in text
    assert "sigmoid raised \\x1b[31mValueError" in text  # escaped; its figures kept, the one learner with these words
    assert max(len(line) for line in text.splitlines()) < 2 * SHOWN


def test_a_failure_is_shown_in_its_learners_words_and_grouped_without_figures_when_they_differ():
    from instructor.gradebook import LearnerResult
    from instructor.summary import step_figures

    def timed_out(name, seconds):
        message = f"sigmoid did not answer within {seconds} s: is there an endless loop?"
        return LearnerResult(name, steps={"sigmoid": {"status": "failed", "points": 0, "mistake": "", "message": message}})
    alone = step_figures([timed_out("ada", 2)], ["sigmoid"])[0]
    assert alone.other_failures == {"sigmoid did not answer within 2 s: is there an endless loop?": 1}
    both = step_figures([timed_out("ada", 2), timed_out("bob", 3)], ["sigmoid"])[0]
    assert both.other_failures == {"sigmoid did not answer within # s: is there an endless loop?": 2}
