"""grader.testing, the test authors' module, in-process: the graded tests import nothing else of the
grader; a backward check trusts the learner's forward only once it matches the reference, judges the
gradients by the reference's central differences so no forward steers them, fails closed on what is
not finite, and going without the reference is said outright; axes in the wrong form fail loudly;
seeds past the public ones draw new non-square shapes."""
import ast
import glob
import os
import types

import numpy as np
import pytest

from grader import testing
from grader.judge.diagnosis import load_reference
from grader.kit import KIT_ROOT
from grader.sandbox.perturb import perturbed_outputs

GRADED_TESTS = sorted(glob.glob(os.path.join(KIT_ROOT, "tests", "steps", "test_*.py"))) + \
    [os.path.join(KIT_ROOT, "tests", "hidden", "test_hidden_example.py")]


class Local:
    """A function run in this process behind a worker function's interface (name, call, perturbed)."""

    def __init__(self, fn):
        self.fn, self.name = fn, fn.__name__

    def call(self, *args, keep=()):
        return {"value": self.fn(*args), "mutated": [], "warnings": []}

    def __call__(self, *args, keep=()):
        return self.call(*args, keep=keep)["value"]

    def perturbed(self, args, perturb, outputs):
        return perturbed_outputs(lambda a: self.fn(*a), args, perturb, outputs)


@pytest.fixture(scope="module")
def reference():
    ref = load_reference(os.path.join(KIT_ROOT, "solutions"))
    assert ref is not None
    return ref


def step_inputs(seed=testing.SEEDS[0]):
    N, _, _, H = testing.sizes(seed)
    return testing.step_args(seed), testing.upstream(seed, (N, H), (N, H))


def reference_as_submission(reference):
    return types.SimpleNamespace(lstm_step_forward=Local(reference.lstm_step_forward),
                                 lstm_step_backward=Local(reference.lstm_step_backward))


def zero_pair():
    def lstm_step_forward(x, h_prev, c_prev, Wx, Wh, b):
        return np.zeros_like(h_prev), np.zeros_like(c_prev), (x, h_prev, c_prev, Wx, Wh, b)

    def lstm_step_backward(dh, dc, cache):
        return tuple(np.zeros_like(a) for a in cache)
    return types.SimpleNamespace(lstm_step_forward=Local(lstm_step_forward),
                                 lstm_step_backward=Local(lstm_step_backward))


def flat_pair(reference):
    """Right on a plain call; on inputs near its last ones (a gradient check's moves) it repeats its
    last answer, so its central differences are zero, like its backward."""
    last = {}

    def lstm_step_forward(*args):
        if "args" in last and all(np.max(np.abs(a - b)) < 1e-4 for a, b in zip(args, last["args"])):
            return last["out"]
        h, c, _ = reference.lstm_step_forward(*args)
        last["args"], last["out"] = [a.copy() for a in args], (h, c, args)
        return last["out"]
    return types.SimpleNamespace(lstm_step_forward=Local(lstm_step_forward),
                                 lstm_step_backward=zero_pair().lstm_step_backward)


def recorded_reference(reference):
    """The reference as a handout replays it: only its recorded calls, so no perturbed inputs."""
    def replayed(*args):
        return reference.lstm_step_forward(*args)
    replayed.only_recorded_calls = True
    return types.SimpleNamespace(lstm_step_forward=replayed, lstm_step_backward=reference.lstm_step_backward)


def moved(args, base):
    """The (argument, flat index, distance) of the one entry by which args differ from base, else None."""
    entries = [(k, int(j)) for k, (a, b) in enumerate(zip(args, base)) for j in np.flatnonzero(a != b)]
    if len(entries) != 1:
        return None
    k, j = entries[0]
    return k, j, float(args[k].flat[j] - base[k].flat[j])


def moving_forward(reference, on_move):
    """lstm_step_forward, right on a plain call; on inputs one entry away from its last plain ones
    (a gradient check's move: argument, flat index, distance), it answers ``on_move(move, h, c)``."""
    plain = {}

    def lstm_step_forward(*args):
        h, c, cache = reference.lstm_step_forward(*args)
        move = moved(args, plain["args"]) if "args" in plain else None
        if move is None:
            plain["args"] = [a.copy() for a in args]
            return h, c, cache
        return (*on_move(move, h, c), cache)
    return Local(lstm_step_forward)


def huge_pair(reference):
    """Answers the gradient check's first move (x[0, 0] up) with 1e308 in h, so one central
    difference is infinite; zero gradients."""
    def huge(move, h, c):
        if move[:2] == (0, 0) and move[2] > 0:
            h = h.copy()
            h[0, 0] = 1e308
        return h, c

    def lstm_step_backward(dh, dc, cache):
        return tuple(np.zeros_like(a) for a in cache[:5]) + (np.zeros(cache[3].shape[1]),)
    return types.SimpleNamespace(lstm_step_forward=moving_forward(reference, huge),
                                 lstm_step_backward=Local(lstm_step_backward))


