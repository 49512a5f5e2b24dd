"""What a failing check was looking at: the learner's function, its inputs and its outputs.

A check records them with ``recorded(...)``; when a check fails inside, the evidence stays on the
failure, and the grader later compares the learner's outputs with the catalogued mistakes
(``grader.judge.diagnosis``). Recording costs nothing when every check passes.

While a handout is built, ``watch(callback)`` also tells ``callback`` of every check's
function and inputs, failing or not: those are the inputs the diagnosis could ever be given, so
the catalogued mistakes' outputs are recorded for exactly them (``grader.judge.mistake_outputs``).
"""
from contextlib import contextmanager
from dataclasses import dataclass

_watchers = []  # callables told (name, inputs) of every recorded check


@dataclass
class Evidence:
    name: str                # the learner's function (for a backward pass: the backward's name)
    inputs: tuple            # its arguments (for a backward pass: the forward's, then the upstream gradients)
    got: object = None       # what the learner's function returned; None until it has answered
    keep: tuple = ()         # positions of returned caches, which are never compared
    function: object = None  # the learner's function, to call again on other inputs if it raised


@contextmanager
def recorded(name, inputs, keep=(), function=None):
    """Yields an Evidence to fill in (``evidence.got = ...``); a failure inside carries it away."""
    evidence = Evidence(name, tuple(inputs), keep=tuple(keep), function=function)
    for watcher in _watchers:
        watcher(evidence.name, evidence.inputs)
    try:
        yield evidence
    except Exception as failure:
        if getattr(failure, "evidence", None) is None:  # the innermost record is the most precise
            failure.evidence = evidence
        raise


def watch(callback):
    """From now on, ``callback(name, inputs)`` hears of every check that records its evidence;
    returns the function that stops it."""
    _watchers.append(callback)
    return lambda: _watchers.remove(callback)
