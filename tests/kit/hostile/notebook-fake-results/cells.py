"""A cell after the stubs': the folder case fake-results, pasted into a notebook."""

# %% file: ../fake-results/gates.py
