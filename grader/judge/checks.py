"""Judging what the worker sends back: structure first, then values (gradients: ``gradients``).

Every failure raises ``CheckFailed`` with a message meant for the learner: what is wrong,
where (which output, index, time step or gate slice), and what the figures were. A check used
wrongly by a test (say, ``axes`` in the wrong form) raises ``TypeError`` with a message for the
test's author instead: that is the test's fault, and ``--check-tests`` reports it as such.
"""
from contextlib import contextmanager

import numpy as np

from grader.judge.evidence import recorded
from grader.sandbox.protocol import Foreign

TIME = "time step"
GATES = "gate"          # an axis of length 4H, stacked i | f | g | o
GATE_NAMES = "ifgo"
RTOL, ATOL = 1e-5, 1e-8  # a correct float64 implementation in any style is within ~1e-12


class CheckFailed(AssertionError):
    """A check's verdict, with a message for the learner (and the catalogued mistake, if known)."""

    def __init__(self, message, mistake=None, named_detail=None):
        super().__init__(message)
        self.mistake = mistake
        # The details to give instead when a catalogued mistake is named: the message's figures
        # without its general advice, which the mistake's own explanation replaces.
        self.named_detail = named_detail


def mistake_failed(key, detail):
    """A CheckFailed for a mistake recognised without a reference: "This looks like ...: ..."."""
    from grader.course.mistakes import explain
    return CheckFailed(explain(key, detail), mistake=key)


def type_name(value):
    """The name of ``value``'s type as the learner wrote it ("list", "Decimal"), also for a value
    the worker could only describe."""
    return value.type if isinstance(value, Foreign) else type(value).__name__


_INT64 = (-2**63, 2**63)


def _huge_int(value):
    """How a whole number too large for NumPy (a Python int beyond int64) is shown, or None."""
    if type(value) is not int or _INT64[0] <= value < _INT64[1]:
        return None
    digits = str(abs(value))
    return f"{'-' if value < 0 else ''}{digits[:6]}... (a whole number of {len(digits)} digits)"


def _expected(want):
    return "a number (float64)" if np.shape(want) == () else f"a NumPy array of shape {want.shape}"


def _as_float(value, name):
    """One number as a float: a Python int or float, a NumPy scalar or a 0-d array of a real
    dtype; anything else fails with what it is."""
    if isinstance(value, np.ndarray) and value.shape != ():
        raise CheckFailed(f"{name} is an array of shape {value.shape}; expected a single number")
    if isinstance(value, (np.ndarray, np.generic)) and value.dtype.kind in "iuf":
        return float(value)
    if type(value) is float:
        return value
    if type(value) is int:
        try:
            return float(value)
        except OverflowError:
            raise CheckFailed(f"{name} is {_huge_int(value)}: too large for a float64, whose largest is about "
                              f"1.8e308") from None
    shown = "None" if value is None else f"a {type_name(value)}" + (f" ({value.repr})" if isinstance(value, Foreign) else "")
    raise CheckFailed(f"{name} is {shown}; expected a number")


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


def axis_meanings(axes, name, ndim):
    """One array's ``axes``, checked for their form: None, or {axis number: what an index along it means}."""
    if axes is None:
        return {}
    def is_axis(k):
        return isinstance(k, int) and not isinstance(k, bool) and 0 <= k < ndim

    if not isinstance(axes, dict) or not all(is_axis(k) and isinstance(v, str) for k, v in axes.items()):
        raise TypeError(f"the axes of {name} must map an axis number (0 to {ndim - 1}) to what an index along it "
                        f"means, as {{1: TIME}} or {{1: GATES}}; got {axes!r}")
    return axes


def axes_by_name(axes, names, check):
    """Several outputs' ``axes``, checked for their form: None, or {output name: {axis number: meaning}}."""
    if axes is None:
        return {}
    if not isinstance(axes, dict) or not all(isinstance(k, str) for k in axes):
        raise TypeError(f"{check} takes axes keyed by output name, as {{{names[0]!r}: {{1: TIME}}}}; got {axes!r} "
                        f"(the form {{1: TIME}} is for a single array, as in expect_close)")
    unknown = [k for k in axes if k not in names]
    if unknown:
        raise TypeError(f"{check} was given axes for {unknown[0]!r}, which is none of its outputs ({', '.join(names)})")
    return axes


def expect_array(value, name, want, axes=None):
    """``value`` as an ndarray with ``want``'s shape and dtype and only finite entries."""
    axes = axis_meanings(axes, name, np.ndim(want))
    if value is None:
        raise CheckFailed(f"{name} is None: is a `return` missing?")
    if isinstance(value, (list, tuple, dict, Foreign)) or not isinstance(value, (np.ndarray, np.generic, int, float)):
        raise CheckFailed(f"{name} is a {type_name(value)}; expected {_expected(want)}")
    if _huge_int(value):
        raise CheckFailed(f"{name} is {_huge_int(value)}, too large for any NumPy number; expected {_expected(want)}")
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


def expect_numbers(value, name, count):
    """``count`` numbers (say, train's losses), as a float64 array: a 1-d array, or a list or tuple
    whose items are each a number (a Python int or float, a NumPy scalar, a 0-d array). An item
    that is no number, or none a float can hold (an int of 400 digits), fails with what it is."""
    if isinstance(value, (list, tuple)):
        value = np.array([_as_float(v, f"{name}[{k}]") for k, v in enumerate(value)], dtype=np.float64)
    return expect_array(value, name, np.zeros(count))  # zeros: np.empty could hold a NaN


