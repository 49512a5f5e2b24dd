"""The reference's sequence steps, batched over time, compute what the step-by-step loop over the
reference cell computes (the loop in as_taught.py), on every shape, at the edges included."""
import importlib
import os
import sys

import numpy as np
import pytest

from grader.kit import KIT_ROOT, import_by_bare_name

SOLUTIONS = os.path.join(KIT_ROOT, "solutions")


@pytest.fixture(scope="module")
def modules():
    """(the reference's sequence module, the step-by-step one built on the reference cell)."""
    sys.modules.pop("as_taught", None)
    try:
        reference = import_by_bare_name(SOLUTIONS, ("gates", "cell", "sequence"), fresh=True)
        return reference["sequence"], importlib.import_module("as_taught")  # on the reference's cell
    finally:
        for name in ("gates", "cell", "sequence", "as_taught"):
            sys.modules.pop(name, None)


@pytest.mark.parametrize("N, T, D, H, scale", [
    (3, 4, 5, 6, 1.0),     # the graders' kind of size
    (1, 1, 2, 3, 1.0),     # one sequence, one step
    (4, 7, 1, 1, 1.0),     # one input feature, one hidden unit
    (2, 5, 3, 4, 60.0),    # saturated gates: pre-activations in the hundreds
])
def test_batched_reference_matches_the_step_by_step_loop(modules, N, T, D, H, scale):
    reference, loop = modules
    rng = np.random.default_rng(N * 1000 + T * 100 + D * 10 + H)
    x, h0 = scale * rng.standard_normal((N, T, D)), rng.standard_normal((N, H))
    Wx, Wh, b = (scale * rng.standard_normal(shape) for shape in ((D, 4 * H), (H, 4 * H), (4 * H,)))
    dh = rng.standard_normal((N, T, H))
    inputs = [a.copy() for a in (x, h0, Wx, Wh, b, dh)]

    h, cache = reference.lstm_forward(x, h0, Wx, Wh, b)
    h_loop, cache_loop = loop.lstm_forward(x, h0, Wx, Wh, b)
    np.testing.assert_allclose(h, h_loop, rtol=1e-12, atol=1e-14)
    names = ("dx", "dh0", "dWx", "dWh", "db")
    grads, grads_loop = reference.lstm_backward(dh, cache), loop.lstm_backward(dh, cache_loop)
    assert len(grads) == len(names)
    for name, got, expected in zip(names, grads, grads_loop):
        assert got.shape == expected.shape, name
        np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-12, err_msg=name)
    for before, after in zip(inputs, (x, h0, Wx, Wh, b, dh)):
        assert np.array_equal(before, after)  # nothing changed in place
    assert not np.shares_memory(h, cache[1])  # the output is not a view of what backward reads
