"""Realistic mistakes and valid alternatives, written as a learner would write them.

MISTAKES: case -> (step, catalogued mistake key, source). Every catalogued mistake has a case
for each step it is catalogued under (a mistake detected in any step, like mutating an input,
has a few). A case may define another step's function besides its own (a forward whose cache
spoils the step's backward).
UNCATALOGUED: case -> (step, source, text the message must contain): wrong, but no catalogued
mistake (or a step graded by outcome, like train); the grader must not put a name on it.
ALTERNATIVES: case -> (step, source): other valid styles, which must keep full marks.
"""

MISTAKES = {
    # -- sigmoid ---------------------------------------------------------------------------
    "sigmoid_overflows": ("sigmoid", "overflow_sigmoid", '''
def sigmoid(z):
    return 1 / (1 + np.exp(-z))
'''),
    "sigmoid_branches_swapped": ("sigmoid", "sigmoid_mirrored", '''
def sigmoid(z):
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, e / (1 + e), 1 / (1 + e))
'''),
    "sigmoid_where_computes_both_fractions": ("sigmoid", "where_both_branches", '''
def sigmoid(z):
    return np.where(z >= 0, 1 / (1 + np.exp(-z)), np.exp(z) / (1 + np.exp(z)))
'''),
    # -- the gates ---------------------------------------------------------------------------
    "forget_gate_uses_tanh": ("forget_gate", "gate_tanh", '''
def forget_gate(x, h_prev, Wx, Wh, b):
    return np.tanh(x @ Wx + h_prev @ Wh + b)
'''),
    "input_gate_uses_tanh": ("input_gate", "gate_tanh", '''
def input_gate(x, h_prev, Wx, Wh, b):
    z = np.dot(x, Wx) + np.dot(h_prev, Wh) + b
    return np.tanh(z)
'''),
    "output_gate_uses_tanh": ("output_gate", "gate_tanh", '''
def output_gate(x, h_prev, Wx, Wh, b):
    o = np.tanh(x @ Wx + h_prev @ Wh + b)
    return o
'''),
    "candidate_uses_sigmoid": ("candidate", "candidate_sigmoid", '''
def candidate(x, h_prev, Wx, Wh, b):
    return sigmoid(x @ Wx + h_prev @ Wh + b)
'''),
    "forget_gate_without_bias": ("forget_gate", "missing_bias", '''
def forget_gate(x, h_prev, Wx, Wh, b):
    return sigmoid(x @ Wx + h_prev @ Wh)
'''),
    "input_gate_without_bias": ("input_gate", "missing_bias", '''
def input_gate(x, h_prev, Wx, Wh, b):
    return sigmoid(x @ Wx + h_prev @ Wh)
'''),
    "candidate_without_bias": ("candidate", "missing_bias", '''
def candidate(x, h_prev, Wx, Wh, b):
    return np.tanh(np.matmul(x, Wx) + np.matmul(h_prev, Wh))
'''),
    "output_gate_without_bias": ("output_gate", "missing_bias", '''
def output_gate(x, h_prev, Wx, Wh, b):
    return sigmoid(x @ Wx + h_prev @ Wh)
'''),
    "forget_gate_swapped_weights": ("forget_gate", "swapped_weights", '''
def forget_gate(x, h_prev, Wx, Wh, b):
    return sigmoid(x @ Wh + h_prev @ Wx + b)
'''),
    "input_gate_swapped_weights": ("input_gate", "swapped_weights", '''
def input_gate(x, h_prev, Wx, Wh, b):
    return sigmoid(h_prev @ Wx + x @ Wh + b)
'''),
    "candidate_swapped_weights": ("candidate", "swapped_weights", '''
def candidate(x, h_prev, Wx, Wh, b):
    return np.tanh(x @ Wh + h_prev @ Wx + b)
'''),
    "output_gate_swapped_weights": ("output_gate", "swapped_weights", '''
def output_gate(x, h_prev, Wx, Wh, b):
    return sigmoid(x @ Wh + h_prev @ Wx + b)
'''),
    "forget_gate_transposed_products": ("forget_gate", "transposed_weights", '''
def forget_gate(x, h_prev, Wx, Wh, b):
    return sigmoid(x @ Wx.T + h_prev @ Wh.T + b)
'''),
    "input_gate_transposed_product": ("input_gate", "transposed_weights", '''
def input_gate(x, h_prev, Wx, Wh, b):
    return sigmoid(x @ Wx + (Wh @ h_prev.T).T + b)
'''),
    "candidate_transposed_input_product": ("candidate", "transposed_weights", '''
def candidate(x, h_prev, Wx, Wh, b):
    return np.tanh(x @ Wx.T + h_prev @ Wh + b)
'''),
    "output_gate_transposed_product": ("output_gate", "transposed_weights", '''
def output_gate(x, h_prev, Wx, Wh, b):
    return sigmoid(x @ Wx + h_prev @ Wh.T + b)
'''),
    # -- cell update and hidden state ----------------------------------------------------------
    "cell_update_swaps_gates": ("cell_update", "gates_swapped", '''
def cell_update(c_prev, f, i, g):
    return i * c_prev + f * g
'''),
    "cell_update_adds_candidate": ("cell_update", "plus_for_times", '''
def cell_update(c_prev, f, i, g):
    return f * c_prev + i + g
'''),
    "hidden_state_adds_gate": ("hidden_state", "plus_for_times", '''
def hidden_state(c, o):
    return o + np.tanh(c)
'''),
    "hidden_state_without_tanh": ("hidden_state", "h_without_tanh", '''
def hidden_state(c, o):
    return o * c
'''),
    "hidden_state_tanh_outside": ("hidden_state", "tanh_of_product", '''
def hidden_state(c, o):
    return np.tanh(o * c)
'''),
    # -- the fused cell, forward ----------------------------------------------------------------
    "step_forward_cs231n_gate_order": ("lstm_step_forward", "cs231n_order", '''
def lstm_step_forward(x, h_prev, c_prev, Wx, Wh, b):
    H = h_prev.shape[1]
    a = x @ Wx + h_prev @ Wh + b
    i, f, o = sigmoid(a[:, :H]), sigmoid(a[:, H:2 * H]), sigmoid(a[:, 2 * H:3 * H])
    g = np.tanh(a[:, 3 * H:])
    c = f * c_prev + i * g
    h = o * np.tanh(c)
    return h, c, (x, h_prev, c_prev, Wx, Wh, i, f, g, o, np.tanh(c))
'''),
    "step_forward_tensorflow_gate_order": ("lstm_step_forward", "block_order", '''
def lstm_step_forward(x, h_prev, c_prev, Wx, Wh, b):
    a = x @ Wx + h_prev @ Wh + b
    a_i, a_g, a_f, a_o = np.split(a, 4, axis=1)
    i, f, g, o = sigmoid(a_i), sigmoid(a_f), np.tanh(a_g), sigmoid(a_o)
    c = f * c_prev + i * g
    h = o * np.tanh(c)
    return h, c, (x, h_prev, c_prev, Wx, Wh, i, f, g, o, np.tanh(c))
'''),
    "step_forward_interleaved_gates": ("lstm_step_forward", "interleaved_blocks", '''
def lstm_step_forward(x, h_prev, c_prev, Wx, Wh, b):
    N, H = h_prev.shape
    a = (x @ Wx + h_prev @ Wh + b).reshape(N, H, 4)
    i, f, g, o = sigmoid(a[..., 0]), sigmoid(a[..., 1]), np.tanh(a[..., 2]), sigmoid(a[..., 3])
    c = f * c_prev + i * g
    h = o * np.tanh(c)
    return h, c, (x, h_prev, c_prev, Wx, Wh, i, f, g, o, np.tanh(c))
'''),
    "step_forward_swaps_gates_in_cell_update": ("lstm_step_forward", "gates_swapped", '''
def lstm_step_forward(x, h_prev, c_prev, Wx, Wh, b):
    H = h_prev.shape[1]
    a = x @ Wx + h_prev @ Wh + b
    i, f = sigmoid(a[:, :H]), sigmoid(a[:, H:2 * H])
    g, o = np.tanh(a[:, 2 * H:3 * H]), sigmoid(a[:, 3 * H:])
    c = i * c_prev + f * g
    h = o * np.tanh(c)
    return h, c, (x, h_prev, c_prev, Wx, Wh, i, f, g, o, np.tanh(c))
'''),
    "step_forward_sigmoid_candidate": ("lstm_step_forward", "candidate_sigmoid", '''
def lstm_step_forward(x, h_prev, c_prev, Wx, Wh, b):
    H = h_prev.shape[1]
    gates = sigmoid(x @ Wx + h_prev @ Wh + b)
    i, f, g, o = gates[:, :H], gates[:, H:2 * H], gates[:, 2 * H:3 * H], gates[:, 3 * H:]
    c = f * c_prev + i * g
    h = o * np.tanh(c)
    return h, c, (x, h_prev, c_prev, Wx, Wh, i, f, g, o, np.tanh(c))
'''),
    "step_forward_without_bias": ("lstm_step_forward", "missing_bias", '''
def lstm_step_forward(x, h_prev, c_prev, Wx, Wh, b):
    H = h_prev.shape[1]
    a = x @ Wx + h_prev @ Wh
    i, f = sigmoid(a[:, :H]), sigmoid(a[:, H:2 * H])
    g, o = np.tanh(a[:, 2 * H:3 * H]), sigmoid(a[:, 3 * H:])
    c = f * c_prev + i * g
    h = o * np.tanh(c)
    return h, c, (x, h_prev, c_prev, Wx, Wh, i, f, g, o, np.tanh(c))
'''),
    "step_forward_swapped_weights": ("lstm_step_forward", "swapped_weights", '''
def lstm_step_forward(x, h_prev, c_prev, Wx, Wh, b):
    H = h_prev.shape[1]
    a = x @ Wh + h_prev @ Wx + b
    i, f = sigmoid(a[:, :H]), sigmoid(a[:, H:2 * H])
    g, o = np.tanh(a[:, 2 * H:3 * H]), sigmoid(a[:, 3 * H:])
    c = f * c_prev + i * g
    h = o * np.tanh(c)
    return h, c, (x, h_prev, c_prev, Wx, Wh, i, f, g, o, np.tanh(c))
'''),
    "step_forward_h_without_tanh": ("lstm_step_forward", "h_without_tanh", '''
def lstm_step_forward(x, h_prev, c_prev, Wx, Wh, b):
    H = h_prev.shape[1]
    a = x @ Wx + h_prev @ Wh + b
    i, f = sigmoid(a[:, :H]), sigmoid(a[:, H:2 * H])
    g, o = np.tanh(a[:, 2 * H:3 * H]), sigmoid(a[:, 3 * H:])
    c = f * c_prev + i * g
    h = o * c
    return h, c, (x, h_prev, c_prev, Wx, Wh, i, f, g, o, np.tanh(c))
'''),
    "step_forward_tanh_outside": ("lstm_step_forward", "tanh_of_product", '''
def lstm_step_forward(x, h_prev, c_prev, Wx, Wh, b):
    H = h_prev.shape[1]
    a = x @ Wx + h_prev @ Wh + b
    i, f = sigmoid(a[:, :H]), sigmoid(a[:, H:2 * H])
    g, o = np.tanh(a[:, 2 * H:3 * H]), sigmoid(a[:, 3 * H:])
    c = f * c_prev + i * g
    h = np.tanh(o * c)
    return h, c, (x, h_prev, c_prev, Wx, Wh, i, f, g, o, np.tanh(c))
'''),
    # -- the fused cell, backward ---------------------------------------------------------------
    "step_backward_missing_h_path_in_dc": ("lstm_step_backward", "h_path_missing", '''
def lstm_step_backward(dh, dc, cache):
    x, h_prev, c_prev, Wx, Wh, i, f, g, o, tanh_c = cache
    do = dh * tanh_c
    di, df, dg = dc * g, dc * c_prev, dc * i
    dc_prev = dc * f
    da = np.concatenate([di * i * (1 - i), df * f * (1 - f), dg * (1 - g**2), do * o * (1 - o)], axis=1)
    return da @ Wx.T, da @ Wh.T, dc_prev, x.T @ da, h_prev.T @ da, da.sum(axis=0)
'''),
    "step_backward_dc_prev_from_incoming_dc": ("lstm_step_backward", "dc_prev_h_path_missing", '''
def lstm_step_backward(dh, dc, cache):
    x, h_prev, c_prev, Wx, Wh, i, f, g, o, tanh_c = cache
    dc_tot = dc + dh * o * (1 - tanh_c**2)
    do = dh * tanh_c
    di, df, dg = dc_tot * g, dc_tot * c_prev, dc_tot * i
    dc_prev = dc * f
    da = np.concatenate([di * i * (1 - i), df * f * (1 - f), dg * (1 - g**2), do * o * (1 - o)], axis=1)
    return da @ Wx.T, da @ Wh.T, dc_prev, x.T @ da, h_prev.T @ da, da.sum(axis=0)
'''),
    "step_backward_tanh_derivative_of_c": ("lstm_step_backward", "tanh_prime_of_c", '''
def lstm_step_backward(dh, dc, cache):
    x, h_prev, c_prev, Wx, Wh, i, f, g, o, tanh_c = cache
    c = f * c_prev + i * g
    dc_tot = dc + dh * o * (1 - c**2)
    do = dh * tanh_c
    di, df, dg = dc_tot * g, dc_tot * c_prev, dc_tot * i
    da = np.concatenate([di * i * (1 - i), df * f * (1 - f), dg * (1 - g**2), do * o * (1 - o)], axis=1)
    return da @ Wx.T, da @ Wh.T, dc_tot * f, x.T @ da, h_prev.T @ da, da.sum(axis=0)
'''),
    "step_backward_do_from_c": ("lstm_step_backward", "do_without_tanh", '''
def lstm_step_backward(dh, dc, cache):
    x, h_prev, c_prev, Wx, Wh, i, f, g, o, tanh_c = cache
    c = f * c_prev + i * g
    dc_tot = dc + dh * o * (1 - tanh_c**2)
    do = dh * c
    di, df, dg = dc_tot * g, dc_tot * c_prev, dc_tot * i
    da = np.concatenate([di * i * (1 - i), df * f * (1 - f), dg * (1 - g**2), do * o * (1 - o)], axis=1)
    return da @ Wx.T, da @ Wh.T, dc_tot * f, x.T @ da, h_prev.T @ da, da.sum(axis=0)
'''),
    "step_backward_sigmoid_derivative_on_every_block": ("lstm_step_backward", "candidate_sigmoid_prime", '''
def lstm_step_backward(dh, dc, cache):
    x, h_prev, c_prev, Wx, Wh, i, f, g, o, tanh_c = cache
    dc_tot = dc + dh * o * (1 - tanh_c**2)
    gates = np.hstack([i, f, g, o])
    dgates = np.hstack([dc_tot * g, dc_tot * c_prev, dc_tot * i, dh * tanh_c])
    da = dgates * gates * (1 - gates)
    return da @ Wx.T, da @ Wh.T, dc_tot * f, x.T @ da, h_prev.T @ da, da.sum(axis=0)
'''),
    "step_backward_per_gate_slices_drop_a_term": ("lstm_step_backward", "gate_share_missing", '''
def lstm_step_backward(dh, dc, cache):
    x, h_prev, c_prev, Wx, Wh, i, f, g, o, tanh_c = cache
    H = dh.shape[1]
    dc_tot = dc + dh * o * (1 - tanh_c**2)
    dai = dc_tot * g * i * (1 - i)
    daf = dc_tot * c_prev * f * (1 - f)
    dag = dc_tot * i * (1 - g**2)
    dao = dh * tanh_c * o * (1 - o)
    dx = dai @ Wx[:, :H].T + daf @ Wx[:, H:2 * H].T + dag @ Wx[:, 2 * H:3 * H].T + dao @ Wx[:, 3 * H:].T
    dh_prev = dai @ Wh[:, :H].T + daf @ Wh[:, H:2 * H].T + dag @ Wh[:, 2 * H:3 * H].T
    da = np.hstack([dai, daf, dag, dao])
    return dx, dh_prev, dc_tot * f, x.T @ da, h_prev.T @ da, da.sum(axis=0)
'''),
    "step_backward_ignores_incoming_dc": ("lstm_step_backward", "dc_ignored", '''
def lstm_step_backward(dh, dc, cache):
    x, h_prev, c_prev, Wx, Wh, i, f, g, o, tanh_c = cache
    dc_tot = dh * o * (1 - tanh_c**2)
    do = dh * tanh_c
    di, df, dg = dc_tot * g, dc_tot * c_prev, dc_tot * i
    da = np.concatenate([di * i * (1 - i), df * f * (1 - f), dg * (1 - g**2), do * o * (1 - o)], axis=1)
    return da @ Wx.T, da @ Wh.T, dc_tot * f, x.T @ da, h_prev.T @ da, da.sum(axis=0)
'''),
    "step_backward_without_tanh_derivative": ("lstm_step_backward", "tanh_prime_missing", '''
def lstm_step_backward(dh, dc, cache):
    x, h_prev, c_prev, Wx, Wh, i, f, g, o, tanh_c = cache
    dc_tot = dc + dh * o
    do = dh * tanh_c
    di, df, dg = dc_tot * g, dc_tot * c_prev, dc_tot * i
    da = np.concatenate([di * i * (1 - i), df * f * (1 - f), dg * (1 - g**2), do * o * (1 - o)], axis=1)
    return da @ Wx.T, da @ Wh.T, dc_tot * f, x.T @ da, h_prev.T @ da, da.sum(axis=0)
'''),
    "step_backward_without_sigmoid_derivative": ("lstm_step_backward", "sigmoid_prime_missing", '''
def lstm_step_backward(dh, dc, cache):
    x, h_prev, c_prev, Wx, Wh, i, f, g, o, tanh_c = cache
    dc_tot = dc + dh * o * (1 - tanh_c**2)
    do = dh * tanh_c
    di, df, dg = dc_tot * g, dc_tot * c_prev, dc_tot * i
    da = np.concatenate([di, df, dg * (1 - g**2), do], axis=1)
    return da @ Wx.T, da @ Wh.T, dc_tot * f, x.T @ da, h_prev.T @ da, da.sum(axis=0)
'''),
    "step_backward_db_over_units": ("lstm_step_backward", "db_wrong_axis", '''
def lstm_step_backward(dh, dc, cache):
    x, h_prev, c_prev, Wx, Wh, i, f, g, o, tanh_c = cache
    dc_tot = dc + dh * o * (1 - tanh_c**2)
    do = dh * tanh_c
    di, df, dg = dc_tot * g, dc_tot * c_prev, dc_tot * i
    da = np.concatenate([di * i * (1 - i), df * f * (1 - f), dg * (1 - g**2), do * o * (1 - o)], axis=1)
    return da @ Wx.T, da @ Wh.T, dc_tot * f, x.T @ da, h_prev.T @ da, np.sum(da, axis=1)
'''),
    "step_backward_averages_db": ("lstm_step_backward", "db_averaged", '''
def lstm_step_backward(dh, dc, cache):
    x, h_prev, c_prev, Wx, Wh, i, f, g, o, tanh_c = cache
    dc_tot = dc + dh * o * (1 - tanh_c**2)
    do = dh * tanh_c
    di, df, dg = dc_tot * g, dc_tot * c_prev, dc_tot * i
    da = np.concatenate([di * i * (1 - i), df * f * (1 - f), dg * (1 - g**2), do * o * (1 - o)], axis=1)
    return da @ Wx.T, da @ Wh.T, dc_tot * f, x.T @ da, h_prev.T @ da, da.mean(axis=0)
'''),
    "step_backward_adds_into_dc": ("lstm_step_backward", "mutated_input", '''
def lstm_step_backward(dh, dc, cache):
    x, h_prev, c_prev, Wx, Wh, i, f, g, o, tanh_c = cache
    dc += dh * o * (1 - tanh_c**2)
    do = dh * tanh_c
    di, df, dg = dc * g, dc * c_prev, dc * i
    da = np.concatenate([di * i * (1 - i), df * f * (1 - f), dg * (1 - g**2), do * o * (1 - o)], axis=1)
    return da @ Wx.T, da @ Wh.T, dc * f, x.T @ da, h_prev.T @ da, da.sum(axis=0)
'''),
    "cell_update_scales_c_prev_in_place": ("cell_update", "mutated_input", '''
def cell_update(c_prev, f, i, g):
    c_prev *= f
    return c_prev + i * g
'''),
    # -- the sequence, forward -------------------------------------------------------------------
    "lstm_forward_resets_cell_state": ("lstm_forward", "cell_state_reset", '''
def lstm_forward(x, h0, Wx, Wh, b):
    N, T, _ = x.shape
    h_t, hs, caches = h0, [], []
    for t in range(T):
        h_t, c_t, cache = lstm_step_forward(x[:, t], h_t, np.zeros_like(h0), Wx, Wh, b)
        hs.append(h_t)
        caches.append(cache)
    return np.stack(hs, axis=1), caches
'''),
    "lstm_forward_starts_from_zeros": ("lstm_forward", "h0_ignored", '''
def lstm_forward(x, h0, Wx, Wh, b):
    N, T, _ = x.shape
    h_t = c_t = np.zeros_like(h0)
    h, caches = np.zeros((N, T, h0.shape[1])), []
    for t in range(T):
        h_t, c_t, cache = lstm_step_forward(x[:, t], h_t, c_t, Wx, Wh, b)
        h[:, t] = h_t
        caches.append(cache)
    return h, caches
'''),
    "lstm_forward_feeds_h0_every_step": ("lstm_forward", "hidden_state_reset", '''
def lstm_forward(x, h0, Wx, Wh, b):
    N, T, _ = x.shape
    c = np.zeros_like(h0)
    h, caches = np.zeros((N, T, h0.shape[1])), []
    for t in range(T):
        h[:, t], c, cache = lstm_step_forward(x[:, t], h0, c, Wx, Wh, b)
        caches.append(cache)
    return h, caches
'''),
    "lstm_forward_cell_state_from_h0": ("lstm_forward", "c0_from_h0", '''
def lstm_forward(x, h0, Wx, Wh, b):
    N, T, _ = x.shape
    h_t, c_t = h0, h0
    h, caches = np.zeros((N, T, h0.shape[1])), []
    for t in range(T):
        h_t, c_t, cache = lstm_step_forward(x[:, t], h_t, c_t, Wx, Wh, b)
        h[:, t] = h_t
        caches.append(cache)
    return h, caches
'''),
    "lstm_forward_adds_the_forget_bias_again": ("lstm_forward", "bias_added_twice", '''
from gates import sigmoid

def lstm_forward(x, h0, Wx, Wh, b):
    N, T, _ = x.shape
    H = h0.shape[1]
    h_t, c_t = h0, np.zeros_like(h0)
    h, caches = np.zeros((N, T, H)), []
    for t in range(T):
        a = x[:, t] @ Wx + h_t @ Wh + b
        a[:, H:2 * H] += b[H:2 * H]  # the forget gate's bias
        i, f, g, o = sigmoid(a[:, :H]), sigmoid(a[:, H:2 * H]), np.tanh(a[:, 2 * H:3 * H]), sigmoid(a[:, 3 * H:])
        c_next = f * c_t + i * g
        h_next = o * np.tanh(c_next)
        caches.append((x[:, t], h_t, c_t, Wx, Wh, i, f, g, o, np.tanh(c_next)))
        h[:, t], h_t, c_t = h_next, h_next, c_next
    return h, caches
'''),
    # -- the sequence, backward ------------------------------------------------------------------
    "lstm_backward_overwrites_weight_gradients": ("lstm_backward", "dW_overwritten", '''
def lstm_backward(dh, cache):
    N, T, H = dh.shape
    dx = np.empty((N, T, cache[0][0].shape[1]))
    dh_t, dc_t = np.zeros((N, H)), np.zeros((N, H))
    for t in reversed(range(T)):
        dx[:, t], dh_t, dc_t, dWx, dWh, db = lstm_step_backward(dh[:, t] + dh_t, dc_t, cache[t])
    return dx, dh_t, dWx, dWh, db
'''),
    "lstm_backward_ignores_carried_dh": ("lstm_backward", "dh_not_added", '''
def lstm_backward(dh, cache):
    N, T, H = dh.shape
    dx = np.empty((N, T, cache[0][0].shape[1]))
    dh_t, dc_t = np.zeros((N, H)), np.zeros((N, H))
    dWx = dWh = db = 0
    for t in reversed(range(T)):
        dx[:, t], dh_t, dc_t, dWx_t, dWh_t, db_t = lstm_step_backward(dh[:, t], dc_t, cache[t])
        dWx, dWh, db = dWx + dWx_t, dWh + dWh_t, db + db_t
    return dx, dh_t, dWx, dWh, db
'''),
    "lstm_backward_drops_carried_dc": ("lstm_backward", "dc_not_carried", '''
def lstm_backward(dh, cache):
    N, T, H = dh.shape
    dx = np.empty((N, T, cache[0][0].shape[1]))
    dh_next = np.zeros((N, H))
    dWx = dWh = db = 0
    for t in reversed(range(T)):
        dx[:, t], dh_next, _, dWx_t, dWh_t, db_t = lstm_step_backward(dh[:, t] + dh_next, np.zeros((N, H)), cache[t])
        dWx, dWh, db = dWx + dWx_t, dWh + dWh_t, db + db_t
    return dx, dh_next, dWx, dWh, db
'''),
    "lstm_backward_forgets_dh0": ("lstm_backward", "dh0_missing", '''
def lstm_backward(dh, cache):
    N, T, H = dh.shape
    dx = np.empty((N, T, cache[0][0].shape[1]))
    dh_t, dc_t = np.zeros((N, H)), np.zeros((N, H))
    dWx = dWh = db = 0
    for t in reversed(range(T)):
        dx[:, t], dh_t, dc_t, dWx_t, dWh_t, db_t = lstm_step_backward(dh[:, t] + dh_t, dc_t, cache[t])
        dWx, dWh, db = dWx + dWx_t, dWh + dWh_t, db + db_t
    return dx, dWx, dWh, db
'''),
    "lstm_backward_adds_into_dh": ("lstm_backward", "mutated_input", '''
def lstm_backward(dh, cache):
    N, T, H = dh.shape
    dx = np.empty((N, T, cache[0][0].shape[1]))
    dh_prev, dc_t = np.zeros((N, H)), np.zeros((N, H))
    dWx = dWh = db = 0
    for t in reversed(range(T)):
        dh[:, t] += dh_prev
        dx[:, t], dh_prev, dc_t, dWx_t, dWh_t, db_t = lstm_step_backward(dh[:, t], dc_t, cache[t])
        dWx, dWh, db = dWx + dWx_t, dWh + dWh_t, db + db_t
    return dx, dh_prev, dWx, dWh, db
'''),
    "lstm_backward_overwrites_dWx_only": ("lstm_backward", "dW_overwritten", '''
def lstm_backward(dh, cache):
    N, T, H = dh.shape
    dx = np.empty((N, T, cache[0][0].shape[1]))
    dh_t, dc_t = np.zeros((N, H)), np.zeros((N, H))
    dWh = db = 0
    for t in reversed(range(T)):
        dx[:, t], dh_t, dc_t, dWx, dWh_t, db_t = lstm_step_backward(dh[:, t] + dh_t, dc_t, cache[t])
        dWh, db = dWh + dWh_t, db + db_t
    return dx, dh_t, dWx, dWh, db
'''),
    "lstm_backward_averages_over_time": ("lstm_backward", "averaged_over_time", '''
def lstm_backward(dh, cache):
    N, T, H = dh.shape
    dx = np.empty((N, T, cache[0][0].shape[1]))
    dh_t, dc_t = np.zeros((N, H)), np.zeros((N, H))
    dWx = dWh = db = 0
    for t in reversed(range(T)):
        dx[:, t], dh_t, dc_t, dWx_t, dWh_t, db_t = lstm_step_backward(dh[:, t] + dh_t, dc_t, cache[t])
        dWx, dWh, db = dWx + dWx_t, dWh + dWh_t, db + db_t
    return dx, dh_t, dWx / T, dWh / T, db / T
'''),
    "lstm_backward_dh0_from_the_first_step_visited": ("lstm_backward", "dh0_from_last_step", '''
def lstm_backward(dh, cache):
    N, T, H = dh.shape
    dx = np.empty((N, T, cache[0][0].shape[1]))
    dh_t, dc_t = np.zeros((N, H)), np.zeros((N, H))
    dWx = dWh = db = 0
    for t in reversed(range(T)):
        dx[:, t], dh_t, dc_t, dWx_t, dWh_t, db_t = lstm_step_backward(dh[:, t] + dh_t, dc_t, cache[t])
        if t == T - 1:
            dh0 = dh_t
        dWx, dWh, db = dWx + dWx_t, dWh + dWh_t, db + db_t
    return dx, dh0, dWx, dWh, db
'''),
    "lstm_forward_caches_a_reused_h_buffer": ("lstm_backward", "cache_buffer_overwritten", '''
def lstm_forward(x, h0, Wx, Wh, b):
    N, T, _ = x.shape
    h_prev, c_prev = h0.copy(), np.zeros_like(h0)
    h, caches = np.zeros((N, T, h0.shape[1])), []
    for t in range(T):
        h_next, c_prev, cache = lstm_step_forward(x[:, t], h_prev, c_prev, Wx, Wh, b)
        h[:, t] = h_next
        h_prev[:] = h_next  # reuse one buffer instead of a new array per step
        caches.append(cache)
    return h, caches

def lstm_backward(dh, cache):
    N, T, H = dh.shape
    dx, dWx, dWh, db = np.zeros((N, T, cache[0][0].shape[1])), 0.0, 0.0, 0.0
    dh_next = dc_next = np.zeros((N, H))
    for t in range(T - 1, -1, -1):
        grads = lstm_step_backward(dh[:, t] + dh_next, dc_next, cache[t])
        dx[:, t], dh_next, dc_next = grads[:3]
        dWx, dWh, db = dWx + grads[3], dWh + grads[4], db + grads[5]
    return dx, dh_next, dWx, dWh, db
'''),
    # -- steps 12-14: the plain RNN, the classifier's loss -----------------------------------------
    "rnn_step_forward_without_bias": ("rnn_step", "missing_bias", '''
def rnn_step_forward(x, h_prev, Wx, Wh, b):
    h = np.tanh(x @ Wx + h_prev @ Wh)
    return h, (x, h_prev, Wx, Wh, h)
'''),
    "rnn_step_backward_skips_tanh_derivative": ("rnn_step", "tanh_prime_missing", '''
def rnn_step_backward(dh, cache):
    x, h_prev, Wx, Wh, h = cache
    return dh @ Wx.T, dh @ Wh.T, x.T @ dh, h_prev.T @ dh, dh.sum(axis=0)
'''),
    "classifier_loss_naive_softmax": ("classifier_loss", "softmax_overflow", '''
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
'''),
    "classifier_loss_logs_a_rounded_probability": ("classifier_loss", "log_of_zero", '''
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
'''),
    "classifier_loss_gradient_points_uphill": ("classifier_loss", "gradient_sign", '''
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
'''),
    "classifier_loss_sums_over_the_batch": ("classifier_loss", "gradients_not_averaged", '''
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
'''),
    "rnn_step_forward_bias_after_the_tanh": ("rnn_step", "bias_outside_tanh", '''
def rnn_step_forward(x, h_prev, Wx, Wh, b):
    h = np.tanh(x @ Wx + h_prev @ Wh) + b
    return h, (x, h_prev, Wx, Wh, h)
'''),
    "rnn_step_backward_tanh_derivative_one_minus_h": ("rnn_step", "tanh_prime_not_squared", '''
def rnn_step_backward(dh, cache):
    x, h_prev, Wx, Wh, h = cache
    da = dh * (1 - h)
    return da @ Wx.T, da @ Wh.T, x.T @ da, h_prev.T @ da, da.sum(axis=0)
'''),
    "rnn_step_backward_derivative_of_the_preactivation": ("rnn_step", "tanh_prime_of_preactivation", '''
def rnn_step_forward(x, h_prev, Wx, Wh, b):
    a = x @ Wx + h_prev @ Wh + b
    return np.tanh(a), (x, h_prev, Wx, Wh, a)

def rnn_step_backward(dh, cache):
    x, h_prev, Wx, Wh, a = cache
    da = dh * (1 - a ** 2)
    return da @ Wx.T, da @ Wh.T, x.T @ da, h_prev.T @ da, da.sum(axis=0)
'''),
    "rnn_step_backward_transposed_dWh": ("rnn_step", "transposed_dW", '''
def rnn_step_backward(dh, cache):
    x, h_prev, Wx, Wh, h = cache
    da = dh * (1 - h ** 2)
    return da @ Wx.T, da @ Wh.T, x.T @ da, da.T @ h_prev, da.sum(axis=0)
'''),
    "rnn_step_backward_averages_db": ("rnn_step", "db_averaged", '''
def rnn_step_backward(dh, cache):
    x, h_prev, Wx, Wh, h = cache
    da = dh * (1 - h ** 2)
    return da @ Wx.T, da @ Wh.T, x.T @ da, h_prev.T @ da, da.mean(axis=0)
'''),
    "rnn_step_backward_dh_prev_skips_the_tanh": ("rnn_step", "tanh_prime_missing", '''
def rnn_step_backward(dh, cache):
    x, h_prev, Wx, Wh, h = cache
    da = dh * (1 - h ** 2)
    dh_prev = dh @ Wh.T
    return da @ Wx.T, dh_prev, x.T @ da, h_prev.T @ da, da.sum(axis=0)
'''),
    "classifier_loss_sums_the_loss": ("classifier_loss", "loss_summed", '''
def classifier_loss(x, y, params):
    N, H = x.shape[0], params["Wh"].shape[0]
    h, cache = lstm_forward(x, np.zeros((N, H)), params["Wx"], params["Wh"], params["b"])
    scores = h[:, -1] @ params["Wy"] + params["by"]
    z = scores - scores.max(axis=1, keepdims=True)
    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    loss = -np.log(p[np.arange(N), y]).sum()
    dscores = p.copy()
    dscores[np.arange(N), y] -= 1
    dscores /= N
    dh = np.zeros_like(h)
    dh[:, -1] = dscores @ params["Wy"].T
    _, _, dWx, dWh, db = lstm_backward(dh, cache)
    return loss, {"Wx": dWx, "Wh": dWh, "b": db, "Wy": h[:, -1].T @ dscores, "by": dscores.sum(axis=0)}
'''),
    "classifier_loss_averages_the_gradients_again": ("classifier_loss", "gradients_averaged_twice", '''
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
    grads = {"Wx": dWx, "Wh": dWh, "b": db, "Wy": h[:, -1].T @ dscores, "by": dscores.sum(axis=0)}
    return loss, {k: g / N for k, g in grads.items()}  # averaged over the batch
'''),
    "classifier_loss_averages_dby_again": ("classifier_loss", "db_averaged", '''
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
    return loss, {"Wx": dWx, "Wh": dWh, "b": db, "Wy": h[:, -1].T @ dscores, "by": dscores.mean(axis=0)}
'''),
    "classifier_loss_labels_by_column": ("classifier_loss", "labels_by_column", '''
def classifier_loss(x, y, params):
    N, H = x.shape[0], params["Wh"].shape[0]
    h, cache = lstm_forward(x, np.zeros((N, H)), params["Wx"], params["Wh"], params["b"])
    scores = h[:, -1] @ params["Wy"] + params["by"]
    z = scores - scores.max(axis=1, keepdims=True)
    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    loss = -np.log(p[:, y]).mean()
    dscores = p.copy()
    dscores[:, y] -= 1
    dscores /= N
    dh = np.zeros_like(h)
    dh[:, -1] = dscores @ params["Wy"].T
    _, _, dWx, dWh, db = lstm_backward(dh, cache)
    return loss, {"Wx": dWx, "Wh": dWh, "b": db, "Wy": h[:, -1].T @ dscores, "by": dscores.sum(axis=0)}
'''),
    "classifier_loss_softmax_over_the_batch": ("classifier_loss", "softmax_wrong_axis", '''
def classifier_loss(x, y, params):
    N, H = x.shape[0], params["Wh"].shape[0]
    h, cache = lstm_forward(x, np.zeros((N, H)), params["Wx"], params["Wh"], params["b"])
    scores = h[:, -1] @ params["Wy"] + params["by"]
    z = scores - scores.max(axis=1, keepdims=True)
    log_p = z - np.log(np.exp(z).sum(axis=0, keepdims=True))
    loss = -log_p[np.arange(N), y].mean()
    dscores = np.exp(log_p)
    dscores[np.arange(N), y] -= 1
    dscores /= N
    dh = np.zeros_like(h)
    dh[:, -1] = dscores @ params["Wy"].T
    _, _, dWx, dWh, db = lstm_backward(dh, cache)
    return loss, {"Wx": dWx, "Wh": dWh, "b": db, "Wy": h[:, -1].T @ dscores, "by": dscores.sum(axis=0)}
'''),
    "classifier_loss_gradient_into_every_step": ("classifier_loss", "gradient_every_step", '''
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
    for t in range(h.shape[1]):
        dh[:, t] = dscores @ params["Wy"].T
    _, _, dWx, dWh, db = lstm_backward(dh, cache)
    return loss, {"Wx": dWx, "Wh": dWh, "b": db, "Wy": h[:, -1].T @ dscores, "by": dscores.sum(axis=0)}
'''),
    "classifier_loss_rebinds_dh": ("classifier_loss", "dh_rebound", '''
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
    dh_last = dh[:, -1]
    dh_last = dscores @ params["Wy"].T
    _, _, dWx, dWh, db = lstm_backward(dh, cache)
    return loss, {"Wx": dWx, "Wh": dWh, "b": db, "Wy": h[:, -1].T @ dscores, "by": dscores.sum(axis=0)}
'''),
    # -- training ------------------------------------------------------------------------------
    "train_clip_scale_never_applied": ("train", "clip_not_applied", '''
def train(params, data, steps, lr, clip):
    params = {k: v.copy() for k, v in params.items()}
    m = {k: np.zeros_like(v) for k, v in params.items()}
    v = {k: np.zeros_like(p) for k, p in params.items()}
    losses = np.zeros(steps)
    for s in range(steps):
        x, y = data[s % len(data)]
        losses[s], grads = classifier_loss(x, y, params)
        norm = np.sqrt(sum(np.sum(g ** 2) for g in grads.values()))
        scale = clip / norm if norm > clip else 1.0
        t = s + 1
        for k in params:
            m[k] = 0.9 * m[k] + 0.1 * grads[k]
            v[k] = 0.999 * v[k] + 0.001 * grads[k] ** 2
            params[k] = params[k] - lr * (m[k] / (1 - 0.9 ** t)) / (np.sqrt(v[k] / (1 - 0.999 ** t)) + 1e-8)
    return params, losses
'''),
    "train_rescales_every_gradient_to_the_clip": ("train", "clip_always_rescaled", '''
def train(params, data, steps, lr, clip):
    params = {k: v.copy() for k, v in params.items()}
    m = {k: np.zeros_like(v) for k, v in params.items()}
    v = {k: np.zeros_like(p) for k, p in params.items()}
    losses = np.zeros(steps)
    for s in range(steps):
        x, y = data[s % len(data)]
        losses[s], grads = classifier_loss(x, y, params)
        norm = np.sqrt(sum(np.sum(g ** 2) for g in grads.values()))
        t = s + 1
        for k in params:
            g = grads[k] * clip / norm
            m[k] = 0.9 * m[k] + 0.1 * g
            v[k] = 0.999 * v[k] + 0.001 * g ** 2
            params[k] = params[k] - lr * (m[k] / (1 - 0.9 ** t)) / (np.sqrt(v[k] / (1 - 0.999 ** t)) + 1e-8)
    return params, losses
'''),
    "train_adam_without_bias_correction": ("train", "adam_no_bias_correction", '''
def train(params, data, steps, lr, clip):
    params = {k: v.copy() for k, v in params.items()}
    m = {k: np.zeros_like(v) for k, v in params.items()}
    v = {k: np.zeros_like(p) for k, p in params.items()}
    losses = np.zeros(steps)
    for s in range(steps):
        x, y = data[s % len(data)]
        losses[s], grads = classifier_loss(x, y, params)
        norm = np.sqrt(sum(np.sum(g ** 2) for g in grads.values()))
        for k in params:
            g = grads[k] * min(1.0, clip / norm)
            m[k] = 0.9 * m[k] + 0.1 * g
            v[k] = 0.999 * v[k] + 0.001 * g ** 2
            params[k] = params[k] - lr * m[k] / (np.sqrt(v[k]) + 1e-8)
    return params, losses
'''),
    "train_adam_moments_made_in_the_loop": ("train", "adam_moments_reset", '''
def train(params, data, steps, lr, clip):
    params = {k: v.copy() for k, v in params.items()}
    losses = []
    for s in range(steps):
        x, y = data[s % len(data)]
        loss, grads = classifier_loss(x, y, params)
        losses.append(loss)
        norm = np.sqrt(sum(np.sum(g ** 2) for g in grads.values()))
        if norm > clip:
            grads = {k: g * (clip / norm) for k, g in grads.items()}
        for k in params:
            m = np.zeros_like(params[k])
            v = np.zeros_like(params[k])
            m = 0.9 * m + 0.1 * grads[k]
            v = 0.999 * v + 0.001 * grads[k] ** 2
            m_hat, v_hat = m / (1 - 0.9 ** (s + 1)), v / (1 - 0.999 ** (s + 1))
            params[k] = params[k] - lr * m_hat / (np.sqrt(v_hat) + 1e-8)
    return params, np.array(losses)
'''),
    "train_momentum_rescales_every_gradient": ("train", "clip_always_rescaled", '''
def train(params, data, steps, lr, clip):
    params = {k: v.copy() for k, v in params.items()}
    velocity = {k: np.zeros_like(v) for k, v in params.items()}
    losses = np.zeros(steps)
    for s in range(steps):
        x, y = data[s % len(data)]
        losses[s], grads = classifier_loss(x, y, params)
        norm = np.linalg.norm(np.concatenate([g.ravel() for g in grads.values()]))
        for k in params:
            velocity[k] = 0.9 * velocity[k] - lr * grads[k] * (clip / norm)
            params[k] = params[k] + velocity[k]
    return params, losses
'''),
    "train_updates_the_callers_params": ("train", "mutated_input", '''
def train(params, data, steps, lr, clip):
    m = {k: np.zeros_like(v) for k, v in params.items()}
    v = {k: np.zeros_like(p) for k, p in params.items()}
    losses = np.zeros(steps)
    for s in range(steps):
        x, y = data[s % len(data)]
        losses[s], grads = classifier_loss(x, y, params)
        norm = np.sqrt(sum(np.sum(g ** 2) for g in grads.values()))
        scale = min(1.0, clip / norm)
        for k in params:
            m[k] = 0.9 * m[k] + 0.1 * scale * grads[k]
            v[k] = 0.999 * v[k] + 0.001 * (scale * grads[k]) ** 2
            params[k] -= lr * (m[k] / (1 - 0.9 ** (s + 1))) / (np.sqrt(v[k] / (1 - 0.999 ** (s + 1))) + 1e-8)
    return params, losses
'''),
    "train_climbs_the_gradient": ("train", "update_sign", '''
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
'''),
    "train_takes_every_step_from_the_first_batch": ("train", "first_batch_only", '''
def train(params, data, steps, lr, clip):
    params = {k: v.copy() for k, v in params.items()}
    m = {k: np.zeros_like(v) for k, v in params.items()}
    v = {k: np.zeros_like(p) for k, p in params.items()}
    losses = np.zeros(steps)
    x, y = data[0]
    for s in range(steps):
        losses[s], grads = classifier_loss(x, y, params)
        norm = np.sqrt(sum(np.sum(g ** 2) for g in grads.values()))
        scale = min(1.0, clip / norm)
        for k in params:
            g = grads[k] * scale
            m[k] = 0.9 * m[k] + 0.1 * g
            v[k] = 0.999 * v[k] + 0.001 * g ** 2
            params[k] = params[k] - lr * (m[k] / (1 - 0.9 ** (s + 1))) / (np.sqrt(v[k] / (1 - 0.999 ** (s + 1))) + 1e-8)
    return params, losses
'''),
    "train_adam_forgets_the_learning_rate": ("train", "lr_not_used", '''
def train(params, data, steps, lr, clip):
    params = {k: v.copy() for k, v in params.items()}
    m = {k: np.zeros_like(v) for k, v in params.items()}
    v = {k: np.zeros_like(p) for k, p in params.items()}
    losses = []
    for s in range(steps):
        x, y = data[s % len(data)]
        loss, grads = classifier_loss(x, y, params)
        losses.append(loss)
        norm = np.sqrt(sum(np.sum(g ** 2) for g in grads.values()))
        if norm > clip:
            grads = {k: g * clip / norm for k, g in grads.items()}
        t = s + 1
        for k in params:
            m[k] = 0.9 * m[k] + 0.1 * grads[k]
            v[k] = 0.999 * v[k] + 0.001 * grads[k] ** 2
            m_hat = m[k] / (1 - 0.9 ** t)
            v_hat = v[k] / (1 - 0.999 ** t)
            params[k] = params[k] - m_hat / (np.sqrt(v_hat) + 1e-8)
    return params, np.array(losses)
'''),
    "train_adam_swaps_the_betas": ("train", "adam_betas_swapped", '''
def train(params, data, steps, lr, clip):
    params = {k: v.copy() for k, v in params.items()}
    m = {k: np.zeros_like(v) for k, v in params.items()}
    v = {k: np.zeros_like(p) for k, p in params.items()}
    losses = np.zeros(steps)
    for s in range(steps):
        x, y = data[s % len(data)]
        losses[s], grads = classifier_loss(x, y, params)
        norm = np.sqrt(sum(np.sum(g ** 2) for g in grads.values()))
        scale = min(1.0, clip / norm)
        t = s + 1
        for k in params:
            g = grads[k] * scale
            m[k] = 0.999 * m[k] + 0.001 * g
            v[k] = 0.9 * v[k] + 0.1 * g ** 2
            params[k] = params[k] - lr * (m[k] / (1 - 0.9 ** t)) / (np.sqrt(v[k] / (1 - 0.999 ** t)) + 1e-8)
    return params, losses
'''),
    "train_adam_without_epsilon": ("train", "adam_epsilon_missing", '''
def train(params, data, steps, lr, clip):
    params = {k: v.copy() for k, v in params.items()}
    m = {k: np.zeros_like(v) for k, v in params.items()}
    v = {k: np.zeros_like(p) for k, p in params.items()}
    losses = np.zeros(steps)
    for s in range(steps):
        x, y = data[s % len(data)]
        losses[s], grads = classifier_loss(x, y, params)
        norm = np.sqrt(sum(np.sum(g ** 2) for g in grads.values()))
        scale = min(1.0, clip / norm)
        t = s + 1
        for k in params:
            g = grads[k] * scale
            m[k] = 0.9 * m[k] + 0.1 * g
            v[k] = 0.999 * v[k] + 0.001 * g ** 2
            m_hat, v_hat = m[k] / (1 - 0.9 ** t), v[k] / (1 - 0.999 ** t)
            params[k] = params[k] - lr * m_hat / np.sqrt(v_hat)
    return params, losses
'''),
    "train_adam_counts_steps_from_zero": ("train", "adam_step_from_zero", '''
def train(params, data, steps, lr, clip):
    params = {k: v.copy() for k, v in params.items()}
    m = {k: np.zeros_like(v) for k, v in params.items()}
    v = {k: np.zeros_like(p) for k, p in params.items()}
    losses = np.zeros(steps)
    for t in range(steps):
        x, y = data[t % len(data)]
        losses[t], grads = classifier_loss(x, y, params)
        norm = np.sqrt(sum(np.sum(g ** 2) for g in grads.values()))
        scale = min(1.0, clip / norm)
        for k in params:
            g = grads[k] * scale
            m[k] = 0.9 * m[k] + 0.1 * g
            v[k] = 0.999 * v[k] + 0.001 * g ** 2
            m_hat = m[k] / (1 - 0.9 ** t)
            v_hat = v[k] / (1 - 0.999 ** t)
            params[k] = params[k] - lr * m_hat / (np.sqrt(v_hat) + 1e-8)
    return params, losses
'''),
}

