"""Judging a backward pass: the learner's gradients against central differences of the forward.

Where the grader can run the reference's forward itself (solutions/, in the grader's process),
the central differences are the reference's: once the learner's forward has matched the
reference on the plain call, the backward must be the gradient of that same function, and no
value the learner's code chooses on the perturbed inputs can move the target. Only a failing
check runs the learner's forward on the perturbed inputs as well, to say whether the backward
disagrees with the learner's own forward or the forward strays from the reference around the
plain inputs. Without such a reference (``without_reference=True``, or a handout's recording,
which holds no perturbed inputs) the learner's own forward is differentiated, and a forward
that fakes its perturbed outputs can steer its own check. Any check fails closed: a numerical
gradient, analytic gradient or relative error that is not finite is a failure.
"""
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np

from grader.judge.checks import (
    ATOL,
    GATE_NAMES,
    GATES,
    TIME,
    CheckFailed,
    and_list,
    axes_by_name,
    constant_factor,
    expect_all_close,
    expect_array,
    expect_tuple,
    factor_in_sizes,
    locate,
    noted,
)
from grader.judge.evidence import recorded
from grader.judge.trusted_stacks import trusted_stacks

GRAD_TOL = 1e-6   # norm-based; correct code measures ~1e-10, real mistakes 1e-3 and up
STEP = 1e-5       # central-difference step


@dataclass(frozen=True)
class Backward:
    """A learner's forward and backward pair, with names for their arguments and outputs."""
    forward: str
    backward: str
    args: tuple      # the forward's arguments; the backward returns one gradient for each, in order
    outputs: tuple   # the forward's outputs, its cache last
    upstream: tuple  # the backward's upstream gradients, one for each output but the cache
    axes: dict       # what an index means, by output or gradient name

    @property
    def grads(self):
        return tuple(f"d{name}" for name in self.args)

    def axes_of(self, names):
        return {name: self.axes[name] for name in names if name in self.axes}

    def sizes(self, args):
        """{size: value} for reading a wrong gradient's factor: N, (T,) D from x, H from the state."""
        x, state = args[0], args[1]
        return {**dict(zip(("N", "T", "D") if x.ndim == 3 else ("N", "D"), x.shape)), "H": state.shape[-1]}


WEIGHT_AXES = {"dWx": {1: GATES}, "dWh": {1: GATES}, "db": {0: GATES}}
BACKWARDS = {pair.backward: pair for pair in (
    Backward("lstm_step_forward", "lstm_step_backward", ("x", "h_prev", "c_prev", "Wx", "Wh", "b"),
             ("h", "c", "cache"), ("dh", "dc"), WEIGHT_AXES),
    Backward("lstm_forward", "lstm_backward", ("x", "h0", "Wx", "Wh", "b"), ("h", "cache"), ("dh",),
             {"h": {1: TIME}, "dx": {1: TIME}, **WEIGHT_AXES}),
    Backward("rnn_step_forward", "rnn_step_backward", ("x", "h_prev", "Wx", "Wh", "b"), ("h", "cache"), ("dh",), {}),
)}


def relative_error(a, b):
    """Norm-based relative error |a - b| / (|a| + |b|), 0 when both are 0."""
    scale = np.linalg.norm(a) + np.linalg.norm(b)
    return float(np.linalg.norm(a - b) / scale) if scale else 0.0


def _argument(args, k):
    """args[k], or args[i][key] when k is (i, key): an array inside a dict argument."""
    return args[k] if isinstance(k, int) else args[k[0]][k[1]]


class Trusted:
    """A function the grader runs itself (the reference's), with the ``perturbed`` interface of
    a submission's function."""

    def __init__(self, fn):
        self.fn, self.name = fn, fn.__name__

    def perturbed(self, args, perturb, outputs):
        # The same reference on the same batch gives the same outputs: kept for the next check
        # in this run or another (grader.judge.trusted_stacks).
        return trusted_stacks(self.fn, args, perturb, outputs)


def runs_anywhere(reference):
    """Whether the grader can run ``reference`` on inputs of its own choosing: solutions/'s
    function can, a handout's recording (``only_recorded_calls``) answers the public tests' plain calls only."""
    return not getattr(reference, "only_recorded_calls", False)


