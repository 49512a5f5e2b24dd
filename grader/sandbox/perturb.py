"""Evaluating a function on copies of its inputs, each with one coordinate moved.

Gradient checks need hundreds of such evaluations; doing them in one batch keeps them cheap
wherever the function runs (the reference in the grader, a learner's function in the worker).
"""
import numpy as np


def copied(value):
    """A copy of an argument: arrays copied, dicts of them copied entry by entry, anything else as is."""
    if isinstance(value, dict):
        return {k: copied(v) for k, v in value.items()}
    return value.copy() if isinstance(value, np.ndarray) else value


def perturbed_outputs(call, base, perturb, outputs):
    """Stacks of ``call(args)`` outputs for each (arg, flat index, delta) move in ``perturb``.

    A move names an argument by its index, or by (index, key) for an array inside a dict
    argument. ``outputs`` picks which outputs to keep (an index into a returned tuple, or None
    for a function that returns one array); each stack has one row per move.
    """
    stacks = [[] for _ in outputs]
    for arg, index, delta in perturb:
        args = [copied(a) for a in base]
        target = args[arg] if isinstance(arg, int) else args[arg[0]][arg[1]]
        target.reshape(-1)[index] += delta
        result = call(args)
        for stack, k in zip(stacks, outputs):
            stack.append(np.asarray(result if k is None else result[k]))
    return [np.stack(s) for s in stacks]
