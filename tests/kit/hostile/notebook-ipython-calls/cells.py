"""Cells after the reference's, each with IPython's shell in it. A commented "# !" line is a "!"
line in the notebook (tests/kit/hostile/README.md). Had the first cell run in the worker,
get_ipython() would fail there and gates.py would not import: every step would lose its points."""

# %%
# !pip install numpy
get_ipython().system("echo installing")
# files = !ls /
# %time sigmoid(0.5)


# %%
def candidate(x, h_prev, Wx, Wh, b):
    # !echo computing the candidate
    return np.tanh(x @ Wx + h_prev @ Wh + b)


# %%
def output_gate(x, h_prev, Wx, Wh, b):
    get_ipython().system("echo hello from the kernel")
    return sigmoid(x @ Wx + h_prev @ Wh + b)
