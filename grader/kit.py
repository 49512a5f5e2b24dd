"""Where the kit lives, and the few pieces of set-up every front end shares.

Kept free of numpy and of the rest of the grader, so anything (the worker's launcher, a bench
script, the demo) can import it first, before numpy loads.
"""
import importlib
import os
import sys
import types

CHECKOUT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# Installed by pip (not editable), the kit has no checkout around it: the files it grades with
# were packed into the wheel beside this module (setup.py), and the learner's own files are
# where they work.
INSTALLED = not os.path.isdir(os.path.join(CHECKOUT, "tests", "steps"))
KIT_ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "kit_files") if INSTALLED else CHECKOUT
WORK = os.getcwd() if INSTALLED else KIT_ROOT
EXERCISES = os.path.join(WORK, "exercises")
SOLUTIONS = os.path.join(KIT_ROOT, "solutions")
PUBLIC_TESTS = os.path.join(KIT_ROOT, "tests", "steps")
BUILD = os.path.join(WORK, "build")

# BLAS threads only slow the grader's small matrices, and with a core busy they collapse
# (one LSTM pass went from 51 ms to 1.5 s): one thread per process, set before numpy loads.
ONE_BLAS_THREAD = {name: "1" for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")}


def use_one_blas_thread(environ=os.environ):
    """Pin BLAS to one thread in ``environ`` unless the caller chose otherwise; returns it."""
    for name, value in ONE_BLAS_THREAD.items():
        environ.setdefault(name, value)
    return environ


def import_by_bare_name(folder, names, fresh=False):
    """{name: module} for the modules ``names`` (``gates``, ``cell``, ...) of ``folder``.

    A learner's files and the reference import each other by bare name (``from gates import
    sigmoid``), so they are loaded the same way, with ``folder`` first on ``sys.path`` for the
    duration. A module of that name already loaded from another folder is an error unless
    ``fresh`` asks to load this folder's copy in its place.
    """
    folder = os.path.abspath(folder)
    for name in names:
        loaded = sys.modules.get(name)
        if loaded is None:
            continue
        where = os.path.dirname(os.path.abspath(getattr(loaded, "__file__", None) or ""))
        if where != folder:
            if not fresh:
                raise ImportError(f"a module named {name} from {where} is already loaded in this process")
            del sys.modules[name]
    sys.path.insert(0, folder)
    try:
        return {name: importlib.import_module(name) for name in names}
    finally:
        sys.path.remove(folder)


def functions_of(modules, steps):
    """The steps' functions by name, from the modules ``import_by_bare_name`` returned."""
    return types.SimpleNamespace(**{f: getattr(modules[s.file[:-3]], f, None) for s in steps for f in s.functions})
