"""Naming the learner's mistake, by behaviour: which catalogued variant of the reference gives
exactly the learner's output on the inputs of the failing check.

Runs in the grader's own process and only after a check has failed, so a passing grade pays
nothing for it. With solutions/ the forms are evaluated on the reference (``LiveForms``); a
handout has no reference, and answers from the forms' outputs recorded when it was built
(``grader.judge.mistake_outputs``), which hold exactly the public checks' inputs. With neither
there is no diagnosis: the check's own message stands. Which forms there are comes from
``grader.judge.forms_index``; their code (``grader.judge.variants``, which a handout does not
carry) is imported only by ``LiveForms``.
"""
import os

import numpy as np

from grader.course.inputs import SQUARE_SEED
from grader.course.steps import FILES
from grader.judge.checks import ATOL, RTOL
from grader.judge.forms_index import PROBES, part, positions
from grader.judge.reference import digest, load_folder
from grader.sandbox.client import SubmissionError
from grader.sandbox.perturb import copied

PROBED = ("On inputs with D = H, where the shapes fit, your function gives exactly the output "
          "of this mistake.")
_references = {}
_recorded = {}  # test folders -> (RecordedForms or None, [why mistakes cannot be named])


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
    """Whether two compared outputs agree in layout, shapes and values, to the checks' tolerance
    (NaN where both have NaN)."""
    if len(got) != len(want):
        return False
    for (where_g, g), (where_w, w) in zip(got, want):
        if where_g != where_w or isinstance(g, bool) or not isinstance(g, (np.ndarray, np.generic, int, float)):
            return False
        g, w = np.asarray(g), np.asarray(w)
        if g.shape != w.shape or g.dtype.kind not in "iuf" or w.dtype.kind not in "iuf":
            return False
        with np.errstate(invalid="ignore"):  # inf - inf
            close = (np.abs(g - w) <= ATOL + RTOL * np.abs(w)) | (np.isnan(g) & np.isnan(w))
        if not np.all(close):
            return False  # a NaN matches a NaN: where a mistake makes NaN is part of its output
    return True


def _evaluate(form, ref, name, inputs):
    """A form's compared outputs on ``inputs``, or None if the form raises there (a shape mismatch)."""
    try:
        with np.errstate(all="ignore"):
            return compared(form(ref, name, *(copied(a) for a in inputs)))
    except Exception:
        return None


class LiveForms:
    """The forms evaluated on the reference itself: ``outputs`` gives a form's compared outputs on
    ``inputs``, None if it raises there, or RIGHT if they are the reference's own."""

    def __init__(self, ref):
        self.ref = ref
        self._right = {}  # digest of (name, inputs) -> the reference's compared outputs (None if it raises)

    def outputs(self, key, k, name, inputs):
        from grader.judge.mistake_outputs import RIGHT
        from grader.judge.variants import FORMS

        out = _evaluate(FORMS[(key, name)][k], self.ref, name, inputs)
        if out is None:
            return None
        right = self._right_for(name, inputs)
        return RIGHT if right is not None and same(out, right) else out

    def _right_for(self, name, inputs):
        from grader.judge.variants import correct

        key = digest(name, inputs)
        if key not in self._right:
            self._right[key] = _evaluate(correct, self.ref, name, inputs)
        return self._right[key]


def _first_match(candidates, forms, name, inputs, got):
    """The first (key, position) whose output is ``got`` and differs from the reference's, or None."""
    from grader.judge.mistake_outputs import RIGHT

    for key, k in candidates:
        out = forms.outputs(key, k, name, inputs)
        if out is not None and out is not RIGHT and same(got, out):
            return key, k
    return None


def _named(match, name, probed):
    """(key, probed, what that form gets wrong) for a match, or (None, False, "")."""
    if match is None:
        return None, False, ""
    key, k = match
    return key, probed, part(key, name, k)


def diagnose(evidence, forms, raised=False):
    """(mistake key, whether it was seen on square probe inputs, the sentence saying which part of
    it the learner's output has when it is a partial form), or (None, False, "").

    ``forms`` is ``LiveForms`` on the reference, or a handout's ``RecordedForms``."""
    name = evidence.name
    candidates = positions(name)
    if not raised:
        return _named(_first_match(candidates, forms, name, evidence.inputs, compared(evidence.got, evidence.keep)),
                      name, False)
    # The learner's function raised. Mistakes that also raise on these inputs are suspects; on
    # inputs where their shapes fit, the learner's function must give exactly their output.
    suspects = [(key, k) for key, k in candidates if forms.outputs(key, k, name, evidence.inputs) is None]
    if not suspects or evidence.function is None or name not in PROBES:
        return _named(None, name, False)
    probe = PROBES[name](SQUARE_SEED)
    try:
        got = evidence.function.call(*probe, keep=evidence.keep)["value"]
    except SubmissionError:
        return _named(None, name, False)
    return _named(_first_match(suspects, forms, name, probe, compared(got, evidence.keep)), name, True)


def open_forms(reference_folder, test_folders=()):
    """(the forms to diagnose with or None, [why mistakes cannot be named here]): the reference's
    when ``reference_folder`` holds one, else those recorded in the test folders (a handout)."""
    ref = load_reference(reference_folder)
    if ref is not None:
        return LiveForms(ref), []
    folders = tuple(os.path.abspath(f) for f in test_folders)
    if folders not in _recorded:
        from grader.judge.mistake_outputs import open_recorded

        _recorded[folders] = open_recorded(folders)
    return _recorded[folders]


def name_mistake(failure, message, reference_folder, test_folders=()):
    """(mistake key or "", the learner's message) for a failed check, graded with the reference in
    ``reference_folder`` or, without one, the mistakes' outputs recorded in ``test_folders``.

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
        forms, _ = open_forms(reference_folder, test_folders)
        key, probed, which = diagnose(evidence, forms, raised) if forms is not None else (None, False, "")
    except Exception:  # naming a mistake is a bonus: it never turns a verdict into a crash
        return "", message
    if key is None:
        return "", message
    from grader.course.mistakes import explain

    detail = getattr(failure, "named_detail", None) if message == str(failure) else None
    return key, explain(key, detail or message, " ".join(filter(None, (which, PROBED if probed else ""))))
