"""A cell after the reference's: the folder case reads-reference-and-tests, pasted into a notebook."""

# %% file: ../reads-reference-and-tests/gates.py
