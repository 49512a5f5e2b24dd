"""A cell after the reference's, whose saved output (made by the builder: expected.json's
"outputs") is a 25 MB plot and 25 MB of printed lines that read as code; its hidden_state is wrong."""

# %%
def hidden_state(o, c):
    return o * c  # forgot the tanh of the cell


for epoch in range(1000):
    print("def forget_gate(x, h_prev, Wx, Wh, b):  return x")