def numerical_gradients(forward, args, wrt, outputs, douts):
    """Central differences of L = sum(out * dout) over every coordinate of each args[k], k in wrt.

    A k may also be (i, key), for the array args[i][key] of a dict argument such as params.
    ``forward`` evaluates all perturbed copies in one batch (a worker function, or ``Trusted``).
    """
    wrt = list(wrt)
    moves = [(k, j, sign * STEP) for k in wrt for j in range(_argument(args, k).size) for sign in (1, -1)]
    stacks = [expect_array(stack, f"{forward.name}'s output under the gradient check",
                           np.zeros((len(moves), *np.shape(dout))))  # all finite: any entry that is not fails
              for stack, dout in zip(forward.perturbed(args, moves, outputs), douts)]
    loss = sum(stack.reshape(len(moves), -1) @ np.reshape(dout, -1) for stack, dout in zip(stacks, douts))
    slopes = _slopes(loss)
    grads, start = [], 0
    for k in wrt:
        arg = _argument(args, k)
        grads.append(slopes[start:start + arg.size].reshape(arg.shape))
        start += arg.size
    return grads


def _slopes(stack):
    """(f(x + STEP) - f(x - STEP)) / 2 STEP for each coordinate of a stack of +, - moves."""
    return (stack[0::2] - stack[1::2]) / (2 * STEP)


def _same_slopes(got, want):
    """Central differences that agree to GRAD_TOL (ATOL spares rounding noise on near-zero ones)."""
    return np.linalg.norm(got - want) <= GRAD_TOL * (np.linalg.norm(got) + np.linalg.norm(want)) + ATOL


def _require_reference(reference, without_reference, check):
    """A gradient check needs the reference, whose central differences judge the gradients,
    unless it says outright that it goes without one and differentiates the learner's forward."""
    if without_reference and reference is not None:
        raise TypeError(f"{check} was given a reference and without_reference=True: choose one")
    if not without_reference and reference is None:
        raise TypeError(f"{check} needs the reference, whose central differences judge the gradients; to check "
                        f"them against the learner's own unchecked forward instead (which a forward that fakes "
                        f"its outputs can pass), say so with without_reference=True")


def _factors_note(wrong, sizes):
    """A sentence for each factor by which some wrong gradients are constant multiples of the numerical ones."""
    by_factor = {}
    for name, (a, n) in wrong.items():
        r = constant_factor(a, n, GRAD_TOL)
        if r is not None:
            by_factor.setdefault(f"{r:.3g}", (r, []))[1].append(name)
    return "".join(f" {and_list(names)}: {'yours is' if len(names) == 1 else 'each of yours is'} {shown}x the numerical "
                   f"gradient everywhere{factor_in_sizes(r, sizes)}." for shown, (r, names) in by_factor.items())


def _block_errors(a, n, axis):
    """The relative error of each gate block (i, f, g, o) along a fused (.., 4H) ``axis``."""
    H = a.shape[axis] // 4
    return [relative_error(np.take(a, range(k * H, (k + 1) * H), axis), np.take(n, range(k * H, (k + 1) * H), axis))
            for k in range(4)]


def _blocks_note(pairs, axes):
    """A sentence naming the gate blocks that are off in the fused gradients, when not all four are."""
    errors = {}
    for name, (a, n) in pairs.items():
        fused = [axis for axis, meaning in axes.get(name, {}).items() if meaning == GATES]
        if fused and np.shape(a)[fused[0]] % 4 == 0:
            errors[name] = _block_errors(a, n, fused[0])
    off = {name: tuple(GATE_NAMES[k] for k, e in enumerate(errs) if e > GRAD_TOL) for name, errs in errors.items()}
    off = {name: blocks for name, blocks in off.items() if blocks}
    if not off or all(len(blocks) == 4 for blocks in off.values()):
        return ""
    by_blocks = {}
    for name, blocks in off.items():
        by_blocks.setdefault(blocks, []).append(name)
    parts = [f"the {and_list(blocks)} block{'s' if len(blocks) > 1 else ''} of {and_list(names)}"
             for blocks, names in by_blocks.items()]
    verb = "is" if len(parts) == 1 and len(next(iter(by_blocks))) == 1 else "are"
    figures = "; ".join(f"{name} {', '.join(f'{e:.1e}' for e in errors[name])}" for name in off)
    return (f" In the fused (.., 4H) gradients only {', and '.join(parts)} {verb} off "
            f"(relative errors of the blocks i, f, g, o: {figures}).")


