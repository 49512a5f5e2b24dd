"""The demo's one experiment: train every model, then take every measurement the pictures show.

The terminal (``python -m demo``) and the notebook (``demo.inline.show_memory``) both run it, so
the two show the same numbers for the same settings. ``python -m demo.experiment FOLDER SETTINGS``
runs it in a process of its own and tells its caller what happens, one JSON line at a time.
"""
import contextlib
import json
import operator
import os
import sys
from dataclasses import asdict, dataclass
from types import SimpleNamespace

import numpy as np

from demo import measure, story
from demo.models import REFERENCE, failure, fit, load_code
from grader.course import tasks

SARAH = "Sarah went to the store . ___".split()
JOHN = ["John", *SARAH[1:]]


@dataclass(frozen=True)
class Settings:
    """The sizes of one run. The defaults are ``python -m demo``'s: about 11 s on one core."""
    hidden: int = 16                                  # H
    steps: int = 300                                  # training steps per model
    distances: tuple = (10, 20, 30, 40)               # k for accuracy against distance; two models each
    reach: tuple = (1, 2, 5, 10, 20, 30, 40, 60)      # k for the gradient that reaches the first word

    def __post_init__(self):
        try:  # operator.index takes ints (numpy's too) and refuses 2.5 or "10"
            sizes = [operator.index(n) for n in (self.hidden, self.steps, *self.distances, *self.reach)]
        except TypeError:
            sizes = [0]
        if not self.distances or not self.reach or min(sizes) < 1:
            raise ValueError("hidden, steps, distances and reach take whole numbers, 1 or more "
                             "(distances and reach: one or more of them)")
        object.__setattr__(self, "distances", tuple(self.distances))
        object.__setattr__(self, "reach", tuple(self.reach))


def train_all(code, settings, view):
    """Train both models on the mixed task and one pair per distance; returns their params, and
    {cell: the Code that trained it} (the RNN's may be the reference's)."""
    mixed = tasks.batches(64, 32, tasks.DEFAULT_KS, seed=1)
    runs = [("lstm", None), ("rnn", None)] + [(cell, k) for k in settings.distances for cell in ("rnn", "lstm")]
    trained, rnn_code = {}, code
    with view.progress(len(runs) * settings.steps) as advance:
        for cell, k in runs:
            data = mixed if k is None else tasks.batches(32, 32, (k,), seed=1 + k)
            advance.describe(f"training {cell.upper()} on k = {'5 to 20' if k is None else k}")
            try:
                trained[cell, k] = fit(rnn_code if cell == "rnn" else code, cell, data, settings.steps,
                                       settings.hidden, advance=advance)
            except Exception as exc:
                if cell != "rnn" or rnn_code.folder == REFERENCE or not os.path.isdir(REFERENCE):
                    raise
                # The learner's code passed for the LSTM but cannot drive an RNN (classifier_loss reading H
                # from Wx's width, say, or an lstm_forward batched over time): not theirs to debug here.
                view.note(f"Your code could not train the plain RNN ({type(exc).__name__}: {exc}); the RNN "
                          f"baseline uses the reference's instead.")
                rnn_code = load_code(REFERENCE)
                trained[cell, k] = fit(rnn_code, cell, data, settings.steps, settings.hidden, advance=advance)
        advance.describe(f"trained {len(runs)} models")
    return trained, {"lstm": code, "rnn": rnn_code}


def run(code, settings, view):
    """Train every model and take every measurement the views show."""
    trained, codes = train_all(code, settings, view)
    lstm, gates = trained["lstm", None], code.modules["gates"]
    forward = {cell: codes[cell].forward(cell) for cell in ("rnn", "lstm")}
    backward = {cell: codes[cell].backward(cell) for cell in ("rnn", "lstm")}

    test = tasks.batches(16, 64, tasks.DEFAULT_KS, seed=99)
    results = SimpleNamespace(
        accuracy={cell: tasks.accuracy(forward[cell], trained[cell, None], test) for cell in ("rnn", "lstm")},
        units=measure.units_that_matter(code.lstm_forward, lstm),
        sarah=measure.trace_gates(SARAH, lstm, gates), john=measure.trace_gates(JOHN, lstm, gates), tokens=SARAH,
        reach={cell: [(k, measure.gradient_reach(forward[cell], backward[cell], trained[cell, None], k))
                      for k in settings.reach] for cell in ("rnn", "lstm")},
        by_distance=[(k, {cell: tasks.accuracy(forward[cell], trained[cell, k], measure.held_out(k))
                          for cell in ("rnn", "lstm")}) for k in settings.distances],
        steps=settings.steps, hidden=settings.hidden)
    results.findings = [story.findings(unit, results.sarah, results.john) for unit, _ in results.units]
    results.happened = [story.what_happened(unit, results.sarah, results.john) for unit, _ in results.units]
    results.summary = story.summary(results.findings, results.happened)
    return results


# Running apart: the caller reads the lines that start with MARK; any other line on stdout is the
# code under test printing (a loss every hundred steps, say), which the caller passes on.
MARK = "\x1e"


def to_plain(results):
    """The results as data json can write: arrays as lists, findings as dicts."""
    return {**vars(results), "findings": [[asdict(f) for f in fs] for fs in results.findings]}


def from_plain(data):
    """The results again, from to_plain's data read back."""
    r = SimpleNamespace(**data)
    r.sarah, r.john = ({name: np.array(values) for name, values in trace.items()} for trace in (r.sarah, r.john))
    r.findings = [[story.Finding(**f) for f in fs] for fs in r.findings]
    return r


class Events:
    """A view that tells the caller everything, as one marked JSON line per event."""

    def __init__(self, out=sys.stdout):
        self.out = out     # kept: the code under test may rebind sys.stdout

    def tell(self, **event):
        self.out.write(MARK + json.dumps(event, default=lambda v: v.tolist()) + "\n")   # numpy values
        self.out.flush()

    def note(self, text):
        self.tell(note=text)

    @contextlib.contextmanager
    def progress(self, total):
        self.tell(total=total)
        yield self

    def __call__(self):
        self.tell(step=1)

    def describe(self, text):
        self.tell(describe=text)


def main(argv):
    folder, settings = argv[0], Settings(**json.loads(argv[1]))
    events = Events()
    try:
        results = run(load_code(folder), settings, events)
    except Exception as exc:
        events.tell(error=failure(exc))
        return 1
    events.tell(results=to_plain(results))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
