def output_gate(x, h_prev, Wx, Wh, b):
    raise BaseException("not an Exception")
