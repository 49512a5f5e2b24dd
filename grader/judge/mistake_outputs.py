"""The catalogued mistakes' outputs, recorded for a handout, which has no reference to build them from.

The diagnosis names a mistake by evaluating its forms (``grader.judge.variants``), each built
from the reference's own functions, on the failing check's inputs. A handout has no reference,
but the inputs are known when it is built: while the public tests grade the reference, every
check that keeps its evidence tells which function it judges on which inputs
(``grader.judge.evidence.watch``), failing or not, and those are the only inputs a public
test ever hands the diagnosis. ``record`` evaluates every form of that function there and keeps
its compared outputs, keyed by a digest of the function and the inputs, as the reference's own
outputs are (``grader.judge.reference``): numbers a mistaken function gives on fixed inputs, no
code. A form that raises there is kept as raising, and one that gives the reference's own output
as naming nothing (so no reference output is stored that the reference recording lacks). When
the learner's function raises, the diagnosis probes it on square inputs with the forms that
raise on the check's own; those forms alone are recorded on the probe's inputs too.

In the handout ``RecordedForms`` answers the diagnosis from this file. It is checked when it is
loaded (numeric arrays only, a well-formed index, and the same catalogue of forms as this
grader's, which ``grader.judge.forms_index`` lists without their code: the handout has no
``grader.judge.variants``); if it is missing or fails a check, grading goes on without names and
a note says why.
"""
import hashlib
import json
import os

import numpy as np

from grader.course.steps import BY_FUNCTION
from grader.judge.forms_index import PROBES, functions, positions
from grader.judge.reference import DECIMALS, MISTAKE_RECORDING, RECORDING, digest

FORMAT = 1
RIGHT = "right"     # a form whose output on these inputs is the reference's: it names nothing there
RAISES = "raises"   # stored for a form that raises on these inputs (None in the diagnosis)


class Unusable(Exception):
    """A recording of the mistakes' outputs that cannot be trusted; the message says why."""


class NotRecorded(LookupError):
    """The diagnosis asked for inputs the recording does not hold (no public test uses them)."""


def form_ids(name):
    """The ids of every form of ``name``, "mistake key:position", in the order they are tried."""
    return [f"{key}:{k}" for key, k in positions(name)]


def catalogue():
    """{function: [form id, ...]}: what a recording must have been made with to be read."""
    return {name: form_ids(name) for name in functions()}


def _split(form_id):
    key, k = form_id.rsplit(":", 1)
    return key, int(k)


def record(forms, calls, path):
    """Evaluate every form on each (function, inputs) of ``calls`` with ``forms`` (the live forms
    of ``grader.judge.diagnosis``, on the real reference) and write the outputs to ``path``."""
    from grader.course.inputs import SQUARE_SEED

    entries, raising = {}, {}
    for name, inputs in calls:
        outcomes = _outcomes(forms, name, inputs, form_ids(name))
        entries[digest(name, inputs)] = (name, outcomes)
        raising.setdefault(name, set()).update(f for f, out in outcomes.items() if out is None)
    for name, ids in raising.items():  # the only forms a probe is ever asked about
        if ids and name in PROBES:
            probe = PROBES[name](SQUARE_SEED)
            entries.setdefault(digest(name, probe), (name, {}))[1].update(
                _outcomes(forms, name, probe, [f for f in form_ids(name) if f in ids]))
    _save(entries, path)
    return len(entries)


def _outcomes(forms, name, inputs, ids):
    return {f: forms.outputs(*_split(f), name, inputs) for f in ids}


def _save(entries, path):
    """One flat float64 array of every output leaf (each distinct leaf once: many forms share an
    output) and a JSON index of where each leaf starts, its shape and its place in the output."""
    chunks, starts, size = [], {}, 0

    def stored(where, leaf):
        nonlocal size
        a = np.asarray(leaf, dtype=np.float64)  # not ascontiguousarray, which makes a 0-d loss 1-d
        h = hashlib.sha256(repr(a.shape).encode() + a.tobytes()).hexdigest()
        if h not in starts:
            starts[h] = size
            chunks.append(a.reshape(-1))
            size += a.size
        return [where, starts[h], list(a.shape)]

    def described(out):
        if out is None or out is RIGHT:
            return RAISES if out is None else RIGHT
        return [stored(where, leaf) for where, leaf in out]

    calls = {key: {"function": name, "forms": {f: described(out) for f, out in outcomes.items()}}
             for key, (name, outcomes) in sorted(entries.items())}
    document = {"format": FORMAT, "decimals": DECIMALS, "catalogue": catalogue(), "calls": calls}
    values = np.concatenate(chunks) if chunks else np.zeros(0)
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "wb") as f:
        np.savez_compressed(f, index=np.array(json.dumps(document, sort_keys=True)), values=values)


