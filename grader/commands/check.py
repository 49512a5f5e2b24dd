"""``from lstm_kit import check, hint, show_memory``: the learner's loop from a notebook cell.

``check()`` grades with the same pytest plugin, worker process, limits, checks and named
mistakes as ``make grade``. The kernel is the judge: the learner's functions are never called in
it. What is graded is, by default, what the notebook defines right now: the cells this kernel has
run, in the order it ran them (a later definition wins, as it did in the kernel), read by parsing
only (``grader.sandbox.notebook``) and written out as the four files. A notebook that defines
none of the steps' functions is taken to import them from files (CS231n's way), and the
``exercises/`` folder is graded: the working directory's, else the kit's. ``submission=`` names
a folder or a saved ``.ipynb`` instead.

A worker is started ahead of each check, so the next one finds NumPy already loaded in it; the
submission's files are copied into it only when the check starts, so an edit is always seen.
"""
import atexit
import contextlib
import io
import os
import re
import shutil
import sys
import tempfile
import threading

from grader.commands import progress
from grader.commands.grade import parse_args, run_grade
from grader.course.hints import load_hints
from grader.course.steps import BY_FUNCTION, BY_NAME, STEPS
from grader.kit import EXERCISES, PUBLIC_TESTS, SOLUTIONS
from grader.outputs.report import NOTEBOOK, THIS_NOTEBOOK, render
from grader.outputs.results import current_step
from grader.sandbox.notebook import KIT_CALLS, convert


def _ipython():
    """The running IPython shell (a Jupyter or Colab kernel, or terminal IPython), or None."""
    shell = sys.modules.get("IPython")
    return shell.get_ipython() if shell is not None and hasattr(shell, "get_ipython") else None


def in_jupyter():
    """True in a kernel whose front end shows HTML (Jupyter, Colab, VS Code); not in a terminal."""
    shell = _ipython()
    return shell is not None and (type(shell).__name__ == "ZMQInteractiveShell" or "google.colab" in sys.modules)


def _defines(cell):
    """Whether a cell run in the kernel can define anything: not a blank one, nor one that only
    calls check(), hint() or show_memory()."""
    return bool(cell.strip()) and not CALL_ONLY.fullmatch(cell)


CALL_ONLY = re.compile(rf"(\s*({'|'.join(KIT_CALLS)})\([^()\n]*\)\s*;?\s*(#[^\n]*)?\n?)+")


def _kernel_notes(problems):
    """The notes on a kernel's cells, numbered as the kernel numbers them (In [n]). A cell with a
    syntax error is left out silently: the kernel did not run it either."""
    return [re.sub(r"^cell (\d+)", r"In [\1]", p) for p in problems if not p.endswith("the cell was left out")]


def step_named(name):
    """A step's name from a step's or a function's name (``check("sigmoid")`` is step 1)."""
    if name in BY_NAME:
        return name
    if name in BY_FUNCTION:
        return BY_FUNCTION[name].name
    raise ValueError(f"no step or function named {name!r}; the steps are {', '.join(s.name for s in STEPS)}")


class Source:
    """What a check grades: a folder of the four files, what to call it, where hints are kept."""

    def __init__(self, folder, label, key, notes=()):
        self.folder, self.label, self.key, self.notes = folder, label, key, list(notes)


