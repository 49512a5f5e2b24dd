"""One LSTM time step, one gate at a time (reference solution).

Work through the functions in file order; each docstring gives the equation,
the idea behind it, and the shapes.

Sizes: N is the batch size, D the input size, H the hidden size.
In this file every gate has its own weights:
    x (N, D), h_prev (N, H), Wx (D, H), Wh (H, H), b (H,)
cell.py later fuses the four gates' weights. `*` is elementwise, `@` is matmul.
"""
import numpy as np


def sigmoid(z):
    """Compute the logistic sigmoid of z, elementwise, without overflowing.

    Equation:
        sigmoid(z) = 1 / (1 + exp(-z))

    The sigmoid squashes any real number into (0, 1), which makes it the dial
    every gate uses: near 0 shuts the gate, near 1 opens it fully, and anything
    between lets that fraction through.

    Typed in literally, the formula fails for large negative inputs. At
    z = -1000 it needs exp(1000), but the largest float64 is about 1.8e308
    (exp stops fitting just above 709.78), so NumPy returns inf and emits
    "RuntimeWarning: overflow encountered in exp". The final 1 / (1 + inf) = 0
    happens to be correct, yet your answer must produce no warning at all.
    The way out is to call exp only on numbers that are <= 0: for z >= 0 the
    formula above is safe, and for z < 0 multiplying top and bottom by exp(z)
    gives the equivalent exp(z) / (1 + exp(z)). Beware that np.where(cond, A, B)
    evaluates A and B on every element before choosing, so both must be safe
    everywhere. (Underflow, exp(-1000) rounding to 0, is harmless and silent.)

    Inputs:
    - z: NumPy array of any shape

    Returns:
    - s: Array of the same shape as z, every entry in [0, 1]

    You may call: np.exp, np.abs, np.where (nothing earlier exists yet).
    """
    e = np.exp(-np.abs(z))  # never overflows: the exponent is <= 0
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))


def forget_gate(x, h_prev, Wx, Wh, b):
    """Compute the forget gate f: how much of the old cell state to keep.

    Equation:
        f = sigmoid(x @ Wx + h_prev @ Wh + b)

    The forget gate is the bouncer at the door of the memory. For each of the
    H memory slots it looks at the current input and the previous hidden state
    and gives a number in (0, 1): close to 1 lets the old content stay, close
    to 0 shows it out. Reading "Sarah went to the store. She...", a trained
    bouncer keeps the slot that records "the subject is Sarah" through the
    middle words, and could clear it when an unrelated sentence begins.

    Inputs:
    - x: Input at this time step, of shape (N, D)
    - h_prev: Hidden state from the previous step, of shape (N, H)
    - Wx: Input-to-gate weights, of shape (D, H)
    - Wh: Hidden-to-gate weights, of shape (H, H)
    - b: Bias, of shape (H,)

    Returns:
    - f: Forget gate values in (0, 1), of shape (N, H)

    You may call: sigmoid
    """
    return sigmoid(x @ Wx + h_prev @ Wh + b)


def input_gate(x, h_prev, Wx, Wh, b):
    """Compute the input gate i: how much of the new candidate to write.

    Equation:
        i = sigmoid(x @ Wx + h_prev @ Wh + b)

    The input gate is the guard at the entrance. Each step proposes new
    content (the candidate g, next function), and the guard decides, slot by
    slot, what fraction of that proposal is let into memory. At "Sarah" it
    should open for the slot that stores the subject; at "to" or "the" it can
    stay mostly shut. The formula is the same as the forget gate's: what a gate
    does comes only from its own learned Wx, Wh and b.

    Inputs:
    - x: Input at this time step, of shape (N, D)
    - h_prev: Hidden state from the previous step, of shape (N, H)
    - Wx: Input-to-gate weights, of shape (D, H)
    - Wh: Hidden-to-gate weights, of shape (H, H)
    - b: Bias, of shape (H,)

    Returns:
    - i: Input gate values in (0, 1), of shape (N, H)

    You may call: sigmoid
    """
    return sigmoid(x @ Wx + h_prev @ Wh + b)


def candidate(x, h_prev, Wx, Wh, b):
    """Compute the candidate g: the new content that could be written to memory.

    Equation:
        g = tanh(x @ Wx + h_prev @ Wh + b)

    The candidate is not a gate; it is the parcel the guard inspects. It uses
    tanh rather than sigmoid because content needs a sign: a value in (-1, 1)
    can push a memory slot up or down, while a gate only needs a fraction.

    Inputs:
    - x: Input at this time step, of shape (N, D)
    - h_prev: Hidden state from the previous step, of shape (N, H)
    - Wx: Input-to-candidate weights, of shape (D, H)
    - Wh: Hidden-to-candidate weights, of shape (H, H)
    - b: Bias, of shape (H,)

    Returns:
    - g: Candidate values in (-1, 1), of shape (N, H)

    You may call: np.tanh (no earlier function is needed).
    """
    return np.tanh(x @ Wx + h_prev @ Wh + b)


def cell_update(c_prev, f, i, g):
    """Compute the new cell state c from the old one, the two gates and the candidate.

    Equation:
        c = f * c_prev + i * g

    The cell state is a conveyor belt that runs through the whole sequence.
    At each step the bouncer's fraction f of the old load stays on the belt
    and the guard's fraction i of the candidate g is placed on it. When f is
    near 1 and i near 0, the belt passes its load to the next step unchanged,
    which is how "Sarah" can survive several words. Both products are
    elementwise, and this step has no weights of its own.

    Inputs:
    - c_prev: Cell state from the previous step, of shape (N, H)
    - f: Forget gate, of shape (N, H)
    - i: Input gate, of shape (N, H)
    - g: Candidate, of shape (N, H)

    Returns:
    - c: New cell state, of shape (N, H)

    You may call: nothing; this is plain elementwise arithmetic.
    """
    return f * c_prev + i * g


def output_gate(x, h_prev, Wx, Wh, b):
    """Compute the output gate o: how much of each memory slot to show.

    Equation:
        o = sigmoid(x @ Wx + h_prev @ Wh + b)

    The cell state holds more than the current step needs. The output gate is
    the librarian who decides which stored items to bring out to the desk
    right now. While the model reads "went to the store" the subject slot can
    stay on the shelf; at "She" the librarian fetches it, because the choice
    of pronoun depends on it. The output gate only chooses what is shown; it
    never changes the cell state.

    Inputs:
    - x: Input at this time step, of shape (N, D)
    - h_prev: Hidden state from the previous step, of shape (N, H)
    - Wx: Input-to-gate weights, of shape (D, H)
    - Wh: Hidden-to-gate weights, of shape (H, H)
    - b: Bias, of shape (H,)

    Returns:
    - o: Output gate values in (0, 1), of shape (N, H)

    You may call: sigmoid
    """
    return sigmoid(x @ Wx + h_prev @ Wh + b)


def hidden_state(c, o):
    """Compute the hidden state h: the part of the memory the cell shows.

    Equation:
        h = o * tanh(c)

    The hidden state is the cell's public face: the next layer and all the
    gates of the next step read h, never c directly. The cell state can grow
    beyond 1 because it accumulates, so tanh first squashes it into (-1, 1);
    the librarian's o then picks how much of each slot is shown.

    Inputs:
    - c: Cell state at this step, of shape (N, H)
    - o: Output gate, of shape (N, H)

    Returns:
    - h: Hidden state, of shape (N, H)

    You may call: np.tanh (no earlier function is needed).
    """
    return o * np.tanh(c)
