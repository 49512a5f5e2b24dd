"""The LSTM over a whole sequence: forward, and backpropagation through time.

The same cell, with the same weights, runs once per time step. Forward, it
reads the sequence left to right and carries h and c from each step to the
next. Backward (BPTT), it walks right to left and carries their gradients.

Write both as loops over the cell from cell.py. Once they pass, docs/math.md
("The same numbers, faster", in section 6) shows how most of the work can
leave the loop, as frameworks do it.

Shapes: x (N, T, D), h0 (N, H), h (N, T, H),
        Wx (D, 4H), Wh (H, 4H), b (4H,), gates stacked i, f, g, o as in cell.py.
"""
import numpy as np

from cell import lstm_step_backward, lstm_step_forward


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
    # TODO: loop over t with lstm_step_forward, filling h[:, t]; return (h, cache)
    raise NotImplementedError


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
    # TODO: loop t from T-1 to 0 calling lstm_step_backward, summing weight grads
    raise NotImplementedError
