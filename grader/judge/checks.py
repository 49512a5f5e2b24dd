"""Judging what the worker sends back: structure first, then values, then gradients.

Every failure raises ``CheckFailed`` with a message meant for the learner: what is wrong,
where (which output, index, time step or gate slice), and what the figures were.
"""
from contextlib import contextmanager

import numpy as np

from grader.judge.evidence import recorded
from grader.sandbox.perturb import perturbed_outputs
from grader.sandbox.protocol import Foreign

TIME = "time step"
GATES = "gate"          # an axis of length 4H, stacked i | f | g | o
GATE_NAMES = "ifgo"
RTOL, ATOL = 1e-5, 1e-8  # a correct float64 implementation in any style is within ~1e-12
GRAD_TOL = 1e-6          # norm-based; correct code measures ~1e-10, real mistakes 1e-3 and up
STEP = 1e-5              # central-difference step


class CheckFailed(AssertionError):
    """A check's verdict, with a message for the learner (and the catalogued mistake, if known)."""

    def __init__(self, message, mistake=None):
        super().__init__(message)
        self.mistake = mistake


def mistake_failed(key, detail):
    """A CheckFailed for a mistake recognised without a reference: "This looks like ...: ..."."""
    from grader.course.mistakes import explain
    return CheckFailed(explain(key, detail), mistake=key)


def _type_name(value):
    return value.type if isinstance(value, Foreign) else type(value).__name__


def locate(name, index, shape, axes=None):
    """``h[1, 2, 0]`` with what the index means along the axes named in ``axes``."""
    text = f"{name}[{', '.join(map(str, index))}]"
    notes = []
    for axis, meaning in (axes or {}).items():
        k = index[axis]
        if meaning == GATES:
            H = shape[axis] // 4
            notes.append(f"gate {GATE_NAMES[k // H]}, unit {k % H}")
        else:
            notes.append(f"{meaning} {k}")
    return text + (f" ({'; '.join(notes)})" if notes else "")


def expect_array(value, name, want, axes=None):
    """``value`` as an ndarray with ``want``'s shape and dtype and only finite entries."""
    if value is None:
        raise CheckFailed(f"{name} is None: is a `return` missing?")
    if isinstance(value, (list, tuple, dict, Foreign)) or not isinstance(value, (np.ndarray, np.generic, int, float)):
        raise CheckFailed(f"{name} is a {_type_name(value)}; expected a NumPy array of shape {want.shape}")
    got = np.asarray(value)
    if got.shape != want.shape:
        raise CheckFailed(f"{name} has shape {got.shape}; expected {want.shape}")
    if got.dtype != want.dtype:
        raise CheckFailed(f"{name} has dtype {got.dtype}; expected {want.dtype}")
    bad = ~np.isfinite(got) & np.isfinite(want)
    if bad.any():
        index = tuple(int(i) for i in np.argwhere(bad)[0])
        kind = "NaN" if np.isnan(got[index]) else "inf"
        raise CheckFailed(f"{name} contains {kind} at {locate(name, index, got.shape, axes)} "
                          f"({int(bad.sum())} of {got.size} entries are not finite)")
    return got


def expect_close(value, want, name, axes=None):
    """Structure as ``expect_array``, then values within a mixed absolute/relative tolerance."""
    got = expect_array(value, name, want, axes)
    diff = np.abs(got - want)
    wrong = ~(diff <= ATOL + RTOL * np.abs(want))
    if wrong.any():
        index = tuple(int(i) for i in np.argwhere(wrong)[0])
        raise CheckFailed(
            f"{name} has wrong values: first at {locate(name, index, got.shape, axes)}, yours "
            f"{got[index]:.6g}, expected {want[index]:.6g}; {int(wrong.sum())} of {got.size} "
            f"entries differ, the largest by {float(diff.max()):.3g}")
    return got


def expect_all_close(got, want, names, axes=None):
    """``expect_close`` on each pair of outputs (say, a backward's gradients), named by ``names``."""
    return tuple(expect_close(g, w, n, (axes or {}).get(n)) for g, w, n in zip(got, want, names))


def expect_tuple(value, function, names):
    """A returned tuple (or list) of ``len(names)`` items, e.g. ``(h, c, cache)``."""
    if not isinstance(value, (tuple, list)) or len(value) != len(names):
        shown = f"{len(value)} items" if isinstance(value, (tuple, list)) else f"a {_type_name(value)}"
        raise CheckFailed(f"{function} returned {shown}; expected a tuple ({', '.join(names)})")
    return tuple(value)


def expect_inputs_kept(reply, function, names):
    """Fails if the function changed one of its input arrays in place."""
    if reply.get("mutated"):
        changed = ", ".join(names[k] for k in reply["mutated"])
        raise mistake_failed("mutated_input", f"{function} changed its input {changed} in place")


def relative_error(a, b):
    """Norm-based relative error |a - b| / (|a| + |b|), 0 when both are 0."""
    scale = np.linalg.norm(a) + np.linalg.norm(b)
    return float(np.linalg.norm(a - b) / scale) if scale else 0.0


def _argument(args, k):
    """args[k], or args[i][key] when k is (i, key): an array inside a dict argument."""
    return args[k] if isinstance(k, int) else args[k[0]][k[1]]


