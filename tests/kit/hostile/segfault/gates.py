import ctypes


def hidden_state(c, o):
    ctypes.memset(0, 0, 8)  # write to address 0
