"""The reference's outputs on a gradient check's moved inputs, kept for the next check that needs them.

Where the grader runs the reference itself, a gradient check's central differences come from
some 700 evaluations of the reference's forward: a quarter of a whole grade's time, and the same
in every run on the same inputs. They are kept in memory, for a notebook's kernel or make watch
checking again in one process, and on disk, for the next process: make grade again, the next
learner of grade-all, the kit's own tests. On disk they are .npz files in the reference
folder's ``__pycache__``, named by a digest of the reference's files (their bytes), NumPy's
version and the batch (function, exact inputs, moves). Under root the worker can neither read
nor write that folder, as it cannot the reference (docs/security.md). A file that cannot be
read, or whose stacks are not the batch's size, is made again; one that cannot be written is
not kept, and nothing else changes.
"""
import contextlib
import hashlib
import os
import tempfile
import time

import numpy as np

from grader.judge.reference import digest
from grader.sandbox.perturb import perturbed_outputs

CACHE = os.path.join("__pycache__", "lstm-kit-gradients")  # below the reference's folder
FORMAT = 1
IN_MEMORY = 64   # the public tests make about 20 batches: a few MiB in all
ON_DISK = 256    # files; past that, the least recently used go
PART_SECONDS = 600  # a file still being written after this long belongs to a run that died
_memory = {}
_file_digests = {}  # the reference folder -> (its .py files' names, times and sizes, digest of their bytes)


def trusted_stacks(fn, args, perturb, outputs):
    """``perturbed_outputs`` of the grader's own ``fn``, from memory or disk when an earlier
    check (in this run or another) evaluated the same batch on the same reference."""
    folder = _folder_of(fn)
    key = _key(fn, folder, args, perturb, outputs)
    stacks = _memory.get(key)
    if stacks is None and folder:
        stacks = _load(folder, key, len(perturb), len(outputs))
    if stacks is None:
        stacks = perturbed_outputs(lambda a: fn(*a), args, perturb, outputs)
        if folder:
            _save(folder, key, stacks)
    if key not in _memory and len(_memory) >= IN_MEMORY:
        _memory.pop(next(iter(_memory)))
    _memory[key] = stacks
    return [stack.copy() for stack in stacks]


def _folder_of(fn):
    """The folder of the file that defines ``fn`` at its top level (as solutions/ does), or None:
    a lambda, a closure or a function of no file may give other outputs under the same name, so
    it is kept in memory only, as this very object."""
    code = getattr(fn, "__code__", None)
    path = getattr(code, "co_filename", None)
    if not path or not os.path.isfile(path) or getattr(fn, "__closure__", None) or "<" in getattr(fn, "__qualname__", "<"):
        return None
    return os.path.dirname(os.path.abspath(path))


def _key(fn, folder, args, perturb, outputs):
    if folder:
        files = f"{_files_digest(folder)};{os.path.basename(fn.__code__.co_filename)};{fn.__qualname__}"
    else:
        files = f"object {id(fn)}"
    batch = digest(getattr(fn, "__name__", "?"), [args], exact=True)
    text = f"{FORMAT};{np.__version__};{files};{batch};{perturb!r};{outputs!r}"
    return hashlib.sha256(text.encode()).hexdigest()[:40]


def _files_digest(folder):
    """A digest of the bytes of every .py file in ``folder``, read again only when one changed."""
    stats = tuple(sorted((e.name, e.stat().st_mtime_ns, e.stat().st_size) for e in os.scandir(folder)
                         if e.name.endswith(".py") and e.is_file()))
    known = _file_digests.get(folder)
    if known is None or known[0] != stats:
        h = hashlib.sha256()
        for name, _, _ in stats:
            with open(os.path.join(folder, name), "rb") as f:
                h.update(f"{name};".encode() + f.read() + b";")
        known = _file_digests[folder] = (stats, h.hexdigest())
    return known[1]


def _load(folder, key, moves, count):
    path = os.path.join(folder, CACHE, key + ".npz")
    try:
        with np.load(path, allow_pickle=False) as stored:
            stacks = [stored[f"s{k}"] for k in range(count)]
    except Exception:  # absent, or not what it should be: made again
        return None
    if not all(s.dtype == np.float64 and s.ndim >= 1 and len(s) == moves for s in stacks):
        return None
    with contextlib.suppress(OSError):  # a cache it may read but not write is still used
        os.utime(path)  # recently used: kept when older files go
    return stacks


def _save(folder, key, stacks):
    cache = os.path.join(folder, CACHE)
    try:
        os.makedirs(cache, mode=0o700, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=cache, suffix=".part", delete=False) as f:
            np.savez(f, **{f"s{k}": np.asarray(s, dtype=np.float64) for k, s in enumerate(stacks)})
        os.replace(f.name, os.path.join(cache, key + ".npz"))  # whole or not at all, for runs side by side
        _prune(cache)
    except OSError:  # a read-only reference, say: this run computed them; the next will again
        pass


def _prune(cache):
    """The least recently used files past ON_DISK, and parts a run that died left."""
    entries = [(e.stat().st_mtime, e) for e in os.scandir(cache) if e.name.endswith((".npz", ".part"))]
    kept = sorted((entry for entry in entries if entry[1].name.endswith(".npz")), key=lambda entry: entry[0])
    stale = [e for t, e in entries if e.name.endswith(".part") and t < time.time() - PART_SECONDS]
    for entry in stale + [e for _, e in kept[:max(0, len(kept) - ON_DISK)]]:
        with contextlib.suppress(OSError):  # another run removed it first
            os.remove(entry.path)
