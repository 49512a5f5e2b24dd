"""Forms of the catalogued mistakes: the reference with that one mistake in it.

A form is a function of the inputs of one of the learner's functions. When a check fails,
``grader.judge.diagnosis`` evaluates the forms on the same inputs and names the mistake whose output
matches the learner's. Every form is built from the reference's own functions
(``ref.forget_gate``, ``ref.lstm_step_backward``, ...) plus the one mistaken piece, so they run
only where the reference is.

A form is called as ``form(ref, name, *inputs)``, ``name`` being the learner's function:
``inputs`` are its arguments, or for a backward function the forward's arguments and then the
upstream gradients, and it returns the compared outputs (a cache is never compared, so forms
return none).

This module is the kit's alone. A handout, which has no reference, names mistakes from the forms'
outputs recorded when it was built, with only ``grader.judge.forms_index`` (which forms there are,
no code): a form's pieces of the right computation would answer the learner's steps.
"""
import itertools

import numpy as np

from grader.course.mistakes import AFFINE, CATALOGUE, GATES
from grader.course.steps import BY_FUNCTION
from grader.judge.forms_index import counted

FORMS = {}  # (mistake key, the learner's function) -> [form, ...], in the order they are tried


def form(key, *functions):
    """Registers the decorated function as a form of mistake ``key`` for each of ``functions``."""
    def register(fn):
        for function in functions:
            assert BY_FUNCTION[function].name in CATALOGUE[key].steps, (key, function)
            FORMS.setdefault((key, function), []).append(fn)
        return fn
    return register


CACHED = {"lstm_step_forward": 2, "lstm_forward": 1, "rnn_step_forward": 1}  # outputs before the cache
BACKWARD = {"lstm_step_backward": ("lstm_step_forward", 6), "lstm_backward": ("lstm_forward", 5),
            "rnn_step_backward": ("rnn_step_forward", 5)}  # its forward, and how many inputs that takes


def without_cache(name, out):
    """``name``'s outputs as compared: a returned cache left out."""
    return out[:CACHED[name]] if name in CACHED else out


def correct(ref, name, *inputs):
    """The reference's outputs for ``inputs``, in the same layout as a form's."""
    if name in BACKWARD:
        forward, n = BACKWARD[name]
        cache = getattr(ref, forward)(*inputs[:n])[CACHED[forward]]
        return getattr(ref, name)(*inputs[n:], cache)
    return without_cache(name, getattr(ref, name)(*inputs))


# -- sigmoid and the single gates ------------------------------------------------------------

@form("sigmoid_mirrored", "sigmoid")
def _(ref, name, z):
    return ref.sigmoid(-z)


@form("gate_tanh", *GATES)
def _(ref, name, x, h_prev, Wx, Wh, b):
    return ref.candidate(x, h_prev, Wx, Wh, b)  # the same affine sum, through tanh


@form("candidate_sigmoid", "candidate")
def _(ref, name, x, h_prev, Wx, Wh, b):
    return ref.forget_gate(x, h_prev, Wx, Wh, b)  # the same affine sum, through sigmoid


@form("missing_bias", *AFFINE, "rnn_step_forward")
def _(ref, name, x, h_prev, Wx, Wh, b):
    return without_cache(name, getattr(ref, name)(x, h_prev, Wx, Wh, np.zeros_like(b)))


@form("swapped_weights", *AFFINE)
def _(ref, name, x, h_prev, Wx, Wh, b):
    return getattr(ref, name)(x, h_prev, Wh, Wx, b)


@form("transposed_weights", *AFFINE)
def _(ref, name, x, h_prev, Wx, Wh, b):
    return getattr(ref, name)(x, h_prev, Wx, Wh.T, b)


@form("transposed_weights", *AFFINE)
def _(ref, name, x, h_prev, Wx, Wh, b):
    return getattr(ref, name)(x, h_prev, Wx.T, Wh.T, b)


@form("transposed_weights", *AFFINE)
def _(ref, name, x, h_prev, Wx, Wh, b):
    return getattr(ref, name)(x, h_prev, Wx.T, Wh, b)


# -- cell update and hidden state --------------------------------------------------------------

@form("gates_swapped", "cell_update")
def _(ref, name, c_prev, f, i, g):
    return ref.cell_update(c_prev, i, f, g)


@form("plus_for_times", "cell_update")
def _(ref, name, c_prev, f, i, g):
    return f + c_prev + i * g


@form("plus_for_times", "cell_update")
def _(ref, name, c_prev, f, i, g):
    return f * c_prev + i + g


