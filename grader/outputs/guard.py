"""The whole run's guarantees: it ends in bounded time, and results.json is always written.

``RunGuard`` wraps one pytest run in ``python -m grader``. Before it, earlier result files are
removed; during it, SIGTERM and SIGHUP stop pytest the way Ctrl-C does, and a watchdog ends the
process if the run overshoots its time limit anyway; after it (or from the watchdog), the
grader's own process writes results.json, then report.json, each by an atomic rename. Checks
that never ran are in results.json as "not judged", and the output says which.
"""
import json
import os
import shutil
import signal
import sys
import tempfile
import threading
import time

import numpy as np

try:
    import resource
except ImportError:  # Windows
    resource = None

from grader.outputs.export import gradescope_results, remove, write_atomically, write_results
from grader.outputs.results import score, summarize
from grader.plugin.outcome import MESSAGE_LIMIT, NOT_JUDGED
from grader.sandbox.limits import vm_size
from grader.sandbox.protocol import printable

NOTE_LIMIT = 20_000  # characters of one note: a list of file names, a notebook's lines not run
NAMES_SHOWN = 20     # file names in one note, or in results.json's list of ignored files


def watchdog_grace(time_limit):
    """How long past its time limit a run may go before the watchdog ends it."""
    return min(15.0, max(2.0, time_limit / 4))


# Windows has no SIGHUP.
STOP_SIGNALS = [getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name)]


def unenforced_note(gaps):
    """The report's line for the limits this platform does not let the grader enforce."""
    return (f"On this platform the grader could not enforce: {'; '.join(gaps)}. "
            "The time-out of each call and the run's time limit still hold.")


def limit_own_memory(headroom):
    """Lower this process's soft address-space limit to its size now plus ``headroom`` bytes, for
    one run: a reply or check that would take the machine's memory meets MemoryError instead,
    and results.json is still written. Only the soft limit: the run raises it again afterwards
    (a notebook's kernel or ``make watch`` goes on). Returns (the limit to restore, or None; what
    could not be enforced, in words, or None)."""
    if not headroom:
        return None, None
    if resource is None:
        return None, "the grader's own memory limit (no resource module)"
    # OpenBLAS maps its work buffer at its first product, and ends the process (exit status 1,
    # nothing written) if it cannot: that one is mapped now, before the limit.
    np.ones((8, 8)) @ np.ones((8, 8))
    size = vm_size()
    if not size:  # without /proc (macOS) a process's size is unknown: a fixed limit could stop it at once
        return None, "the grader's own memory limit (no /proc to measure the grader by)"
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    wanted = size + int(headroom) if hard == resource.RLIM_INFINITY else min(size + int(headroom), hard)
    if soft != resource.RLIM_INFINITY and soft <= wanted:
        return None, None  # already as tight: set by whoever started the grader
    try:
        resource.setrlimit(resource.RLIMIT_AS, (wanted, hard))
    except (ValueError, OSError) as exc:
        return None, f"the grader's own memory limit ({exc})"
    return soft, None


def restore_own_memory(soft):
    """Raise the soft address-space limit back to ``soft``, as it was before ``limit_own_memory``."""
    if soft is not None:
        resource.setrlimit(resource.RLIMIT_AS, (soft, resource.getrlimit(resource.RLIMIT_AS)[1]))


def names_text(names):
    """File names from the submission, for a note: each cleaned, the first NAMES_SHOWN of them."""
    shown = ", ".join(printable(name, 200) for name in names[:NAMES_SHOWN])
    return shown + (f" and {len(names) - NAMES_SHOWN} more" if len(names) > NAMES_SHOWN else "")


def cleaned_report(text):
    """pytest-json-report's report.json with every string capped and escaped as the learner's text
    is (its messages are the Outcomes', already clean: this holds whatever else it quotes)."""
    def clean(value):
        if isinstance(value, str):
            return printable(value, MESSAGE_LIMIT, lines=True)
        if isinstance(value, list):
            return [clean(item) for item in value]
        if isinstance(value, dict):
            return {printable(key, 200): clean(item) for key, item in value.items()}
        return value
    return json.dumps(clean(json.loads(text)))


def _interrupt(signum, frame):
    raise KeyboardInterrupt(f"stopped by {signal.Signals(signum).name}")


class RunGuard:
    def __init__(self, results_dir, time_limit, collector, memory=0):
        self.results_dir = os.path.abspath(results_dir)
        self.results_path = os.path.join(self.results_dir, "results.json")
        self.report_path = os.path.join(self.results_dir, "report.json")
        self.time_limit = time_limit
        self.collector = collector  # has .config once pytest is configured
        self.started = time.monotonic()
        self.scratch = None  # a private folder where pytest-json-report writes first
        self.memory = memory  # bytes the run may add to the grader's address space; 0: no limit
        self.memory_gap = None  # why that limit could not be set, in words for the report
        self._memory_before = None
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
        self._memory_before, self.memory_gap = limit_own_memory(self.memory)  # after the watchdog's thread exists
        return self

    def __exit__(self, *exc):
        self._watchdog.cancel()
        restore_own_memory(self._memory_before)
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
            notes.append(f"Ignored in the submission (the grader never runs them): {names_text(sandbox.ignored)}.")
        if sandbox and sandbox.skipped:
            notes.append(f"Not copied from the submission: {names_text(sandbox.skipped)}.")
        if sandbox and sandbox.unprotected:
            notes.append(f"Left readable to the worker: {', '.join(sandbox.unprotected)}.")
        if self.unenforced():
            notes.append(unenforced_note(self.unenforced()))
        if state and state.worker.failure:
            notes.append(f"Not graded: {state.worker.failure}.")
        elif any(r.status == NOT_JUDGED for r in results):
            steps = ", ".join(r.step.name for r in results if r.status == NOT_JUDGED)
            why = next(o.message for o in outcomes if o.status == NOT_JUDGED).removeprefix("not judged: ")
            notes.append(f"Not judged: {steps} ({why}; time limit {self.time_limit:g} s).")
        return notes + (list(state.notes) if state else [])  # the plugin's own, such as why no mistake is named

    def unenforced(self):
        """The limits this platform does not let the grader enforce: the worker's, then its own."""
        state = self.state()
        return (state.worker.unenforced if state else []) + ([self.memory_gap] if self.memory_gap else [])

    def finish(self, extra_notes=()):
        """Write results.json, then report.json; returns (results, notes). Only the first call writes."""
        # The memory limit bounds the judging: writing what was judged must not meet it as well.
        restore_own_memory(self._memory_before)
        self._memory_before = None
        outcomes = self.judged()
        results = summarize(outcomes)
        # A note may quote the submission (its file names, a notebook's lines): each is cleaned.
        notes = [printable(note, NOTE_LIMIT, lines=True) for note in self.notes(outcomes, results) + list(extra_notes)]
        state = self.state()
        ignored = state.worker.sandbox.ignored if state else []
        extra = {"ignored": [printable(name, 200) for name in ignored[:NAMES_SHOWN]],
                 "not_judged": [o.nodeid for o in outcomes if o.status == NOT_JUDGED],
                 "unenforced": self.unenforced()}
        with self._lock:
            if self._written:
                return results, notes
            self._written = True
            write_results(self.results_path, gradescope_results(
                outcomes, results, time.monotonic() - self.started, "\n".join(notes), extra))
            try:
                with open(self.report_draft) as draft:
                    write_atomically(self.report_path, cleaned_report(draft.read()))
            except (OSError, ValueError, RecursionError):  # not written, or not JSON: no report.json
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