def steering_pair(reference):
    """Its db is 24% off, and when the gradient check moves b[0] its forward shifts h and c along
    the upstream gradients, within the value tolerance, so that the central difference agrees."""
    seen = {}

    def steer(move, h, c):
        if move[:2] != (5, 0):
            return h, c
        extra, dh, dc = seen["steer"]
        shift = move[2] * extra / (np.sum(dh * dh) + np.sum(dc * dc))
        return h + shift * dh, c + shift * dc

    def lstm_step_backward(dh, dc, cache):
        *grads, db = reference.lstm_step_backward(dh, dc, cache)
        seen["steer"] = (0.5 * np.linalg.norm(db), dh, dc)
        return (*grads, db + seen["steer"][0] * (np.arange(db.size) == 0))
    return types.SimpleNamespace(lstm_step_forward=moving_forward(reference, steer),
                                 lstm_step_backward=Local(lstm_step_backward))


class Unperturbed(Local):
    """A worker function that must not be run on perturbed inputs."""

    def perturbed(self, args, perturb, outputs):
        raise AssertionError("the learner's forward was run on perturbed inputs")


def test_graded_tests_import_nothing_of_the_grader_but_grader_testing():
    for path in GRADED_TESTS:
        imported = {node.module for node in ast.walk(ast.parse(open(path).read()))
                    if isinstance(node, ast.ImportFrom) and node.module}
        imported |= {alias.name for node in ast.walk(ast.parse(open(path).read()))
                     if isinstance(node, ast.Import) for alias in node.names}
        assert {name for name in imported if name.split(".")[0] == "grader"} == {"grader.testing"}, path


def test_expect_backward_passes_the_reference_through_its_own_forward(reference):
    grads = testing.expect_backward(reference_as_submission(reference), reference, "lstm_step_backward", *step_inputs())
    assert [g.shape for g in grads] == [a.shape for a in step_inputs()[0]]


def test_expect_backward_fails_a_zero_forward_with_zero_gradients_on_the_forward(reference):
    with pytest.raises(testing.CheckFailed, match=r"h has wrong values.*\(lstm_step_forward's output: this check "
                                                  r"needs it right\)"):
        testing.expect_backward(zero_pair(), reference, "lstm_step_backward", *step_inputs())


def test_expect_backward_fails_a_forward_that_fakes_only_its_perturbed_outputs(reference):
    # Its repeated outputs are often within tolerance of the moved ones; its differences are zero,
    # and the reference's, which judge its zero gradients, are not.
    for seed in range(4, 10):
        with pytest.raises(testing.CheckFailed, match="lstm_step_forward gives other outputs than the reference "
                                                      "when one input entry moves"):
            testing.expect_backward(flat_pair(reference), reference, "lstm_step_backward", *step_inputs(seed))


def test_a_right_pair_passes_on_any_inputs(reference):
    for seed in range(4, 10):
        testing.expect_backward(reference_as_submission(reference), reference, "lstm_step_backward", *step_inputs(seed))


def test_a_passing_check_never_runs_the_learners_forward_on_perturbed_inputs(reference):
    # So no value the learner's code chooses there can move the numerical gradients it is judged by.
    right = reference_as_submission(reference)
    right.lstm_step_forward = Unperturbed(reference.lstm_step_forward)
    testing.expect_backward(right, reference, "lstm_step_backward", *step_inputs())


def test_no_forward_steers_its_gradient_check_while_the_reference_runs(reference):
    steering = steering_pair(reference)
    with pytest.raises(testing.CheckFailed, match=r"lstm_step_forward gives other outputs than the reference when "
                                                  r"one input entry moves by 1e-05 \(on the plain inputs they match\), "
                                                  r".*Against the reference's, db has a relative error of 2\.[0-9]+e-01"):
        testing.expect_backward(steering, reference, "lstm_step_backward", *step_inputs())
    # Without a reference the steering works, which is what the docs warn of.
    testing.expect_backward(steering_pair(reference), None, "lstm_step_backward", *step_inputs(),
                            without_reference=True)