@form("plus_for_times", "cell_update")
def _(ref, name, c_prev, f, i, g):
    return f + c_prev + i + g


@form("plus_for_times", "hidden_state")
def _(ref, name, c, o):
    return o + ref.hidden_state(c, np.ones_like(o))  # hidden_state with o = 1 is tanh(c)


@form("h_without_tanh", "hidden_state")
def _(ref, name, c, o):
    return o * c


@form("tanh_of_product", "hidden_state")
def _(ref, name, c, o):
    return ref.hidden_state(o * c, np.ones_like(o))


# -- the fused cell, forward -------------------------------------------------------------------

def _block(Wx, Wh, b, k):
    """The weights of gate k (0..3 for i, f, g, o) in the fused Wx, Wh, b."""
    H = Wh.shape[0]
    return Wx[:, k * H:(k + 1) * H], Wh[:, k * H:(k + 1) * H], b[k * H:(k + 1) * H]


def _gates(ref, x, h_prev, Wx, Wh, b):
    """i, f, g, o from the reference's own gate functions, each on its block of the fused weights."""
    return (ref.input_gate(x, h_prev, *_block(Wx, Wh, b, 0)), ref.forget_gate(x, h_prev, *_block(Wx, Wh, b, 1)),
            ref.candidate(x, h_prev, *_block(Wx, Wh, b, 2)), ref.output_gate(x, h_prev, *_block(Wx, Wh, b, 3)))


def _reading_blocks(ref, x, h_prev, c_prev, Wx, Wh, b, columns):
    """The reference cell reading gate k from ``columns[k]`` of a instead of from its own block."""
    cols = np.concatenate(columns)
    return ref.lstm_step_forward(x, h_prev, c_prev, Wx[:, cols], Wh[:, cols], b[cols])[:2]


def _in_block_order(ref, x, h_prev, c_prev, Wx, Wh, b, order):
    """The cell with gate k (of i, f, g, o) read from block ``order[k]``."""
    H = h_prev.shape[1]
    return _reading_blocks(ref, x, h_prev, c_prev, Wx, Wh, b, [np.arange(k * H, (k + 1) * H) for k in order])


CS231N_ORDER, IF_SWAPPED = (0, 1, 3, 2), (1, 0, 2, 3)
OTHER_ORDERS = [p for p in itertools.permutations(range(4)) if p not in ((0, 1, 2, 3), CS231N_ORDER, IF_SWAPPED)]


@form("cs231n_order", "lstm_step_forward")
def _(ref, name, *args):
    return _in_block_order(ref, *args, CS231N_ORDER)


@form("gates_swapped", "lstm_step_forward")
def _(ref, name, *args):
    # i and f are both sigmoids of their blocks, so reading them from each other's block is
    # the same as swapping them in the cell update.
    return _in_block_order(ref, *args, IF_SWAPPED)


def _other_order(order):
    return lambda ref, name, *args: _in_block_order(ref, *args, order)


for _order in OTHER_ORDERS:
    form("block_order", "lstm_step_forward")(_other_order(_order))


@form("interleaved_blocks", "lstm_step_forward")
def _(ref, name, x, h_prev, c_prev, Wx, Wh, b):
    four_H = Wx.shape[1]
    return _reading_blocks(ref, x, h_prev, c_prev, Wx, Wh, b, [np.arange(k, four_H, 4) for k in range(4)])


@form("missing_bias", "lstm_step_forward")
def _(ref, name, x, h_prev, c_prev, Wx, Wh, b):
    return ref.lstm_step_forward(x, h_prev, c_prev, Wx, Wh, np.zeros_like(b))[:2]


@form("swapped_weights", "lstm_step_forward")
def _(ref, name, x, h_prev, c_prev, Wx, Wh, b):
    return ref.lstm_step_forward(x, h_prev, c_prev, Wh, Wx, b)[:2]


def _cell_with(ref, x, h_prev, c_prev, Wx, Wh, b, candidate=None, hidden=None):
    """The fused cell assembled from the reference's gates, with one piece replaced."""
    i, f, g, o = _gates(ref, x, h_prev, Wx, Wh, b)
    if candidate is not None:
        g = candidate(x, h_prev, *_block(Wx, Wh, b, 2))
    c = ref.cell_update(c_prev, f, i, g)
    return (hidden or ref.hidden_state)(c, o), c


@form("candidate_sigmoid", "lstm_step_forward")
def _(ref, name, *args):
    return _cell_with(ref, *args, candidate=ref.forget_gate)


@form("h_without_tanh", "lstm_step_forward")
def _(ref, name, *args):
    return _cell_with(ref, *args, hidden=lambda c, o: o * c)


