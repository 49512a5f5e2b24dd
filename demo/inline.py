"""``show_memory()``: the demo's payoff in a notebook (Jupyter, Colab).

It runs the experiment ``python -m demo`` runs (demo/experiment.py) and says the same things,
with the three pictures (the gates on "Sarah went to the store . ___", the bucket brigade,
accuracy against distance) as inline figures where matplotlib is installed, otherwise as the
terminal's tables, which rich shows as HTML in a notebook. Outside a notebook it prints the
terminal version.
"""
import contextlib
import json
import os
import subprocess
import sys
import time
from dataclasses import asdict

from rich.console import Console
from rich.text import Text

from demo import terminal
from demo.experiment import MARK, Settings, from_plain
from demo.figures import check_matplotlib, pictures
from demo.measure import unit_title
from demo.models import NothingToRun, choose_folder, folder_label, stopped_in
from grader.kit import EXERCISES, use_one_blas_thread

PACKAGES = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))   # the folder that holds demo/ and grader/

NO_MATPLOTLIB = "The pictures above are drawn in text: with matplotlib installed (pip install matplotlib) they are figures."


def show_memory(submission=None, *, reference=False, hidden=Settings.hidden, steps=Settings.steps,
                distances=Settings.distances, reach=Settings.reach, name=None, display=None):
    """Train a plain RNN and an LSTM on the pronoun task and show why the LSTM remembers.

    submission: the folder with your gates.py, cell.py, sequence.py and memory.py (default: the
        kit's exercises/). Your code runs once every step passes; until then the reference
        solution does, where this copy of the kit has one.
    reference: run the reference solution whatever the grade.
    hidden, steps, distances, reach: as ``python -m demo``'s --hidden, --steps, --distances and
        --reach (the defaults are the same: about 11 s of training on one core).
    name: what the messages call the submission (default: its folder's path).
    display: called as ``IPython.display.display`` is, to show each figure (default: IPython's,
        in a notebook; outside one, the terminal version is printed).

    Returns None: everything is shown as it comes. Sizes that are not whole numbers of 1 or
    more raise ValueError; anything else that stops the run is said in one line.
    """
    settings = Settings(hidden, steps, distances, reach)
    display = display or notebook_display()
    console = Console(highlight=False)
    view = terminal.View(console) if display is None else NotebookView(console, display)
    folder = os.path.abspath(EXERCISES if submission is None else submission)   # the same from any process's folder
    if not os.path.isdir(folder):
        console.print(f"show_memory: no folder at {folder}; pass the folder that holds your gates.py, cell.py, "
                      f"sequence.py and memory.py.")
        return
    try:
        chosen, whose = choose_folder(folder, reference, command="show_memory()", name=name)
    except NothingToRun as exc:
        console.print(str(exc))
        return
    view.intro(whose)
    try:
        results = run_apart(chosen, settings, view)
    except Stopped as stop:  # the code passed the grader yet failed here: say where, briefly
        label = name if name and chosen == folder else folder_label(chosen)
        console.print(f"show_memory: {stopped_in(label, stop)}")
        return
    view.show(results)


def notebook_display():
    """IPython's display in a notebook (Jupyter, Colab), where figures show inline; else None."""
    if not Console().is_jupyter:
        return None
    from IPython.display import display
    return display


class Stopped(Exception):
    """The run apart ended without results; the message says why."""


def run_apart(folder, settings, view):
    """demo.experiment.run on the code in ``folder``, in a process of its own; returns the results.

    A notebook's numpy is loaded already, with a BLAS thread per core, which makes these small
    matrices several times slower (five times, on two busy cores); the process of its own starts
    with one thread, and leaves the kernel's modules as they were. It tells ``view`` what a run
    in this process would; what the code prints is passed on.
    """
    command = [sys.executable, "-m", "demo.experiment", folder, json.dumps(asdict(settings))]
    with contextlib.ExitStack() as stack:
        child = stack.enter_context(subprocess.Popen(command, env=apart_env(), text=True, stdout=subprocess.PIPE,
                                                     stderr=subprocess.STDOUT))
        stack.callback(child.kill)  # first thing on the way out, an interrupt included
        results = follow(child.stdout, view, stack)
    if results is None:
        raise Stopped(f"the run ended early, with exit code {child.returncode}")
    return results


def apart_env():
    """This process's environment, with BLAS on one thread and the demo importable from where it is here."""
    paths = [PACKAGES, *filter(None, [os.environ.get("PYTHONPATH")])]
    return use_one_blas_thread({**os.environ, "PYTHONPATH": os.pathsep.join(paths)})


def follow(lines, view, stack):
    """Drive ``view`` by the run's events (demo.experiment.Events); its results, or None if it ended first.

    The progress bar opened by the first event stays in ``stack`` until the caller closes it.
    """
    for line in lines:
        if not line.startswith(MARK):
            view.console.print(line.rstrip("\n"), markup=False, highlight=False)
            continue
        event = json.loads(line[len(MARK):])
        if "total" in event:
            advance = stack.enter_context(view.progress(event["total"]))
        elif "step" in event:
            advance()
        elif "describe" in event:
            advance.describe(event["describe"])
        elif "note" in event:
            view.note(event["note"])
        elif "error" in event:
            raise Stopped(event["error"])
        elif "results" in event:
            return from_plain(event["results"])
    return None


class NotebookView(terminal.View):
    """The terminal's words, with the three pictures as figures where matplotlib is installed.

    The words go through rich, which renders HTML in a notebook; the figures and the training
    progress go through ``display``.
    """

    def __init__(self, console, display):
        super().__init__(console)
        self.display, self.pictures = display, None

    def progress(self, total):
        return Ticker(self.display, total)

    def show(self, r):
        self.pictures = pictures(r) if check_matplotlib() is None else None
        super().show(r)
        if self.pictures is None:
            self.note(NO_MATPLOTLIB)

    def draw_gates(self, r):
        if self.pictures is None:
            return super().draw_gates(r)
        self.display(self.pictures["gates"])
        for (unit, share), checks, happened in zip(r.units, r.findings, r.happened):
            self.console.print(unit_title(unit, share))
            self.print_story(checks, happened)

    def draw_reach(self, r):
        if self.pictures is None:
            return super().draw_reach(r)
        self.display(self.pictures["bucket_brigade"])

    def draw_accuracy(self, r):
        if self.pictures is None:
            return super().draw_accuracy(r)
        self.display(self.pictures["accuracy"])


class Ticker:
    """Training progress as one line the notebook updates in place (rich's live progress bar
    needs ipywidgets in a notebook, which a kernel may not have)."""

    def __init__(self, display, total):
        self.display, self.total, self.done, self.what = display, total, 0, "training"
        self.every = max(1, total // 100)   # about a hundred updates in all, not one per step

    def __enter__(self):
        self.start = time.monotonic()
        self.handle = self.display(self.line(), display_id=True)
        return self

    def __exit__(self, *exc_info):
        self.update()

    def __call__(self):
        self.done += 1
        if self.done % self.every == 0:
            self.update()

    def describe(self, text):
        self.what = text
        self.update()

    def update(self):
        if self.handle is not None:
            self.handle.update(self.line())

    def line(self):
        return Text(f"{self.what}: {self.done}/{self.total} steps, {time.monotonic() - self.start:.0f} s")
