"""Naming the learner's mistake, by behaviour: which catalogued variant of the reference gives
exactly the learner's output on the inputs of the failing check.

Runs in the grader's own process and only after a check has failed, so a passing grade pays
nothing for it. Without a reference (a handout without solutions) there is no diagnosis: the
check's own message stands.
"""
import os

import numpy as np

from grader.course.inputs import SQUARE_SEED
from grader.course.steps import FILES
from grader.judge.checks import ATOL, RTOL
from grader.judge.reference import load_folder
from grader.sandbox.client import SubmissionError
from grader.sandbox.perturb import copied

PROBED = ("On inputs with D = H, where the shapes fit, your function gives exactly the output "
          "of this mistake.")
_references = {}


def load_reference(folder):
    """The reference's functions by name, or None when there is no reference to load."""
    folder = os.path.abspath(folder)
    if folder not in _references:
        _references[folder] = _import_reference(folder)
    return _references[folder]


def _import_reference(folder):
    if not all(os.path.isfile(os.path.join(folder, name)) for name in FILES):
        return None
    try:
        return load_folder(folder)
    except Exception:  # another folder's module holds one of the names in this process, say
        return None


def _leaves(value, where=""):
    """[(where, leaf)] for every leaf of a returned value, through tuples, lists and dicts."""
    if isinstance(value, dict):
        return [leaf for k in sorted(value, key=str) for leaf in _leaves(value[k], f"{where}[{k!r}]")]
    if isinstance(value, (tuple, list)):
        return [leaf for k, v in enumerate(value) for leaf in _leaves(v, f"{where}[{k}]")]
    return [(where, value)]


def compared(value, keep=()):
    """The outputs that are compared, as (where, leaf) pairs: a returned cache is left out."""
    if isinstance(value, (tuple, list)) and keep and len(value) > max(keep):
        value = [v for k, v in enumerate(value) if k not in keep]
    return _leaves(tuple(value) if isinstance(value, (tuple, list)) else (value,))


def same(got, want):
    """Whether two compared outputs agree in layout, shapes and values, to the checks' tolerance."""
    if len(got) != len(want):
        return False
    for (where_g, g), (where_w, w) in zip(got, want):
        if where_g != where_w or isinstance(g, bool) or not isinstance(g, (np.ndarray, np.generic, int, float)):
            return False
        g, w = np.asarray(g), np.asarray(w)
        if g.shape != w.shape or g.dtype.kind not in "iuf" or w.dtype.kind not in "iuf":
            return False
        if not np.all(np.abs(g - w) <= ATOL + RTOL * np.abs(w)):
            return False
    return True


def _evaluate(form, ref, name, inputs):
    """A form's compared outputs on ``inputs``, or None if the form raises there (a shape mismatch)."""
    try:
        with np.errstate(all="ignore"):
            return compared(form(ref, name, *(copied(a) for a in inputs)))
    except Exception:
        return None


def _first_match(candidates, ref, name, inputs, got):
    """The key of the first (key, form) whose output is ``got`` and differs from the reference's."""
    from grader.judge.variants import correct

    right = None
    for key, form in candidates:
        out = _evaluate(form, ref, name, inputs)
        if out is None or not same(got, out):
            continue
        if right is None:
            right = _evaluate(correct, ref, name, inputs) or ()
        if not same(out, right):
            return key
    return None


def diagnose(evidence, ref, raised=False):
    """(mistake key, whether it was seen on square probe inputs), or (None, False)."""
    from grader.course.mistakes import CATALOGUE
    from grader.judge.variants import FORMS, PROBES

    name = evidence.name
    forms = [(key, f) for key in CATALOGUE for f in FORMS.get((key, name), ())]
    if not raised:
        return _first_match(forms, ref, name, evidence.inputs, compared(evidence.got, evidence.keep)), False
    # The learner's function raised. Mistakes that also raise on these inputs are suspects; on
    # inputs where their shapes fit, the learner's function must give exactly their output.
    suspects = [(key, f) for key, f in forms if _evaluate(f, ref, name, evidence.inputs) is None]
    if not suspects or evidence.function is None or name not in PROBES:
        return None, False
    probe = PROBES[name](SQUARE_SEED)
    try:
        got = evidence.function.call(*probe, keep=evidence.keep)["value"]
    except SubmissionError:
        return None, False
    key = _first_match(suspects, ref, name, probe, compared(got, evidence.keep))
    return key, key is not None


def name_mistake(failure, message, reference_folder):
    """(mistake key or "", the learner's message) for a failed check.

    The message gains "This looks like <mistake>: <explanation>" when the failure was already
    recognised (``failure.mistake``) or when a catalogued variant of the reference matches.
    """
    if getattr(failure, "mistake", None):
        return failure.mistake, message
    evidence = getattr(failure, "evidence", None)
    if evidence is None:
        return "", message
    raised = isinstance(failure, SubmissionError)
    if raised and type(failure) is not SubmissionError:  # not started, timed out, crashed
        return "", message
    try:
        ref = load_reference(reference_folder)
        key, probed = diagnose(evidence, ref, raised) if ref is not None else (None, False)
    except Exception:  # naming a mistake is a bonus: it never turns a verdict into a crash
        return "", message
    if key is None:
        return "", message
    from grader.course.mistakes import explain

    return key, explain(key, message, PROBED if probed else "")
