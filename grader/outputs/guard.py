"""The whole run's guarantees: it ends in bounded time, and results.json is always written.

``RunGuard`` wraps one pytest run in ``python -m grader``. Before it, earlier result files are
removed; during it, SIGTERM and SIGHUP stop pytest the way Ctrl-C does, and a watchdog ends the
process if the run overshoots its time limit anyway; after it (or from the watchdog), the
grader's own process writes results.json, then report.json, each by an atomic rename. Checks
that never ran are in results.json as "not judged", and the output says which.
"""
import os
import shutil
import signal
import sys
import tempfile
import threading
import time

from grader.outputs.export import gradescope_results, remove, write_atomically, write_results
from grader.outputs.results import score, summarize
from grader.plugin.outcome import NOT_JUDGED


def watchdog_grace(time_limit):
    """How long past its time limit a run may go before the watchdog ends it."""
    return min(15.0, max(2.0, time_limit / 4))


# Windows has no SIGHUP.
STOP_SIGNALS = [getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name)]


def unenforced_note(gaps):
    """The report's line for the limits this platform does not let the grader enforce."""
    return (f"On this platform the grader could not enforce: {'; '.join(gaps)}. "
            "The time-out of each call and the run's time limit still hold.")


def _interrupt(signum, frame):
    raise KeyboardInterrupt(f"stopped by {signal.Signals(signum).name}")


class RunGuard:
    def __init__(self, results_dir, time_limit, collector):
        self.results_dir = os.path.abspath(results_dir)
        self.results_path = os.path.join(self.results_dir, "results.json")
        self.report_path = os.path.join(self.results_dir, "report.json")
        self.time_limit = time_limit
        self.collector = collector  # has .config once pytest is configured
        self.started = time.monotonic()
        self.scratch = None  # a private folder where pytest-json-report writes first
        self._lock = threading.Lock()
        self._written = False

    @property
    def report_draft(self):
        return os.path.join(self.scratch, "report.json")

    def clear(self):
        """Make the results folder, and remove earlier result files from it: a run that dies
        leaves nothing rather than a file from an earlier run, or the submission's."""
        os.makedirs(self.results_dir, exist_ok=True)
        for path in (self.results_path, self.report_path):
            remove(path)

    def __enter__(self):
        self.scratch = tempfile.mkdtemp(prefix="lstm-kit-report-")
        self._handlers = {s: signal.signal(s, _interrupt) for s in STOP_SIGNALS}
        self._watchdog = threading.Timer(self.time_limit + watchdog_grace(self.time_limit), self._overrun)
        self._watchdog.daemon = True
        self._watchdog.start()
        return self

    def __exit__(self, *exc):
        self._watchdog.cancel()
        for s, handler in self._handlers.items():
            signal.signal(s, handler)
        shutil.rmtree(self.scratch, ignore_errors=True)
        return False

    def state(self):
        from grader.plugin.hooks import STATE
        config = self.collector.config
        return config.stash[STATE] if config is not None and STATE in config.stash else None

    def judged(self):
        """Every graded test's outcome in path order; tests that never ran are "not judged"."""
        state = self.state()
        if state is None:
            return []
        done = {o.nodeid: o for o in list(state.outcomes)}
        collected = list(state.collected)
        return [done.pop(o.nodeid, o) for o in collected] + list(done.values())

    def notes(self, outcomes, results):
        """What the learner and the instructor should know besides the table."""
        state, notes = self.state(), []
        sandbox = state.worker.sandbox if state else None
        if sandbox and sandbox.ignored:
            notes.append(f"Ignored in the submission (the grader never runs them): {', '.join(sandbox.ignored)}.")
        if sandbox and sandbox.skipped:
            notes.append(f"Not copied from the submission: {', '.join(sandbox.skipped)}.")
        if sandbox and sandbox.unprotected:
            notes.append(f"Left readable to the worker: {', '.join(sandbox.unprotected)}.")
        if state and state.worker.unenforced:
            notes.append(unenforced_note(state.worker.unenforced))
        if state and state.worker.failure:
            notes.append(f"Not graded: {state.worker.failure}.")
        elif any(r.status == NOT_JUDGED for r in results):
            steps = ", ".join(r.step.name for r in results if r.status == NOT_JUDGED)
            why = next(o.message for o in outcomes if o.status == NOT_JUDGED).removeprefix("not judged: ")
            notes.append(f"Not judged: {steps} ({why}; time limit {self.time_limit:g} s).")
        return notes + (list(state.notes) if state else [])  # the plugin's own, such as why no mistake is named

    def finish(self, extra_notes=()):
        """Write results.json, then report.json; returns (results, notes). Only the first call writes."""
        outcomes = self.judged()
        results = summarize(outcomes)
        notes = self.notes(outcomes, results) + list(extra_notes)
        state = self.state()
        extra = {"ignored": state.worker.sandbox.ignored if state else [],
                 "not_judged": [o.nodeid for o in outcomes if o.status == NOT_JUDGED],
                 "unenforced": state.worker.unenforced if state else []}
        with self._lock:
            if self._written:
                return results, notes
            self._written = True
            write_results(self.results_path, gradescope_results(
                outcomes, results, time.monotonic() - self.started, "\n".join(notes), extra))
            try:
                with open(self.report_draft) as draft:
                    write_atomically(self.report_path, draft.read())
            except OSError:
                remove(self.report_path)
        return results, notes

    def _overrun(self):
        """The run went past its time limit and its grace: end the worker, write what was judged, exit."""
        state = self.state()
        if state is not None:
            state.worker.kill()
            state.worker.sandbox.close()
        results, notes = self.finish([f"The grader stopped: the run went past its time limit of "
                                      f"{self.time_limit:g} s."])
        got, total = score(results)
        shutil.rmtree(self.scratch, ignore_errors=True)
        out = sys.__stdout__  # sys.stdout may be pytest's captured output just now
        out.write(f"lstm-kit: stopped at the time limit; score so far {got:g}/{total:g}\n" + "\n".join(notes) + "\n")
        out.flush()
        os._exit(2)
