"""The LSTM over a whole sequence: forward and backpropagation through time (reference solution)."""
import numpy as np

from cell import lstm_step_backward, lstm_step_forward


def lstm_forward(x, h0, Wx, Wh, b):
    """Run the cell over T steps; the cell state starts at zero."""
    N, T, _ = x.shape
    h_t, c_t = h0, np.zeros_like(h0)
    h, caches = np.empty((N, T, h0.shape[1]), dtype=h0.dtype), []
    for t in range(T):
        h_t, c_t, step_cache = lstm_step_forward(x[:, t], h_t, c_t, Wx, Wh, b)
        h[:, t] = h_t
        caches.append(step_cache)
    return h, caches


def lstm_backward(dh, cache):
    """Backpropagation through time: walk the steps backwards, carrying dh and dc."""
    N, T, H = dh.shape
    D = cache[0][0].shape[1]                         # each step's cache starts with its x
    dx = np.empty((N, T, D))
    dh_t, dc_t = np.zeros((N, H)), np.zeros((N, H))
    dWx = dWh = db = 0
    for t in reversed(range(T)):
        dx[:, t], dh_t, dc_t, dWx_t, dWh_t, db_t = lstm_step_backward(dh[:, t] + dh_t, dc_t, cache[t])
        dWx, dWh, db = dWx + dWx_t, dWh + dWh_t, db + db_t   # the weights are shared: sum over time
    return dx, dh_t, dWx, dWh, db
