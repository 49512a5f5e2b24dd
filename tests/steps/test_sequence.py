"""Steps 10-11: the LSTM over a whole sequence, and backpropagation through time."""
from contextlib import contextmanager

import pytest

from grader.course.inputs import SEEDS, describe, sequence_args, sizes, upstream
from grader.judge.checks import (
    GATES,
    TIME,
    Trusted,
    expect_all_close,
    expect_array,
    expect_close,
    expect_inputs_kept,
    expect_matches_reference,
    expect_tuple,
    gradient_check,
    noted,
)
from grader.judge.evidence import recorded

SEQUENCE_ARGS = ("x", "h0", "Wx", "Wh", "b")
GRADS = ("dx", "dh0", "dWx", "dWh", "db")
AXES = {"h": {1: TIME}, "dx": {1: TIME}, "dWx": {1: GATES}, "dWh": {1: GATES}, "db": {0: GATES}}


@pytest.mark.step("lstm_forward", points=8)
def test_lstm_forward(submission, reference):
    """lstm_forward matches the reference hidden states at every time step"""
    for seed in SEEDS:
        with noted(describe(seed)):
            expect_matches_reference(submission.lstm_forward, reference.lstm_forward, sequence_args(seed),
                                     SEQUENCE_ARGS, ("h", "cache"), AXES, keep=(1,))


@contextmanager
def learner_sequence_gradients(submission, reference, seed):
    """The inputs, the upstream dh, and the learner's BPTT through their own forward, which must
    match the reference's: the gradients are judged against the true forward.

    A check failing inside carries them, so the grader can name a catalogued mistake.
    """
    args = sequence_args(seed)
    N, T, _, H = sizes(seed)
    (dh,) = upstream(seed, (N, T, H))
    h, cache = expect_tuple(submission.lstm_forward(*args, keep=(1,)), "lstm_forward", ("h", "cache"))
    with noted("(lstm_forward's output: this check needs it right)"):
        expect_close(h, reference.lstm_forward(*args)[0], "h", AXES["h"])
    with recorded("lstm_backward", (*args, dh)) as evidence:
        reply = submission.lstm_backward.call(dh, cache)
        evidence.got = reply["value"]
        expect_inputs_kept(reply, "lstm_backward", ("dh", "cache"))
        grads = expect_tuple(reply["value"], "lstm_backward", GRADS)
        yield args, dh, tuple(expect_array(g, n, a, AXES.get(n)) for g, n, a in zip(grads, GRADS, args))


@pytest.mark.step("lstm_backward", points=9)
def test_lstm_backward_gradient_check(submission, reference):
    """lstm_backward agrees with central differences of lstm_forward"""
    seed = SEEDS[0]
    with noted(describe(seed)), learner_sequence_gradients(submission, reference, seed) as (args, dh, grads):
        gradient_check(submission.lstm_forward, args, range(5), [0], (dh,), grads, GRADS, AXES,
                       reference=Trusted(reference.lstm_forward))


@pytest.mark.step("lstm_backward", points=9)
def test_lstm_backward_matches_reference(submission, reference):
    """lstm_backward matches the reference gradients"""
    for seed in SEEDS:
        with noted(describe(seed)), learner_sequence_gradients(submission, reference, seed) as (args, dh, grads):
            _, cache = reference.lstm_forward(*args)
            expect_all_close(grads, reference.lstm_backward(dh, cache), GRADS, AXES)
