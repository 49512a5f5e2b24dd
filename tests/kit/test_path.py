"""The path's promises: the reference passes, stubs are 'not started', partial work earns exactly
its steps, and a step built on a failing one says so. (Mistakes and alternative styles: test_mistakes.py.)"""
import os

import pytest

from grader.course.hints import load_hints
from grader.course.steps import BY_NAME, STEPS, functions_text
from grader.kit import KIT_ROOT

from conftest import ALL_STEPS, build_submission
from mistakes import MISTAKES

MAX_POINTS = {"sigmoid": 4, "forget_gate": 4, "input_gate": 4, "candidate": 4, "cell_update": 4,
              "output_gate": 4, "hidden_state": 4, "lstm_step_forward": 8, "lstm_step_backward": 14,
              "lstm_forward": 8, "lstm_backward": 18, "rnn_step": 8, "classifier_loss": 8, "train": 8}


def test_points_add_up_to_100_as_the_readme_lists():
    assert sum(MAX_POINTS.values()) == 100
    readme = open(os.path.join(KIT_ROOT, "README.md")).read()
    for step in STEPS:
        functions = ", ".join(f"`{function}`" for function in step.functions)
        assert f"| {step.number} | {functions} | `{step.file}` | {MAX_POINTS[step.name]} |" in readme


def test_every_step_has_three_hints():
    hints = load_hints()
    assert set(hints) == {step.name for step in STEPS}
    assert all(len(hints[step.name]) == 3 and all(hints[step.name]) for step in STEPS)


def test_reference_gets_full_marks(grade_in):
    graded = grade_in(os.path.join(KIT_ROOT, "solutions"))
    assert graded.exit_code == 0, graded.output
    assert graded.score == 100
    assert {name: (s["status"], s["points"]) for name, s in graded.steps.items()} == \
        {name: ("passed", points) for name, points in MAX_POINTS.items()}
    for test in graded.results["tests"]:
        assert test["status"] == "passed" and test["score"] == test["max_score"] > 0
        assert test["extra_data"]["step"] in MAX_POINTS
    assert "Score: 100/100" in graded.output


def test_untouched_stubs_are_not_started_with_the_first_hint(grade_in, tmp_path):
    graded = grade_in(build_submission(tmp_path / "stubs"))
    assert graded.exit_code == 1
    assert graded.score == 0
    assert {s["status"] for s in graded.steps.values()} == {"not started"}
    assert set(graded.steps) == set(ALL_STEPS)
    assert "Next: open" in graded.output and "gates.py and write sigmoid()" in graded.output
    assert load_hints()["sigmoid"][0] in graded.output.replace("\n", " ")


def test_shipped_exercises_are_the_stubs(grade_in):
    graded = grade_in(os.path.join(KIT_ROOT, "exercises"))
    assert graded.exit_code == 1 and graded.score == 0
    assert {s["status"] for s in graded.steps.values()} == {"not started"}


@pytest.mark.parametrize("k", range(1, len(STEPS)))
def test_partial_submission_earns_exactly_its_steps(grade_in, tmp_path, k):
    graded = grade_in(build_submission(tmp_path / "partial", done=ALL_STEPS[:k]))
    assert graded.exit_code == 1
    for n, name in enumerate(ALL_STEPS):
        expected = ("passed", MAX_POINTS[name]) if n < k else ("not started", 0)
        assert (graded.status(name), graded.points(name)) == expected, graded.message(name)
    assert graded.score == sum(MAX_POINTS[name] for name in ALL_STEPS[:k])
    assert f"write {functions_text(BY_NAME[ALL_STEPS[k]])}" in graded.output


def test_step_built_on_a_failing_one_says_fix_that_first(grade_in, tmp_path):
    _, _, source = MISTAKES["step_forward_cs231n_gate_order"]
    graded = grade_in(build_submission(tmp_path / "order", done=ALL_STEPS, replace={"lstm_step_forward": source}))
    assert graded.message("lstm_step_backward").startswith("fix lstm_step_forward first")
    assert graded.message("lstm_forward").startswith("fix lstm_step_forward first")
    # train's loop is right, so what it is told is the cell, never the optimiser
    train = graded.message("train")
    assert train.startswith("fix lstm_step_forward first") and "fix those steps first" in train, train
    assert "Adam" not in train and "is each update kept" not in train, train


def test_training_a_wrong_cell_blames_the_cell_not_the_optimiser(grade_in, tmp_path):
    _, _, source = MISTAKES["step_forward_tensorflow_gate_order"]
    graded = grade_in(build_submission(tmp_path / "order", done=ALL_STEPS, replace={"lstm_step_forward": source}))
    train = graded.message("train")
    assert graded.status("train") == "failed" and train.startswith("fix lstm_step_forward first"), train
    assert "does not give the reference's loss and gradients" in train, train
    assert "is each update kept" not in train and "Adam" not in train, train  # no optimiser advice


def test_training_on_a_failing_loss_says_fix_the_loss_first(grade_in, tmp_path):
    _, _, source = MISTAKES["classifier_loss_gradient_points_uphill"]
    graded = grade_in(build_submission(tmp_path / "uphill", done=ALL_STEPS, replace={"classifier_loss": source}))
    assert graded.status("train") == "failed"
    assert graded.message("train").startswith("fix classifier_loss first")


def test_later_step_written_before_its_prerequisite_says_so(grade_in, tmp_path):
    done = [s for s in ALL_STEPS if s != "lstm_step_forward"]
    graded = grade_in(build_submission(tmp_path / "skipped", done=done))
    assert graded.status("lstm_step_forward") == "not started"
    assert graded.status("lstm_forward") == "failed"
    assert "lstm_step_forward" in graded.message("lstm_forward")
    assert "write" in graded.message("lstm_forward")


def test_grader_that_cannot_run_exits_2_and_still_writes_results(grade_in, tmp_path):
    graded = grade_in(tmp_path / "no-such-folder")
    assert graded.exit_code == 2
    assert "no submission folder" in graded.output
    assert graded.results["score"] == 0 and "Not graded" in graded.results["output"]
