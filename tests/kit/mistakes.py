"""Realistic mistakes, written as a learner would write them: one function each.

Each entry: name -> (step, source, text the failure message must contain).
"""

MISTAKES = {
    "sigmoid_overflows": ("sigmoid", '''
def sigmoid(z):
    return 1 / (1 + np.exp(-z))
''', "overflow"),
    "forget_gate_uses_tanh": ("forget_gate", '''
def forget_gate(x, h_prev, Wx, Wh, b):
    return np.tanh(x @ Wx + h_prev @ Wh + b)
''', "f has wrong values"),
    "input_gate_without_bias": ("input_gate", '''
def input_gate(x, h_prev, Wx, Wh, b):
    return sigmoid(x @ Wx + h_prev @ Wh)
''', "i has wrong values"),
    "candidate_uses_sigmoid": ("candidate", '''
def candidate(x, h_prev, Wx, Wh, b):
    return sigmoid(x @ Wx + h_prev @ Wh + b)
''', "g has wrong values"),
    "cell_update_swaps_gates": ("cell_update", '''
def cell_update(c_prev, f, i, g):
    return i * c_prev + f * g
''', "c has wrong values"),
    "output_gate_transposed_product": ("output_gate", '''
def output_gate(x, h_prev, Wx, Wh, b):
    return sigmoid(x @ Wx + h_prev @ Wh.T + b)
''', "o has wrong values"),
    "hidden_state_without_tanh": ("hidden_state", '''
def hidden_state(c, o):
    return o * c
''', "h has wrong values"),
    "step_forward_cs231n_gate_order": ("lstm_step_forward", '''
def lstm_step_forward(x, h_prev, c_prev, Wx, Wh, b):
    H = h_prev.shape[1]
    a = x @ Wx + h_prev @ Wh + b
    i, f, o = sigmoid(a[:, :H]), sigmoid(a[:, H:2 * H]), sigmoid(a[:, 2 * H:3 * H])
    g = np.tanh(a[:, 3 * H:])
    c = f * c_prev + i * g
    h = o * np.tanh(c)
    return h, c, (x, h_prev, c_prev, Wx, Wh, i, f, g, o, np.tanh(c))
''', "h has wrong values"),
    "step_backward_missing_h_path_in_dc": ("lstm_step_backward", '''
def lstm_step_backward(dh, dc, cache):
    x, h_prev, c_prev, Wx, Wh, i, f, g, o, tanh_c = cache
    do = dh * tanh_c
    di, df, dg = dc * g, dc * c_prev, dc * i
    dc_prev = dc * f
    da = np.concatenate([di * i * (1 - i), df * f * (1 - f), dg * (1 - g**2), do * o * (1 - o)], axis=1)
    return da @ Wx.T, da @ Wh.T, dc_prev, x.T @ da, h_prev.T @ da, da.sum(axis=0)
''', "gradient check"),
    "lstm_forward_resets_cell_state": ("lstm_forward", '''
def lstm_forward(x, h0, Wx, Wh, b):
    N, T, _ = x.shape
    h_t, hs, caches = h0, [], []
    for t in range(T):
        h_t, c_t, cache = lstm_step_forward(x[:, t], h_t, np.zeros_like(h0), Wx, Wh, b)
        hs.append(h_t)
        caches.append(cache)
    return np.stack(hs, axis=1), caches
''', "time step"),
    "lstm_backward_overwrites_weight_gradients": ("lstm_backward", '''
def lstm_backward(dh, cache):
    N, T, H = dh.shape
    dx = np.empty((N, T, cache[0][0].shape[1]))
    dh_t, dc_t = np.zeros((N, H)), np.zeros((N, H))
    for t in reversed(range(T)):
        dx[:, t], dh_t, dc_t, dWx, dWh, db = lstm_step_backward(dh[:, t] + dh_t, dc_t, cache[t])
    return dx, dh_t, dWx, dWh, db
''', "gradient check"),
    "lstm_backward_ignores_carried_dh": ("lstm_backward", '''
def lstm_backward(dh, cache):
    N, T, H = dh.shape
    dx = np.empty((N, T, cache[0][0].shape[1]))
    dh_t, dc_t = np.zeros((N, H)), np.zeros((N, H))
    dWx = dWh = db = 0
    for t in reversed(range(T)):
        dx[:, t], dh_t, dc_t, dWx_t, dWh_t, db_t = lstm_step_backward(dh[:, t], dc_t, cache[t])
        dWx, dWh, db = dWx + dWx_t, dWh + dWh_t, db + db_t
    return dx, dh_t, dWx, dWh, db
''', "gradient check"),
    "rnn_step_backward_skips_tanh_derivative": ("rnn_step", '''
def rnn_step_backward(dh, cache):
    x, h_prev, Wx, Wh, h = cache
    return dh @ Wx.T, dh @ Wh.T, x.T @ dh, h_prev.T @ dh, dh.sum(axis=0)
''', "gradient check"),
    "classifier_loss_naive_softmax": ("classifier_loss", '''
def classifier_loss(x, y, params):
    N, H = x.shape[0], params["Wh"].shape[0]
    h, cache = lstm_forward(x, np.zeros((N, H)), params["Wx"], params["Wh"], params["b"])
    scores = h[:, -1] @ params["Wy"] + params["by"]
    p = np.exp(scores) / np.exp(scores).sum(axis=1, keepdims=True)
    loss = -np.log(p[np.arange(N), y]).mean()
    dscores = p.copy()
    dscores[np.arange(N), y] -= 1
    dscores /= N
    dh = np.zeros_like(h)
    dh[:, -1] = dscores @ params["Wy"].T
    _, _, dWx, dWh, db = lstm_backward(dh, cache)
    return loss, {"Wx": dWx, "Wh": dWh, "b": db, "Wy": h[:, -1].T @ dscores, "by": dscores.sum(axis=0)}
''', "subtract each row's largest score"),
    "classifier_loss_logs_a_rounded_probability": ("classifier_loss", '''
def classifier_loss(x, y, params):
    N, H = x.shape[0], params["Wh"].shape[0]
    h, cache = lstm_forward(x, np.zeros((N, H)), params["Wx"], params["Wh"], params["b"])
    scores = h[:, -1] @ params["Wy"] + params["by"]
    z = scores - scores.max(axis=1, keepdims=True)
    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    loss = -np.log(p[np.arange(N), y]).mean()
    dscores = p.copy()
    dscores[np.arange(N), y] -= 1
    dscores /= N
    dh = np.zeros_like(h)
    dh[:, -1] = dscores @ params["Wy"].T
    _, _, dWx, dWh, db = lstm_backward(dh, cache)
    return loss, {"Wx": dWx, "Wh": dWh, "b": db, "Wy": h[:, -1].T @ dscores, "by": dscores.sum(axis=0)}
''', "log of a probability that rounded to 0"),
    "classifier_loss_gradient_points_uphill": ("classifier_loss", '''
def classifier_loss(x, y, params):
    N, H = x.shape[0], params["Wh"].shape[0]
    h, cache = lstm_forward(x, np.zeros((N, H)), params["Wx"], params["Wh"], params["b"])
    scores = h[:, -1] @ params["Wy"] + params["by"]
    z = scores - scores.max(axis=1, keepdims=True)
    log_p = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    onehot = np.eye(scores.shape[1])[y]
    dscores = (onehot - np.exp(log_p)) / N
    dh = np.zeros_like(h)
    dh[:, -1] = dscores @ params["Wy"].T
    _, _, dWx, dWh, db = lstm_backward(dh, cache)
    return -log_p[np.arange(N), y].mean(), {"Wx": dWx, "Wh": dWh, "b": db, "Wy": h[:, -1].T @ dscores,
                                            "by": dscores.sum(axis=0)}
''', "has wrong values"),
    "classifier_loss_sums_over_the_batch": ("classifier_loss", '''
def classifier_loss(x, y, params):
    N, H = x.shape[0], params["Wh"].shape[0]
    h, cache = lstm_forward(x, np.zeros((N, H)), params["Wx"], params["Wh"], params["b"])
    scores = h[:, -1] @ params["Wy"] + params["by"]
    scores = scores - scores.max(axis=1, keepdims=True)
    p = np.exp(scores) / np.exp(scores).sum(axis=1, keepdims=True)
    loss = -np.log(p[np.arange(N), y]).mean()
    dscores = p.copy()
    dscores[np.arange(N), y] -= 1
    dh = np.zeros_like(h)
    dh[:, -1] = dscores @ params["Wy"].T
    _, _, dWx, dWh, db = lstm_backward(dh, cache)
    return loss, {"Wx": dWx, "Wh": dWh, "b": db, "Wy": h[:, -1].T @ dscores, "by": dscores.sum(axis=0)}
''', "has wrong values"),
    "train_climbs_the_gradient": ("train", '''
def train(params, data, steps, lr, clip):
    params = {k: v.copy() for k, v in params.items()}
    m = {k: np.zeros_like(v) for k, v in params.items()}
    v = {k: np.zeros_like(p) for k, p in params.items()}
    losses = []
    for s in range(steps):
        x, y = data[s % len(data)]
        loss, grads = classifier_loss(x, y, params)
        losses.append(loss)
        norm = np.sqrt(sum(np.sum(g * g) for g in grads.values()))
        for k in params:
            g = grads[k] * min(1, clip / norm)
            m[k] = 0.9 * m[k] + 0.1 * g
            v[k] = 0.999 * v[k] + 0.001 * g * g
            params[k] += lr * (m[k] / (1 - 0.9 ** (s + 1))) / (np.sqrt(v[k] / (1 - 0.999 ** (s + 1))) + 1e-8)
    return params, np.array(losses)
''', "the loss went up"),
    "train_records_the_loss_after_updating": ("train", '''
def train(params, data, steps, lr, clip):
    params = {k: v.copy() for k, v in params.items()}
    m = {k: np.zeros_like(v) for k, v in params.items()}
    v = {k: np.zeros_like(p) for k, p in params.items()}
    losses = np.zeros(steps)
    for s in range(steps):
        x, y = data[s % len(data)]
        _, grads = classifier_loss(x, y, params)
        for k in params:
            m[k] = 0.9 * m[k] + 0.1 * grads[k]
            v[k] = 0.999 * v[k] + 0.001 * grads[k] ** 2
            params[k] = params[k] - lr * (m[k] / (1 - 0.9 ** (s + 1))) / (np.sqrt(v[k] / (1 - 0.999 ** (s + 1))) + 1e-8)
        losses[s] = classifier_loss(x, y, params)[0]
    return params, losses
''', "losses[0]"),
}

