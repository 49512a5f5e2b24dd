"""The whole LSTM cell for one time step, forward and backward (reference solution).

In gates.py each gate had its own Wx, Wh and b. Here the four sets are fused
side by side, so that one pre-activation computes every gate at once:
    Wx (D, 4H), Wh (H, 4H), b (4H,)
    a = x @ Wx + h_prev @ Wh + b          # (N, 4H)
The last axis of a holds four blocks of width H, in the order i, f, g, o:
    a[:, 0:H]     -> input gate i        (sigmoid)
    a[:, H:2H]    -> forget gate f       (sigmoid)
    a[:, 2H:3H]   -> candidate g         (tanh)
    a[:, 3H:4H]   -> output gate o       (sigmoid)
This is the order PyTorch and Keras use. If you did the CS231n assignment,
note that its notebook stacks them as i, f, o, g: do not reuse its slicing.

The forward pass returns a cache and the backward pass receives it back. What
goes in the cache is your choice; see lstm_step_forward.
"""
import numpy as np

from gates import sigmoid


def lstm_step_forward(x, h_prev, c_prev, Wx, Wh, b):
    """Run one forward step of the LSTM cell with fused weights.

    Equations (blocks of a in the order i, f, g, o):
        a = x @ Wx + h_prev @ Wh + b          # (N, 4H)
        i = sigmoid(a[:, 0:H])
        f = sigmoid(a[:, H:2H])
        g = tanh(a[:, 2H:3H])
        o = sigmoid(a[:, 3H:4H])
        c = f * c_prev + i * g
        h = o * tanh(c)

    This wires every function of gates.py together, with one matrix product
    in place of four. The bouncer (f), the guard (i) and the librarian (o) all
    read the same x and h_prev; they differ only in their column block of the
    weights. c is the conveyor belt handed on to the next step, and h is what
    this step shows to the outside.

    The cache is your own business: any tuple, list or dict holding whatever
    lstm_step_backward will need. The grader never looks inside it; it only
    hands it back to your lstm_step_backward. Keeping the inputs, the four gate
    values and tanh(c) saves recomputing them on the way back.

    Inputs:
    - x: Input at this time step, of shape (N, D)
    - h_prev: Previous hidden state, of shape (N, H)
    - c_prev: Previous cell state, of shape (N, H)
    - Wx: Fused input-to-hidden weights, of shape (D, 4H)
    - Wh: Fused hidden-to-hidden weights, of shape (H, 4H)
    - b: Fused biases, of shape (4H,)

    Returns a tuple of:
    - h: Next hidden state, of shape (N, H)
    - c: Next cell state, of shape (N, H)
    - cache: Whatever your lstm_step_backward needs

    You may call: sigmoid (imported from gates.py) and np.tanh. The per-gate
    functions of gates.py expect separate weights, so with the fused a it is
    simplest to apply sigmoid and np.tanh to its slices directly.
    """
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
    """Backpropagate through one step of the LSTM cell.

    Given the gradients of the loss with respect to this step's outputs h and
    c, return the gradients with respect to the inputs of lstm_step_forward,
    in the same order (x, h_prev, c_prev, Wx, Wh, b).

    Derive it rather than look it up: walk lstm_step_forward from its last
    line to its first, and at each line turn the gradient of what the line
    computes into the gradients of what it reads. In that order:
    1. h = o * tanh(c) gives the gradient of o, and one share of the gradient
       of c. The incoming dc is the other share, the one that comes along the
       conveyor belt from the next step. Add the two: every line below reads
       their sum, never dc alone.
    2. c = f * c_prev + i * g gives the gradients of i, f, g and c_prev.
    3. Each gate is a sigmoid (i, f, o) or a tanh (g) of its block of a. Both
       derivatives can be written with the gate's own value, which your cache
       holds, so a itself is not needed.
    4. a = x @ Wx + h_prev @ Wh + b: set the four blocks' gradients side by
       side, in the order i, f, g, o, as da of shape (N, 4H); the affine sum
       then gives dx, dh_prev, dWx, dWh and db.
    Two rules do most of the work. For an elementwise product u = p * q, the
    gradient of p is the gradient of u times q. For a matrix product, the
    shapes say where the transposes go: every gradient has exactly the shape
    of what it is the gradient of.

    Pitfalls:
    - Write the sum of the two shares into a new array (dc + ..., not
      dc += ...): the inputs belong to the caller and must not be modified
      in place.
    - The summed gradient of c feeds i, f, g and c_prev alike; leaving h's
      share out of any one of them is a classic mistake.
    - b is added to every row of the batch, so its gradient adds up the rows.

    Stuck? The hints for this step go one rung at a time, from the local
    derivatives to nearly the lines; docs/math.md (section 5) has the chain.

    Inputs:
    - dh: Upstream gradient of the hidden state h, of shape (N, H)
    - dc: Upstream gradient of the cell state c, of shape (N, H)
    - cache: The cache your lstm_step_forward returned

    Returns a tuple of:
    - dx: Gradient of the input x, of shape (N, D)
    - dh_prev: Gradient of the previous hidden state, of shape (N, H)
    - dc_prev: Gradient of the previous cell state, of shape (N, H)
    - dWx: Gradient of the input-to-hidden weights, of shape (D, 4H)
    - dWh: Gradient of the hidden-to-hidden weights, of shape (H, 4H)
    - db: Gradient of the biases, of shape (4H,)

    You may call: nothing from earlier files is needed; everything comes
    from your cache. np.concatenate(..., axis=1) assembles da.
    """
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
