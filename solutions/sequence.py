"""The LSTM over a whole sequence: forward, and backpropagation through time (reference solution).

The same cell, with the same weights, runs once per time step. Forward, it
reads the sequence left to right and carries h and c from each step to the
next. Backward (BPTT), it walks right to left and carries their gradients.

This reference does the work of lstm_step_forward and lstm_step_backward
inline instead of calling them, so that what does not depend on the
recurrence leaves the loop: x_t @ Wx for every step is one matrix product
before it, and dx, dWx and dWh are one product each after it. Only
h_(t-1) @ Wh and the gates stay inside. It computes the same numbers as the
step-by-step loop the path teaches, faster (`make bench` times both).

Shapes: x (N, T, D), h0 (N, H), h (N, T, H),
        Wx (D, 4H), Wh (H, 4H), b (4H,), gates stacked i, f, g, o as in cell.py.
"""
import numpy as np


def lstm_forward(x, h0, Wx, Wh, b):
    """Run the LSTM over a whole sequence of T steps.

    Equations, for t = 0, 1, ..., T-1:
        h_t, c_t = lstm_step_forward(x[:, t], h_(t-1), c_(t-1), Wx, Wh, b)
        h[:, t]  = h_t
    with h_(-1) = h0 and c_(-1) = 0 (the cell state starts empty).

    Only the hidden states come out; the cell state stays inside the loop, as
    the conveyor belt running from the first step to the last. There is one
    bouncer, one guard and one librarian, and they check every word in turn:
    the weights are the same at each step. In "Sarah went to the store. She...",
    what the guard loads onto the belt at "Sarah" can still be read when
    "She" arrives.

    The cache is your own business (any tuple, list or dict); a list of the
    per-step caches is the natural choice. The grader only hands it back to
    your lstm_backward.

    Inputs:
    - x: Input sequence, of shape (N, T, D)
    - h0: Initial hidden state, of shape (N, H)
    - Wx: Fused input-to-hidden weights, of shape (D, 4H)
    - Wh: Fused hidden-to-hidden weights, of shape (H, 4H)
    - b: Fused biases, of shape (4H,)

    Returns a tuple of:
    - h: Hidden states of every time step, of shape (N, T, H)
    - cache: Whatever your lstm_backward needs

    You may call: lstm_step_forward (imported from cell.py)
    """
    N, T, D = x.shape
    H = h0.shape[1]
    xs = x.transpose(1, 0, 2).reshape(T * N, D)        # time-major: the N rows of step t are adjacent
    ax = (xs @ Wx + b).reshape(T, N, 4 * H)            # x_t @ Wx + b for every step, in one product
    half = np.repeat([0.5, 0.5, 1, 0.5], H)            # 1/2 on the sigmoid blocks i, f, o
    h, c = np.empty((T + 1, N, H)), np.empty((T + 1, N, H))  # row t + 1 is step t; row 0 the start
    gates = np.empty((T, 4, N, H))                     # i, f, g, o of each step, each gate contiguous
    h[0], c[0] = h0, 0                                 # the cell state starts empty
    for t in range(T):
        a = ax[t] + h[t] @ Wh                          # (N, 4H)
        # sigmoid(z) = (1 + tanh(z / 2)) / 2: one tanh gives i, f, o and g at once
        gates[t] = (np.tanh(a * half) * half + (1 - half)).reshape(N, 4, H).transpose(1, 0, 2)
        i, f, g, o = gates[t]
        c[t + 1] = f * c[t] + i * g
        h[t + 1] = o * np.tanh(c[t + 1])
    return h[1:].transpose(1, 0, 2).copy(), (xs, h, c, gates, Wx, Wh)


def lstm_backward(dh, cache):
    """Backpropagate through time over the whole sequence.

    Walk the steps backwards, from t = T-1 down to 0, calling
    lstm_step_backward once per step with that step's cache. From each step
    to the one before it, two gradients are carried: one for h_t, which fed
    the gates of step t+1, and one for c_t, which rode the conveyor belt into
    it. Nothing comes back from after the last step, so both start as zeros
    of shape (N, H).

    At step t:
    - The gradient of h_t has two sources: dh[:, t], the part that reaches
      h_t from outside the recurrence (say, a loss on a prediction at step t),
      and the part carried back from step t+1. Pass their sum.
    - dx[:, t] belongs to step t alone.
    - The weights are the same at every step, so each step gives its own
      share of their gradients, and the shares add up.
    When the loop ends, what step 0 handed back for h is dh0. The initial
    cell state is a fixed zero, not an input, so no gradient is returned for it.

    Pitfalls: overwriting the weight gradients at each step instead of adding
    the shares; adding up the carried gradients over the steps (each is handed
    on to the step before, then replaced); and forgetting either source of
    the gradient of h_t.

    Inputs:
    - dh: Upstream gradients of every hidden state, of shape (N, T, H)
    - cache: The cache your lstm_forward returned

    Returns a tuple of:
    - dx: Gradient of the inputs, of shape (N, T, D)
    - dh0: Gradient of the initial hidden state, of shape (N, H)
    - dWx: Gradient of the input-to-hidden weights, of shape (D, 4H)
    - dWh: Gradient of the hidden-to-hidden weights, of shape (H, 4H)
    - db: Gradient of the biases, of shape (4H,)

    You may call: lstm_step_backward (imported from cell.py)
    """
    xs, h, c, gates, Wx, Wh = cache
    T, _, N, H = gates.shape
    tanh_c = np.tanh(c[1:])
    da = np.empty((T, N, 4, H))                        # each step's da, blocks i, f, g, o as in a
    dh_next, dc_next = np.zeros((N, H)), np.zeros((N, H))
    for t in reversed(range(T)):
        i, f, g, o = gates[t]                          # c[t] below is c_(t-1), as in the forward
        dh_t = dh[:, t] + dh_next                      # the loss sees h_t directly and via step t+1
        dc = dc_next + dh_t * o * (1 - tanh_c[t]**2)   # along the belt, and through h = o * tanh(c)
        da[t, :, 0] = dc * g * i * (1 - i)             # sigmoid' = s (1 - s)
        da[t, :, 1] = dc * c[t] * f * (1 - f)
        da[t, :, 2] = dc * i * (1 - g**2)              # tanh' = 1 - tanh^2
        da[t, :, 3] = dh_t * tanh_c[t] * o * (1 - o)
        dh_next, dc_next = da[t].reshape(N, 4 * H) @ Wh.T, dc * f
    da = da.reshape(T * N, 4 * H)                      # one row per (step, sequence), as in xs
    dx = (da @ Wx.T).reshape(T, N, -1).transpose(1, 0, 2)
    dWx, dWh, db = xs.T @ da, h[:-1].reshape(T * N, H).T @ da, da.sum(axis=0)  # summed over all steps
    return dx, dh_next, dWx, dWh, db
