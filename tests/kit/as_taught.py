"""The sequence steps written as their docstrings teach: one call of the cell per time step.

The reference in solutions/sequence.py computes the same numbers with the input product and the
weight gradients taken out of the loop, and keeps a different cache. The kit's tests build the
learners' submissions on this version instead, because learners write theirs this way: a
learner's lstm_backward expects the list of per-step caches that this lstm_forward returns, and
a failing lstm_step_forward shows up in this lstm_forward. `make bench` times it beside the
reference.
"""
import numpy as np

from cell import lstm_step_backward, lstm_step_forward


def lstm_forward(x, h0, Wx, Wh, b):
    N, T, _ = x.shape
    h_t, c_t = h0, np.zeros_like(h0)
    h, caches = np.empty((N, T, h0.shape[1]), dtype=h0.dtype), []
    for t in range(T):
        h_t, c_t, step_cache = lstm_step_forward(x[:, t], h_t, c_t, Wx, Wh, b)
        h[:, t] = h_t
        caches.append(step_cache)
    return h, caches


def lstm_backward(dh, cache):
    N, T, H = dh.shape
    dh_t, dc_t = np.zeros((N, H)), np.zeros((N, H))
    dxs, dWx, dWh, db = [], 0, 0, 0
    for t in reversed(range(T)):
        dx_t, dh_t, dc_t, dWx_t, dWh_t, db_t = lstm_step_backward(dh[:, t] + dh_t, dc_t, cache[t])
        dxs.append(dx_t)
        dWx += dWx_t   # in place, so no step copies the running sums (the first += turns the 0 into
        dWh += dWh_t   # a new array, so nothing lstm_step_backward returned is modified)
        db += db_t
    return np.stack(dxs[::-1], axis=1), dh_t, dWx, dWh, db
