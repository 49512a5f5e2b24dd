"""The demo's pictures as PNG files, with matplotlib (an optional extra: requirements-extra.txt)."""
import os

import numpy as np

INSTALL = "pip install -r requirements-extra.txt (into .venv: .venv/bin/pip install -r requirements-extra.txt)"


def check_matplotlib():
    """None if matplotlib can be imported, else a sentence saying how to get it."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return f"--png needs matplotlib, which is an optional extra: {INSTALL}"
    return None


def write_figures(folder, r):
    """gates.png, bucket_brigade.png and accuracy.png in ``folder``; returns their paths."""
    import matplotlib
    matplotlib.use("Agg")  # files only, no window
    import matplotlib.pyplot as plt

    os.makedirs(folder, exist_ok=True)
    paths = []

    fig, axes = plt.subplots(len(r.units), 1, figsize=(8, 2.4 * len(r.units)), squeeze=False, layout="constrained")
    is_gate = np.array([[True], [True], [True], [False], [False]])
    for ax, (unit, share) in zip(axes[:, 0], r.units):
        grid = np.array([r.sarah[key][:, unit] for key in "ifoc"] + [r.john["c"][:, unit]])
        scale = np.abs(grid[3:]).max() or 1.0
        gates = np.ma.masked_where(~is_gate.repeat(grid.shape[1], axis=1), grid)
        cells = np.ma.masked_where(is_gate.repeat(grid.shape[1], axis=1), grid)
        ax.imshow(gates, cmap="YlOrBr", vmin=0, vmax=1, aspect="auto")      # gates: 0 shut, 1 open
        ax.imshow(cells, cmap="coolwarm", vmin=-scale, vmax=scale, aspect="auto")
        ax.set_xticks(range(len(r.tokens)), r.tokens)
        ax.set_yticks(range(5), ["input i", "forget f", "output o", "cell c", "cell c, John"])
        ax.set_title(f"unit {unit} ({share:.0%} of the she/he score difference)", fontsize=9)
        for (y, x), v in np.ndenumerate(grid):
            ax.text(x, y, f"{v:.2f}", ha="center", va="center", fontsize=7)
    paths.append(_save(fig, folder, "gates.png"))

    fig, ax = plt.subplots(figsize=(6, 4))
    for cell, colour in (("rnn", "tab:red"), ("lstm", "tab:green")):
        ks, values = zip(*r.reach[cell])
        ax.semilogy(ks, values, "o-", color=colour, label=cell.upper())
    ax.set_xlabel("distance k (filler words between the name and the blank)")
    ax.set_ylabel("gradient norm at the first word")
    ax.set_title("The bucket brigade: what reaches the name")
    ax.legend()
    paths.append(_save(fig, folder, "bucket_brigade.png"))

    fig, ax = plt.subplots(figsize=(6, 4))
    for cell, colour in (("rnn", "tab:red"), ("lstm", "tab:green")):
        ax.plot([k for k, _ in r.by_distance], [a[cell] for _, a in r.by_distance], "o-", color=colour,
                label=cell.upper())
    ax.axhline(0.5, color="grey", linestyle=":", label="coin toss")
    ax.set_ylim(0.4, 1.02)
    ax.set_xlabel("distance k (trained and tested at exactly k)")
    ax.set_ylabel("held-out accuracy")
    ax.legend()
    paths.append(_save(fig, folder, "accuracy.png"))
    return paths


def _save(fig, folder, name):
    path = os.path.join(folder, name)
    fig.savefig(path, dpi=120, bbox_inches="tight")
    fig.clf()
    return path
