"""What the demo measures on trained models: gate traces, the units that carry the answer,
the gradient that reaches the first word, and accuracy against distance."""
import numpy as np

from grader.course import tasks


def trace_gates(tokens, params, gates):
    """The LSTM's i, f, g, o, c and h at every step of one sentence: {name: (T, H) array}.

    ``gates`` is the code's own gates.py: each gate is computed by its function on that gate's
    block of the fused weights (order i, f, g, o), so the demo carries no cell of its own.
    """
    Wx, Wh, b = params["Wx"], params["Wh"], params["b"]
    H = Wh.shape[0]
    block = {name: slice(k * H, (k + 1) * H) for k, name in enumerate("ifgo")}
    gate = {"i": gates.input_gate, "f": gates.forget_gate, "g": gates.candidate, "o": gates.output_gate}
    h = c = np.zeros((1, H))
    trace = {name: [] for name in "ifgoch"}
    for x in tasks.encode([tokens])[0]:
        x = x[None]                                      # a batch of one sentence
        i, f, g, o = (gate[name](x, h, Wx[:, block[name]], Wh[:, block[name]], b[block[name]]) for name in "ifgo")
        c = gates.cell_update(c, f, i, g)
        h = gates.hidden_state(c, o)
        for name, value in zip("ifgoch", (i, f, g, o, c, h)):
            trace[name].append(value[0])
    return {name: np.array(values) for name, values in trace.items()}


def units_that_matter(forward, params, count=3, seed=11):
    """The hidden units that do most to tell "she" from "he", best first, and each one's share.

    A unit's share is how far apart its last hidden value sits for the two labels, times how
    strongly the affine layer reads it in favour of "she": its part in the score difference.
    """
    x, y = tasks.batch(256, 10, np.random.default_rng(seed))
    h, _ = forward(x, np.zeros((len(y), params["Wh"].shape[0])), params["Wx"], params["Wh"], params["b"])
    gap = h[y == 0, -1].mean(axis=0) - h[y == 1, -1].mean(axis=0)    # (H,) she minus he
    share = gap * (params["Wy"][:, 0] - params["Wy"][:, 1])
    order = np.argsort(-share)[:count]
    return [(int(u), float(share[u] / np.abs(share).sum())) for u in order]


def unit_title(unit, share):
    """How the pictures name a unit from units_that_matter."""
    return f"unit {unit} ({share:.0%} of the she/he score difference)"


def gradient_reach(forward, backward, params, k, size=64, seed=12):
    """Median norm of the gradient at the first word's input, sent from the last hidden state.

    The upstream gradient is a random unit vector at the last step and zero elsewhere, so the
    figure is how much of a unit-sized learning signal survives the trip back over k + 1 steps.
    """
    rng = np.random.default_rng(seed)
    x, _ = tasks.batch(size, k, rng)
    H = params["Wh"].shape[0]
    h, cache = forward(x, np.zeros((size, H)), params["Wx"], params["Wh"], params["b"])
    dh = np.zeros_like(h)
    u = rng.standard_normal((size, H))
    dh[:, -1] = u / np.linalg.norm(u, axis=1, keepdims=True)
    dx = backward(dh, cache)[0]
    return float(np.median(np.linalg.norm(dx[:, 0], axis=1)))


def held_out(k, seed=13):
    """Test sentences with exactly k fillers, never used for training."""
    return tasks.batches(4, 64, (k,), seed=seed + k)
