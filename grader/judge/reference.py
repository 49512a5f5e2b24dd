"""Where the ``reference`` fixture's functions come from: solutions/, or outputs recorded from it.

A handout ships without solutions/. Its public value checks still work because, when the
handout is built, the public tests run once against the real reference through a ``Recorder``,
which keeps every call's outputs under a digest of the function's name and its inputs. In the
handout a ``Replay`` answers the same calls from that file, so a test's
``reference.forget_gate(*args)`` reads the same either way. Only the public tests' calls are
recorded: a digest cannot be turned back into inputs, and there is no output for any other input.

A check may also run the reference on what the learner's code produced (say, ``lstm_forward``
on the weights the learner's ``train`` learned); no recording can hold those. There the replay
uses a ``stand_in``: the learner's own function, which the grader offers only once that
function's step passes.

Returned arrays, numbers and dicts of them (``grads``) are recorded as data; anything else (a
``cache``) is replaced by a ``Kept`` stand-in that
can only be handed back to the reference, as ``reference.lstm_step_backward(dh, dc, cache)``.
"""
import hashlib
import json
import os

import numpy as np

from grader.course.steps import BY_FUNCTION, FILES, STEPS
from grader.kit import functions_of, import_by_bare_name
from grader.sandbox.perturb import copied

RECORDING = "reference_outputs.npz"  # in a test folder: the outputs its tests need
MISTAKE_RECORDING = "mistake_outputs.npz"  # beside it: the catalogued mistakes' outputs (grader.judge.mistake_outputs)
FORMAT = 1
DECIMALS = 9  # inputs are keyed after rounding, so a last-bit difference across machines still matches


class ReferenceUnavailable(Exception):
    """The grader has no reference to compare with (not the learner's fault)."""


class Kept:
    """A reference output that is not an array, standing in for it in later calls."""

    __slots__ = ("key", "index")

    def __init__(self, key, index):
        self.key, self.index = key, index

    def __repr__(self):
        return f"<reference cache {self.key[:8]}:{self.index}>"


def _feed(h, value, exact=False):
    if isinstance(value, Kept):
        h.update(f"K{value.key}:{value.index};".encode())
    elif isinstance(value, (np.ndarray, np.generic, int, float, bool)):
        a = np.asarray(value)
        if a.dtype.kind == "f" and not exact:
            a = np.round(a, DECIMALS) + 0.0  # + 0.0 turns -0.0 into 0.0
        h.update(f"A{a.dtype.str}{a.shape};".encode())
        h.update(np.ascontiguousarray(a).tobytes())
    elif isinstance(value, (tuple, list)):
        h.update(b"(")
        for item in value:
            _feed(h, item, exact)
        h.update(b")")
    elif isinstance(value, dict):  # e.g. params: keys in order, so equal dicts give equal keys
        h.update(b"{")
        for key in sorted(value):
            h.update(f"S{key!r};".encode())
            _feed(h, value[key], exact)
        h.update(b"}")
    elif value is None or isinstance(value, str):
        h.update(f"S{value!r};".encode())
    else:
        raise TypeError(f"a reference input of type {type(value).__name__} cannot be recorded")


def digest(function, args, exact=False):
    """The key of one call: the function's name and its inputs, never the inputs themselves.
    Floats are rounded to DECIMALS first, so that a recording matches on any machine, unless
    ``exact``: then inputs one bit apart have keys of their own."""
    h = hashlib.sha256(f"{function};".encode())
    _feed(h, list(args), exact)
    return h.hexdigest()[:40]


def load_folder(folder):
    """The reference solution's functions, by name, imported from ``folder``."""
    return functions_of(import_by_bare_name(folder, [name[:-3] for name in FILES]), STEPS)


def _is_array(value):
    return isinstance(value, (np.ndarray, np.generic, int, float)) and not isinstance(value, bool)


def _is_data(value):
    """An array or number, or a dict of them by name: recorded as numbers, not as a stand-in."""
    if isinstance(value, dict):
        return bool(value) and all(isinstance(k, str) and _is_data(v) for k, v in value.items())
    return _is_array(value)


def _as_arrays(value):
    """A data output as it is recorded: numbers become 0-d arrays, dicts keep their keys."""
    return {k: _as_arrays(v) for k, v in value.items()} if isinstance(value, dict) else np.array(value)