# Valid implementations in other styles: each, swapped in, must keep full marks.
ALTERNATIVES = {
    "sigmoid_via_tanh": ("sigmoid", '''
def sigmoid(z):
    return 0.5 * (1 + np.tanh(z / 2))
'''),
    "forget_gate_einsum": ("forget_gate", '''
def forget_gate(x, h_prev, Wx, Wh, b):
    return sigmoid(np.einsum("nd,dh->nh", x, Wx) + np.einsum("nk,kh->nh", h_prev, Wh) + b)
'''),
    "candidate_concatenated_product": ("candidate", '''
def candidate(x, h_prev, Wx, Wh, b):
    return np.tanh(np.concatenate([x, h_prev], axis=1) @ np.concatenate([Wx, Wh], axis=0) + b)
'''),
    "output_gate_loop_over_batch": ("output_gate", '''
def output_gate(x, h_prev, Wx, Wh, b):
    return np.array([sigmoid(x[n] @ Wx + h_prev[n] @ Wh + b) for n in range(x.shape[0])])
'''),
    "step_forward_and_backward_dict_cache": ("lstm_step_forward", '''
def lstm_step_forward(x, h_prev, c_prev, Wx, Wh, b):
    H = h_prev.shape[1]
    a = np.dot(np.hstack([x, h_prev]), np.vstack([Wx, Wh])) + b
    i, f, g, o = (a[:, k * H:(k + 1) * H] for k in range(4))
    i, f, g, o = sigmoid(i), sigmoid(f), np.tanh(g), sigmoid(o)
    c = f * c_prev + i * g
    return o * np.tanh(c), c, {"x": x, "h_prev": h_prev, "c_prev": c_prev, "c": c,
                                "Wx": Wx, "Wh": Wh, "gates": (i, f, g, o)}

def lstm_step_backward(dh, dc, cache):
    i, f, g, o = cache["gates"]
    t = np.tanh(cache["c"])
    dc = dc + dh * o * (1 - t * t)
    da = np.hstack([dc * g * i * (1 - i), dc * cache["c_prev"] * f * (1 - f),
                    dc * i * (1 - g * g), dh * t * o * (1 - o)])
    return (da @ cache["Wx"].T, da @ cache["Wh"].T, dc * f,
            cache["x"].T @ da, cache["h_prev"].T @ da, np.sum(da, axis=0))
'''),
    "rnn_step_concatenated_product": ("rnn_step", '''
def rnn_step_forward(x, h_prev, Wx, Wh, b):
    xh = np.hstack([x, h_prev])
    h = np.tanh(xh @ np.vstack([Wx, Wh]) + b)
    return h, {"xh": xh, "W": np.vstack([Wx, Wh]), "h": h, "D": x.shape[1]}

def rnn_step_backward(dh, cache):
    da = dh * (1 - cache["h"] ** 2)
    dxh, dW = da @ cache["W"].T, cache["xh"].T @ da
    D = cache["D"]
    return dxh[:, :D], dxh[:, D:], dW[:D], dW[D:], da.sum(axis=0)
'''),
    "train_sgd_with_momentum": ("train", '''
def train(params, data, steps, lr, clip):
    params = {k: v.copy() for k, v in params.items()}
    velocity = {k: np.zeros_like(v) for k, v in params.items()}
    losses = []
    for s in range(steps):
        x, y = data[s % len(data)]
        loss, grads = classifier_loss(x, y, params)
        losses.append(loss)
        norm = np.sqrt(sum((g ** 2).sum() for g in grads.values()))
        if norm > clip:
            grads = {k: g * clip / norm for k, g in grads.items()}
        for k in params:
            velocity[k] = 0.9 * velocity[k] - lr * grads[k]
            params[k] = params[k] + velocity[k]
    return params, np.array(losses)
'''),
}