@form("tanh_of_product", "lstm_step_forward")
def _(ref, name, *args):
    return _cell_with(ref, *args, hidden=lambda c, o: ref.hidden_state(o * c, np.ones_like(o)))


# -- the fused cell, backward ------------------------------------------------------------------
# inputs: x, h_prev, c_prev, Wx, Wh, b, dh, dc. The reference's backward is linear in (dh, dc),
# so a mistake in what reaches c can be reproduced by handing it a different dc.

def _step_grads(ref, x, h_prev, c_prev, Wx, Wh, b, dh, dc):
    return ref.lstm_step_backward(dh, dc, ref.lstm_step_forward(x, h_prev, c_prev, Wx, Wh, b)[2])


def _o_and_c(ref, x, h_prev, c_prev, Wx, Wh, b):
    i, f, g, o = _gates(ref, x, h_prev, Wx, Wh, b)
    return o, ref.cell_update(c_prev, f, i, g)


def _o_and_tanh_c(ref, *args):
    o, c = _o_and_c(ref, *args)
    return o, np.tanh(c)


@form("h_path_missing", "lstm_step_backward")
def _(ref, name, *inputs):
    *args, dh, dc = inputs
    o, tanh_c = _o_and_tanh_c(ref, *args)
    return _step_grads(ref, *args, dh, dc - dh * o * (1 - tanh_c**2))  # cancels the route through h


@form("dc_prev_h_path_missing", "lstm_step_backward")
def _(ref, name, *inputs):
    *args, dh, dc = inputs
    f = _gates(ref, *args[:2], *args[3:])[1]
    dx, dh_prev, _, dWx, dWh, db = _step_grads(ref, *inputs)
    return dx, dh_prev, dc * f, dWx, dWh, db  # the gates saw the whole dc_tot, c_prev only the belt's share


@form("dc_ignored", "lstm_step_backward")
def _(ref, name, *inputs):
    *args, dh, dc = inputs
    return _step_grads(ref, *args, dh, np.zeros_like(dc))


@form("tanh_prime_missing", "lstm_step_backward")
def _(ref, name, *inputs):
    *args, dh, dc = inputs
    o, tanh_c = _o_and_tanh_c(ref, *args)
    return _step_grads(ref, *args, dh, dc + dh * o * tanh_c**2)  # dh * o reaches c, not dh * o * tanh'


def _preactivation_grad(ref, x, h_prev, c_prev, Wx, Wh, b, dh, dc):
    """The reference's gradient of the fused pre-activation a, row by row: db sums da over the
    batch, so on a batch of one row it is exactly that row of da."""
    rows = []
    for n in range(x.shape[0]):
        row = [a[n:n + 1] for a in (x, h_prev, c_prev)]
        rows.append(_step_grads(ref, *row[:3], Wx, Wh, b, dh[n:n + 1], dc[n:n + 1])[5])
    return np.stack(rows)  # (N, 4H)


def _blocks(a, H):
    """The four blocks of H columns (i, f, g, o) of a fused (.., 4H) array."""
    return [a[..., k * H:(k + 1) * H] for k in range(4)]


def _with_da(ref, inputs, factors):
    """The step's gradients when the block k of da is multiplied by ``factors[k]`` (a derivative
    left out or taken wrong): everything after da follows from a = x @ Wx + h_prev @ Wh + b."""
    x, h_prev, c_prev, Wx, Wh, b, dh, dc = inputs
    da = _preactivation_grad(ref, *inputs)
    wrong = np.concatenate([block * factor for block, factor in zip(_blocks(da, h_prev.shape[1]), factors)], axis=1)
    dc_prev = _step_grads(ref, *inputs)[2]  # the activations' derivatives do not reach c_prev
    return wrong @ Wx.T, wrong @ Wh.T, dc_prev, x.T @ wrong, h_prev.T @ wrong, wrong.sum(axis=0)


def _derivatives(ref, inputs):
    """sigmoid' of i, f, o and tanh' of g, from the reference's gate values."""
    x, h_prev, c_prev, Wx, Wh, b = inputs[:6]
    i, f, g, o = _gates(ref, x, h_prev, Wx, Wh, b)
    return i * (1 - i), f * (1 - f), 1 - g**2, o * (1 - o)


@form("tanh_prime_missing", "lstm_step_backward")
def _(ref, name, *inputs):
    d = _derivatives(ref, inputs)
    return _with_da(ref, inputs, (1, 1, 1 / d[2], 1))


