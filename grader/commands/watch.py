"""``python -m grader watch`` (``make watch``): grade again every time a submission file is saved.

Each save clears the screen and shows the new report with the current hint. Only the first step
whose function changed and the steps after it are graded again (``grader.plugin.rerun``); a burst of
saves (an editor writing, renaming, touching) counts as one. File events come from watchfiles
when it is installed, else from polling the folder. Ctrl-C stops.
"""
import argparse
import contextlib
import gc
import io
import os
import queue
import sys
import threading
import time

from grader.course.steps import BY_NAME, STEPS
from grader.plugin.rerun import ChangedSteps, Rerun
from grader.sandbox.client import Worker

QUIET_MS = 50          # a burst of saves ends after this long without another
POLL_SECONDS = 0.05    # the fallback's polling interval: a stat of a few files
CLEAR = "\033[H\033[2J\033[3J"


def parse_args(argv):
    parser = argparse.ArgumentParser(
        prog="python -m grader watch", description="Grade again whenever a submission file is saved. "
        "Other options (--submission, --tests, ...) are those of python -m grader.")
    parser.add_argument("--poll", action="store_true", help="poll the folder instead of using watchfiles")
    return parser.parse_known_args(argv)


def _is_source(change, path):
    return path.endswith(".py") and not os.path.basename(path).startswith(".")


def _stamps(folder):
    marks = {}
    for entry in os.scandir(folder):
        if _is_source(None, entry.path):
            try:
                info = entry.stat()
                marks[entry.name] = (info.st_mtime_ns, info.st_size)
            except OSError:
                pass
    return marks


def polled_saves(folder, stop):
    """Yields once per burst of saves, found by comparing modification times and sizes."""
    seen = _stamps(folder)
    while not stop.wait(POLL_SECONDS):
        now = _stamps(folder)
        if now == seen:
            continue
        while not stop.wait(QUIET_MS / 1000):  # wait for the burst to end
            later = _stamps(folder)
            if later == now:
                break
            now = later
        seen = now
        yield


def saves(folder, poll=False):
    """(how, an iterator yielding once per burst of saves to a .py file in ``folder``).

    Watching starts at once, in a thread: saves made while a grade runs are not missed, and
    several bursts during one grade lead to a single grade after it.
    """
    stop, bursts = threading.Event(), queue.Queue()
    try:
        import watchfiles
    except ImportError:
        watchfiles = None
    if watchfiles is not None and not poll:
        how, events = "watchfiles", watchfiles.watch(folder, watch_filter=_is_source, step=QUIET_MS,
                                                     recursive=False, stop_event=stop, raise_interrupt=False)
    else:
        how, events = f"polling every {POLL_SECONDS:g} s", polled_saves(folder, stop)

    def feed():
        for _ in events:
            bursts.put(None)
    threading.Thread(target=feed, daemon=True).start()

    def each_burst():
        try:
            while True:
                try:
                    bursts.get(timeout=0.5)  # a timeout keeps Ctrl-C prompt
                except queue.Empty:
                    continue
                while not bursts.empty():
                    bursts.get_nowait()
                yield
        finally:
            stop.set()
    return how, each_burst()


class Capture(io.StringIO):
    """Collects a report to show in one piece, styled as it would be on ``like``."""

    def __init__(self, like):
        super().__init__()
        self._tty = like.isatty()

    def isatty(self):
        return self._tty


def _span(steps):
    numbers = sorted({BY_NAME[s].number for s in steps})
    return f"steps {numbers[0]}-{numbers[-1]}" if len(numbers) > 1 else f"step {numbers[0]}"


class Watcher:
    def __init__(self, grader_argv, folder, call_timeout, out=sys.stdout):
        self.grader_argv, self.folder, self.call_timeout, self.out = grader_argv, folder, call_timeout, out
        self.outcomes = []   # every step's verdicts as of the last complete run
        self.spare = None    # a worker started while waiting for the next save

    def _spare_worker(self):
        if self.spare is None or self.spare.proc is None:
            from grader.commands.grade import parse_args as grader_args

            args = grader_args(self.grader_argv)  # the limits and protected folders the run itself gives
            self.spare = Worker.for_grading(self.folder, self.call_timeout, args.memory_limit, args.time_limit,
                                            [args.reference, *args.tests.split(":"), args.results])
            self.spare.start()
        return self.spare

    def grade(self, first):
        """Grade from step ``first`` on and show the report."""
        from grader.commands.grade import main as grade

        started = time.perf_counter()
        kept = [o for o in self.outcomes if BY_NAME[o.step].number < first.number]
        plugin = Rerun(first, kept, self._spare_worker())
        shown = Capture(self.out)
        with contextlib.redirect_stdout(shown):
            code = grade(self.grader_argv, plugins=[plugin])
        if plugin.used_worker:
            self.spare = None  # that run stopped it; the next run gets a new one
        if plugin.interrupted:
            raise KeyboardInterrupt
        self.outcomes = plugin.outcomes if code in (0, 1) else []  # after trouble, start over
        graded = [o.step for o in plugin.outcomes[len(kept):]]  # the kept verdicts come first
        self.show(shown.getvalue(), first, graded, time.perf_counter() - started)
        self._spare_worker()  # ready for the next save

    def show(self, report, first, graded, seconds):
        label = os.path.relpath(self.folder)
        if not graded:
            what = "no step graded"
        elif first == STEPS[0]:
            what = f"graded every step in {seconds:.2f} s"
        else:
            what = f"graded {_span(graded)} in {seconds:.2f} s; steps before {first.number} are unchanged"
        footer = f"Watching {label}/ ({self.how}): save a file to grade again, Ctrl-C to stop. Last run: {what}."
        if self.out.isatty():
            self.out.write(CLEAR + report + f"\033[2m{footer}\033[0m\n")
        else:  # a log, or a pipe: keep every report, one after the other
            self.out.write(report + footer + "\n")
        self.out.flush()

    def run(self, poll=False):
        changes = ChangedSteps(self.folder)
        self.how, bursts = saves(self.folder, poll)
        try:
            self.grade(STEPS[0])
            # Everything loaded so far (pytest, numpy, the reference) lives as long as the
            # watcher: out of the garbage collector's sight, the full collections pytest makes at
            # the end of every run take milliseconds instead of tens of them.
            gc.collect()
            gc.freeze()
            for _ in bursts:
                first = changes.first_changed()
                if first is not None:
                    self.grade(first if self.outcomes else STEPS[0])
        finally:
            if self.spare is not None:
                self.spare.close()


def main(argv=None):
    options, grader_argv = parse_args(sys.argv[1:] if argv is None else argv)
    from grader.commands.grade import parse_args as grader_args

    args = grader_args(grader_argv)
    folder = os.path.abspath(args.submission)
    if not os.path.isdir(folder):
        print(f"watch: no submission folder at {folder}", file=sys.stderr)
        return 2
    try:
        Watcher(grader_argv, folder, args.call_timeout).run(options.poll)
    except KeyboardInterrupt:
        pass
    print("\nStopped watching.")
    return 0