def test_a_gradient_check_fails_closed_on_what_is_not_finite(reference):
    not_finite = (r"gradient check: the numerical gradient of your forward is not finite at dx\[0, 0\] \(-?inf\): "
                  r"lstm_step_forward's outputs when that input entry moves by \+-1e-05")
    with pytest.raises(testing.CheckFailed, match=not_finite):
        testing.expect_backward(huge_pair(reference), reference, "lstm_step_backward", *step_inputs())
    with pytest.raises(testing.CheckFailed, match=not_finite):
        testing.expect_backward(huge_pair(reference), None, "lstm_step_backward", *step_inputs(), without_reference=True)
    args, douts = step_inputs()
    forward, names = Local(reference.lstm_step_forward), testing.BACKWARDS["lstm_step_backward"].grads
    right = list(reference.lstm_step_backward(*douts, reference.lstm_step_forward(*args)[2]))
    nan = [g.copy() for g in right]
    nan[3][1, 2] = np.nan
    with pytest.raises(testing.CheckFailed, match=r"dWx contains NaN at dWx\[1, 2\]"):
        testing.gradient_check(forward, args, range(6), [0, 1], douts, nan, names, reference=reference.lstm_step_forward)
    huge = [g.copy() for g in right]
    huge[0][:] = 1e300  # finite, but its norm is not: the relative error is NaN, and NaN > GRAD_TOL is false
    with pytest.raises(testing.CheckFailed, match=r"gradient check: dx disagrees .*relative error nan"):
        testing.gradient_check(forward, args, range(6), [0, 1], douts, huge, names, reference=reference.lstm_step_forward)


def test_without_the_reference_the_same_fake_gets_through(reference):
    # Why going without the reference is an explicit opt-out: the fake's gradients then look right.
    errors = testing.gradient_check(flat_pair(reference).lstm_step_forward, step_inputs()[0], range(6), [0, 1],
                                    step_inputs()[1], [np.zeros_like(a) for a in step_inputs()[0]],
                                    testing.BACKWARDS["lstm_step_backward"].grads, without_reference=True)
    assert max(errors.values()) == 0
    testing.expect_backward(flat_pair(reference), None, "lstm_step_backward", *step_inputs(), without_reference=True)
    testing.expect_backward(flat_pair(reference), recorded_reference(reference), "lstm_step_backward", *step_inputs())


def test_checking_gradients_without_the_reference_must_be_said_outright(reference):
    args, douts = step_inputs()
    with pytest.raises(TypeError, match="without_reference=True"):
        testing.expect_backward(zero_pair(), None, "lstm_step_backward", args, douts)
    with pytest.raises(TypeError, match="without_reference=True"):
        testing.gradient_check(zero_pair().lstm_step_forward, args, range(6), [0, 1], douts, args, ("dx",) * 6)
    with pytest.raises(TypeError, match="choose one"):
        testing.expect_backward(zero_pair(), reference, "lstm_step_backward", args, douts, without_reference=True)
    with pytest.raises(TypeError, match="checks one of lstm_step_backward, lstm_backward, rnn_step_backward"):
        testing.expect_backward(zero_pair(), reference, "lstm_step_forward", args, douts)


def test_inputs_that_do_not_fit_the_backward_are_the_tests_fault(reference):
    args, (dh, dc) = step_inputs()
    with pytest.raises(TypeError, match=r"of lstm_step_backward takes 2 upstream gradients \(dh, dc\), not 1"):
        testing.expect_backward(zero_pair(), reference, "lstm_step_backward", args, (dh,))
    with pytest.raises(TypeError, match=r"takes 6 arguments \(x, h_prev, c_prev, Wx, Wh, b\), not 5"):
        testing.expect_backward_matches_reference(zero_pair(), reference, "lstm_step_backward", args[:5], (dh, dc))
    with pytest.raises(TypeError, match=r"upstream dc has shape \(6, 3\), but lstm_step_forward's output has "
                                        r"shape \(3, 6\)"):
        testing.expect_backward(zero_pair(), reference, "lstm_step_backward", args, (dh, dc.T))


def test_backward_checks_name_the_same_forward_failure_and_the_same_gradients(reference):
    for check in (testing.expect_backward, testing.expect_backward_matches_reference):
        with pytest.raises(testing.CheckFailed, match="lstm_step_forward's output: this check needs it right"):
            check(zero_pair(), reference, "lstm_step_backward", *step_inputs())
    wrong = reference_as_submission(reference)
    wrong.lstm_step_backward = Local(lambda dh, dc, cache: tuple(2 * g for g in
                                                                 reference.lstm_step_backward(dh, dc, cache)))
    with pytest.raises(testing.CheckFailed, match="gradient check: .* disagrees") as by_differences:
        testing.expect_backward(wrong, reference, "lstm_step_backward", *step_inputs())
    with pytest.raises(testing.CheckFailed, match="dx has wrong values") as by_reference:
        testing.expect_backward_matches_reference(wrong, reference, "lstm_step_backward", *step_inputs())
    for failure in (by_differences.value, by_reference.value):  # so the grader can name a mistake
        assert failure.evidence.name == "lstm_step_backward" and len(failure.evidence.inputs) == 8