def gradient_check(forward, args, wrt, outputs, douts, analytic, names, axes=None, *, reference=None,
                   without_reference=False, sizes=None):
    """Compare the learner's backward (``analytic``) with central differences of the forward: the
    reference's (``reference``, run in the grader's process) where the grader can run it on any
    input, else ``forward``'s, the learner's own (without a reference, or with a handout's
    recording). ``forward`` must already match the reference on the plain ``args``.

    ``reference`` is required unless ``without_reference=True`` says the check goes without it.
    ``names`` name the gradients in ``analytic`` (e.g. ``dWx``); ``axes`` maps a name to its axes.
    Returns {name: relative error}; raises CheckFailed naming the worst gradient and where, which
    gate blocks of a fused gradient are off, and any gradient that is a constant multiple of the
    numerical one (read in ``sizes``, {"T": 4, ...}, when that factor is one of them). Anything not
    finite, in either gradient or in an error, fails.
    """
    _require_reference(reference, without_reference, "gradient_check")
    axes = axes_by_name(axes, names, "gradient_check")
    wrt = list(wrt)
    analytic = [expect_array(a, name, _argument(args, k), axes.get(name)) for a, name, k in zip(analytic, names, wrt)]
    with np.errstate(all="ignore"):  # huge values overflow into inf and NaN, which fail below, without warnings
        return _judge(forward, args, wrt, outputs, douts, analytic, names, axes, reference, sizes)


def _judge(forward, args, wrt, outputs, douts, analytic, names, axes, reference, sizes):
    """gradient_check's verdict on well-formed analytic gradients."""
    trusted = reference is not None and runs_anywhere(reference)
    numeric = numerical_gradients(Trusted(reference) if trusted else forward, args, wrt, outputs, douts)
    where = _not_finite(numeric, names, axes)
    if where and trusted:
        raise ValueError(f"the reference's numerical gradient is not finite at {where}: the check's inputs are too "
                         f"large for {getattr(reference, '__name__', 'the reference')}")
    if where:
        raise _not_finite_failure(forward, where)
    errors = {name: relative_error(a, n) for name, a, n in zip(names, analytic, numeric)}
    if all(error <= GRAD_TOL for error in errors.values()):  # a NaN error is not <= anything: it fails
        return errors
    if trusted:
        _expect_reference_slopes(forward, args, wrt, outputs, douts, numeric, names, axes, errors)
    raise _disagreement(errors, analytic, numeric, names, axes, sizes)


def _not_finite(numeric, names, axes):
    """Where the first numerical gradient entry that is not finite is, with its value, or None."""
    for name, n in zip(names, numeric):
        bad = np.argwhere(~np.isfinite(n))
        if len(bad):
            index = tuple(int(i) for i in bad[0])
            return f"{locate(name, index, n.shape, axes.get(name))} ({n[index]})"
    return None


def _not_finite_failure(forward, where):
    return CheckFailed(f"gradient check: the numerical gradient of your forward is not finite at {where}: "
                       f"{forward.name}'s outputs when that input entry moves by +-{STEP:g} are too large or too "
                       f"far apart to give a slope: fix {forward.name} first")


def _expect_reference_slopes(forward, args, wrt, outputs, douts, numeric, names, axes, errors):
    """For a failing check's message only: whether the learner's forward, right on the plain inputs,
    also has the reference's central differences around them. If not, the forward is the thing to
    fix; if so, the failure may speak of the learner's own forward."""
    own = numerical_gradients(forward, args, wrt, outputs, douts)
    where = _not_finite(own, names, axes)
    if where:
        raise _not_finite_failure(forward, where)
    if not all(_same_slopes(o, n) for o, n in zip(own, numeric)):
        worst = _worst(errors)
        raise CheckFailed(f"gradient check: {forward.name} gives other outputs than the reference when one input "
                          f"entry moves by {STEP:g} (on the plain inputs they match), so its central differences are "
                          f"not the reference's: fix {forward.name} first. Against the reference's, {worst} has a "
                          f"relative error of {errors[worst]:.2e} (allowed {GRAD_TOL:.0e})")


def _worst(errors):
    """The name of the largest error, a NaN counting as the largest."""
    return max(errors, key=lambda name: np.nan_to_num(errors[name], nan=np.inf))


def _disagreement(errors, analytic, numeric, names, axes, sizes):
    """The failure of gradients that disagree with central differences of the (learner's) forward."""
    worst = _worst(errors)
    k = names.index(worst)
    a, n = analytic[k], numeric[k]
    index = tuple(int(i) for i in np.unravel_index(np.argmax(np.abs(a - n)), a.shape))
    summary = ", ".join(f"{name} {err:.1e}" for name, err in errors.items())
    wrong = {name: (g, numeric[j]) for j, (name, g) in enumerate(zip(names, analytic)) if not errors[name] <= GRAD_TOL}
    return CheckFailed(
        f"gradient check: {worst} disagrees with central differences of your forward pass "
        f"(relative error {errors[worst]:.2e}, allowed {GRAD_TOL:.0e}); largest gap at "
        f"{locate(worst, index, a.shape, axes.get(worst))}: numerical {n[index]:.6g}, "
        f"yours {a[index]:.6g}.{_factors_note(wrong, sizes or {})}{_blocks_note(wrong, axes)} All errors: {summary}")