@form("tanh_prime_of_c", "lstm_step_backward")
def _(ref, name, *inputs):
    *args, dh, dc = inputs
    o, c = _o_and_c(ref, *args)
    return _step_grads(ref, *args, dh, dc + dh * o * (np.tanh(c)**2 - c**2))  # 1 - c**2 where 1 - tanh(c)**2 belongs


@form("do_without_tanh", "lstm_step_backward")
def _(ref, name, *inputs):
    o, c = _o_and_c(ref, *inputs[:6])
    return _with_da(ref, inputs, (1, 1, 1, c / np.tanh(c)))  # do = dh * c, not dh * tanh(c)


@form("candidate_sigmoid_prime", "lstm_step_backward")
def _(ref, name, *inputs):
    g = _gates(ref, *inputs[:2], *inputs[3:6])[2]
    return _with_da(ref, inputs, (1, 1, g / (1 + g), 1))  # g * (1 - g) where (1 - g) * (1 + g) belongs


def _sigmoid_prime_left_out(gates):
    def variant(ref, name, *inputs):
        d = _derivatives(ref, inputs)
        return _with_da(ref, inputs, [1 / d[k] if k in gates else 1 for k in range(4)])
    return variant


for _left_out in ((0, 1, 3), (0,), (1,), (3,)):  # all three gates, or one of i, f, o
    form("sigmoid_prime_missing", "lstm_step_backward")(_sigmoid_prime_left_out(_left_out))


def _share_left_out(gate, grads):
    """Gate ``gate``'s share left out of the gradients ``grads`` (0: dx, 1: dh_prev): with per-gate
    weight slices each is a sum of four products, one per gate."""
    def variant(ref, name, *inputs):
        x, h_prev, c_prev, Wx, Wh, b, dh, dc = inputs
        H = h_prev.shape[1]
        da = _blocks(_preactivation_grad(ref, *inputs), H)[gate]
        out = list(_step_grads(ref, *inputs))
        for k, W in ((0, Wx), (1, Wh)):
            if k in grads:
                out[k] = out[k] - da @ _blocks(W, H)[gate].T
        return tuple(out)
    return variant


for _gate, _grads in itertools.product(range(4), ((0,), (1,), (0, 1))):  # from dx, dh_prev, or both
    form("gate_share_missing", "lstm_step_backward")(_share_left_out(_gate, _grads))


@form("db_wrong_axis", "lstm_step_backward")
def _(ref, name, *inputs):
    return (*_step_grads(ref, *inputs)[:5], _preactivation_grad(ref, *inputs).sum(axis=1))


@form("db_wrong_axis", "lstm_step_backward")
def _(ref, name, *inputs):
    return (*_step_grads(ref, *inputs)[:5], _preactivation_grad(ref, *inputs).sum())


@form("db_averaged", "lstm_step_backward")
def _(ref, name, *inputs):
    *grads, db = _step_grads(ref, *inputs)
    return (*grads, db / len(inputs[0]))


# -- the sequence, forward -------------------------------------------------------------------

def _unrolled(ref, x, h0, Wx, Wh, b, handed_on, c0=None):
    """h of every step, running the reference cell on the (h, c) that ``handed_on(h, c)`` passes on,
    from the cell state ``c0`` (zeros unless given)."""
    h_t, c_t, hs = h0, np.zeros_like(h0) if c0 is None else c0, []
    for t in range(x.shape[1]):
        h_t, c_t, _ = ref.lstm_step_forward(x[:, t], *handed_on(h_t, c_t), Wx, Wh, b)
        hs.append(h_t)
    return np.stack(hs, axis=1)


@form("cell_state_reset", "lstm_forward")
def _(ref, name, x, h0, Wx, Wh, b):
    return _unrolled(ref, x, h0, Wx, Wh, b, lambda h, c: (h, np.zeros_like(c)))


@form("hidden_state_reset", "lstm_forward")
def _(ref, name, x, h0, Wx, Wh, b):
    return _unrolled(ref, x, h0, Wx, Wh, b, lambda h, c: (h0, c))


@form("h0_ignored", "lstm_forward")
def _(ref, name, x, h0, Wx, Wh, b):
    return ref.lstm_forward(x, np.zeros_like(h0), Wx, Wh, b)[0]


@form("c0_from_h0", "lstm_forward")
def _(ref, name, x, h0, Wx, Wh, b):
    return _unrolled(ref, x, h0, Wx, Wh, b, lambda h, c: (h, c), c0=h0)


@form("bias_added_twice", "lstm_forward")
def _(ref, name, x, h0, Wx, Wh, b):
    return ref.lstm_forward(x, h0, Wx, Wh, 2 * b)[0]