class Trusted:
    """A function the grader runs itself (the reference's), with the ``perturbed`` interface of
    a submission's function.

    Gradient checks differentiate the learner's own forward, and re-run a random sample of the
    same perturbed inputs through this: a forward in the worker could otherwise answer perturbed
    inputs with whatever makes its backward look right.
    """

    def __init__(self, fn):
        self.fn, self.name = fn, fn.__name__
        self.spot_checks = getattr(fn, "spot_checks", True)  # False for a handout's recorded reference

    def perturbed(self, args, perturb, outputs):
        return perturbed_outputs(lambda a: self.fn(*a), args, perturb, outputs)


SPOT_CHECKS = 16  # perturbed inputs re-run through the reference, chosen at random per check


def numerical_gradients(forward, args, wrt, outputs, douts, reference=None):
    """Central differences of L = sum(out * dout) over every coordinate of each args[k], k in wrt.

    A k may also be (i, key), for the array args[i][key] of a dict argument such as params.
    ``forward`` evaluates all perturbed copies in one batch (a worker function, or ``Trusted``).
    With a ``reference`` (``Trusted``), a random sample of the perturbed outputs must match it.
    """
    wrt = list(wrt)
    moves = [(k, j, sign * STEP) for k in wrt for j in range(_argument(args, k).size) for sign in (1, -1)]
    stacks = [expect_array(stack, f"{forward.name}'s output under the gradient check",
                           np.empty((len(moves), *dout.shape)))
              for stack, dout in zip(forward.perturbed(args, moves, outputs), douts)]
    if reference is not None and reference.spot_checks:
        _spot_check(forward.name, stacks, reference, args, moves, outputs)
    loss = 0.0
    for stack, dout in zip(stacks, douts):
        loss = loss + stack.reshape(len(moves), -1) @ dout.reshape(-1)
    slopes = (loss[0::2] - loss[1::2]) / (2 * STEP)
    grads, start = [], 0
    for k in wrt:
        arg = _argument(args, k)
        grads.append(slopes[start:start + arg.size].reshape(arg.shape))
        start += arg.size
    return grads


def _spot_check(name, stacks, reference, args, moves, outputs):
    """The learner's outputs on a random sample of the perturbed inputs equal the reference's."""
    sample = np.sort(np.random.default_rng().choice(len(moves), min(SPOT_CHECKS, len(moves)), replace=False))
    wanted = reference.perturbed(args, [moves[i] for i in sample], outputs)
    for stack, want in zip(stacks, wanted):
        got = stack[sample]
        if not np.allclose(got, want, rtol=RTOL, atol=ATOL):
            raise CheckFailed(f"{name} gives other outputs than the reference when one input entry moves by "
                              f"{STEP:g}, so a gradient check against it would prove nothing: "
                              f"fix {name} first")


def gradient_check(forward, args, wrt, outputs, douts, analytic, names, axes=None, reference=None):
    """Compare the learner's backward (``analytic``) with central differences of ``forward``
    (the learner's own forward, spot-checked against ``reference`` when one is given).

    ``names`` name the gradients in ``analytic`` (e.g. ``dWx``); ``axes`` maps a name to its axes.
    Returns {name: relative error}; raises CheckFailed naming the worst gradient and where.
    """
    numeric = numerical_gradients(forward, args, wrt, outputs, douts, reference)
    errors = {name: relative_error(a, n) for name, a, n in zip(names, analytic, numeric)}
    worst = max(errors, key=errors.get)
    if errors[worst] > GRAD_TOL:
        k = names.index(worst)
        a, n = analytic[k], numeric[k]
        index = tuple(int(i) for i in np.unravel_index(np.argmax(np.abs(a - n)), a.shape))
        summary = ", ".join(f"{name} {err:.1e}" for name, err in errors.items())
        raise CheckFailed(
            f"gradient check: {worst} disagrees with central differences of your forward pass "
            f"(relative error {errors[worst]:.2e}, allowed {GRAD_TOL:.0e}); largest gap at "
            f"{locate(worst, index, a.shape, (axes or {}).get(worst))}: numerical {n[index]:.6g}, "
            f"yours {a[index]:.6g}. All errors: {summary}")
    return errors


def expect_matches_reference(function, reference, args, arg_names, out_names, axes=None, keep=()):
    """Call the learner's ``function`` and the ``reference`` on the same ``args`` and compare.

    Outputs whose index is in ``keep`` (caches) stay in the worker and are not compared.
    Returns (learner's outputs, reference's outputs) as tuples. A failure carries the inputs and
    the learner's outputs, so the grader can name a catalogued mistake.
    """
    with recorded(function.name, args, keep, function) as evidence:
        reply = function.call(*args, keep=keep)
        evidence.got = reply["value"]
        expect_inputs_kept(reply, function.name, arg_names)
        want = reference(*(np.copy(a) for a in args))
        if len(out_names) == 1:
            got, want = (reply["value"],), (want,)
        else:
            got = expect_tuple(reply["value"], function.name, out_names)
        got = tuple(g if k in keep else expect_close(g, w, n, (axes or {}).get(n))
                    for k, (g, w, n) in enumerate(zip(got, want, out_names)))
    return got, want


@contextmanager
def noted(note):
    """Adds ``note`` (say, which inputs were used) to any CheckFailed raised inside."""
    try:
        yield
    except CheckFailed as failure:
        failure.args = (f"{failure} {note}",)  # the same failure: it keeps its evidence
        raise
