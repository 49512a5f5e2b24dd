"""The demo's three pictures with matplotlib (an optional extra: requirements-extra.txt), as
figures to show in a notebook or to write as PNG files.

The figures are made with ``matplotlib.figure.Figure`` directly, never with pyplot: no backend
is chosen, no window opens, and a notebook's own matplotlib settings are left as they were.
"""
import io
import os

import numpy as np

from demo.measure import unit_title

INSTALL = "pip install -r requirements-extra.txt (into .venv: .venv/bin/pip install -r requirements-extra.txt)"
NAMES = ("gates", "bucket_brigade", "accuracy")


def check_matplotlib():
    """None if matplotlib can be imported, else a sentence saying how to get it."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return f"--png needs matplotlib, which is an optional extra: {INSTALL}"
    return None


def make_figures(r):
    """{name: Figure} for the names in NAMES, from the results of demo.experiment.run."""
    return dict(zip(NAMES, (gates_figure(r), reach_figure(r), accuracy_figure(r))))


def write_figures(folder, r):
    """gates.png, bucket_brigade.png and accuracy.png in ``folder``; returns their paths."""
    os.makedirs(folder, exist_ok=True)
    paths = []
    for name, fig in make_figures(r).items():
        paths.append(os.path.join(folder, f"{name}.png"))
        fig.savefig(paths[-1], dpi=120, bbox_inches="tight")
    return paths


class Picture:
    """One figure as a notebook shows it: IPython calls ``_repr_png_``, so the picture appears
    inline whatever matplotlib backend the kernel has, or none."""

    def __init__(self, name, figure):
        self.name, self.figure = name, figure

    def _repr_png_(self):
        buffer = io.BytesIO()
        self.figure.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
        return buffer.getvalue()

    def __repr__(self):
        return f"<{self.name} figure>"


def pictures(r):
    """{name: Picture} for the names in NAMES."""
    return {name: Picture(name, fig) for name, fig in make_figures(r).items()}


def _figure(**options):
    from matplotlib.figure import Figure
    return Figure(layout="constrained", **options)


def gates_figure(r):
    """Each unit's gates and cell state on the sentence, one heat map per unit, values written in."""
    fig = _figure(figsize=(8, 2.4 * len(r.units)))
    axes = fig.subplots(len(r.units), 1, squeeze=False)[:, 0]
    is_gate = np.array([[True], [True], [True], [False], [False]])
    for ax, (unit, share) in zip(axes, r.units):
        grid = np.array([r.sarah[key][:, unit] for key in "ifoc"] + [r.john["c"][:, unit]])
        scale = np.abs(grid[3:]).max() or 1.0
        gates = np.ma.masked_where(~is_gate.repeat(grid.shape[1], axis=1), grid)
        cells = np.ma.masked_where(is_gate.repeat(grid.shape[1], axis=1), grid)
        ax.imshow(gates, cmap="YlOrBr", vmin=0, vmax=1, aspect="auto")      # gates: 0 shut, 1 open
        ax.imshow(cells, cmap="coolwarm", vmin=-scale, vmax=scale, aspect="auto")
        ax.set_xticks(range(len(r.tokens)), r.tokens)
        ax.set_yticks(range(5), ["input i", "forget f", "output o", "cell c", "cell c, John"])
        ax.set_title(unit_title(unit, share), fontsize=9)
        for (y, x), v in np.ndenumerate(grid):
            ax.text(x, y, f"{v:.2f}", ha="center", va="center", fontsize=7)
    return fig


def reach_figure(r):
    """The gradient norm at the first word against the distance, log scale, both models."""
    fig = _figure(figsize=(6, 4))
    ax = fig.subplots()
    for cell, colour in (("rnn", "tab:red"), ("lstm", "tab:green")):
        ks, values = zip(*r.reach[cell])
        ax.semilogy(ks, values, "o-", color=colour, label=cell.upper())
    ax.set_xlabel("distance k (filler words between the name and the blank)")
    ax.set_ylabel("gradient norm at the first word")
    ax.set_title("The bucket brigade: what reaches the name")
    ax.legend()
    return fig


def accuracy_figure(r):
    """Held-out accuracy against the distance trained and tested at, both models."""
    fig = _figure(figsize=(6, 4))
    ax = fig.subplots()
    for cell, colour in (("rnn", "tab:red"), ("lstm", "tab:green")):
        ax.plot([k for k, _ in r.by_distance], [a[cell] for _, a in r.by_distance], "o-", color=colour,
                label=cell.upper())
    ax.axhline(0.5, color="grey", linestyle=":", label="coin toss")
    ax.set_ylim(0.4, 1.02)
    ax.set_xlabel("distance k (trained and tested at exactly k)")
    ax.set_ylabel("held-out accuracy")
    ax.set_title("Accuracy against distance")
    ax.legend()
    return fig
