"""Whose code the demo runs, the plain RNN over a whole sequence, and training with a progress hook.

Both models are trained by the same ``train`` and ``classifier_loss`` (the learner's, or the
reference's): for the plain RNN, the names ``lstm_forward`` and ``lstm_backward`` inside
``memory.py`` are pointed at the RNN for the length of the run, so only the recurrent layer
differs between the two. The RNN over a sequence is the code's own ``lstm_forward`` and
``lstm_backward`` with its ``rnn_step_forward`` and ``rnn_step_backward`` in the cell's place,
so the demo carries no sequence loop of its own (the reference, batched over time, has its
RNN from the kit's demo/reference_rnn.py).
"""
import contextlib
import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass

import numpy as np

from grader.course import tasks
from grader.course.steps import STEPS
from grader.kit import KIT_ROOT, SOLUTIONS, import_by_bare_name

REFERENCE = SOLUTIONS
LR, CLIP = 0.01, 5.0


def grade_quietly(folder):
    """(score, first step not passing or None) for ``folder``, by running the grader on it."""
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, "-m", "grader", "--submission", folder, "--results", tmp],
                       cwd=KIT_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       env={**os.environ, "NO_COLOR": "1"}, check=False)
        path = os.path.join(tmp, "results.json")
        results = json.load(open(path)) if os.path.exists(path) else {}
    steps = results.get("extra_data", {}).get("steps", {})
    failing = [s.name for s in STEPS if steps.get(s.name, {}).get("status") != "passed"]
    return results.get("score", 0), (failing[0] if failing else None)


class NothingToRun(Exception):
    """The learner's code does not pass every step yet, and this copy of the kit has no reference."""


def folder_label(folder):
    """How the messages name a folder: its path from here, as typed at a prompt."""
    return f"{os.path.relpath(folder)}/"


def choose_folder(submission, reference_only=False, command="`make demo`", name=None):
    """(folder to run, a sentence saying whose code it is and why).

    ``command`` is how the learner runs the demo and ``name`` what to call the submission (its
    path unless given); both only go into the sentences. Raises NothingToRun, with the sentence
    to show, when the code does not pass every step and there is no reference to run instead.
    """
    has_reference = os.path.isdir(REFERENCE)  # a learner's copy of the kit (a handout) has none
    if has_reference and (reference_only or os.path.samefile(submission, REFERENCE)):
        return REFERENCE, "Running the reference solution (solutions/)."
    name = name or folder_label(submission)
    score, failing = grade_quietly(submission)
    if failing is None:
        return submission, f"Running your code from {name}: every step passes."
    if not has_reference:
        raise NothingToRun(f"{name} scores {score:g}/100 (next step: {failing}). This copy of the kit has no "
                           f"reference solution to run instead: {command} runs your code once every step passes.")
    return REFERENCE, (f"{name} scores {score:g}/100 (next step: {failing}), so this runs the reference "
                       f"solution. Once every step passes, {command} trains your own LSTM.")


def failure(exc):
    return f"{type(exc).__name__}: {exc}"


def stopped_in(name, what):
    """What to say when code that passed the grader fails in the demo (``what``: a failure)."""
    return f"stopped while running the code in {name}: {what}"


@dataclass
class Code:
    """The functions the demo calls, from one folder."""
    folder: str
    modules: dict               # gates, cell, sequence, memory: classifier_loss and train live in memory
    lstm_forward: object
    lstm_backward: object
    rnn: object                 # the plain RNN over a sequence: forward and backward

    @property
    def memory(self):
        return self.modules["memory"]

    def forward(self, cell):
        return self.lstm_forward if cell == "lstm" else self.rnn.forward

    def backward(self, cell):
        return self.lstm_backward if cell == "lstm" else self.rnn.backward


def load_code(folder):
    """Import gates, cell, sequence and memory from ``folder`` (by bare name, as the grader's worker does)."""
    modules = import_by_bare_name(folder, ("gates", "cell", "sequence", "memory"), fresh=True)
    sequence, memory = modules["sequence"], modules["memory"]
    if os.path.isdir(REFERENCE) and os.path.samefile(folder, REFERENCE):
        from demo.reference_rnn import PlainRNN  # the kit's alone: see there
        rnn = PlainRNN(memory.rnn_step_forward, memory.rnn_step_backward)
    else:
        rnn = RNNThroughTheSequence(modules)
    return Code(folder, modules, sequence.lstm_forward, sequence.lstm_backward, rnn)


