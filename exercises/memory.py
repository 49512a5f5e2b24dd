"""Memory put to work: the plain RNN the LSTM improves on, a classifier, and training.

Steps 12 to 14. First the plain tanh RNN cell, whose memory is one hidden
state rewritten at every step: the whisper passed down a line of people.
Then the LSTM you built becomes a classifier that reads a whole sentence and
answers at the end, and a training loop teaches it the pronoun task: in
"Sarah went to the store . ___" the blank is "she", and only the first word
says so.

Shapes: N batch, T time steps, D input size, H hidden size, C classes.
params, for the classifier:
    Wx (D, 4H), Wh (H, 4H), b (4H,)   the LSTM, gates stacked i, f, g, o
    Wy (H, C), by (C,)                the affine layer on the last hidden state
"""
import numpy as np

from sequence import lstm_backward, lstm_forward


def rnn_step_forward(x, h_prev, Wx, Wh, b):
    """Run one step of a plain tanh RNN.

    Equation:
        h = tanh(x @ Wx + h_prev @ Wh + b)

    Everything the RNN remembers lives in h, and every step squeezes the old
    h through Wh and a tanh to make the new one. Like a message whispered
    down a line of people, what "Sarah" left in h is a little more garbled
    after each word. The LSTM's cell state is the note passed along instead.

    Inputs:
    - x: Input at this time step, of shape (N, D)
    - h_prev: Previous hidden state, of shape (N, H)
    - Wx: Input-to-hidden weights, of shape (D, H)
    - Wh: Hidden-to-hidden weights, of shape (H, H)
    - b: Bias, of shape (H,)

    Returns a tuple of:
    - h: Next hidden state, of shape (N, H)
    - cache: Whatever your rnn_step_backward needs

    You may call: np.tanh
    """
    # TODO: one line for h, then return (h, cache) with what the backward will need
    raise NotImplementedError


def rnn_step_backward(dh, cache):
    """Backpropagate through one step of the plain tanh RNN.

    Given the gradient of the loss with respect to h, return the gradients
    with respect to x, h_prev, Wx, Wh and b, in that order.

    It is the end of lstm_step_backward's chain with one block instead of
    four: first back through the tanh, then through the affine sum
    x @ Wx + h_prev @ Wh + b. The derivative of tanh can be written with its
    output, and that output is h itself, so the cache need not keep the
    pre-activation.

    Pitfalls: the shapes say where the transposes go (each gradient has the
    shape of what it is the gradient of), and b is added to every row of the
    batch, so its gradient adds up the rows. docs/math.md (section 8) has the
    lines, once you have tried.

    Inputs:
    - dh: Upstream gradient of the hidden state h, of shape (N, H)
    - cache: The cache your rnn_step_forward returned

    Returns a tuple of:
    - dx: Gradient of x, of shape (N, D)
    - dh_prev: Gradient of h_prev, of shape (N, H)
    - dWx: Gradient of Wx, of shape (D, H)
    - dWh: Gradient of Wh, of shape (H, H)
    - db: Gradient of b, of shape (H,)

    You may call: nothing else is needed; everything comes from your cache.
    """
    # TODO: unpack the cache, da through the tanh, then the five gradients
    raise NotImplementedError


def classifier_loss(x, y, params):
    """Classify whole sequences by the LSTM's last hidden state; loss and gradients.

    Forward:
        h, cache = lstm_forward(x, zeros (N, H), Wx, Wh, b)     # h (N, T, H)
        scores   = h[:, -1] @ Wy + by                           # (N, C)
        p        = softmax(scores) row by row
        loss     = mean over n of -log p[n, y[n]]

    Backward, through the same lines in reverse:
    1. dscores (N, C), the gradient of the loss with respect to the scores.
       Derive it for one row first: through the log and the softmax together
       it comes out remarkably simple in p and the label. Then remember that
       the loss is a mean over the N rows.
    2. dWy (H, C) and dby (C,), from the affine layer on h[:, -1].
    3. dh (N, T, H) for lstm_backward: the loss reads only the last hidden
       state, so every other step gets zero from outside. lstm_backward then
       gives dWx, dWh and db; its dx and dh0 are not needed.

    Only the last step is judged, so the gradient enters at the end and BPTT
    carries it back to the name at the start. Softmax is computed after
    subtracting each row's maximum score: exp(1000) overflows, and the shift
    changes nothing because it cancels between numerator and denominator.
    Take the log the same way, log p = z - log(sum(exp(z))) with z the shifted
    scores: a probability that rounds to 0 would make log(p) -inf.

    Pitfalls: dscores without the 1 / N of the mean; the gradient put in at
    the first time step, or at every one; a loss returned as an array rather
    than a float.

    Inputs:
    - x: Input sequences, of shape (N, T, D)
    - y: Labels, integers in [0, C), of shape (N,)
    - params: dict with Wx (D, 4H), Wh (H, 4H), b (4H,), Wy (H, C), by (C,)

    Returns a tuple of:
    - loss: The mean cross-entropy, a float
    - grads: dict with the same keys as params, each gradient shaped like its parameter

    You may call: lstm_forward, lstm_backward (imported from sequence.py)
    """
    # TODO: lstm_forward, scores on h[:, -1], a stable softmax loss, then back through lstm_backward
    raise NotImplementedError


def train(params, data, steps, lr, clip):
    """Train the classifier with Adam, clipping the gradient norm.

    For s = 0, 1, ..., steps-1, with (x, y) = data[s % len(data)]:
        loss, grads = classifier_loss(x, y, params);  losses[s] = loss
        norm = sqrt(sum of every squared entry of every gradient)
        if norm > clip: scale every gradient by clip / norm
        for each key:                             (Adam, t = s + 1)
            m = 0.9 * m + 0.1 * grad
            v = 0.999 * v + 0.001 * grad**2
            param -= lr * (m / (1 - 0.9**t)) / (sqrt(v / (1 - 0.999**t)) + 1e-8)
    with m and v starting at zero, one pair per parameter.

    Adam gives each weight its own step size: v tracks how large that
    weight's gradient usually is, so rarely-moved weights still learn. The
    clip guards against the rare step where the gradient explodes. (SGD with
    momentum, velocity = 0.9 * velocity - lr * grad; param += velocity, is
    the simpler alternative and also passes at the grader's settings.)

    The grader trains your code on the pronoun task from fixed starting
    weights and checks, with its own forward pass, that the model labels at
    least 95% of new sentences right.

    Inputs:
    - params: dict of starting weights (see classifier_loss); not changed in place
    - data: list of (x, y) batches
    - steps: number of updates
    - lr: learning rate
    - clip: largest gradient norm allowed

    Returns a tuple of:
    - params: dict of trained weights, same keys and shapes
    - losses: array of shape (steps,), the loss of each step before its update

    You may call: classifier_loss
    """
    # TODO: copy params, zero m and v, then loop: loss, clip, Adam update; return (params, losses)
    raise NotImplementedError
