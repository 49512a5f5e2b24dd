"""One LSTM time step, one gate at a time (reference solution)."""
import numpy as np


def sigmoid(z):
    """Elementwise logistic 1 / (1 + exp(-z)), stable for any z."""
    e = np.exp(-np.abs(z))  # never overflows: the exponent is <= 0
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))


def forget_gate(x, h_prev, Wx, Wh, b):
    """f = sigmoid(x Wx + h_prev Wh + b)."""
    return sigmoid(x @ Wx + h_prev @ Wh + b)


def input_gate(x, h_prev, Wx, Wh, b):
    """i = sigmoid(x Wx + h_prev Wh + b)."""
    return sigmoid(x @ Wx + h_prev @ Wh + b)


def candidate(x, h_prev, Wx, Wh, b):
    """g = tanh(x Wx + h_prev Wh + b)."""
    return np.tanh(x @ Wx + h_prev @ Wh + b)


def cell_update(c_prev, f, i, g):
    """c = f * c_prev + i * g."""
    return f * c_prev + i * g


def output_gate(x, h_prev, Wx, Wh, b):
    """o = sigmoid(x Wx + h_prev Wh + b)."""
    return sigmoid(x @ Wx + h_prev @ Wh + b)


def hidden_state(c, o):
    """h = o * tanh(c)."""
    return o * np.tanh(c)