class Recorder:
    """Wraps the real reference; remembers each call's outputs for ``save``."""

    def __init__(self, real):
        self.real = real
        self.entries = {}   # key -> (function, is_tuple, [array or None])
        self.objects = {}   # (key, index) -> the real object a Kept stands for

    def __getattr__(self, name):
        function = getattr(self.real, name)

        def recorded(*args):
            key = digest(name, args)
            real_args = [self.objects[(a.key, a.index)] if isinstance(a, Kept) else a for a in args]
            out = function(*real_args)
            is_tuple = isinstance(out, tuple)
            outputs = []
            for index, value in enumerate(out if is_tuple else (out,)):
                if _is_data(value):
                    outputs.append(_as_arrays(value))
                else:
                    self.objects[(key, index)] = value
                    outputs.append(None)
            self.entries[key] = (name, is_tuple, outputs)
            return _shaped(key, is_tuple, outputs)
        recorded.only_recorded_calls = True  # as a handout's replay will: no gradient check runs it on perturbed inputs
        return recorded

    def save(self, path):
        arrays, index = {}, {}

        def stored(value):  # the index's description of a value: an array's name, or a dict of them
            if value is None:
                return None
            if isinstance(value, dict):
                return {k: stored(v) for k, v in value.items()}
            arrays[f"o{len(arrays)}"] = value
            return f"o{len(arrays) - 1}"

        for key, (name, is_tuple, outputs) in sorted(self.entries.items()):
            index[key] = {"function": name, "tuple": is_tuple, "outputs": [stored(v) for v in outputs]}
        document = {"format": FORMAT, "decimals": DECIMALS, "entries": index}
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        with open(path, "wb") as f:
            np.savez_compressed(f, index=np.array(json.dumps(document, sort_keys=True)), **arrays)


def _shaped(key, is_tuple, outputs):
    values = [copied(v) if v is not None else Kept(key, k) for k, v in enumerate(outputs)]
    return tuple(values) if is_tuple else values[0]


def read_recording(path):
    """(index document, {name: array}) of a recording; numeric arrays only, never pickles."""
    with np.load(path, allow_pickle=False) as data:
        document = json.loads(str(data["index"]))
        arrays = {name: data[name] for name in data.files if name != "index"}
    if document.get("format") != FORMAT:
        raise ReferenceUnavailable(f"{path} was recorded in another format; rebuild the handout")
    return document, arrays


def _stored(name, arrays):
    """A recorded output from its description in the index: an array's name, a dict of them, or None."""
    if isinstance(name, dict):
        return {k: _stored(v, arrays) for k, v in name.items()}
    return arrays[name] if name is not None else None


class Replay:
    """The reference answered from recordings: ``reference.forget_gate(*args)`` as usual."""

    def __init__(self, paths, stand_in=None):
        self.paths = list(paths)
        self.stand_in = stand_in  # function name -> a callable to use on inputs not recorded
        self.entries = {}
        for path in self.paths:
            document, arrays = read_recording(path)
            for key, entry in document["entries"].items():
                outputs = [_stored(name, arrays) for name in entry["outputs"]]
                self.entries[key] = (entry["function"], entry["tuple"], outputs)

    def __getattr__(self, name):
        if name not in BY_FUNCTION:
            raise AttributeError(f"no step has a function named {name!r}")

        def replayed(*args):
            key = digest(name, args)
            if key not in self.entries and self.stand_in is not None:
                return self.stand_in(name)(*args)
            if key not in self.entries:
                raise ReferenceUnavailable(
                    f"reference.{name} was called on inputs it has no recorded output for: this copy "
                    f"has no solutions/, and its recorded outputs ({', '.join(self.paths)}) cover only "
                    f"the public tests' inputs")
            _, is_tuple, outputs = self.entries[key]
            return _shaped(key, is_tuple, outputs)
        replayed.only_recorded_calls = True  # no recording holds a gradient check's perturbed inputs
        return replayed


def recordings(test_folders):
    """The recorded-output files found in the test folders."""
    return [os.path.join(f, RECORDING) for f in test_folders if os.path.isfile(os.path.join(f, RECORDING))]


def open_reference(folder, test_folders, record_to=None, stand_in=None):
    """The reference: ``folder``'s modules if it exists, else the test folders' recordings."""
    if folder and os.path.isdir(folder):
        real = load_folder(folder)
        return Recorder(real) if record_to else real
    if record_to:
        raise ReferenceUnavailable(f"recording needs the reference solution, and there is none at {folder}")
    found = recordings(test_folders)
    if not found:
        raise ReferenceUnavailable(f"no reference solution at {folder}, and no {RECORDING} in the test folders")
    return Replay(found, stand_in)