UNCATALOGUED = {
    "forget_gate_doubles_the_bias": ("forget_gate", '''
def forget_gate(x, h_prev, Wx, Wh, b):
    return sigmoid(x @ Wx + h_prev @ Wh + 2 * b)
''', "f has wrong values: first at f["),
    "step_forward_cs231n_order_and_no_bias": ("lstm_step_forward", '''
def lstm_step_forward(x, h_prev, c_prev, Wx, Wh, b):
    H = h_prev.shape[1]
    a = x @ Wx + h_prev @ Wh
    i, f, o = sigmoid(a[:, :H]), sigmoid(a[:, H:2 * H]), sigmoid(a[:, 2 * H:3 * H])
    g = np.tanh(a[:, 3 * H:])
    c = f * c_prev + i * g
    return o * np.tanh(c), c, (x, h_prev, c_prev, Wx, Wh, i, f, g, o, np.tanh(c))
''', "h has wrong values"),
    "step_backward_halves_dWx": ("lstm_step_backward", '''
def lstm_step_backward(dh, dc, cache):
    x, h_prev, c_prev, Wx, Wh, i, f, g, o, tanh_c = cache
    dc_tot = dc + dh * o * (1 - tanh_c**2)
    do = dh * tanh_c
    di, df, dg = dc_tot * g, dc_tot * c_prev, dc_tot * i
    da = np.concatenate([di * i * (1 - i), df * f * (1 - f), dg * (1 - g**2), do * o * (1 - o)], axis=1)
    return da @ Wx.T, da @ Wh.T, dc_tot * f, 0.5 * x.T @ da, h_prev.T @ da, da.sum(axis=0)
''', "gradient check: dWx disagrees"),
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
    "train_never_updates_b": ("train", '''
def train(params, data, steps, lr, clip):
    params = {k: v.copy() for k, v in params.items()}
    m = {k: np.zeros_like(v) for k, v in params.items()}
    v = {k: np.zeros_like(p) for k, p in params.items()}
    losses = np.zeros(steps)
    for s in range(steps):
        x, y = data[s % len(data)]
        losses[s], grads = classifier_loss(x, y, params)
        norm = np.sqrt(sum(np.sum(g ** 2) for g in grads.values()))
        for k in ("Wx", "Wh", "Wy", "by"):
            g = grads[k] * min(1.0, clip / norm)
            m[k] = 0.9 * m[k] + 0.1 * g
            v[k] = 0.999 * v[k] + 0.001 * g ** 2
            params[k] = params[k] - lr * (m[k] / (1 - 0.9 ** (s + 1))) / (np.sqrt(v[k] / (1 - 0.999 ** (s + 1))) + 1e-8)
    return params, losses
''', "train returned params['b'] as it started"),
}