def _read(path):
    """(index document, the flat array of values), or Unusable with the reason."""
    try:
        with np.load(path, allow_pickle=False) as data:
            document = json.loads(str(data["index"]))
            values = data["values"]
    except Exception as exc:  # whatever the damage (a truncated zip, a pickle refused, bad JSON): not to be used
        raise Unusable(f"{path} cannot be read ({type(exc).__name__}: {exc})") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT or document.get("decimals") != DECIMALS:
        raise Unusable(f"{path} was recorded in another format")
    if document.get("catalogue") != catalogue():
        raise Unusable(f"{path} was recorded for another version of the catalogue of mistakes")
    if values.dtype != np.float64 or values.ndim != 1:
        raise Unusable(f"{path} is damaged: its values are not one array of numbers")
    return document, values


def _leaf(described, values):
    """One output leaf, (where, array), from its [where, start, shape] in the index."""
    where, start, shape = described
    size = int(np.prod(shape, dtype=np.int64))
    if not (isinstance(where, str) and isinstance(start, int) and all(isinstance(n, int) and n >= 0 for n in shape)
            and 0 <= start and start + size <= values.size):
        raise Unusable("an output in its index lies outside the recorded values")
    return where, values[start:start + size].reshape(tuple(shape))


def _checked_outcome(value, values):
    """A stored outcome as the diagnosis takes it, or Unusable if it is not well formed."""
    if value == RAISES:
        return None
    if value == RIGHT:
        return RIGHT
    if not isinstance(value, list):
        raise Unusable("an outcome in its index is neither outputs nor a mark")
    return [_leaf(leaf, values) for leaf in value]


def _checked_calls(document, values):
    calls = document.get("calls")
    if not isinstance(calls, dict):
        raise Unusable("its index has no calls")
    checked = {}
    for key, entry in calls.items():
        name = entry.get("function") if isinstance(entry, dict) else None
        forms = entry.get("forms") if isinstance(entry, dict) else None
        if name not in BY_FUNCTION or not isinstance(forms, dict) or not set(forms) <= set(form_ids(name)):
            raise Unusable(f"its index has a call it cannot hold ({key[:8]})")
        checked[key] = {f: _checked_outcome(v, values) for f, v in forms.items()}
    return checked


def load(path):
    """{digest of (function, inputs): {form id: outputs, None or RIGHT}} from ``path``, checked."""
    document, values = _read(path)
    try:
        return _checked_calls(document, values)
    except Unusable as exc:
        raise Unusable(f"{path} is damaged: {exc}") from None
    except Exception as exc:  # an index of the wrong shape (a list where a name goes, say)
        raise Unusable(f"{path} is damaged: its index does not read ({type(exc).__name__})") from None


class RecordedForms:
    """The forms' outputs answered from recordings, with the interface of the live forms."""

    def __init__(self, calls):
        self.calls = calls

    def outputs(self, key, k, name, inputs):
        outcomes = self.calls.get(digest(name, inputs), {})
        if f"{key}:{k}" not in outcomes:
            raise NotRecorded(f"no recorded output of {key} for {name} on these inputs")
        return outcomes[f"{key}:{k}"]


def open_recorded(test_folders):
    """(RecordedForms or None, [why a folder's mistakes cannot be named]) for a copy without solutions/.

    A folder with the reference's recorded outputs but no usable recording of the mistakes'
    outputs gets a line; one without either is no handout's and gets none.
    """
    calls, problems = {}, []
    for folder in test_folders:
        path = os.path.join(folder, MISTAKE_RECORDING)
        shown = _shown(path)
        if not os.path.isfile(path):
            if os.path.isfile(os.path.join(folder, RECORDING)):
                problems.append(f"{shown} is missing")
            continue
        try:
            calls.update(load(path))
        except Unusable as exc:
            problems.append(str(exc).replace(path, shown))
    return (RecordedForms(calls) if calls else None), problems


def _shown(path):
    """``path`` as the learner would type it, from where the grader runs."""
    try:
        return os.path.relpath(path)
    except ValueError:  # on another drive (Windows)
        return path
