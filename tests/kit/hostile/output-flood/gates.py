_forget_gate = forget_gate


def forget_gate(x, h_prev, Wx, Wh, b):
    for _ in range(5_000):
        print("f" * 10_000)
    return _forget_gate(x, h_prev, Wx, Wh, b)


def hidden_state(c, o):
    for _ in range(5_000):
        print("h" * 10_000)
    return 0.5 * o * np.tanh(c)
