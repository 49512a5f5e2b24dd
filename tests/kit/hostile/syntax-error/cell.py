def lstm_step_forward(x, h_prev:
    pass
