"""Cells after the reference's: the later definition of a name is the one graded, as when the
cells run in order."""

# %%
def forget_gate(x, h_prev, Wx, Wh, b):
    return np.tanh(x @ Wx + h_prev @ Wh + b)  # a first try: tanh instead of the sigmoid


# %%
def forget_gate(x, h_prev, Wx, Wh, b):  # noqa: F811 (redefined on purpose: the later wins)
    return sigmoid(x @ Wx + h_prev @ Wh + b)  # fixed in a later cell


# %%
def input_gate(x, h_prev, Wx, Wh, b):
    return sigmoid(x @ Wx + h_prev @ Wh + b)


def input_gate(x, h_prev, Wx, Wh, b):  # noqa: F811
    return np.tanh(x @ Wx + h_prev @ Wh + b)  # "tidied up" in the same cell, and broken