@form("bias_added_twice", "lstm_forward")
def _(ref, name, x, h0, Wx, Wh, b):
    H = h0.shape[1]
    return ref.lstm_forward(x, h0, Wx, Wh, np.concatenate([b[:H], 2 * b[H:2 * H], b[2 * H:]]))[0]  # an extra forget bias


# -- the sequence, backward ------------------------------------------------------------------
# inputs: x, h0, Wx, Wh, b, dh

def _walk(ref, x, h0, Wx, Wh, b, dh, upstream):
    """[((x_t, h_prev, c_prev), (dh_t, dc_t), gradients)] of every step from the reference cell,
    walking back in time, where step t receives ``upstream(dh[:, t], dh_next, dc_next)`` as its (dh, dc)."""
    caches, states, h_t, c_t = [], [], h0, np.zeros_like(h0)
    for t in range(x.shape[1]):
        states.append((x[:, t], h_t, c_t))
        h_t, c_t, cache = ref.lstm_step_forward(x[:, t], h_t, c_t, Wx, Wh, b)
        caches.append(cache)
    steps, dh_next, dc_next = [None] * len(caches), np.zeros_like(h0), np.zeros_like(h0)
    for t in reversed(range(len(caches))):
        received = upstream(dh[:, t], dh_next, dc_next)
        grads = ref.lstm_step_backward(*received, caches[t])
        steps[t] = (states[t], received, grads)
        dh_next, dc_next = grads[1], grads[2]
    return steps


def _per_step_grads(ref, x, h0, Wx, Wh, b, dh, upstream):
    """Each step's six gradients from the reference cell, as ``_walk`` computes them."""
    return [grads for _, _, grads in _walk(ref, x, h0, Wx, Wh, b, dh, upstream)]


def _sequence_grads(grads, weights=sum):
    """(dx, dh0, dWx, dWh, db) from per-step gradients, with ``weights`` combining each weight's shares."""
    dx = np.stack([g[0] for g in grads], axis=1)
    return (dx, grads[0][1], *(weights([g[k] for g in grads]) for k in (3, 4, 5)))


def _both_routes(dh_t, dh_next, dc_next):
    return dh_t + dh_next, dc_next


def _overwritten(which):
    """The sequence's gradients with the weight gradients in ``which`` (0: dWx, 1: dWh, 2: db) kept
    from step 0 alone, the last step the backward loop visits, and the others summed."""
    def variant(ref, name, *inputs):
        dx, dh0, *weights = _sequence_grads(_per_step_grads(ref, *inputs, _both_routes))
        last = _per_step_grads(ref, *inputs, _both_routes)[0][3:]
        return (dx, dh0, *(last[k] if k in which else w for k, w in enumerate(weights)))
    return variant


for _which in ((0, 1, 2), (0,), (1,), (2,)):  # all three, or one of dWx, dWh, db
    form("dW_overwritten", "lstm_backward")(_overwritten(_which))


@form("averaged_over_time", "lstm_backward")
def _(ref, name, *inputs):
    return _sequence_grads(_per_step_grads(ref, *inputs, _both_routes), weights=lambda shares: sum(shares) / len(shares))


@form("dh_not_added", "lstm_backward")
def _(ref, name, *inputs):
    return _sequence_grads(_per_step_grads(ref, *inputs, lambda dh_t, dh_next, dc_next: (dh_t, dc_next)))


@form("dc_not_carried", "lstm_backward")
def _(ref, name, *inputs):
    return _sequence_grads(_per_step_grads(
        ref, *inputs, lambda dh_t, dh_next, dc_next: (dh_t + dh_next, np.zeros_like(dc_next))))


@form("dh0_missing", "lstm_backward")
def _(ref, name, *inputs):
    dx, _, dWx, dWh, db = correct(ref, name, *inputs)
    return dx, dWx, dWh, db  # four gradients: dh0 left out of the tuple


@form("dh0_missing", "lstm_backward")
def _(ref, name, *inputs):
    dx, dh0, dWx, dWh, db = correct(ref, name, *inputs)
    return dx, np.zeros_like(dh0), dWx, dWh, db


@form("dh0_missing", "lstm_backward")
def _(ref, name, *inputs):
    dx, _, dWx, dWh, db = correct(ref, name, *inputs)
    return dx, inputs[5][:, 0], dWx, dWh, db  # the upstream dh of step 0 passed through


@form("dh0_from_last_step", "lstm_backward")
def _(ref, name, *inputs):
    grads = _per_step_grads(ref, *inputs, _both_routes)
    dx, _, dWx, dWh, db = _sequence_grads(grads)
    return dx, grads[-1][1], dWx, dWh, db  # what step T-1, the first visited, handed back


