"""Real-world styles: the LSTM written the ways CS231n-style code (its rnn_layers.py) is written,
with the kit's gate order (i, f, g, o) and the kit's function names, as learners who met that
assignment write it: next_h and dnext_c names, dict caches, per-gate weight slices, one product
of the concatenated [x, h], np.hsplit, time-major loops, a cache of raw pre-activations, and the
in-place `dnext_c += ...` that two thirds of the correct implementations of lstm_step_backward use.

STYLES: case -> (step, expected, source). ``expected`` is
- FULL: the step keeps full marks;
- SIDE_EFFECT: the code changes an input in place and its math is right: the step loses its
  side-effect check alone, whose message says the values were right;
- a catalogue key: a real mistake, which the step fails under that name;
- Wrong(text): a real mistake outside the catalogue, which the step fails with ``text`` in its
  message, while every step it builds on passes.
A source may define a forward and its backward together, when its cache is its own.
"""
from typing import NamedTuple

FULL, SIDE_EFFECT = "full marks", "side effect only"


class Wrong(NamedTuple):
    text: str


STYLES = {
    # -- the fused cell, forward and backward ---------------------------------------------------
    "cell_per_gate_pre_activations_dict_cache": ("lstm_step_forward", FULL, '''
def lstm_step_forward(x, prev_h, prev_c, Wx, Wh, b):
    H = prev_h.shape[1]
    pre = {}
    for k, name in enumerate("ifgo"):
        cols = slice(k * H, (k + 1) * H)
        pre[name] = x.dot(Wx[:, cols]) + prev_h.dot(Wh[:, cols]) + b[cols]
    i, f, o = sigmoid(pre["i"]), sigmoid(pre["f"]), sigmoid(pre["o"])
    g = np.tanh(pre["g"])
    next_c = f * prev_c + i * g
    next_h = o * np.tanh(next_c)
    cache = {"x": x, "prev_h": prev_h, "prev_c": prev_c, "Wx": Wx, "Wh": Wh,
             "i": i, "f": f, "g": g, "o": o, "next_c": next_c}
    return next_h, next_c, cache

def lstm_step_backward(dnext_h, dnext_c, cache):
    i, f, g, o = cache["i"], cache["f"], cache["g"], cache["o"]
    tanh_c = np.tanh(cache["next_c"])
    dc = dnext_c + dnext_h * o * (1 - tanh_c ** 2)
    dai = dc * g * i * (1 - i)
    daf = dc * cache["prev_c"] * f * (1 - f)
    dag = dc * i * (1 - g ** 2)
    dao = dnext_h * tanh_c * o * (1 - o)
    da = np.hstack((dai, daf, dag, dao))
    dx = da.dot(cache["Wx"].T)
    dprev_h = da.dot(cache["Wh"].T)
    dWx = cache["x"].T.dot(da)
    dWh = cache["prev_h"].T.dot(da)
    db = np.sum(da, axis=0)
    return dx, dprev_h, dc * f, dWx, dWh, db
'''),
    "cell_concatenated_xh_and_hsplit": ("lstm_step_forward", FULL, '''
def lstm_step_forward(x, prev_h, prev_c, Wx, Wh, b):
    xh = np.concatenate([x, prev_h], axis=1)
    W = np.concatenate([Wx, Wh], axis=0)
    ai, af, ag, ao = np.hsplit(xh @ W + b, 4)
    i, f, g, o = sigmoid(ai), sigmoid(af), np.tanh(ag), sigmoid(ao)
    next_c = f * prev_c + i * g
    next_h = o * np.tanh(next_c)
    return next_h, next_c, (xh, W, prev_c, i, f, g, o, next_c, x.shape[1])

def lstm_step_backward(dnext_h, dnext_c, cache):
    xh, W, prev_c, i, f, g, o, next_c, D = cache
    tanh_c = np.tanh(next_c)
    dc = dnext_c + dnext_h * o * (1 - tanh_c * tanh_c)
    da = np.concatenate([dc * g * i * (1 - i), dc * prev_c * f * (1 - f),
                         dc * i * (1 - g * g), dnext_h * tanh_c * o * (1 - o)], axis=1)
    dxh = da @ W.T
    dW = xh.T @ da
    return dxh[:, :D], dxh[:, D:], dc * f, dW[:D], dW[D:], da.sum(axis=0)
'''),
    "cell_cache_of_raw_pre_activations": ("lstm_step_forward", FULL, '''
def lstm_step_forward(x, prev_h, prev_c, Wx, Wh, b):
    a = np.dot(x, Wx) + np.dot(prev_h, Wh) + b
    H = a.shape[1] // 4
    next_c = sigmoid(a[:, H:2*H]) * prev_c + sigmoid(a[:, :H]) * np.tanh(a[:, 2*H:3*H])
    next_h = sigmoid(a[:, 3*H:]) * np.tanh(next_c)
    return next_h, next_c, (x, prev_h, prev_c, Wx, Wh, a, next_c)

def lstm_step_backward(dnext_h, dnext_c, cache):
    x, prev_h, prev_c, Wx, Wh, a, next_c = cache
    H = a.shape[1] // 4
    i, f = sigmoid(a[:, :H]), sigmoid(a[:, H:2*H])
    g, o = np.tanh(a[:, 2*H:3*H]), sigmoid(a[:, 3*H:])
    dnext_c = dnext_c + dnext_h * o * (1 - np.tanh(next_c) ** 2)
    da = np.zeros_like(a)
    da[:, :H] = dnext_c * g * i * (1 - i)
    da[:, H:2*H] = dnext_c * prev_c * f * (1 - f)
    da[:, 2*H:3*H] = dnext_c * i * (1 - g ** 2)
    da[:, 3*H:] = dnext_h * np.tanh(next_c) * o * (1 - o)
    return da.dot(Wx.T), da.dot(Wh.T), dnext_c * f, x.T.dot(da), prev_h.T.dot(da), da.sum(axis=0)
'''),
    "cell_per_gate_weight_slices_adds_into_dnext_c": ("lstm_step_backward", SIDE_EFFECT, '''
def lstm_step_forward(x, prev_h, prev_c, Wx, Wh, b):
    H = prev_h.shape[1]
    i = sigmoid(x @ Wx[:, :H] + prev_h @ Wh[:, :H] + b[:H])
    f = sigmoid(x @ Wx[:, H:2*H] + prev_h @ Wh[:, H:2*H] + b[H:2*H])
    g = np.tanh(x @ Wx[:, 2*H:3*H] + prev_h @ Wh[:, 2*H:3*H] + b[2*H:3*H])
    o = sigmoid(x @ Wx[:, 3*H:] + prev_h @ Wh[:, 3*H:] + b[3*H:])
    next_c = f * prev_c + i * g
    next_h = o * np.tanh(next_c)
    return next_h, next_c, (x, prev_h, prev_c, Wx, Wh, i, f, g, o, next_c)

def lstm_step_backward(dnext_h, dnext_c, cache):
    x, prev_h, prev_c, Wx, Wh, i, f, g, o, next_c = cache
    H = prev_h.shape[1]
    dnext_c += dnext_h * o * (1 - np.tanh(next_c) ** 2)
    dgates = [dnext_c * g * i * (1 - i), dnext_c * prev_c * f * (1 - f),
              dnext_c * i * (1 - g ** 2), dnext_h * np.tanh(next_c) * o * (1 - o)]
    dx, dprev_h = np.zeros_like(x), np.zeros_like(prev_h)
    dWx, dWh, db = np.zeros_like(Wx), np.zeros_like(Wh), np.zeros(4 * H)
    for k, da in enumerate(dgates):
        cols = slice(k * H, (k + 1) * H)
        dx += da @ Wx[:, cols].T
        dprev_h += da @ Wh[:, cols].T
        dWx[:, cols] = x.T @ da
        dWh[:, cols] = prev_h.T @ da
        db[cols] = da.sum(axis=0)
    return dx, dprev_h, dnext_c * f, dWx, dWh, db
'''),
    # the backward alone, on the kit's cache (x, h_prev, c_prev, Wx, Wh, i, f, g, o, tanh_c)
    "step_backward_cs231n_adds_into_dnext_c": ("lstm_step_backward", SIDE_EFFECT, '''
def lstm_step_backward(dnext_h, dnext_c, cache):
    x, prev_h, prev_c, Wx, Wh, i, f, g, o, tanh_c = cache
    dnext_c += dnext_h * o * (1 - tanh_c ** 2)
    di = dnext_c * g
    df = dnext_c * prev_c
    do = dnext_h * tanh_c
    dg = dnext_c * i
    dprev_c = dnext_c * f
    da = np.hstack((i * (1 - i) * di, f * (1 - f) * df, (1 - g ** 2) * dg, o * (1 - o) * do))
    dx = da.dot(Wx.T)
    dprev_h = da.dot(Wh.T)
    dWx = x.T.dot(da)
    dWh = prev_h.T.dot(da)
    db = np.sum(da, axis=0)
    return dx, dprev_h, dprev_c, dWx, dWh, db
'''),
    "step_backward_adds_into_dnext_c_without_tanh_prime": ("lstm_step_backward", "tanh_prime_missing", '''
def lstm_step_backward(dnext_h, dnext_c, cache):
    x, prev_h, prev_c, Wx, Wh, i, f, g, o, tanh_c = cache
    dnext_c += dnext_h * o
    da = np.hstack((dnext_c * g * i * (1 - i), dnext_c * prev_c * f * (1 - f),
                    dnext_c * i * (1 - g ** 2), dnext_h * tanh_c * o * (1 - o)))
    return da.dot(Wx.T), da.dot(Wh.T), dnext_c * f, x.T.dot(da), prev_h.T.dot(da), np.sum(da, axis=0)
'''),
    "step_backward_dprev_c_from_dnext_c_alone": ("lstm_step_backward", "dc_prev_h_path_missing", '''
def lstm_step_backward(dnext_h, dnext_c, cache):
    x, prev_h, prev_c, Wx, Wh, i, f, g, o, tanh_c = cache
    dc = dnext_c + dnext_h * o * (1 - tanh_c ** 2)
    da = np.hstack((dc * g * i * (1 - i), dc * prev_c * f * (1 - f),
                    dc * i * (1 - g ** 2), dnext_h * tanh_c * o * (1 - o)))
    dprev_c = dnext_c * f
    return da.dot(Wx.T), da.dot(Wh.T), dprev_c, x.T.dot(da), prev_h.T.dot(da), np.sum(da, axis=0)
'''),
    "step_forward_per_gate_slices_in_cs231n_order": ("lstm_step_forward", "cs231n_order", '''
def lstm_step_forward(x, prev_h, prev_c, Wx, Wh, b):
    H = prev_h.shape[1]
    a = x.dot(Wx) + prev_h.dot(Wh) + b
    i = sigmoid(a[:, 0:H])
    f = sigmoid(a[:, H:2*H])
    o = sigmoid(a[:, 2*H:3*H])
    g = np.tanh(a[:, 3*H:4*H])
    next_c = f * prev_c + i * g
    next_h = o * np.tanh(next_c)
    return next_h, next_c, (x, prev_h, prev_c, Wx, Wh, i, f, g, o, np.tanh(next_c))
'''),
    # -- the sequence, forward and backward -------------------------------------------------------
    "sequence_time_major_loops": ("lstm_forward", FULL, '''
def lstm_forward(x, h0, Wx, Wh, b):
    xs = x.transpose(1, 0, 2)
    T, N, _ = xs.shape
    hs = np.zeros((T, N, h0.shape[1]))
    prev_h, prev_c = h0, np.zeros_like(h0)
    caches = []
    for t in range(T):
        prev_h, prev_c, cache_t = lstm_step_forward(xs[t], prev_h, prev_c, Wx, Wh, b)
        hs[t] = prev_h
        caches.append(cache_t)
    return hs.transpose(1, 0, 2), caches

def lstm_backward(dh, cache):
    dhs = dh.transpose(1, 0, 2)
    T, N, H = dhs.shape
    dxs = np.zeros((T, N, cache[0][0].shape[1]))
    dprev_h, dprev_c = np.zeros((N, H)), np.zeros((N, H))
    dWx = dWh = db = None
    for t in range(T - 1, -1, -1):
        dxs[t], dprev_h, dprev_c, dWx_t, dWh_t, db_t = lstm_step_backward(dhs[t] + dprev_h, dprev_c, cache[t])
        if dWx is None:
            dWx, dWh, db = dWx_t, dWh_t, db_t
        else:
            dWx, dWh, db = dWx + dWx_t, dWh + dWh_t, db + db_t
    return dxs.transpose(1, 0, 2), dprev_h, dWx, dWh, db
'''),
    "lstm_forward_cs231n_preallocated": ("lstm_forward", FULL, '''
def lstm_forward(x, h0, Wx, Wh, b):
    h, cache = None, None
    N, T, D = x.shape
    _, H = h0.shape
    h = np.zeros((N, T, H))
    cache = []
    prev_h = h0
    prev_c = np.zeros_like(h0)
    for t in range(T):
        next_h, next_c, cache_t = lstm_step_forward(x[:, t, :], prev_h, prev_c, Wx, Wh, b)
        h[:, t, :] = next_h
        cache.append(cache_t)
        prev_h, prev_c = next_h, next_c
    return h, cache
'''),
    "lstm_forward_time_major_from_zeros": ("lstm_forward", "h0_ignored", '''
def lstm_forward(x, h0, Wx, Wh, b):
    N, T, D = x.shape
    h = np.zeros((T, N, h0.shape[1]))
    prev_h = np.zeros_like(h0)
    prev_c = np.zeros_like(h0)
    cache = []
    for t, x_t in enumerate(x.transpose(1, 0, 2)):
        prev_h, prev_c, cache_t = lstm_step_forward(x_t, prev_h, prev_c, Wx, Wh, b)
        h[t] = prev_h
        cache.append(cache_t)
    return h.transpose(1, 0, 2), cache
'''),
    "lstm_backward_cs231n_adds_into_a_view_of_dh": ("lstm_backward", SIDE_EFFECT, '''
def lstm_backward(dh, cache):
    N, T, H = dh.shape
    D = cache[0][0].shape[1]
    dx = np.zeros((N, T, D))
    dWx, dWh, db = np.zeros((D, 4 * H)), np.zeros((H, 4 * H)), np.zeros(4 * H)
    dprev_h, dprev_c = np.zeros((N, H)), np.zeros((N, H))
    for t in reversed(range(T)):
        dnext_h = dh[:, t, :]
        dnext_h += dprev_h
        dx[:, t, :], dprev_h, dprev_c, dWx_t, dWh_t, db_t = lstm_step_backward(dnext_h, dprev_c, cache[t])
        dWx += dWx_t
        dWh += dWh_t
        db += db_t
    dh0 = dprev_h
    return dx, dh0, dWx, dWh, db
'''),
    "lstm_backward_dict_of_gradients": ("lstm_backward", FULL, '''
def lstm_backward(dh, cache):
    N, T, H = dh.shape
    grads = {"dx": [], "dWx": 0.0, "dWh": 0.0, "db": 0.0}
    dnext_h, dnext_c = np.zeros((N, H)), np.zeros((N, H))
    for t in range(T)[::-1]:
        names = ("dx", "dh", "dc", "dWx", "dWh", "db")
        step = dict(zip(names, lstm_step_backward(dh[:, t] + dnext_h, dnext_c, cache[t])))
        grads["dx"].insert(0, step["dx"])
        for k in ("dWx", "dWh", "db"):
            grads[k] = grads[k] + step[k]
        dnext_h, dnext_c = step["dh"], step["dc"]
    return np.stack(grads["dx"], axis=1), dnext_h, grads["dWx"], grads["dWh"], grads["db"]
'''),
    "lstm_backward_passes_zeros_for_dprev_c": ("lstm_backward", "dc_not_carried", '''
def lstm_backward(dh, cache):
    N, T, H = dh.shape
    dx = np.zeros((N, T, cache[0][0].shape[1]))
    dWx = dWh = db = 0
    dprev_h, dprev_c = np.zeros((N, H)), np.zeros((N, H))
    for t in reversed(range(T)):
        dx[:, t, :], dprev_h, _, dWx_t, dWh_t, db_t = lstm_step_backward(dh[:, t, :] + dprev_h, dprev_c, cache[t])
        dWx, dWh, db = dWx + dWx_t, dWh + dWh_t, db + db_t
    return dx, dprev_h, dWx, dWh, db
'''),
    # -- the plain RNN ---------------------------------------------------------------------------
    "rnn_step_cs231n": ("rnn_step", FULL, '''
def rnn_step_forward(x, prev_h, Wx, Wh, b):
    next_h = np.tanh(prev_h.dot(Wh) + x.dot(Wx) + b)
    cache = (x, prev_h, Wx, Wh, next_h)
    return next_h, cache

def rnn_step_backward(dnext_h, cache):
    x, prev_h, Wx, Wh, next_h = cache
    dtanh = dnext_h * (1 - next_h ** 2)
    dx = dtanh.dot(Wx.T)
    dprev_h = dtanh.dot(Wh.T)
    dWx = x.T.dot(dtanh)
    dWh = prev_h.T.dot(dtanh)
    db = np.sum(dtanh, axis=0)
    return dx, dprev_h, dWx, dWh, db
'''),
    "rnn_step_backward_scales_dnext_h_in_place": ("rnn_step", SIDE_EFFECT, '''
def rnn_step_backward(dnext_h, cache):
    x, prev_h, Wx, Wh, next_h = cache
    dnext_h *= 1 - next_h ** 2
    return dnext_h @ Wx.T, dnext_h @ Wh.T, x.T @ dnext_h, prev_h.T @ dnext_h, dnext_h.sum(axis=0)
'''),
    # -- the classifier's loss -------------------------------------------------------------------
    "classifier_loss_cs231n_softmax_loss": ("classifier_loss", FULL, '''
def softmax_loss(x, y):
    shifted_logits = x - np.max(x, axis=1, keepdims=True)
    Z = np.sum(np.exp(shifted_logits), axis=1, keepdims=True)
    log_probs = shifted_logits - np.log(Z)
    probs = np.exp(log_probs)
    N = x.shape[0]
    loss = -np.sum(log_probs[np.arange(N), y]) / N
    dx = probs.copy()
    dx[np.arange(N), y] -= 1
    dx /= N
    return loss, dx

def classifier_loss(x, y, params):
    N, H = x.shape[0], params["Wh"].shape[0]
    h, cache = lstm_forward(x, np.zeros((N, H)), params["Wx"], params["Wh"], params["b"])
    scores = h[:, -1, :].dot(params["Wy"]) + params["by"]
    loss, dscores = softmax_loss(scores, y)
    grads = {"Wy": h[:, -1, :].T.dot(dscores), "by": np.sum(dscores, axis=0)}
    dh = np.zeros_like(h)
    dh[:, -1, :] = dscores.dot(params["Wy"].T)
    _, _, grads["Wx"], grads["Wh"], grads["b"] = lstm_backward(dh, cache)
    return float(loss), grads
'''),
    "classifier_loss_softmax_loss_without_the_mean": ("classifier_loss", "gradients_not_averaged", '''
def softmax_loss(x, y):
    shifted_logits = x - np.max(x, axis=1, keepdims=True)
    log_probs = shifted_logits - np.log(np.sum(np.exp(shifted_logits), axis=1, keepdims=True))
    N = x.shape[0]
    loss = -np.sum(log_probs[np.arange(N), y]) / N
    dx = np.exp(log_probs)
    dx[np.arange(N), y] -= 1
    return loss, dx

def classifier_loss(x, y, params):
    N, H = x.shape[0], params["Wh"].shape[0]
    h, cache = lstm_forward(x, np.zeros((N, H)), params["Wx"], params["Wh"], params["b"])
    scores = h[:, -1, :].dot(params["Wy"]) + params["by"]
    loss, dscores = softmax_loss(scores, y)
    dh = np.zeros_like(h)
    dh[:, -1, :] = dscores.dot(params["Wy"].T)
    _, _, dWx, dWh, db = lstm_backward(dh, cache)
    return float(loss), {"Wx": dWx, "Wh": dWh, "b": db, "Wy": h[:, -1, :].T.dot(dscores), "by": dscores.sum(axis=0)}
'''),
    "classifier_loss_scores_from_the_first_step": ("classifier_loss", Wrong("loss has wrong values"), '''
def classifier_loss(x, y, params):
    N, H = x.shape[0], params["Wh"].shape[0]
    h, cache = lstm_forward(x, np.zeros((N, H)), params["Wx"], params["Wh"], params["b"])
    scores = h[:, 0, :] @ params["Wy"] + params["by"]
    shifted = scores - scores.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    dscores = np.exp(log_p)
    dscores[np.arange(N), y] -= 1
    dscores /= N
    dh = np.zeros_like(h)
    dh[:, 0, :] = dscores @ params["Wy"].T
    _, _, dWx, dWh, db = lstm_backward(dh, cache)
    grads = {"Wx": dWx, "Wh": dWh, "b": db, "Wy": h[:, 0, :].T @ dscores, "by": dscores.sum(axis=0)}
    return float(-log_p[np.arange(N), y].mean()), grads
'''),
}
