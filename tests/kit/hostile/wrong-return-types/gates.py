_output_gate, _candidate = output_gate, candidate


def forget_gate(x, h_prev, Wx, Wh, b):
    return 1


def output_gate(x, h_prev, Wx, Wh, b):
    return _output_gate(x, h_prev, Wx, Wh, b).tolist()


def cell_update(c_prev, f, i, g):
    return None


def hidden_state(c, o):
    return np.array(0.5)


def candidate(x, h_prev, Wx, Wh, b):
    return _candidate(x, h_prev, Wx, Wh, b).astype(np.float32)