def expect_close(value, want, name, axes=None, sizes=None):
    """Structure as ``expect_array``, then values within a mixed absolute/relative tolerance.
    ``sizes`` ({"N": 3, "T": 4}) names a constant factor that is one of them ("N times too large")."""
    got = expect_array(value, name, want, axes)
    diff = np.abs(got - want)
    wrong = ~(diff <= ATOL + RTOL * np.abs(want))
    if wrong.any():
        index = tuple(int(i) for i in np.argwhere(wrong)[0])
        raise CheckFailed(
            f"{name} has wrong values: first at {locate(name, index, got.shape, axes)}, yours "
            f"{got[index]:.6g}, expected {want[index]:.6g}; {int(wrong.sum())} of {got.size} "
            f"entries differ, the largest by {float(diff.max()):.3g}.{_factor_note(got, want, sizes or {})}")
    return got


def _factor_note(got, want, sizes):
    """" Yours is 3x the expected value everywhere: N, with N = 3." when it is; for a single number
    (any two are multiples) only when the factor is one of ``sizes``."""
    r = constant_factor(got, want, RTOL)
    named = "" if r is None else factor_in_sizes(r, sizes)
    if r is None or (got.size == 1 and not named):
        return ""
    return f" Yours is {r:.4g}x the expected value{'' if got.size == 1 else ' everywhere'}{named}."


def constant_factor(got, want, tol):
    """r when got = r * want everywhere (to ``tol``, norm-based) for some r other than 0 and 1, else None."""
    got, want = np.asarray(got, dtype=float), np.asarray(want, dtype=float)
    norm = float(np.vdot(want, want))
    r = float(np.vdot(got, want)) / norm if norm else 0.0
    scale = float(np.linalg.norm(got) + np.linalg.norm(r * want))
    off = float(np.linalg.norm(got - r * want)) / scale if scale else 0.0
    if abs(r) <= tol or abs(r - 1) <= tol or not off <= tol:  # NaN: no factor
        return None
    return r


def factor_in_sizes(r, sizes):
    """": 1/T, with T = 4" when the factor r (or 1 / r) is one of ``sizes``, else ""."""
    for shown, value in (("{}", r), ("1/{}", 1 / r)):
        names = [name for name, n in sizes.items() if n > 1 and abs(value - n) <= 1e-6 * n]
        if names:
            return f": {' or '.join(shown.format(name) for name in names)}, with {and_list(f'{m} = {sizes[m]}' for m in names)}"
    return ""


def and_list(items):
    items = list(items)
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def input_sizes(args, arg_names):
    """{"N": .., "T": .., "D": .., "H": ..} read off the inputs named x and h_prev / h0 / c_prev, as far as they tell."""
    shapes = {name: np.shape(a) for a, name in zip(args, arg_names)}
    x, state = shapes.get("x", ()), next((shapes[n] for n in ("h_prev", "h0", "c_prev") if n in shapes), ())
    sizes = dict(zip(("N", "T", "D") if len(x) == 3 else ("N", "D"), x)) if len(x) in (2, 3) else {}
    return {**sizes, "H": state[-1]} if len(state) == 2 else sizes


def expect_all_close(got, want, names, axes=None):
    """``expect_close`` on each pair of outputs (say, a backward's gradients), named by ``names``;
    ``axes`` maps a name to its axes."""
    axes = axes_by_name(axes, names, "expect_all_close")
    return tuple(expect_close(g, w, n, axes.get(n)) for g, w, n in zip(got, want, names))


def expect_tuple(value, function, names):
    """A returned tuple (or list) of ``len(names)`` items, e.g. ``(h, c, cache)``."""
    if not isinstance(value, (tuple, list)) or len(value) != len(names):
        shown = f"{len(value)} items" if isinstance(value, (tuple, list)) else f"a {type_name(value)}"
        raise CheckFailed(f"{function} returned {shown}; expected a tuple ({', '.join(names)})")
    return tuple(value)


def expect_inputs_kept(reply, function, names, values_right=False):
    """Fails if the function changed one of its input arrays in place (as the worker reports in
    ``reply``); ``values_right`` says so in the message, when what it returned was right."""
    if reply.get("mutated"):
        changed = [names[k] for k in reply["mutated"]]
        first = changed[0]
        detail = (f"{function} changed its input {', '.join(changed)} in place: write {first} + ..., not "
                  f"{first} += ... (a new array, not the caller's)")
        if values_right:
            detail += ". The values it returned were right: only this check, about the side effect, fails"
        raise mistake_failed("mutated_input", detail)


def expect_matches_reference(function, reference, args, arg_names, out_names, axes=None, keep=()):
    """Call the learner's ``function`` and the ``reference`` on the same ``args`` and compare.

    Outputs whose index is in ``keep`` (caches) stay in the worker and are not compared. The
    worker calls the function on its own copy of ``args``, so an input it changes in place does
    not change its values; that side effect is a check of its own (``expect_keeps_inputs``).
    ``axes`` maps an output's name to its axes, as {"h": {1: TIME}}.
    Returns (learner's outputs, reference's outputs) as tuples. A failure carries the inputs and
    the learner's outputs, so the grader can name a catalogued mistake.
    """
    axes = axes_by_name(axes, out_names, "expect_matches_reference")
    with recorded(function.name, args, keep, function) as evidence:
        reply = function.call(*args, keep=keep)
        evidence.got = reply["value"]
        want = reference(*(np.copy(a) for a in args))
        if len(out_names) == 1:
            got, want = (reply["value"],), (want,)
        else:
            got = expect_tuple(reply["value"], function.name, out_names)
        sizes = input_sizes(args, arg_names)
        got = tuple(g if k in keep else expect_close(g, w, n, axes.get(n), sizes)
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
