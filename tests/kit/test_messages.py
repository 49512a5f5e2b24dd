"""Bad outputs get a message that says exactly what is wrong, with shapes; a failed gradient check
says which gate blocks are off and whether a gradient is a constant factor of the numerical one."""
import os
import re

import numpy as np
import pytest

from grader.course.inputs import sequence_args, sizes, step_args, upstream
from grader.judge.checks import CheckFailed
from grader.judge.diagnosis import load_reference
from grader.judge.gradients import BACKWARDS, Trusted, gradient_check
from grader.kit import KIT_ROOT
from grader.sandbox.client import Submission, SubmissionError, Worker

from bundles import CHANGES, GROUPS
from conftest import ALL_STEPS, build_submission, grade
from mistakes import MISTAKES, UNCATALOGUED

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


def test_an_untouched_stub_is_not_started_whatever_the_steps_before_it_do(grade_in, tmp_path):
    """lstm_step_backward is still the stub while lstm_step_forward is wrong: its checks fail on the
    forward before they reach the stub, and the step is still 'not started', not 'failing'."""
    step, _, wrong = MISTAKES["step_forward_cs231n_gate_order"]
    done = [s for s in ALL_STEPS if s != "lstm_step_backward"]
    graded = grade_in(build_submission(tmp_path / "stub", done=done, replace={step: wrong}))
    assert graded.status("lstm_step_forward") == "failed"
    assert graded.status("lstm_step_backward") == "not started", graded.message("lstm_step_backward")
    assert graded.message("lstm_step_backward") == "lstm_step_backward is not written yet"
    assert graded.points("lstm_step_backward") == 0


# -- a gradient check's failure: which gate blocks are off, and a constant factor ------------------

def failed_gradient_check(backward, seed, change):
    """The message of a gradient check of the reference's forward against its own gradients
    after ``change(grads, sizes)`` (in place), as the grader's own gradient_check writes it."""
    ref = load_reference(os.path.join(KIT_ROOT, "solutions"))
    pair = BACKWARDS[backward]
    N, T, D, H = sizes(seed)
    args, douts = ((step_args(seed), upstream(seed, (N, H), (N, H))) if backward == "lstm_step_backward"
                   else (sequence_args(seed), upstream(seed, (N, T, H))))
    forward = getattr(ref, pair.forward)
    grads = [np.copy(g) for g in getattr(ref, backward)(*douts, forward(*args)[-1])]
    change(grads, dict(N=N, T=T, D=D, H=H))
    with pytest.raises(CheckFailed) as failed:
        gradient_check(Trusted(forward), args, range(len(args)), list(range(len(douts))), douts, grads, pair.grads,
                       pair.axes_of(pair.grads), reference=forward, sizes=pair.sizes(args))
    return str(failed.value)


def test_a_gradient_check_names_the_gate_blocks_that_are_off():
    def g_block_doubled(grads, s):  # dWx and db (indices 3 and 5) wrong in the g block only
        grads[3][:, 2 * s["H"]:3 * s["H"]] *= 2
        grads[5][2 * s["H"]:3 * s["H"]] *= 2
    message = failed_gradient_check("lstm_step_backward", 0, g_block_doubled)
    assert "only the g block of dWx and db is off (relative errors of the blocks i, f, g, o: dWx " in message
    assert "dWh" not in message.split("All errors")[0] and "x the numerical gradient" not in message

    def two_kinds(grads, s):
        grads[3][:, :s["H"]] = 0
        grads[4][:, :2 * s["H"]] += 1
    message = failed_gradient_check("lstm_step_backward", 1, two_kinds)
    assert "only the i block of dWx, and the i and f blocks of dWh are off" in message


def test_a_gradient_check_names_no_block_when_all_four_are_off():
    def everything_doubled(grads, s):
        grads[3] *= 2
        grads[3][0, 0] += 1  # not a constant factor either
    message = failed_gradient_check("lstm_step_backward", 0, everything_doubled)
    assert "block" not in message and "x the numerical gradient" not in message


def test_a_gradient_that_is_a_constant_factor_of_the_numerical_one_says_so():
    def halved(grads, s):
        grads[3] *= 0.5
    message = failed_gradient_check("lstm_step_backward", 0, halved)
    assert "dWx: yours is 0.5x the numerical gradient everywhere." in message

    def over_T(grads, s):
        for g in grads:
            g /= s["T"]
    message = failed_gradient_check("lstm_backward", 0, over_T)
    assert ("dx, dh0, dWx, dWh and db: each of yours is 0.25x the numerical gradient everywhere: 1/T, with T = 4."
            in message)
    assert "block" not in message  # every block is off: the factor says it all