# Valid implementations in other styles: each, swapped in, must keep full marks.
ALTERNATIVES = {
    "sigmoid_via_tanh": ("sigmoid", '''
def sigmoid(z):
    return 0.5 * (1 + np.tanh(z / 2))
'''),
    "sigmoid_from_min_and_abs": ("sigmoid", '''
def sigmoid(z):
    return np.exp(np.minimum(z, 0)) / (1 + np.exp(-np.abs(z)))
'''),
    "forget_gate_einsum": ("forget_gate", '''
def forget_gate(x, h_prev, Wx, Wh, b):
    return sigmoid(np.einsum("nd,dh->nh", x, Wx) + np.einsum("nk,kh->nh", h_prev, Wh) + b)
'''),
    "input_gate_calls_forget_gate": ("input_gate", '''
def input_gate(x, h_prev, Wx, Wh, b):
    return forget_gate(x, h_prev, Wx, Wh, b)
'''),
    "candidate_concatenated_product": ("candidate", '''
def candidate(x, h_prev, Wx, Wh, b):
    return np.tanh(np.concatenate([x, h_prev], axis=1) @ np.concatenate([Wx, Wh], axis=0) + b)
'''),
    "cell_update_with_numpy_ufuncs": ("cell_update", '''
def cell_update(c_prev, f, i, g):
    return np.add(np.multiply(f, c_prev), np.multiply(i, g))
'''),
    "output_gate_loop_over_batch": ("output_gate", '''
def output_gate(x, h_prev, Wx, Wh, b):
    return np.array([sigmoid(x[n] @ Wx + h_prev[n] @ Wh + b) for n in range(x.shape[0])])
'''),
    "hidden_state_reads_right_to_left": ("hidden_state", '''
def hidden_state(c, o):
    return np.tanh(c) * o
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
    "step_forward_and_backward_list_cache_loop_over_batch": ("lstm_step_forward", '''
def lstm_step_forward(x, h_prev, c_prev, Wx, Wh, b):
    H = h_prev.shape[1]
    hs, cs, rows = [], [], []
    for n in range(x.shape[0]):
        a = x[n] @ Wx + h_prev[n] @ Wh + b
        i, f, g, o = sigmoid(a[:H]), sigmoid(a[H:2 * H]), np.tanh(a[2 * H:3 * H]), sigmoid(a[3 * H:])
        c = f * c_prev[n] + i * g
        hs.append(o * np.tanh(c))
        cs.append(c)
        rows.append([x[n], h_prev[n], c_prev[n], i, f, g, o, np.tanh(c)])
    return np.array(hs), np.array(cs), [Wx, Wh, rows]

def lstm_step_backward(dh, dc, cache):
    Wx, Wh, rows = cache
    das = []
    for n, (x, h_prev, c_prev, i, f, g, o, tanh_c) in enumerate(rows):
        dc_n = dc[n] + dh[n] * o * (1 - tanh_c**2)
        das.append(np.concatenate([dc_n * g * i * (1 - i), dc_n * c_prev * f * (1 - f),
                                   dc_n * i * (1 - g**2), dh[n] * tanh_c * o * (1 - o)]))
    da = np.array(das)
    xs, hs = np.array([r[0] for r in rows]), np.array([r[1] for r in rows])
    dc_prev = np.array([(dc[n] + dh[n] * r[6] * (1 - r[7]**2)) * r[4] for n, r in enumerate(rows)])
    return da @ Wx.T, da @ Wh.T, dc_prev, xs.T @ da, hs.T @ da, da.sum(axis=0)
'''),
    "lstm_forward_dict_cache_by_time": ("lstm_forward", '''
def lstm_forward(x, h0, Wx, Wh, b):
    steps, h_t, c_t = {}, h0, np.zeros(h0.shape)
    outputs = []
    for t in range(x.shape[1]):
        h_t, c_t, steps[t] = lstm_step_forward(x[:, t, :], h_t, c_t, Wx, Wh, b)
        outputs.append(h_t)
    return np.stack(outputs, axis=1), {"steps": steps, "T": x.shape[1]}

def lstm_backward(dh, cache):
    T = cache["T"]
    dh_next = dc_next = 0.0
    dWx = dWh = db = 0.0
    dxs = [None] * T
    for t in range(T - 1, -1, -1):
        dxs[t], dh_next, dc_next, dWx_t, dWh_t, db_t = lstm_step_backward(
            dh[:, t] + dh_next, dc_next + np.zeros_like(dh[:, t]), cache["steps"][t])
        dWx, dWh, db = dWx + dWx_t, dWh + dWh_t, db + db_t
    return np.stack(dxs, axis=1), dh_next, dWx, dWh, db
'''),
    "lstm_backward_accumulates_in_place_into_its_own_arrays": ("lstm_backward", '''
def lstm_backward(dh, cache):
    N, T, H = dh.shape
    dx = np.zeros((N, T, cache[0][0].shape[1]))
    dWx, dWh, db = np.zeros_like(cache[0][3]), np.zeros_like(cache[0][4]), np.zeros(4 * H)
    dh_next, dc_next = np.zeros((N, H)), np.zeros((N, H))
    t = T - 1
    while t >= 0:
        dh_t = dh[:, t].copy()
        dh_t += dh_next
        dx[:, t], dh_next, dc_next, dWx_t, dWh_t, db_t = lstm_step_backward(dh_t, dc_next, cache[t])
        dWx += dWx_t
        dWh += dWh_t
        db += db_t
        t -= 1
    return dx, dh_next, dWx, dWh, db
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
    # Containers other than the plain ones: the worker sends each as its plain form.
    "rnn_step_returns_namedtuples": ("rnn_step", '''
from collections import namedtuple

RnnStep = namedtuple("RnnStep", "h cache")
RnnGrads = namedtuple("RnnGrads", "dx dh_prev dWx dWh db")

def rnn_step_forward(x, h_prev, Wx, Wh, b):
    h = np.tanh(x @ Wx + h_prev @ Wh + b)
    return RnnStep(h, (x, h_prev, Wx, Wh, h))

def rnn_step_backward(dh, cache):
    x, h_prev, Wx, Wh, h = cache
    da = dh * (1 - h**2)
    return RnnGrads(dx=da @ Wx.T, dh_prev=da @ Wh.T, dWx=x.T @ da, dWh=h_prev.T @ da, db=da.sum(axis=0))
'''),
    "loss_and_train_in_ordered_and_default_dicts_with_0d_losses": ("classifier_loss", '''
from collections import OrderedDict, defaultdict

def classifier_loss(x, y, params):
    N, H = x.shape[0], params["Wh"].shape[0]
    h, cache = lstm_forward(x, np.zeros((N, H)), params["Wx"], params["Wh"], params["b"])
    scores = h[:, -1] @ params["Wy"] + params["by"]
    z = scores - scores.max(axis=1, keepdims=True)
    log_p = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    dscores = np.exp(log_p)
    dscores[np.arange(N), y] -= 1
    dscores /= N
    dh = np.zeros_like(h)
    dh[:, -1] = dscores @ params["Wy"].T
    _, _, dWx, dWh, db = lstm_backward(dh, cache)
    grads = OrderedDict(Wx=dWx, Wh=dWh, b=db, Wy=h[:, -1].T @ dscores, by=dscores.sum(axis=0))
    return np.mean(-log_p[np.arange(N), y]), grads

def train(params, data, steps, lr, clip):
    params = defaultdict(float, {k: np.copy(v) for k, v in params.items()})
    m, v = defaultdict(float), defaultdict(float)
    losses = []
    for s in range(steps):
        x, y = data[s % len(data)]
        loss, grads = classifier_loss(x, y, params)
        losses.append(np.asarray(loss))  # a 0-d array each
        norm = np.sqrt(sum(np.sum(g**2) for g in grads.values()))
        scale = min(1.0, clip / norm)
        for k, g in grads.items():
            m[k] = 0.9 * m[k] + 0.1 * g * scale
            v[k] = 0.999 * v[k] + 0.001 * (g * scale)**2
            params[k] = params[k] - lr * (m[k] / (1 - 0.9**(s + 1))) / (np.sqrt(v[k] / (1 - 0.999**(s + 1))) + 1e-8)
    return params, losses
'''),
    "rnn_step_loop_over_the_batch_tuple_cache": ("rnn_step", '''
def rnn_step_forward(x, h_prev, Wx, Wh, b):
    h = np.array([np.tanh(x[n] @ Wx + h_prev[n] @ Wh + b) for n in range(x.shape[0])])
    return h, (x, h_prev, Wx, Wh, h)

def rnn_step_backward(dh, cache):
    x, h_prev, Wx, Wh, h = cache
    dx, dh_prev = np.zeros_like(x), np.zeros_like(h_prev)
    dWx, dWh, db = np.zeros_like(Wx), np.zeros_like(Wh), np.zeros(Wh.shape[1])
    for n in range(x.shape[0]):
        da = dh[n] * (1 - h[n] ** 2)
        dx[n], dh_prev[n] = Wx @ da, Wh @ da
        dWx += np.outer(x[n], da)
        dWh += np.outer(h_prev[n], da)
        db += da
    return dx, dh_prev, dWx, dWh, db
'''),
    "classifier_loss_logaddexp_loop_over_the_batch": ("classifier_loss", '''
def classifier_loss(x, y, params):
    N, H = x.shape[0], params["Wh"].shape[0]
    h, cache = lstm_forward(x, np.zeros((N, H)), params["Wx"], params["Wh"], params["b"])
    h_last = h[:, -1]
    loss, dscores = 0.0, np.zeros((N, params["by"].shape[0]))
    for n in range(N):
        scores = h_last[n] @ params["Wy"] + params["by"]
        log_p = scores - np.logaddexp.reduce(scores)
        loss -= log_p[y[n]] / N
        dscores[n] = np.exp(log_p)
        dscores[n, y[n]] -= 1
    dscores /= N
    dh = np.zeros_like(h)
    dh[:, -1] = dscores @ params["Wy"].T
    _, _, dWx, dWh, db = lstm_backward(dh, cache)
    return loss, {"Wx": dWx, "Wh": dWh, "b": db, "Wy": h_last.T @ dscores, "by": dscores.sum(axis=0)}
'''),
    "train_adam_with_lists_and_one_flat_norm": ("train", '''
def train(params, data, steps, lr, clip):
    keys = list(params)
    values = [np.array(params[k]) for k in keys]
    ms = [np.zeros_like(p) for p in values]
    vs = [np.zeros_like(p) for p in values]
    losses = []
    for s in range(steps):
        x, y = data[s % len(data)]
        loss, grads = classifier_loss(x, y, dict(zip(keys, values)))
        losses.append(loss)
        gs = [grads[k] for k in keys]
        norm = np.linalg.norm(np.concatenate([g.ravel() for g in gs]))
        gs = [g * (clip / max(norm, clip)) for g in gs]
        t = s + 1
        for j, g in enumerate(gs):
            ms[j] = 0.9 * ms[j] + (1 - 0.9) * g
            vs[j] = 0.999 * vs[j] + (1 - 0.999) * np.square(g)
            m_hat = ms[j] / (1 - 0.9 ** t)
            v_hat = vs[j] / (1 - 0.999 ** t)
            values[j] = values[j] - lr * m_hat / (np.sqrt(v_hat) + 1e-8)
    return dict(zip(keys, values)), np.array(losses)
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