@form("cache_buffer_overwritten", "lstm_backward")
def _(ref, name, x, h0, Wx, Wh, b, dh):
    # Every step's cache holds the buffer h_prev, which ends the forward loop as the last h: only
    # dWh = h_prev.T @ da reads it, so each step's share is h_last.T @ that step's da.
    steps = _walk(ref, x, h0, Wx, Wh, b, dh, _both_routes)
    h_last = ref.lstm_forward(x, h0, Wx, Wh, b)[0][:, -1]
    das = [_preactivation_grad(ref, *state, Wx, Wh, b, *received) for state, received, _ in steps]
    dx, dh0, dWx, _, db = _sequence_grads([grads for _, _, grads in steps])
    return dx, dh0, dWx, h_last.T @ sum(das), db


# -- the plain RNN and the classifier ----------------------------------------------------------

@form("bias_outside_tanh", "rnn_step_forward")
def _(ref, name, x, h_prev, Wx, Wh, b):
    return (ref.rnn_step_forward(x, h_prev, Wx, Wh, np.zeros_like(b))[0] + b,)


def _rnn_with(ref, x, h_prev, Wx, Wh, b, dh, derivative):
    """The RNN step's gradients when h = tanh(a) passes dh back times ``derivative(h, a)`` instead of
    1 - h**2 (the reference's own tanh' is divided out)."""
    h, cache = ref.rnn_step_forward(x, h_prev, Wx, Wh, b)
    return ref.rnn_step_backward(dh * derivative(h, x @ Wx + h_prev @ Wh + b) / (1 - h**2), cache)


@form("tanh_prime_missing", "rnn_step_backward")
def _(ref, name, *inputs):
    return _rnn_with(ref, *inputs, lambda h, a: 1)


@form("tanh_prime_missing", "rnn_step_backward")
def _(ref, name, x, h_prev, Wx, Wh, b, dh):
    dx, _, dWx, dWh, db = correct(ref, name, x, h_prev, Wx, Wh, b, dh)
    return dx, dh @ Wh.T, dWx, dWh, db  # dh_prev from dh, not from da


@form("tanh_prime_missing", "rnn_step_backward")
def _(ref, name, x, h_prev, Wx, Wh, b, dh):
    _, _, dWx, dWh, db = correct(ref, name, x, h_prev, Wx, Wh, b, dh)
    return dh @ Wx.T, dh @ Wh.T, dWx, dWh, db  # only the weights' gradients go through tanh'


@form("tanh_prime_not_squared", "rnn_step_backward")
def _(ref, name, *inputs):
    return _rnn_with(ref, *inputs, lambda h, a: 1 - h)


@form("tanh_prime_of_preactivation", "rnn_step_backward")
def _(ref, name, *inputs):
    return _rnn_with(ref, *inputs, lambda h, a: 1 - a**2)


@form("transposed_dW", "rnn_step_backward")
def _(ref, name, *inputs):
    dx, dh_prev, dWx, dWh, db = correct(ref, name, *inputs)
    return dx, dh_prev, dWx, dWh.T, db


@form("transposed_dW", "rnn_step_backward")
def _(ref, name, *inputs):
    dx, dh_prev, dWx, dWh, db = correct(ref, name, *inputs)
    return dx, dh_prev, dWx.T, dWh.T, db


@form("db_averaged", "rnn_step_backward")
def _(ref, name, *inputs):
    dx, dh_prev, dWx, dWh, db = correct(ref, name, *inputs)
    return dx, dh_prev, dWx, dWh, db / len(inputs[0])


def _scaled_grads(ref, x, y, params, loss_factor=1, keys=(), factor=1):
    """The reference's loss times ``loss_factor`` and its gradients, those of ``keys`` times ``factor``."""
    loss, grads = ref.classifier_loss(x, y, params)
    return loss * loss_factor, {k: g * factor if k in keys else g for k, g in grads.items()}


PARAMS = ("Wx", "Wh", "b", "Wy", "by")


@form("db_averaged", "classifier_loss")
def _(ref, name, x, y, params):
    return _scaled_grads(ref, x, y, params, keys=("by",), factor=1 / len(y))  # dby = dscores.mean(axis=0)


@form("loss_summed", "classifier_loss")
def _(ref, name, x, y, params):
    return _scaled_grads(ref, x, y, params, loss_factor=len(y))


@form("loss_summed", "classifier_loss")
def _(ref, name, x, y, params):
    return _scaled_grads(ref, x, y, params, loss_factor=len(y), keys=PARAMS, factor=len(y))


