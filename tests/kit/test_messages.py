"""Bad outputs get a message that says exactly what is wrong, with shapes."""
import pytest

from conftest import ALL_STEPS, build_submission

CASES = {
    "missing_return": ("forget_gate", '''
def forget_gate(x, h_prev, Wx, Wh, b):
    f = sigmoid(x @ Wx + h_prev @ Wh + b)
''', "f is None: is a `return` missing?"),
    "wrong_shape": ("candidate", '''
def candidate(x, h_prev, Wx, Wh, b):
    return np.tanh(x @ Wx + h_prev @ Wh + b).T
''', "g has shape (6, 3); expected (3, 6)"),
    "nan": ("cell_update", '''
def cell_update(c_prev, f, i, g):
    c = f * c_prev + i * g
    c[0, 1] = np.nan
    return c
''', "c contains NaN at c[0, 1]"),
    "int_dtype": ("hidden_state", '''
def hidden_state(c, o):
    return (o * np.tanh(c)).astype(int)
''', "h has dtype int64; expected float64"),
    "list_instead_of_array": ("input_gate", '''
def input_gate(x, h_prev, Wx, Wh, b):
    return sigmoid(x @ Wx + h_prev @ Wh + b).tolist()
''', "i is a list; expected a NumPy array of shape (3, 6)"),
    "mutates_input": ("cell_update", '''
def cell_update(c_prev, f, i, g):
    c_prev *= f
    return c_prev + i * g
''', "changed its input c_prev in place"),
    "raises": ("output_gate", '''
def output_gate(x, h_prev, Wx, Wh, b):
    return sigmoid(x @ Wh + h_prev @ Wx + b)
''', "output_gate raised ValueError"),
    "step_forward_not_a_tuple": ("lstm_step_forward", '''
def lstm_step_forward(x, h_prev, c_prev, Wx, Wh, b):
    return x
''', "lstm_step_forward returned a ndarray; expected a tuple (h, c, cache)"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_output_is_named(grade_in, tmp_path, case):
    step, source, expected = CASES[case]
    graded = grade_in(build_submission(tmp_path / case, done=ALL_STEPS, replace={step: source}))
    assert graded.status(step) == "failed"
    assert expected in graded.message(step), graded.message(step)


def test_exception_message_names_the_file_and_line(grade_in, tmp_path):
    graded = grade_in(build_submission(tmp_path / "raises", done=ALL_STEPS, replace={"output_gate": CASES["raises"][1]}))
    assert "gates.py, line" in graded.message("output_gate")


def test_gradient_check_names_argument_and_place(grade_in, tmp_path):
    from mistakes import MISTAKES
    _, _, source = MISTAKES["lstm_backward_overwrites_weight_gradients"]
    graded = grade_in(build_submission(tmp_path / "bptt", done=ALL_STEPS, replace={"lstm_backward": source}))
    message = graded.message("lstm_backward")
    assert "relative error" in message and "numerical" in message and "gate" in message
    assert any(name in message for name in ("dWx", "dWh", "db"))


OWN_LINE_RAISES = '''
def lstm_backward(dh, cache):
    N, T, H = dh.shape
    last = cache[T]
    return last
'''
STEP_BACKWARD_RAISES = '''
def lstm_step_backward(dh, dc, cache):
    x, h_prev = cache[0], cache[1]
    return x[:, 100]
'''


def test_an_error_on_the_steps_own_line_leads_and_the_failing_prerequisite_follows(grade_in, tmp_path):
    """lstm_backward's own line raises while lstm_step_backward fails for its own reason: the error leads."""
    from mistakes import MISTAKES
    _, _, wrong = MISTAKES["step_backward_missing_h_path_in_dc"]
    graded = grade_in(build_submission(tmp_path / "own", done=ALL_STEPS,
                                       replace={"lstm_step_backward": wrong, "lstm_backward": OWN_LINE_RAISES}))
    assert graded.status("lstm_step_backward") == "failed"
    message = graded.message("lstm_backward")
    assert message.startswith("lstm_backward raised IndexError"), message
    assert "sequence.py, line" in message and "also failing: lstm_step_backward" in message, message


def test_an_error_in_the_prerequisites_code_keeps_fix_it_first(grade_in, tmp_path):
    """lstm_backward calls the learner's lstm_step_backward, whose own line raises: fix that first."""
    graded = grade_in(build_submission(tmp_path / "theirs", done=ALL_STEPS,
                                       replace={"lstm_step_backward": STEP_BACKWARD_RAISES}))
    message = graded.message("lstm_backward")
    assert message.startswith("fix lstm_step_backward first (this step builds on it)."), message
    assert "IndexError" in message
