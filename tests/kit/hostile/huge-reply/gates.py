def output_gate(x, h_prev, Wx, Wh, b):
    return np.zeros(100 << 17)
