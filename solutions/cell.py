"""The whole LSTM cell for one time step, forward and backward (reference solution)."""
import numpy as np

from gates import sigmoid


def lstm_step_forward(x, h_prev, c_prev, Wx, Wh, b):
    """One step of the fused cell; gates stacked i, f, g, o along the last axis."""
    H = h_prev.shape[1]
    a = x @ Wx + h_prev @ Wh + b                      # (N, 4H)
    i, f, o = sigmoid(a[:, :H]), sigmoid(a[:, H:2 * H]), sigmoid(a[:, 3 * H:])
    g = np.tanh(a[:, 2 * H:3 * H])
    c = f * c_prev + i * g
    tanh_c = np.tanh(c)
    h = o * tanh_c
    cache = (x, h_prev, c_prev, Wx, Wh, i, f, g, o, tanh_c)
    return h, c, cache


def lstm_step_backward(dh, dc, cache):
    """Gradients of one step, given the upstream dh and dc."""
    x, h_prev, c_prev, Wx, Wh, i, f, g, o, tanh_c = cache
    dc = dc + dh * o * (1 - tanh_c**2)             # through h = o * tanh(c)
    do = dh * tanh_c
    di, df, dg = dc * g, dc * c_prev, dc * i         # through c = f * c_prev + i * g
    dc_prev = dc * f
    da = np.concatenate([di * i * (1 - i),           # sigmoid' = s (1 - s)
                         df * f * (1 - f),
                         dg * (1 - g**2),            # tanh' = 1 - tanh^2
                         do * o * (1 - o)], axis=1)  # (N, 4H)
    dx, dh_prev = da @ Wx.T, da @ Wh.T
    dWx, dWh, db = x.T @ da, h_prev.T @ da, da.sum(axis=0)
    return dx, dh_prev, dc_prev, dWx, dWh, db
