"""The plain RNN over a whole sequence, for the demo's runs of the reference. The kit's alone.

Everywhere else the plain RNN runs through the code's own lstm_forward and lstm_backward, with
its rnn_step_forward and rnn_step_backward in place of the LSTM cell (demo/models.py). The
reference's sequence functions are batched over time and never call the cell, so they cannot
carry the RNN; this loop does it for them. It is the structure of steps 10 and 11, so
``make handout`` leaves this file out: a handout has no reference to run.
"""
import numpy as np


class PlainRNN:
    """The plain tanh RNN over a whole sequence, from the one-step functions of step 12."""

    def __init__(self, step_forward, step_backward):
        self.step_forward, self.step_backward = step_forward, step_backward

    def forward(self, x, h0, Wx, Wh, b):
        h_t, hs, caches = h0, [], []
        for t in range(x.shape[1]):
            h_t, cache = self.step_forward(x[:, t], h_t, Wx, Wh, b)
            hs.append(h_t)
            caches.append(cache)
        return np.stack(hs, axis=1), caches             # (N, T, H)

    def backward(self, dh, caches):
        dh_t, dxs, dWx, dWh, db = np.zeros_like(dh[:, 0]), [], 0, 0, 0
        for t in reversed(range(dh.shape[1])):
            dx_t, dh_t, dWx_t, dWh_t, db_t = self.step_backward(dh[:, t] + dh_t, caches[t])
            dxs.append(dx_t)
            dWx, dWh, db = dWx + dWx_t, dWh + dWh_t, db + db_t
        return np.stack(dxs[::-1], axis=1), dh_t, dWx, dWh, db
