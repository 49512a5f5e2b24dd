from cell import _huge_on_first_move

_true_rnn_step_forward = rnn_step_forward


def rnn_step_forward(x, h_prev, Wx, Wh, b):
    h, cache = _true_rnn_step_forward(x, h_prev, Wx, Wh, b)
    return _huge_on_first_move("rnn", (x, h_prev, Wx, Wh, b), h), cache


def rnn_step_backward(dh, cache):
    x, h_prev, Wx, Wh, _ = cache
    return np.zeros_like(x), np.zeros_like(h_prev), np.zeros_like(Wx), np.zeros_like(Wh), np.zeros(Wx.shape[1])
