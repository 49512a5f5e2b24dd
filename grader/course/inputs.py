"""Random inputs for the checks: every seed has its own values, and every seed but the square
one a non-square shape.

N, T, D and H differ within every such shape, so a transposed product or swapped arguments fail
with a shape error or wrong values instead of passing by accident. The public seeds keep fixed
shapes (a handout's recorded reference outputs depend on them); any other seed, as a hidden test
uses, draws its own shape from the seed, one that no public seed has.
"""
import numpy as np

SEEDS = (0, 1, 2)
SHAPES = {0: (3, 4, 5, 6), 1: (2, 5, 7, 3), 2: (4, 3, 2, 5)}  # seed -> (N, T, D, H)
# Not graded: D == H, where a swapped or transposed weight product runs instead of raising, so
# the diagnosis can tell which of those mistakes a learner made.
SQUARE_SEED = 3
SHAPES[SQUARE_SEED] = (3, 4, 5, 5)
DRAWN_SIZES = range(2, 8)  # small: a gradient check evaluates the forward twice per input entry


def sizes(seed):
    """(N, T, D, H) for ``seed``: fixed for the public and square seeds, drawn from the seed otherwise."""
    if seed in SHAPES:
        return SHAPES[seed]
    rng = _rng(seed, 0)
    while True:
        shape = tuple(int(n) for n in rng.choice(DRAWN_SIZES, 4, replace=False))
        if shape not in SHAPES.values():
            return shape


def describe(seed):
    N, T, D, H = sizes(seed)
    return f"(inputs: seed {seed}, N={N}, T={T}, D={D}, H={H})"


def _rng(seed, salt):
    return np.random.default_rng([seed, salt])


def _weights(rng, D, H, width):
    # Scaled so pre-activations spread over roughly [-3, 3], where sigmoid and tanh differ most.
    return (rng.standard_normal((D, width)) / np.sqrt(D), rng.standard_normal((H, width)) / np.sqrt(H),
            0.5 * rng.standard_normal(width))


def gate_args(seed):
    """(x, h_prev, Wx, Wh, b) for one gate: Wx (D, H), Wh (H, H), b (H,)."""
    N, _, D, H = sizes(seed)
    rng = _rng(seed, 1)
    return (rng.standard_normal((N, D)), rng.standard_normal((N, H)), *_weights(rng, D, H, H))


def cell_update_args(seed):
    """(c_prev, f, i, g), each (N, H), gates in their ranges."""
    N, _, _, H = sizes(seed)
    rng = _rng(seed, 2)
    return (rng.standard_normal((N, H)), rng.uniform(0, 1, (N, H)), rng.uniform(0, 1, (N, H)),
            rng.uniform(-1, 1, (N, H)))


def hidden_state_args(seed):
    """(c, o), each (N, H)."""
    N, _, _, H = sizes(seed)
    rng = _rng(seed, 3)
    return 1.5 * rng.standard_normal((N, H)), rng.uniform(0, 1, (N, H))


def step_args(seed):
    """(x, h_prev, c_prev, Wx, Wh, b) for the fused cell: Wx (D, 4H), Wh (H, 4H), b (4H,)."""
    N, _, D, H = sizes(seed)
    rng = _rng(seed, 4)
    return (rng.standard_normal((N, D)), rng.standard_normal((N, H)), rng.standard_normal((N, H)),
            *_weights(rng, D, H, 4 * H))


def sequence_args(seed):
    """(x, h0, Wx, Wh, b) for a whole sequence: x (N, T, D)."""
    N, T, D, H = sizes(seed)
    rng = _rng(seed, 5)
    return (rng.standard_normal((N, T, D)), rng.standard_normal((N, H)), *_weights(rng, D, H, 4 * H))


def upstream(seed, *shapes):
    """Random upstream gradients of the given shapes (the ``dout`` of a backward check)."""
    rng = _rng(seed, 6)
    return tuple(rng.standard_normal(shape) for shape in shapes)


CLASSES = {0: 2, 1: 4, 2: 6, SQUARE_SEED: 2}  # seed -> C, different from N, D and H of that seed's shape


def classes(seed):
    """C for ``seed``: its own for a fixed shape, else the smallest that differs from N, D and H."""
    if seed in CLASSES:
        return CLASSES[seed]
    N, _, D, H = sizes(seed)
    return next(C for C in range(2, 2 + 4) if C not in (N, D, H))


def classifier_args(seed):
    """(x, y, params) for classifier_loss: x (N, T, D), y (N,) ints in [0, C), LSTM and affine weights."""
    N, T, D, H = sizes(seed)
    C = classes(seed)
    rng = _rng(seed, 7)
    Wx, Wh, b = _weights(rng, D, H, 4 * H)
    params = {"Wx": Wx, "Wh": Wh, "b": b, "Wy": rng.standard_normal((H, C)), "by": 0.5 * rng.standard_normal(C)}
    return rng.standard_normal((N, T, D)), rng.permutation(np.arange(N) % C), params
