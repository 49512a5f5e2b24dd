"""Hidden checks: the public steps again on inputs learners never see, plus two properties.

An ordinary pytest file for the kit's grader. Grade with the public tests:
    make grade TESTS=tests/steps:tests/hidden
"""
import numpy as np
import pytest

from grader.testing import (
    TIME,
    CheckFailed,
    describe,
    expect_array,
    expect_backward,
    expect_matches_reference,
    gate_args,
    noted,
    sequence_args,
    sizes,
    step_args,
    upstream,
)

# Every test in this file is hidden from learners on Gradescope unless it says otherwise.
pytestmark = pytest.mark.visibility("hidden")

# The public tests use seeds 0, 1 and 2. Any seed but those and SQUARE_SEED (3) gives new values
# in a new non-square shape: a learner who tunes code to the public inputs fails these.
HIDDEN_SEEDS = (11, 12)
SEQUENCE_ARGS = ("x", "h0", "Wx", "Wh", "b")


@pytest.mark.step("forget_gate", points=2)
def test_forget_gate_on_unseen_inputs(submission, reference):
    """forget_gate matches the reference on inputs the public checks never use"""
    for seed in HIDDEN_SEEDS:
        with noted(describe(seed)):
            expect_matches_reference(submission.forget_gate, reference.forget_gate, gate_args(seed),
                                     ("x", "h_prev", "Wx", "Wh", "b"), ("f",))


@pytest.mark.step("sigmoid", points=1)
@pytest.mark.visibility("after_due_date")
def test_sigmoid_is_symmetric(submission):
    """sigmoid(-z) equals 1 - sigmoid(z)"""
    z = np.linspace(-30.0, 30.0, 24).reshape(4, 6)
    positive = expect_array(submission.sigmoid(z), "sigmoid(z)", z)
    negative = expect_array(submission.sigmoid(-z), "sigmoid(-z)", z)
    gap = np.abs(negative - (1 - positive))
    if gap.max() > 1e-12:
        k = np.unravel_index(np.argmax(gap), z.shape)
        raise CheckFailed(f"sigmoid(-z) should equal 1 - sigmoid(z), but at z = {z[k]:g} they differ by "
                          f"{gap[k]:.3g}: compute both branches from exp(-|z|)")


@pytest.mark.step("lstm_step_backward", points=3)
@pytest.mark.timeout(20)
def test_lstm_step_backward_on_an_unseen_batch(submission, reference):
    """lstm_step_backward agrees with central differences of your forward, on an unseen batch"""
    seed = HIDDEN_SEEDS[0]
    N, _, _, H = sizes(seed)
    with noted(describe(seed)):
        # The learner's forward must match the reference on this call; the gradients are then judged
        # by central differences of the reference's forward, which the learner's code cannot move.
        expect_backward(submission, reference, "lstm_step_backward", step_args(seed), upstream(seed, (N, H), (N, H)))


@pytest.mark.step("lstm_forward", points=2)
def test_lstm_forward_from_a_zero_state(submission, reference):
    """lstm_forward matches the reference when the sequence starts from h0 = 0"""
    x, h0, Wx, Wh, b = sequence_args(HIDDEN_SEEDS[1])
    with noted(describe(HIDDEN_SEEDS[1])):
        expect_matches_reference(submission.lstm_forward, reference.lstm_forward, (x, np.zeros_like(h0), Wx, Wh, b),
                                 SEQUENCE_ARGS, ("h", "cache"), {"h": {1: TIME}}, keep=(1,))


@pytest.mark.step("cell_update", points=1)
def test_cell_update_keeps_memory_when_forget_gate_is_open(submission):
    """cell_update with f = 1 and i = 0 returns c_prev unchanged"""
    c_prev = np.random.default_rng(13).standard_normal((3, 5))
    ones, zeros = np.ones_like(c_prev), np.zeros_like(c_prev)
    c = expect_array(submission.cell_update(c_prev, ones, zeros, ones), "c", c_prev)
    assert np.array_equal(c, c_prev), "with f = 1 and i = 0 the cell state must pass through unchanged"
