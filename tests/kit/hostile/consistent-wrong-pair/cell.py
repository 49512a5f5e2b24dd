def lstm_step_forward(x, h_prev, c_prev, Wx, Wh, b):
    shapes = [a.shape for a in (x, h_prev, c_prev, Wx, Wh, b)]
    return np.zeros(h_prev.shape), np.zeros(c_prev.shape), shapes


def lstm_step_backward(dh, dc, cache):
    return tuple(np.zeros(shape) for shape in cache)
