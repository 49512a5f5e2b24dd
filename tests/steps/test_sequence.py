"""Steps 10-11: the LSTM over a whole sequence, and backpropagation through time."""
import pytest

from grader.testing import (
    SEEDS,
    TIME,
    describe,
    expect_backward,
    expect_backward_keeps_inputs,
    expect_backward_matches_reference,
    expect_keeps_inputs,
    expect_matches_reference,
    noted,
    sequence_args,
    sizes,
    upstream,
)

SEQUENCE_ARGS = ("x", "h0", "Wx", "Wh", "b")


def backward_inputs(seed):
    """The sequence's inputs and the upstream dh, one per time step, for ``seed``."""
    N, T, _, H = sizes(seed)
    return sequence_args(seed), upstream(seed, (N, T, H))


@pytest.mark.step("lstm_forward", points=7)
def test_lstm_forward(submission, reference):
    """lstm_forward matches the reference hidden states at every time step"""
    for seed in SEEDS:
        with noted(describe(seed)):
            expect_matches_reference(submission.lstm_forward, reference.lstm_forward, sequence_args(seed),
                                     SEQUENCE_ARGS, ("h", "cache"), {"h": {1: TIME}}, keep=(1,))


@pytest.mark.step("lstm_forward", points=1)
def test_lstm_forward_keeps_its_inputs(submission, reference):
    """lstm_forward leaves its inputs unchanged"""
    with noted(describe(SEEDS[0])):
        expect_keeps_inputs(submission.lstm_forward, reference.lstm_forward, sequence_args(SEEDS[0]),
                            SEQUENCE_ARGS, ("h", "cache"), keep=(1,))


@pytest.mark.step("lstm_backward", points=8)
def test_lstm_backward_gradient_check(submission, reference):
    """lstm_backward agrees with central differences of lstm_forward"""
    seed = SEEDS[0]
    with noted(describe(seed)):
        expect_backward(submission, reference, "lstm_backward", *backward_inputs(seed))


@pytest.mark.step("lstm_backward", points=8)
def test_lstm_backward_matches_reference(submission, reference):
    """lstm_backward matches the reference gradients"""
    for seed in SEEDS:
        with noted(describe(seed)):
            expect_backward_matches_reference(submission, reference, "lstm_backward", *backward_inputs(seed))


@pytest.mark.step("lstm_backward", points=2)
def test_lstm_backward_keeps_its_inputs(submission, reference):
    """lstm_backward leaves dh unchanged"""
    with noted(describe(SEEDS[0])):
        expect_backward_keeps_inputs(submission, reference, "lstm_backward", *backward_inputs(SEEDS[0]))