def _pair(backward, check, args, douts):
    """The pair ``backward`` belongs to, once the test's inputs fit it: a mismatch is the test's
    fault, and would otherwise reach the learner as an error in their code."""
    if backward not in BACKWARDS:
        raise TypeError(f"{check} checks one of {', '.join(BACKWARDS)}, not {backward!r}")
    pair = BACKWARDS[backward]
    for what, given, names in (("arguments", args, pair.args), ("upstream gradients", douts, pair.upstream)):
        if len(given) != len(names):
            raise TypeError(f"{check} of {backward} takes {len(names)} {what} ({', '.join(names)}), "
                            f"not {len(given)}")
    return pair


@contextmanager
def _learner_gradients(submission, reference, pair, args, douts):
    """Yields (the learner's gradients, the reference's forward outputs or None), the learner's
    forward first checked against the reference's when there is one.

    A check failing on the gradients carries the inputs and the learner's answer, so the grader
    can name a catalogued mistake.
    """
    want = None if reference is None else getattr(reference, pair.forward)(*args)
    for name, dout, out in zip(pair.upstream, douts, want or ()):
        if np.shape(dout) != np.shape(out):
            raise TypeError(f"{pair.backward}'s upstream {name} has shape {np.shape(dout)}, but "
                            f"{pair.forward}'s output has shape {np.shape(out)}")
    *outs, cache = expect_tuple(getattr(submission, pair.forward)(*args, keep=(len(pair.outputs) - 1,)),
                                pair.forward, pair.outputs)
    if want is not None:
        with noted(f"({pair.forward}'s output: this check needs it right)"):
            expect_all_close(outs, want[:-1], pair.outputs[:-1], pair.axes_of(pair.outputs[:-1]))
    with recorded(pair.backward, (*args, *douts)) as evidence:
        reply = getattr(submission, pair.backward).call(*douts, cache)
        evidence.got = reply["value"]
        grads = expect_tuple(reply["value"], pair.backward, pair.grads)
        yield tuple(expect_array(g, n, a, pair.axes.get(n)) for g, n, a in zip(grads, pair.grads, args)), want


def expect_backward(submission, reference, backward, args, douts, *, without_reference=False):
    """The learner's ``backward`` (say, "lstm_step_backward") on ``douts``, through the learner's
    forward on ``args``, judged against central differences of the forward.

    In order: the forward's outputs must match the reference's, the backward must return one
    well-formed gradient per argument, and the gradients must agree with central differences of
    the reference's forward, computed in the grader's process (of the learner's forward instead
    with a handout's recorded reference, which cannot be run on other inputs). A failure says
    whether the backward disagrees with the learner's own forward or that forward strays from
    the reference's around the plain inputs. ``reference`` is the fixture;
    ``without_reference=True`` (with ``reference=None``) differentiates the learner's forward
    unchecked, and says so. Returns the learner's gradients.
    """
    pair = _pair(backward, "expect_backward", args, douts)
    _require_reference(reference, without_reference, "expect_backward")
    with _learner_gradients(submission, reference, pair, args, douts) as (grads, _):
        gradient_check(getattr(submission, pair.forward), args, range(len(args)), list(range(len(douts))), douts,
                       grads, pair.grads, pair.axes_of(pair.grads),
                       reference=None if reference is None else getattr(reference, pair.forward),
                       without_reference=without_reference, sizes=pair.sizes(args))
    return grads


def expect_backward_matches_reference(submission, reference, backward, args, douts):
    """The learner's ``backward`` on ``douts``, through the learner's forward on ``args``, against
    the reference's backward through the reference's forward. The forward's outputs must match
    first, as in ``expect_backward``. Returns the learner's gradients."""
    pair = _pair(backward, "expect_backward_matches_reference", args, douts)
    _require_reference(reference, False, "expect_backward_matches_reference")
    with _learner_gradients(submission, reference, pair, args, douts) as (grads, want):
        expect_all_close(grads, getattr(reference, backward)(*douts, want[-1]), pair.grads, pair.axes_of(pair.grads))
    return grads