class NotebookSession:
    """One kernel's checks: its scratch folder, the spare worker, the last results."""

    def __init__(self, tests=PUBLIC_TESTS, reference=SOLUTIONS, call_timeout=10.0):
        self.tests, self.reference, self.call_timeout = tests, reference, call_timeout
        self.scratch = tempfile.mkdtemp(prefix="lstm-kit-notebook-")
        self.written = os.path.join(self.scratch, "from-notebook")  # the notebook's functions as files
        self.results = os.path.join(self.scratch, "results")
        os.makedirs(self.written)
        self.spare = None
        self.last = {}  # source key -> the results of its last check
        self._history, self._converted = None, None  # the kernel's cells as last parsed
        self._starting = None  # the thread starting the next check's worker
        atexit.register(self.close)

    # What to grade

    def source(self, submission=None):
        if submission is not None:
            return self._given(os.path.abspath(os.fspath(submission)))
        shell = _ipython()
        if shell is not None:
            cells = [(n, text) for n, text in enumerate(shell.history_manager.input_hist_raw) if _defines(text)]
            if cells != self._history:  # checking again without an edit need not parse again
                self._history, self._converted = cells, convert(cells)
            converted = self._converted
            if converted.cells:  # the notebook defines at least one step's function
                self._write(converted.modules)
                key = shell.user_ns.get("__session__") or os.path.join(os.getcwd(), "(notebook)")
                return Source(self.written, THIS_NOTEBOOK, key, _kernel_notes(converted.problems))
        here = os.path.join(os.getcwd(), "exercises")
        return self._given(here if os.path.isdir(here) else EXERCISES)

    def _given(self, path):
        label = os.path.relpath(path)
        if path.lower().endswith(".ipynb"):
            from grader.sandbox.staging import stage

            self._write({})
            staged = stage(path, self.written)
            return Source(self.written, label, path, staged.notes)
        if not os.path.isdir(path):
            raise FileNotFoundError(f"no submission folder or notebook at {path}")
        return Source(path, label, path)

    def _write(self, modules):
        for name in os.listdir(self.written):
            os.remove(os.path.join(self.written, name))
        for name, text in modules.items():
            with open(os.path.join(self.written, name), "w", encoding="utf-8") as f:
                f.write(text)

    # Grading

    def _spare_worker(self, folder):
        """The worker for the next check: the one started ahead, once its start is done."""
        if self._starting is not None:
            self._starting.join()
            self._starting = None
        return self._ensure_spare(folder)

    def _ensure_spare(self, folder):
        """Starts a worker for ``folder`` unless one is up (in the thread of the check before)."""
        from grader.sandbox.client import Worker

        if self.spare is not None and (self.spare.proc is None or self.spare.folder != os.path.abspath(folder)):
            self.spare.close()
            self.spare = None
        if self.spare is None:
            args = parse_args([])
            self.spare = Worker.for_grading(folder, self.call_timeout, args.memory_limit, args.time_limit,
                                            [self.reference, *self.tests.split(":"), self.results])
            self.spare.start()
        return self.spare

    def grade(self, source, step=None):
        """Graded for ``source``: one step, or every step up to the first one not passing."""
        from grader.plugin.rerun import Rerun

        argv = ["--submission", source.folder, "--tests", self.tests, "--reference", self.reference,
                "--results", self.results, "--call-timeout", str(self.call_timeout),
                *(["--step", step] if step else [])]
        plugin = Rerun(worker=self._spare_worker(source.folder), stop_at_failing=step is None)
        said = io.StringIO()  # the grader's own complaints, shown only when there is no report
        with contextlib.redirect_stderr(said):
            graded = run_grade(parse_args(argv), source.notes, source.folder, [plugin])
        if plugin.used_worker:
            self.spare = None  # the run stopped it
        if plugin.interrupted:
            raise KeyboardInterrupt
        if isinstance(graded, int) or graded.status == 2 and not graded.results:
            raise RuntimeError(f"the grader could not run: {said.getvalue().strip() or 'no reason given'}")
        # The next check's worker starts while this one's report is shown.
        self._starting = threading.Thread(target=self._ensure_spare, args=(source.folder,), daemon=True)
        self._starting.start()
        return graded

    def check(self, step=None, submission=None):
        step = step_named(step) if step is not None else None
        source = self.source(submission)
        graded = self.grade(source, step)
        if step is None:
            self.last[source.key] = graded.results
        hints = progress.report_hints(source.key, graded.results, load_hints(), NOTEBOOK.hint)
        render(graded.results, source.label, hints, graded.notes, commands=NOTEBOOK, console=_console())
        return None

    def hint(self, step=None, submission=None):
        from grader.commands.hint import hint_text

        source = self.source(submission)
        again = "hint()" if step is None else f'hint("{step}")'
        if step is not None:
            step = step_named(step)
        else:
            results = self.last.get(source.key) or self.grade(source).results
            now = current_step(results)
            if now is None:
                print("Every step passes its public checks: there is nothing left to hint. Well done!")
                return None
            step = now.step.name
        place = THIS_NOTEBOOK if source.label == THIS_NOTEBOOK else None
        print("\n".join(hint_text(source.key, step, again, place)))
        return None

    def show_memory(self, submission=None, **options):
        from demo.inline import show_memory

        source = self.source(submission)
        show_memory(source.folder, name=source.label, **options)

    def close(self):
        if self._starting is not None:
            self._starting.join()
        if self.spare is not None:
            self.spare.close()
            self.spare = None
        shutil.rmtree(self.scratch, ignore_errors=True)


def _console():
    """rich's console for a notebook (it shows the report as HTML), or None for plain text."""
    if not in_jupyter():
        return None
    from rich.console import Console

    return Console(highlight=False, force_jupyter=True)


_session = None


def session():
    global _session
    if _session is None:
        _session = NotebookSession()
    return _session


def check(step=None, submission=None):
    """Grade a step (by its name or a function's: ``check("forget_gate")``), or, without one,
    every step up to the first that is not passing; the report shows below the cell.

    ``submission``: a folder of the four files or a saved ``.ipynb`` to grade instead of what this
    notebook defines (or, when it defines no step's function, the ``exercises/`` folder)."""
    return session().check(step, submission)


def hint(step=None, submission=None):
    """The next hint you have not seen for the current step (the first one not passing), or for
    ``step``; each call shows one more."""
    return session().hint(step, submission)


def show_memory(submission=None, **options):
    """Train your LSTM (once every step passes; until then the reference, where this copy of the
    kit has one) and draw why it remembers: the gates on "Sarah went to the store . ___", the
    bucket brigade and accuracy against distance. ``options``: those of demo.inline.show_memory
    (hidden, steps, distances, reach, reference)."""
    return session().show_memory(submission, **options)