class NotThroughTheCell(Exception):
    """The code's lstm_forward or lstm_backward does not call the cell once per time step."""


class RNNThroughTheSequence:
    """The plain RNN over a sequence, run by the code's own lstm_forward and lstm_backward.

    While they run, the names lstm_step_forward and lstm_step_backward (in sequence.py, and in
    cell.py for code that calls ``cell.lstm_step_forward``) stand for the RNN's one-step
    functions, wrapped to the cell's arguments and results: an RNN has no cell state, so the
    belt carries zeros and no gradient comes back along it.
    """

    def __init__(self, modules):
        self.modules, self.calls = modules, 0
        sequence, memory = modules["sequence"], modules["memory"]
        self.lstm_forward, self.lstm_backward = sequence.lstm_forward, sequence.lstm_backward
        self.step_forward, self.step_backward = memory.rnn_step_forward, memory.rnn_step_backward

    def cell_forward(self, x, h_prev, c_prev, Wx, Wh, b):
        self.calls += 1
        h, cache = self.step_forward(x, h_prev, Wx, Wh, b)
        return h, np.zeros_like(h), cache

    def cell_backward(self, dh, dc, cache):
        self.calls += 1
        dx, dh_prev, dWx, dWh, db = self.step_backward(dh, cache)
        return dx, dh_prev, np.zeros_like(dh_prev), dWx, dWh, db

    def through_the_cell(self, run, name, steps, *args):
        """``run(*args)`` with the RNN as the cell; it must call the cell once per time step."""
        swaps = {"lstm_step_forward": self.cell_forward, "lstm_step_backward": self.cell_backward}
        self.calls, out, raised = 0, None, None
        with patched(self.modules["sequence"], **swaps), patched(self.modules["cell"], **swaps):
            try:
                out = run(*args)
            except Exception as exc:
                if self.calls:  # it does go through the cell, and failed there: the error is the news
                    raise
                raised = exc
        if self.calls != steps:
            stopped = f", then raised {type(raised).__name__}: {raised}" if raised else ""
            raise NotThroughTheCell(
                f"the plain RNN runs through your own {name}, with rnn_step_forward and rnn_step_backward "
                f"in the LSTM cell's place, but your {name} called the cell {self.calls} times for {steps} "
                f"time steps{stopped}. Written as a loop over the cell, as its docstring has it, it carries "
                f"the RNN too") from raised
        return out

    def forward(self, x, h0, Wx, Wh, b):
        return self.through_the_cell(self.lstm_forward, "lstm_forward", x.shape[1], x, h0, Wx, Wh, b)

    def backward(self, dh, cache):
        return self.through_the_cell(self.lstm_backward, "lstm_backward", dh.shape[1], dh, cache)


@contextlib.contextmanager
def patched(module, **names):
    """Temporarily rebind module-level names (the functions ``train`` looks up when it runs)."""
    saved = {name: getattr(module, name) for name in names}
    for name, value in names.items():
        setattr(module, name, value)
    try:
        yield
    finally:
        for name, value in saved.items():
            setattr(module, name, value)


def fit(code, cell, data, steps, hidden, seed=0, advance=lambda: None):
    """Train a ``cell`` ("lstm" or "rnn") classifier with the code's own ``train``.

    ``advance()`` runs once per training step: every step calls classifier_loss once.
    """
    memory = code.memory
    loss = memory.classifier_loss

    def counted(x, y, params):
        advance()
        return loss(x, y, params)

    swaps = {"classifier_loss": counted}
    if cell == "rnn":
        swaps.update(lstm_forward=code.rnn.forward, lstm_backward=code.rnn.backward)
    with patched(memory, **swaps):
        params, _ = memory.train(tasks.init_params(hidden, seed=seed, cell=cell), data, steps, LR, CLIP)
    return params