def test_a_learners_wrong_candidate_derivative_is_located_in_the_g_blocks(grade_in, tmp_path):
    _, _, source = MISTAKES["step_backward_sigmoid_derivative_on_every_block"]
    graded = grade_in(build_submission(tmp_path / "g", done=ALL_STEPS, replace={"lstm_step_backward": source}))
    assert "only the g block of dWx, dWh and db is off" in graded.message("lstm_step_backward")
    _, source, _ = UNCATALOGUED["step_backward_halves_dWx"]
    graded = grade_in(build_submission(tmp_path / "half", done=ALL_STEPS, replace={"lstm_step_backward": source}))
    assert "dWx: yours is 0.5x the numerical gradient everywhere" in graded.message("lstm_step_backward")


PRINTS_A_FLOOD = '''
def forget_gate(x, h_prev, Wx, Wh, b):
    for k in range(3_000_000):  # about 20 MB of numbers, a line at a time, at every call
        print(k, "of a long debugging trace")
    return sigmoid(x @ Wx + h_prev @ Wh + b)
'''


def test_a_call_slowed_by_printing_is_told_so_not_asked_about_an_endless_loop(grade_in, tmp_path):
    graded = grade_in(build_submission(tmp_path / "flood", done=ALL_STEPS, replace={"forget_gate": PRINTS_A_FLOOD}),
                      "--call-timeout", "0.3")
    message = graded.message("forget_gate")
    assert graded.status("forget_gate") == "failed"
    assert re.search(r"did not answer within 0.3 s, and it printed over \d+ MiB", message), message
    assert "remove the prints" in message and "endless loop" not in message, message


# -- a shape error: the line that made the shape, beside the line that raised ------------------------

H_LAST_FROM_THE_WRONG_AXIS = '''
def classifier_loss(x, y, params):
    Wx, Wh, b, Wy, by = (params[k] for k in ("Wx", "Wh", "b", "Wy", "by"))
    N, H = x.shape[0], Wh.shape[0]
    h, cache = lstm_forward(x, np.zeros((N, H)), Wx, Wh, b)
    h_last = h[-1]
    scores = h_last @ Wy + by
    shifted = scores - scores.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    loss = -log_p[np.arange(N), y].mean()
    dscores = np.exp(log_p)
    dscores[np.arange(N), y] -= 1
    dscores /= N
    dh = np.zeros_like(h)
    dh[:, -1] = dscores @ Wy.T
    _, _, dWx, dWh, db = lstm_backward(dh, cache)
    return loss, {"Wx": dWx, "Wh": dWh, "b": db, "Wy": h_last.T @ dscores, "by": dscores.sum(axis=0)}
'''
# The time axis sliced as if it were the batch's: the matrix product inside lstm_step_forward raises.
STEP_GIVEN_THE_WRONG_SLICE = '''
def lstm_forward(x, h0, Wx, Wh, b):
    N, T, _ = x.shape
    h_t, c_t = h0, np.zeros_like(h0)
    h, caches = np.zeros((N, T, h0.shape[1])), []
    for t in range(T):
        h_t, c_t, cache = lstm_step_forward(x[:, :, t], h_t, c_t, Wx, Wh, b)
        h[:, t] = h_t
        caches.append(cache)
    return h, caches
'''
TRANSPOSED_IN_PLACE_OF_ITSELF = '''
def candidate(x, h_prev, Wx, Wh, b):
    Wx = Wx.T
    return np.tanh(x @ Wx + h_prev @ Wh + b)
'''


def line_of(path, text):
    """The number of the line of the file at ``path`` that holds ``text``."""
    return next(n for n, line in enumerate(open(path).read().splitlines(), 1) if text in line)


@pytest.fixture(scope="module")
def shape_errors(tmp_path_factory):
    """One graded submission: a classifier_loss whose h_last comes from the wrong axis, a gate whose
    weights are swapped (the shapes came in that way), a candidate that transposes a weight into its
    own name."""
    folder = tmp_path_factory.mktemp("shapes")
    submission = build_submission(folder / "submission", done=ALL_STEPS, replace={
        "classifier_loss": H_LAST_FROM_THE_WRONG_AXIS, "output_gate": CASES["raises"][1],
        "candidate": TRANSPOSED_IN_PLACE_OF_ITSELF})
    return submission, grade(submission, folder / "results")


def test_a_shape_error_names_the_line_that_made_the_shape(shape_errors):
    submission, graded = shape_errors
    message = graded.message("classifier_loss")
    made, raised = line_of(submission / "memory.py", "h_last = h[-1]"), line_of(submission / "memory.py", "dh[:, -1] =")
    assert f"(memory.py, line {raised}: dh[:, -1] = dscores @ Wy.T)" in message, message
    assert (f". The shape came from line {made}: h_last = h[-1] (h_last is (4, 6); h is (3, 4, 6))" in message), message


def test_a_shape_that_came_in_as_given_or_cannot_be_followed_names_no_line(shape_errors):
    """Swapped weights: every array on the line came in from the check, as given. Wx = Wx.T: the
    name now holds another shape than the one it was read with, so its way cannot be followed."""
    _, graded = shape_errors
    for step in ("output_gate", "candidate"):
        message = graded.message(step)
        assert f"{step} raised ValueError" in message and "gates.py, line" in message, message
        assert "The shape came from" not in message, message


