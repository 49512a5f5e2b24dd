"""Steps 1-7: one time step, one gate at a time."""
import numpy as np
import pytest

from grader.testing import (
    SEEDS,
    cell_update_args,
    describe,
    expect_close,
    expect_keeps_inputs,
    expect_matches_reference,
    gate_args,
    hidden_state_args,
    mistake_failed,
    noted,
)

GATE_ARGS = ("x", "h_prev", "Wx", "Wh", "b")


def check_each_seed(function, reference, make_args, arg_names, out_name):
    for seed in SEEDS:
        with noted(describe(seed)):
            expect_matches_reference(function, reference, make_args(seed), arg_names, (out_name,))


def check_inputs_kept(function, reference, make_args, arg_names, out_name):
    """The side effect is a small check of its own: the value checks judge the math alone."""
    seed = SEEDS[0]
    with noted(describe(seed)):
        expect_keeps_inputs(function, reference, make_args(seed), arg_names, (out_name,))


@pytest.mark.step("sigmoid", points=1.5)
def test_sigmoid_values(submission, reference):
    """sigmoid matches 1 / (1 + exp(-z)) on moderate inputs"""
    z = np.random.default_rng(7).uniform(-12, 12, (4, 7))
    expect_matches_reference(submission.sigmoid, reference.sigmoid, (z,), ("z",), ("sigmoid(z)",))


@pytest.mark.step("sigmoid", points=2)
def test_sigmoid_is_stable(submission, reference):
    """sigmoid of -1000 and 1000 is 0 and 1, with no overflow warning"""
    z = np.array([[-1000.0, -40.0, 0.0], [40.0, 1000.0, 3.0]])
    reply = submission.sigmoid.call(z)
    if reply["warnings"]:
        warning = reply["warnings"][0]
        # An overflow at each sign alone: both fractions run everywhere, as np.where's two branches do.
        if all(submission.sigmoid.call(np.array([sign * 1000.0]))["warnings"] for sign in (-1, 1)):
            raise mistake_failed("where_both_branches", f"sigmoid warned at z = -1000 alone and at z = 1000 alone ({warning})")
        raise mistake_failed("overflow_sigmoid", f"sigmoid warned at z = -1000 or 1000 ({warning})")
    expect_close(reply["value"], reference.sigmoid(z), "sigmoid(z)")


@pytest.mark.step("sigmoid", points=0.5)
def test_sigmoid_keeps_its_input(submission, reference):
    """sigmoid leaves z unchanged"""
    z = np.random.default_rng(7).uniform(-12, 12, (4, 7))
    expect_keeps_inputs(submission.sigmoid, reference.sigmoid, (z,), ("z",), ("sigmoid(z)",))


@pytest.mark.step("forget_gate", points=3.5)
def test_forget_gate(submission, reference):
    """forget_gate matches sigmoid(x Wx + h_prev Wh + b)"""
    check_each_seed(submission.forget_gate, reference.forget_gate, gate_args, GATE_ARGS, "f")


@pytest.mark.step("forget_gate", points=0.5)
def test_forget_gate_keeps_its_inputs(submission, reference):
    """forget_gate leaves its inputs unchanged"""
    check_inputs_kept(submission.forget_gate, reference.forget_gate, gate_args, GATE_ARGS, "f")


@pytest.mark.step("input_gate", points=3.5)
def test_input_gate(submission, reference):
    """input_gate matches sigmoid(x Wx + h_prev Wh + b)"""
    check_each_seed(submission.input_gate, reference.input_gate, gate_args, GATE_ARGS, "i")


@pytest.mark.step("input_gate", points=0.5)
def test_input_gate_keeps_its_inputs(submission, reference):
    """input_gate leaves its inputs unchanged"""
    check_inputs_kept(submission.input_gate, reference.input_gate, gate_args, GATE_ARGS, "i")


@pytest.mark.step("candidate", points=3.5)
def test_candidate(submission, reference):
    """candidate matches tanh(x Wx + h_prev Wh + b)"""
    check_each_seed(submission.candidate, reference.candidate, gate_args, GATE_ARGS, "g")


@pytest.mark.step("candidate", points=0.5)
def test_candidate_keeps_its_inputs(submission, reference):
    """candidate leaves its inputs unchanged"""
    check_inputs_kept(submission.candidate, reference.candidate, gate_args, GATE_ARGS, "g")


@pytest.mark.step("cell_update", points=3.5)
def test_cell_update(submission, reference):
    """cell_update matches f * c_prev + i * g"""
    check_each_seed(submission.cell_update, reference.cell_update, cell_update_args,
                    ("c_prev", "f", "i", "g"), "c")


@pytest.mark.step("cell_update", points=0.5)
def test_cell_update_keeps_its_inputs(submission, reference):
    """cell_update leaves its inputs unchanged"""
    check_inputs_kept(submission.cell_update, reference.cell_update, cell_update_args, ("c_prev", "f", "i", "g"), "c")


@pytest.mark.step("output_gate", points=3.5)
def test_output_gate(submission, reference):
    """output_gate matches sigmoid(x Wx + h_prev Wh + b)"""
    check_each_seed(submission.output_gate, reference.output_gate, gate_args, GATE_ARGS, "o")


@pytest.mark.step("output_gate", points=0.5)
def test_output_gate_keeps_its_inputs(submission, reference):
    """output_gate leaves its inputs unchanged"""
    check_inputs_kept(submission.output_gate, reference.output_gate, gate_args, GATE_ARGS, "o")


@pytest.mark.step("hidden_state", points=3.5)
def test_hidden_state(submission, reference):
    """hidden_state matches o * tanh(c)"""
    check_each_seed(submission.hidden_state, reference.hidden_state, hidden_state_args, ("c", "o"), "h")


@pytest.mark.step("hidden_state", points=0.5)
def test_hidden_state_keeps_its_inputs(submission, reference):
    """hidden_state leaves its inputs unchanged"""
    check_inputs_kept(submission.hidden_state, reference.hidden_state, hidden_state_args, ("c", "o"), "h")