for _keys in (PARAMS, ("Wy", "by"), ("Wx", "Wh", "b")):  # every gradient, the affine layer's, or the LSTM's
    form("gradients_averaged_twice", "classifier_loss")(
        lambda ref, name, x, y, params, keys=_keys: _scaled_grads(ref, x, y, params, keys=keys, factor=1 / len(y)))


def _softmax(scores, shift_axis=1, sum_axis=1):
    """exp of the scores less their maxima along ``shift_axis``, normalised along ``sum_axis``."""
    z = scores - scores.max(axis=shift_axis, keepdims=True)
    return np.exp(z) / np.exp(z).sum(axis=sum_axis, keepdims=True)


def _by_row(p, y):
    """The mean cross-entropy at the labels and its gradient with respect to the scores."""
    N = len(y)
    dscores = p.copy()
    dscores[np.arange(N), y] -= 1
    return -np.log(p[np.arange(N), y]).mean(), dscores / N


def _last_step(h, dh_last):
    dh = np.zeros_like(h)
    dh[:, -1] = dh_last
    return dh


def _classifier_with(ref, x, y, params, softmax=_softmax, labels=_by_row, into=_last_step):
    """classifier_loss on the reference's LSTM, with its softmax, its use of the labels and where the
    gradient enters the sequence as given; with the defaults, the reference's own."""
    N, H = x.shape[0], params["Wh"].shape[0]
    h, cache = ref.lstm_forward(x, np.zeros((N, H)), params["Wx"], params["Wh"], params["b"])
    h_last = h[:, -1]
    loss, dscores = labels(softmax(h_last @ params["Wy"] + params["by"]), y)
    _, _, dWx, dWh, db = ref.lstm_backward(into(h, dscores @ params["Wy"].T), cache)
    return float(loss), {"Wx": dWx, "Wh": dWh, "b": db, "Wy": h_last.T @ dscores, "by": dscores.sum(axis=0)}


def _by_column(p, y):
    dscores = p.copy()
    dscores[:, y] -= 1  # column y[m] of every row
    return -np.log(p[:, y]).mean(), dscores / len(y)


@form("labels_by_column", "classifier_loss")
def _(ref, name, x, y, params):
    return _classifier_with(ref, x, y, params, labels=_by_column)


for _shift in (0, 1):  # normalised down the columns, the scores shifted by the columns' maxima or the rows'
    form("softmax_wrong_axis", "classifier_loss")(
        lambda ref, name, x, y, params, shift=_shift: _classifier_with(
            ref, x, y, params, softmax=lambda scores: _softmax(scores, shift_axis=shift, sum_axis=0)))


@form("gradient_every_step", "classifier_loss")
def _(ref, name, x, y, params):
    return _classifier_with(ref, x, y, params, into=lambda h, dh_last: np.repeat(dh_last[:, None], h.shape[1], axis=1))


@form("dh_rebound", "classifier_loss")
def _(ref, name, x, y, params):
    return _scaled_grads(ref, x, y, params, keys=("Wx", "Wh", "b"), factor=0)  # lstm_backward got zeros


@form("gradient_sign", "classifier_loss")
def _(ref, name, x, y, params):
    loss, grads = ref.classifier_loss(x, y, params)
    return loss, {k: -g for k, g in grads.items()}


@form("gradients_not_averaged", "classifier_loss")
def _(ref, name, x, y, params):
    loss, grads = ref.classifier_loss(x, y, params)
    return loss, {k: len(y) * g for k, g in grads.items()}


# -- training ------------------------------------------------------------------------------------

def _clipped(norm, clip):
    return min(1.0, clip / norm) if norm > 0 else 1.0


def _adam(bias_corrected=True, reset=False, betas=(0.9, 0.999), corrections=(0.9, 0.999), eps=1e-8, first_t=1):
    """Adam's update of one parameter, (param, grad, (m, v), t, lr) -> (param, (m, v)), with or
    without the bias correction, with moments kept or made afresh at each step, with the moments'
    ``betas`` and the bias corrections' as given, its ``eps``, and its step count from ``first_t``."""
    (b1, b2), (c1, c2) = betas, corrections

    def update(p, g, moments, t, lr):
        t = t - 1 + first_t
        m, v = (np.zeros_like(p), np.zeros_like(p)) if reset else moments
        m, v = b1 * m + (1 - b1) * g, b2 * v + (1 - b2) * g**2
        m_hat, v_hat = (m / (1 - c1**t), v / (1 - c2**t)) if bias_corrected else (m, v)
        return p - lr * m_hat / (np.sqrt(v_hat) + eps), (m, v)
    return update


