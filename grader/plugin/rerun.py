"""Re-grading after a save: which steps the save can have changed, and a pytest plugin that runs
only those, keeping the earlier steps' verdicts from the run before.

A step's result depends on its own function and on the functions of steps before it on the path
(a gate calls sigmoid, the sequence calls the cell), never on a later one. So after a save, the
first step whose function changed and every step after it are graded again; the steps before it
keep their verdicts. A change anywhere else in a file (imports, a helper, a syntax error) counts
as a change to every step of that file; a change to another .py file, to every step. Blank lines
and comments between functions change nothing.
"""
import ast
import os

import pytest

from grader.course.steps import BY_NAME, STEPS
from grader.plugin.hooks import STATE, step_marker
from grader.plugin.outcome import PASSED, step_status


def _parts(text, names):
    """{name of a learner's function: its source} and, under None, the rest of the file as syntax (so
    blank lines and comments between functions do not count); None if the file does not parse."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return None
    parts, rest = {}, []
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name in names:
            parts[node.name] = parts.get(node.name, "") + (ast.get_source_segment(text, node, padded=True) or "")
        else:
            rest.append(ast.dump(node))
    parts[None] = rest
    return parts


class ChangedSteps:
    """Remembers the submission's .py files and tells, after a save, where grading must restart."""

    def __init__(self, folder):
        self.folder = folder
        self.files = self._read()

    def _read(self):
        files = {}
        for entry in os.scandir(self.folder):
            if entry.name.endswith(".py") and entry.is_file():
                try:
                    with open(entry.path, encoding="utf-8", errors="replace") as f:
                        files[entry.name] = f.read()
                except OSError:
                    files[entry.name] = None
        return files

    def first_changed(self):
        """The first step whose result the changes since the last call can alter (None: no change)."""
        old, self.files = self.files, self._read()
        starts = []
        for name in set(old) | set(self.files):
            if old.get(name) == self.files.get(name):
                continue
            steps = [s for s in STEPS if s.file == name]
            if not steps:
                return STEPS[0]  # a helper module: any step may import it
            starts.append(self._first_in_file(steps, old.get(name), self.files.get(name)))
        return min(filter(None, starts), key=lambda s: s.number, default=None)

    @staticmethod
    def _first_in_file(steps, before, after):
        names = {function for s in steps for function in s.functions}
        before = _parts(before, names) if before is not None else None
        after = _parts(after, names) if after is not None else None
        if before is None or after is None or before[None] != after[None]:
            return steps[0]
        return next((s for s in steps if any(before.get(f) != after.get(f) for f in s.functions)), None)


class Rerun:
    """pytest plugin: grade only the steps from ``first`` on, seeding the verdicts in ``kept``.

    ``worker``, if given, is a worker started ahead of time (its NumPy already imported; the
    submission's modules are imported only at the first call, so they are the saved ones) that
    replaces the one the grader starts. Also captures the run's outcomes (``self.outcomes``)
    and whether it was interrupted.
    """

    def __init__(self, first=None, kept=(), worker=None, stop_at_failing=False):
        self.first = first or STEPS[0]
        self.kept = list(kept)
        self.worker = worker
        self.stop_at_failing = stop_at_failing  # a notebook's check(): up to the first step not passing
        self.stopped_at = None  # the step the run stopped after
        self._previous = None   # the step of the test run last
        self.used_worker = False
        self.outcomes = []
        self.interrupted = False

    @pytest.hookimpl(trylast=True)
    def pytest_configure(self, config):
        state = config.stash[STATE]
        state.outcomes.extend(self.kept)  # "fix X first" still sees the kept verdicts
        if self.worker is not None:
            state.worker.close()
            state.worker = state.submission.worker = self.worker
            self.used_worker = True

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, config, items):
        later = [i for i in items if BY_NAME[step_marker(i)[0]].number >= self.first.number]
        if len(later) < len(items):
            config.hook.pytest_deselected(items=[i for i in items if i not in later])
            items[:] = later

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_protocol(self, item, nextitem):
        """With ``stop_at_failing``, the tests after the first step not passing are left out, as
        if never collected (returning True tells pytest a test is dealt with)."""
        if not self.stop_at_failing:
            return None
        state, step = item.config.stash[STATE], step_marker(item)[0]
        if self.stopped_at is None and self._previous not in (None, step):
            if step_status(o.status for o in state.outcomes if o.step == self._previous) != PASSED:
                self.stopped_at = self._previous
        self._previous = step
        if self.stopped_at is None:
            return None
        state.collected = [o for o in state.collected if o.nodeid != item.nodeid]
        return True

    def pytest_keyboard_interrupt(self, excinfo):
        self.interrupted = True

    @pytest.hookimpl(tryfirst=True)
    def pytest_unconfigure(self, config):
        if STATE in config.stash:
            self.outcomes = list(config.stash[STATE].outcomes)
