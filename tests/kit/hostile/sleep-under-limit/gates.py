import time

_hidden_state = hidden_state


def hidden_state(c, o):
    time.sleep(0.6)
    return _hidden_state(c, o)
