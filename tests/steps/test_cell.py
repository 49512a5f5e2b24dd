"""Steps 8-9: the fused LSTM cell, forward and backward, for one time step."""
import pytest

from grader.testing import (
    SEEDS,
    describe,
    expect_backward,
    expect_backward_keeps_inputs,
    expect_backward_matches_reference,
    expect_keeps_inputs,
    expect_matches_reference,
    noted,
    sizes,
    step_args,
    upstream,
)

STEP_ARGS = ("x", "h_prev", "c_prev", "Wx", "Wh", "b")


def backward_inputs(seed):
    """The fused cell's inputs and the upstream (dh, dc) for ``seed``."""
    N, _, _, H = sizes(seed)
    return step_args(seed), upstream(seed, (N, H), (N, H))


@pytest.mark.step("lstm_step_forward", points=7)
def test_lstm_step_forward(submission, reference):
    """lstm_step_forward matches the reference h and c (gates stacked i, f, g, o)"""
    for seed in SEEDS:
        with noted(describe(seed)):
            expect_matches_reference(submission.lstm_step_forward, reference.lstm_step_forward,
                                     step_args(seed), STEP_ARGS, ("h", "c", "cache"), keep=(2,))


@pytest.mark.step("lstm_step_forward", points=1)
def test_lstm_step_forward_keeps_its_inputs(submission, reference):
    """lstm_step_forward leaves its inputs unchanged"""
    with noted(describe(SEEDS[0])):
        expect_keeps_inputs(submission.lstm_step_forward, reference.lstm_step_forward, step_args(SEEDS[0]),
                            STEP_ARGS, ("h", "c", "cache"), keep=(2,))


@pytest.mark.step("lstm_step_backward", points=6)
def test_lstm_step_backward_gradient_check(submission, reference):
    """lstm_step_backward agrees with central differences of lstm_step_forward"""
    for seed in SEEDS[:2]:
        with noted(describe(seed)):
            expect_backward(submission, reference, "lstm_step_backward", *backward_inputs(seed))


@pytest.mark.step("lstm_step_backward", points=6)
def test_lstm_step_backward_matches_reference(submission, reference):
    """lstm_step_backward matches the reference gradients"""
    for seed in SEEDS:
        with noted(describe(seed)):
            expect_backward_matches_reference(submission, reference, "lstm_step_backward", *backward_inputs(seed))


@pytest.mark.step("lstm_step_backward", points=2)
def test_lstm_step_backward_keeps_its_inputs(submission, reference):
    """lstm_step_backward leaves dh and dc unchanged"""
    with noted(describe(SEEDS[0])):
        expect_backward_keeps_inputs(submission, reference, "lstm_step_backward", *backward_inputs(SEEDS[0]))
