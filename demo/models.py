"""Whose code the demo runs, the plain RNN over a whole sequence, and training with a progress hook.

Both models are trained by the same ``train`` and ``classifier_loss`` (the learner's, or the
reference's): for the plain RNN, the names ``lstm_forward`` and ``lstm_backward`` inside
``memory.py`` are pointed at the RNN for the length of the run, so only the recurrent layer
differs between the two.
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
    memory: object              # the memory module: classifier_loss and train live here
    lstm_forward: object
    lstm_backward: object
    rnn: object                 # PlainRNN built from rnn_step_forward / rnn_step_backward

    def forward(self, cell):
        return self.lstm_forward if cell == "lstm" else self.rnn.forward

    def backward(self, cell):
        return self.lstm_backward if cell == "lstm" else self.rnn.backward


def load_code(folder):
    """Import gates, cell, sequence and memory from ``folder`` (by bare name, as the grader's worker does)."""
    modules = import_by_bare_name(folder, ("gates", "cell", "sequence", "memory"), fresh=True)
    memory, sequence = modules["memory"], modules["sequence"]
    return Code(folder, memory, sequence.lstm_forward, sequence.lstm_backward,
                PlainRNN(memory.rnn_step_forward, memory.rnn_step_backward))


class PlainRNN:
    """The plain tanh RNN over a whole sequence, from the one-step functions of step 12."""

    def __init__(self, step_forward, step_backward):
        self.step_forward, self.step_backward = step_forward, step_backward

    def forward(self, x, h0, Wx, Wh, b):
        h_t, hs, caches = h0, [], []
        for t in range(x.shape[1]):
            h_t, cache = self.step_forward(x[:, t], h_t, Wx, Wh, b)
            hs.append(h_t)
            caches.append(cache)
        return np.stack(hs, axis=1), caches             # (N, T, H)

    def backward(self, dh, caches):
        dh_t, dxs, dWx, dWh, db = np.zeros_like(dh[:, 0]), [], 0, 0, 0
        for t in reversed(range(dh.shape[1])):
            dx_t, dh_t, dWx_t, dWh_t, db_t = self.step_backward(dh[:, t] + dh_t, caches[t])
            dxs.append(dx_t)
            dWx, dWh, db = dWx + dWx_t, dWh + dWh_t, db + db_t
        return np.stack(dxs[::-1], axis=1), dh_t, dWx, dWh, db


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
