"""Cells after the reference's: a training loop that never ends, at module level, and an
input_gate that never returns."""

# %%
while True:  # "train until I stop it"
    pass


# %%
def input_gate(x, h_prev, Wx, Wh, b):
    while True:
        pass
