import ctypes
import os
import signal
import sys


def forget_gate(x, h_prev, Wx, Wh, b):
    os.kill(os.getpid(), signal.SIGKILL)


def candidate(x, h_prev, Wx, Wh, b):
    ctypes.memset(0, 0, 8)  # write to address 0


def hidden_state(c, o):
    sys.exit("done")
