"""Steps 8-9: the fused LSTM cell, forward and backward, for one time step."""
from contextlib import contextmanager

import pytest

from grader.course.inputs import SEEDS, describe, sizes, step_args, upstream
from grader.judge.checks import (
    GATES,
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

STEP_ARGS = ("x", "h_prev", "c_prev", "Wx", "Wh", "b")
GRADS = ("dx", "dh_prev", "dc_prev", "dWx", "dWh", "db")
AXES = {"dWx": {1: GATES}, "dWh": {1: GATES}, "db": {0: GATES}}


@pytest.mark.step("lstm_step_forward", points=8)
def test_lstm_step_forward(submission, reference):
    """lstm_step_forward matches the reference h and c (gates stacked i, f, g, o)"""
    for seed in SEEDS:
        with noted(describe(seed)):
            expect_matches_reference(submission.lstm_step_forward, reference.lstm_step_forward,
                                     step_args(seed), STEP_ARGS, ("h", "c", "cache"), keep=(2,))


@contextmanager
def learner_step_gradients(submission, reference, seed):
    """The inputs, upstream gradients, and the learner's backward through their own forward,
    which must match the reference's: the gradients are judged against the true forward.

    A check failing inside carries them, so the grader can name a catalogued mistake.
    """
    args = step_args(seed)
    N, _, _, H = sizes(seed)
    dh, dc = upstream(seed, (N, H), (N, H))
    h, c, cache = expect_tuple(submission.lstm_step_forward(*args, keep=(2,)), "lstm_step_forward", ("h", "c", "cache"))
    want_h, want_c, _ = reference.lstm_step_forward(*args)
    with noted("(lstm_step_forward's output: this check needs it right)"):
        expect_close(h, want_h, "h")
        expect_close(c, want_c, "c")
    with recorded("lstm_step_backward", (*args, dh, dc)) as evidence:
        reply = submission.lstm_step_backward.call(dh, dc, cache)
        evidence.got = reply["value"]
        grads = expect_tuple(reply["value"], "lstm_step_backward", GRADS)
        expect_inputs_kept(reply, "lstm_step_backward", ("dh", "dc", "cache"))
        yield args, (dh, dc), tuple(expect_array(g, n, a, AXES.get(n)) for g, n, a in zip(grads, GRADS, args))


@pytest.mark.step("lstm_step_backward", points=7)
def test_lstm_step_backward_gradient_check(submission, reference):
    """lstm_step_backward agrees with central differences of lstm_step_forward"""
    for seed in SEEDS[:2]:
        with noted(describe(seed)), learner_step_gradients(submission, reference, seed) as (args, douts, grads):
            gradient_check(submission.lstm_step_forward, args, range(6), [0, 1], douts, grads, GRADS, AXES,
                           reference=Trusted(reference.lstm_step_forward))


@pytest.mark.step("lstm_step_backward", points=7)
def test_lstm_step_backward_matches_reference(submission, reference):
    """lstm_step_backward matches the reference gradients"""
    for seed in SEEDS:
        with noted(describe(seed)), learner_step_gradients(submission, reference, seed) as (args, (dh, dc), grads):
            _, _, cache = reference.lstm_step_forward(*args)
            expect_all_close(grads, reference.lstm_step_backward(dh, dc, cache), GRADS, AXES)