def test_axes_in_the_wrong_form_fail_loudly_for_the_author():
    h = np.zeros((2, 3, 4))
    with pytest.raises(TypeError, match=r"takes axes keyed by output name, as \{'h': \{1: TIME\}\}"):
        testing.expect_matches_reference(None, None, (), (), ("h", "cache"), {1: testing.TIME}, keep=(1,))
    with pytest.raises(TypeError, match="was given axes for 'H', which is none of its outputs"):
        testing.expect_all_close((h,), (h,), ("h",), {"H": {1: testing.TIME}})
    with pytest.raises(TypeError, match=r"the axes of h must map an axis number \(0 to 2\)"):
        testing.expect_close(h, h, "h", {"h": {1: testing.TIME}})
    with pytest.raises(TypeError, match=r"the axes of h must map an axis number \(0 to 2\)"):
        testing.expect_close(h, h, "h", {3: testing.TIME})


def test_axes_in_the_right_form_name_the_index():
    want = np.zeros((2, 3, 8))
    got = want.copy()
    got[1, 2, 3] = 1.0
    with pytest.raises(testing.CheckFailed, match=r"h\[1, 2, 3\] \(time step 2; gate f, unit 1\)"):
        testing.expect_close(got, want, "h", {1: testing.TIME, 2: testing.GATES})
    with pytest.raises(testing.CheckFailed, match=r"h\[1, 2, 3\] \(time step 2\)"):
        testing.expect_all_close((got,), (want,), ("h",), {"h": {1: testing.TIME}})


def test_public_seeds_keep_their_shapes_and_other_seeds_draw_new_non_square_ones():
    public = {0: (3, 4, 5, 6), 1: (2, 5, 7, 3), 2: (4, 3, 2, 5), testing.SQUARE_SEED: (3, 4, 5, 5)}
    assert testing.SEEDS == (0, 1, 2) and {seed: testing.sizes(seed) for seed in public} == public
    drawn = {seed: testing.sizes(seed) for seed in range(4, 60)}
    for seed, shape in drawn.items():
        N, T, D, H = shape
        assert len(set(shape)) == 4 and shape not in public.values(), (seed, shape)
        assert testing.sizes(seed) == shape
        assert testing.describe(seed) == f"(inputs: seed {seed}, N={N}, T={T}, D={D}, H={H})"
        x, y, params = testing.classifier_args(seed)
        assert x.shape == (N, T, D) and params["Wy"].shape[1] not in (N, D, H)
    assert len(set(drawn.values())) > 20  # seeds draw different shapes, not a few in turn


def test_a_value_off_by_a_size_of_the_inputs_is_told_so(reference):
    """A forward whose h is N times too large (a sum over the batch where each row belongs), or 1/T,
    is told the factor and which size it is; a plain wrong value gets no factor."""
    args = testing.sequence_args(testing.SEEDS[0])
    N, T, _, _ = testing.sizes(testing.SEEDS[0])
    names = ("x", "h0", "Wx", "Wh", "b")
    for scale, said in ((N, f"Yours is {N}x the expected value everywhere: N, with N = {N}."),
                        (1 / T, f"Yours is {1 / T:.4g}x the expected value everywhere: 1/T, with T = {T}.")):
        def lstm_forward(*a, scale=scale):
            h, cache = reference.lstm_forward(*a)
            return h * scale, cache
        with pytest.raises(testing.CheckFailed) as failed:
            testing.expect_matches_reference(Local(lstm_forward), reference.lstm_forward, args, names, ("h", "cache"), keep=(1,))
        assert said in str(failed.value)

    def shifted(*a):
        h, cache = reference.lstm_forward(*a)
        return h + 0.5, cache
    with pytest.raises(testing.CheckFailed) as failed:
        testing.expect_matches_reference(Local(shifted), reference.lstm_forward, args, names, ("h", "cache"), keep=(1,))
    assert "the expected value" not in str(failed.value)
    said = r"yours 1\.8, expected 0\.6; .*Yours is 3x the expected value: N, with N = 3\.$"
    with pytest.raises(testing.CheckFailed, match=said):
        testing.expect_close(np.array(1.8), np.array(0.6), "loss", sizes={"N": 3, "T": 4})
    with pytest.raises(testing.CheckFailed) as failed:  # two single numbers are always multiples: no factor unless a size
        testing.expect_close(np.array(1.7), np.array(0.6), "loss", sizes={"N": 3})
    assert "expected value" not in str(failed.value)