_ADAM = _adam()


def _momentum(p, g, moments, t, lr):
    velocity = 0.9 * moments[0] - lr * g
    return p + velocity, (velocity, moments[1])


def _trained(ref, params, data, steps, lr, clip, scale=_clipped, update=_ADAM):
    """The docstring's loop on the reference's classifier_loss, with its clipping ``scale`` and
    its ``update`` as given; with the defaults, the reference's own train."""
    params = {k: v.copy() for k, v in params.items()}
    moments = {k: (np.zeros_like(v), np.zeros_like(v)) for k, v in params.items()}
    losses = np.empty(steps)
    for s in range(steps):
        x, y = data[s % len(data)]
        losses[s], grads = ref.classifier_loss(x, y, params)
        factor = scale(np.sqrt(sum(np.sum(g**2) for g in grads.values())), clip)
        for k, g in grads.items():
            params[k], moments[k] = update(params[k], g * factor, moments[k], s + 1, lr)
    return params, losses


def _to_the_clip(norm, clip):
    return clip / norm if norm > 0 else 1.0


@form("clip_not_applied", "train")
def _(ref, name, params, data, steps, lr, clip):
    return _trained(ref, params, data, steps, lr, np.inf)


@form("clip_not_applied", "train")
def _(ref, name, params, data, steps, lr, clip):
    return _trained(ref, params, data, steps, lr, np.inf, update=_momentum)


@form("clip_always_rescaled", "train")
def _(ref, name, params, data, steps, lr, clip):
    return _trained(ref, params, data, steps, lr, clip, scale=_to_the_clip)


@form("clip_always_rescaled", "train")
def _(ref, name, params, data, steps, lr, clip):
    return _trained(ref, params, data, steps, lr, clip, scale=_to_the_clip, update=_momentum)


@form("adam_no_bias_correction", "train")
def _(ref, name, params, data, steps, lr, clip):
    return _trained(ref, params, data, steps, lr, clip, update=_adam(bias_corrected=False))


@form("adam_moments_reset", "train")
def _(ref, name, params, data, steps, lr, clip):
    return _trained(ref, params, data, steps, lr, clip, update=_adam(reset=True))


@form("update_sign", "train")
def _(ref, name, params, data, steps, lr, clip):
    return _trained(ref, params, data, steps, -lr, clip)  # each step's move added, not taken away


@form("update_sign", "train")
def _(ref, name, params, data, steps, lr, clip):
    return _trained(ref, params, data, steps, -lr, clip, update=_momentum)


@form("first_batch_only", "train")
def _(ref, name, params, data, steps, lr, clip):
    return _trained(ref, params, data[:1], steps, lr, clip)


@form("first_batch_only", "train")
def _(ref, name, params, data, steps, lr, clip):
    return _trained(ref, params, data[:1], steps, lr, clip, update=_momentum)


@form("lr_not_used", "train")
def _(ref, name, params, data, steps, lr, clip):
    return _trained(ref, params, data, steps, 1.0, clip)  # lr left out of the update


@form("lr_not_used", "train")
def _(ref, name, params, data, steps, lr, clip):
    return _trained(ref, params, data, steps, 1.0, clip, update=_momentum)


@form("lr_not_used", "train")
def _(ref, name, params, data, steps, lr, clip):
    return _trained(ref, params, data, steps, 1e-3, clip)  # Adam's usual default written in


@form("adam_betas_swapped", "train")
def _(ref, name, params, data, steps, lr, clip):
    return _trained(ref, params, data, steps, lr, clip, update=_adam(betas=(0.999, 0.9)))  # in the moments only


@form("adam_betas_swapped", "train")
def _(ref, name, params, data, steps, lr, clip):
    return _trained(ref, params, data, steps, lr, clip, update=_adam(betas=(0.999, 0.9), corrections=(0.999, 0.9)))


@form("adam_epsilon_missing", "train")
def _(ref, name, params, data, steps, lr, clip):
    return _trained(ref, params, data, steps, lr, clip, update=_adam(eps=0.0))


@form("adam_step_from_zero", "train")
def _(ref, name, params, data, steps, lr, clip):
    return _trained(ref, params, data, steps, lr, clip, update=_adam(first_t=0))


# A handout's diagnosis knows the forms only from the index: it must count exactly these.
if {place: len(forms) for place, forms in FORMS.items()} != counted():
    raise ImportError("grader/judge/forms_index.py does not count the forms of grader/judge/variants.py")