def test_a_shape_made_by_the_caller_names_the_callers_line(tmp_path):
    """The error is raised inside the learner's lstm_step_forward, on a slice their lstm_forward made:
    the caller's line is told, with its file. Graded with a real worker, without a whole grade."""
    folder = build_submission(tmp_path / "slice", done=ALL_STEPS, replace={"lstm_forward": STEP_GIVEN_THE_WRONG_SLICE})
    worker = Worker(str(folder), timeout=10)
    try:
        with pytest.raises(SubmissionError) as raised:
            Submission(worker).lstm_forward(*sequence_args(0))
    finally:
        worker.close()
    message = str(raised.value)
    call = line_of(folder / "sequence.py", "lstm_step_forward(x[:, :, t]")
    assert message.startswith("lstm_forward raised ValueError: matmul"), message
    assert "(cell.py, line " in message, message
    assert (f". The shape came from sequence.py, line {call}: h_t, c_t, cache = lstm_step_forward(x[:, :, t], h_t, "
            f"c_t, Wx, Wh, b) (x is (3, 4, 5))") in message, message


# -- train: what the run shows, said before any name or NaN -------------------------------------------

def train_outputs(group_grades, case):
    """{test title: message} of train's failing tests for the learner-style ``case`` of mistakes.py,
    from the session's grades of the mistakes (conftest's group_grades: no grade of its own)."""
    graded = group_grades("mistakes", next(k for k, group in enumerate(GROUPS["mistakes"]) if case in group))
    return graded, {t["name"]: t["output"].replace("\\", "") for t in graded.results["tests"]
                    if t["name"].startswith("train:") and t["score"] < t["max_score"]}


def learned(outputs):
    return next(text for name, text in outputs.items() if "remembers the name" in name)


@pytest.mark.parametrize("case, warning, line", [
    ("train_adam_counts_steps_from_zero", "RuntimeWarning: divide by zero encountered in divide",
     "m_hat = m[k] / (1 - 0.9 ** t)"),
    ("train_adam_without_epsilon", "RuntimeWarning: invalid value encountered in divide",
     "params[k] = params[k] - lr * m_hat / np.sqrt(v_hat)")])
def test_a_nan_in_train_comes_after_the_first_warning_and_its_line(group_grades, tmp_path, case, warning, line):
    graded, outputs = train_outputs(group_grades, case)
    group = next(group for group in GROUPS["mistakes"] if case in group)  # built again, as it was graded
    as_graded = build_submission(tmp_path / case, done=ALL_STEPS, replace=dict(CHANGES["mistakes"][c] for c in group))
    message = graded.message("train")
    details = message.split(" Details: ")[1]
    assert details.startswith(f"The first warning of the run was {warning}, at memory.py, line "
                              f"{line_of(as_graded / 'memory.py', line)}: {line}; then params['Wx'] contains NaN at "), message
    assert all("The first warning of the run was" in text for text in outputs.values()), outputs


def test_training_on_the_first_batch_alone_is_told_which_batches_the_weights_fit(group_grades):
    graded, outputs = train_outputs(group_grades, "train_takes_every_step_from_the_first_batch")
    text = learned(outputs)
    assert "your trained weights fit data[0] alone (loss " in text and "on the other 19)" in text, text
    assert "data[s % len(data)]" in text and "Adam equations" not in text, text


def test_a_forgotten_learning_rate_is_told_the_loss_stayed_at_chance_and_how_far_the_params_moved(group_grades):
    _, outputs = train_outputs(group_grades, "train_adam_forgets_the_learning_rate")
    text = learned(outputs)
    assert "your loss stayed at chance, ln 2 = 0.693" in text, text
    assert "an Adam step moves a weight by about lr = 0.01 at most, 200 steps by 2: is lr used in the update" in text
    assert "not far enough" not in text and "is each update kept" not in text, text


def test_swapped_betas_are_told_their_steps_are_too_small_not_that_updates_are_lost(group_grades):
    _, outputs = train_outputs(group_grades, "train_adam_swaps_the_betas")
    text = learned(outputs)
    assert "your steps are far too small" in text and "which beta goes with which" in text, text
    assert "is each update kept" not in text, text


@pytest.mark.parametrize("case", ["train_adam_without_bias_correction", "train_rescales_every_gradient_to_the_clip"])
def test_a_named_optimiser_mistake_gives_the_short_runs_figures_not_the_general_advice(group_grades, case):
    """The mistake's explanation says what to change; its details then hold the run it was seen
    on and how far it ended from the sanctioned optimiser, not "compare with the equations"."""
    _, outputs = train_outputs(group_grades, case)
    text = next(text for name, text in outputs.items() if "move every parameter as Adam" in name)
    details = text.split("**Details:** ")[1].split("\n")[0]
    assert re.fullmatch(r"after 3 steps with lr 0\.01 and clip [0-9.]+ \([^)]+\), params\['\w+'\] is off from "
                        r"where Adam takes it by [0-9.e+-]+ of its largest move\.", details), text
    assert "docstring's equations" not in text and "neither Adam's" not in text, text
