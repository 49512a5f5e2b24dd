import os


def candidate(x, h_prev, Wx, Wh, b):
    os._exit(3)
