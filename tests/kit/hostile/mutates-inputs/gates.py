_forget_gate = forget_gate


def forget_gate(x, h_prev, Wx, Wh, b):
    f = _forget_gate(x, h_prev, Wx, Wh, b)
    x[...] = 0.0
    Wh *= 2
    return f
