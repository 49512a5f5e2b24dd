"""Real-world styles (styles.py), graded as a learner would be: correct code in CS231n's habits
keeps full marks, code whose math is right but which changes an input in place loses the step's
side-effect check alone (and is told its values were right), and each real mistake fails its own
step, by name when the catalogue has it. The cases are packed into few grades (bundles.py)."""
import os
from concurrent.futures import ThreadPoolExecutor

import pytest

from grader.course.mistakes import CATALOGUE

from bundles import affected, builds_on, defined_steps, pack
from conftest import ALL_STEPS, build_submission, grade
from styles import FULL, SIDE_EFFECT, STYLES, Wrong

GROUPS = pack({case: source for case, (_, _, source) in STYLES.items()})
SIDE_EFFECT_SHARE = 0.15  # of a step's points, at most: the "small share"


def group_of(case):
    return next(k for k, group in enumerate(GROUPS) if case in group)


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """graded(k) -> Graded for the k-th group of styles; every group graded once, two at a time."""
    def run(k):
        folder = tmp_path_factory.mktemp(f"styles-{k}")
        replace = {STYLES[case][0]: STYLES[case][2] for case in GROUPS[k]}
        return grade(build_submission(folder / "submission", done=ALL_STEPS, replace=replace), folder / "results")
    with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 1)) as pool:
        results = list(pool.map(run, range(len(GROUPS))))
    return results.__getitem__


def only_by(case):
    """The steps whose result ``case`` alone can alter in its group: none of the others touches them."""
    others = {s for other in GROUPS[group_of(case)] if other != case for s in defined_steps(STYLES[other][2])}
    return affected(defined_steps(STYLES[case][2])) - affected(others)


def step_tests(result, step):
    return [t for t in result.results["tests"] if t["extra_data"]["step"] == step]


def full_marks(result, step):
    return result.status(step) == "passed" and result.points(step) == result.steps[step]["max_points"]


def test_the_corpus_is_real_sized_and_covers_each_kind_and_function():
    assert 12 <= len(STYLES) <= 20
    kinds = {e if isinstance(e, str) and e in (FULL, SIDE_EFFECT) else "mistake" for _, e, _ in STYLES.values()}
    assert kinds == {FULL, SIDE_EFFECT, "mistake"}
    steps = {s for _, _, source in STYLES.values() for s in defined_steps(source)}
    assert {"lstm_step_forward", "lstm_step_backward", "lstm_forward", "lstm_backward", "rnn_step",
            "classifier_loss"} <= steps
    for _, expected, _ in STYLES.values():
        assert expected in (FULL, SIDE_EFFECT) or isinstance(expected, Wrong) or expected in CATALOGUE, expected


@pytest.mark.parametrize("case", sorted(c for c, (_, e, _) in STYLES.items() if e == FULL))
def test_correct_styles_keep_full_marks(graded, case):
    result = graded(group_of(case))
    for step in only_by(case):
        assert full_marks(result, step), (case, step, result.message(step))
        assert result.steps[step]["mistake"] == ""


@pytest.mark.parametrize("case", sorted(c for c, (_, e, _) in STYLES.items() if e == SIDE_EFFECT))
def test_a_side_effect_costs_only_the_side_effect_check(graded, case):
    step = STYLES[case][0]
    result = graded(group_of(case))
    failed = [t for t in step_tests(result, step) if t["status"] == "failed"]
    assert [t["extra_data"]["nodeid"].split("::")[1] for t in failed] == [f"test_{step}_keeps_its_inputs"], case
    check = failed[0]
    max_points = result.steps[step]["max_points"]
    assert result.points(step) == max_points - check["max_score"]
    assert check["max_score"] <= min(2, SIDE_EFFECT_SHARE * max_points)
    assert check["extra_data"]["mistake"] == "mutated_input" == result.steps[step]["mistake"]
    message = result.message(step)
    assert message.startswith(f"This looks like {CATALOGUE['mutated_input'].name}: ")
    assert "in place: write " in message and "The values it returned were right" in message
    # The values were right, so nothing built on the step is told to fix it first.
    for other in only_by(case) - {step}:
        assert full_marks(result, other), (case, other, result.message(other))


def test_the_side_effect_message_names_the_input_and_the_fix(graded):
    message = graded(group_of("step_backward_cs231n_adds_into_dnext_c")).message("lstm_step_backward")
    assert "lstm_step_backward changed its input dc in place: write dc + ..., not dc += ..." in message


@pytest.mark.parametrize("case", sorted(c for c, (_, e, _) in STYLES.items() if e not in (FULL, SIDE_EFFECT)))
def test_real_mistakes_fail_their_own_step(graded, case):
    step, expected, _ = STYLES[case]
    result = graded(group_of(case))
    assert result.status(step) == "failed", (case, result.message(step))
    for earlier in builds_on(step):  # located: the steps it builds on pass, so no "fix ... first"
        assert full_marks(result, earlier), (case, earlier)
    if isinstance(expected, Wrong):
        assert expected.text in result.message(step) and result.steps[step]["mistake"] == "", result.message(step)
    else:
        assert result.steps[step]["mistake"] == expected, (case, result.message(step))
        assert result.message(step).startswith(f"This looks like {CATALOGUE[expected].name}: ")


@pytest.mark.parametrize("k", range(len(GROUPS)))
def test_steps_untouched_by_the_styles_keep_their_points(graded, k):
    result = graded(k)
    touched = affected({s for case in GROUPS[k] for s in defined_steps(STYLES[case][2])})
    for step in set(ALL_STEPS) - touched:
        assert full_marks(result, step), (GROUPS[k], step, result.message(step))
