"""The grader's handle on a submission: a worker process, and proxies to call its functions.

A test calls ``submission.forget_gate(x, h, Wx, Wh, b)`` as if it were the learner's function;
the call travels to the worker, and what comes back is plain data or one of the errors below,
each with a message written for the learner.

Where POSIX facilities are missing (Windows), the worker still runs apart and every call still
has its time-out: the pipes become the worker's stdin and stdout, waited on by threads; the
worker is ended with ``Popen.kill``; and ``Worker.unenforced`` names the limits that do not hold.
"""
import contextlib
import json
import os
import queue
import re
import select
import signal
import subprocess
import sys
import tempfile
import threading
import time

import numpy as np

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None

from grader.course.steps import BY_FUNCTION, module_of
from grader.kit import KIT_ROOT, ONE_BLAS_THREAD
from grader.sandbox.isolation import Sandbox, children, started_at, thread_count
from grader.sandbox.limits import TALLY_START, Limits
from grader.sandbox.origin import shape_origin
from grader.sandbox.protocol import HEADER_BYTES, ProtocolError, Ref, TooComplex, frame, message_size, printable, unpack

# The worker imports its modules from the sandbox's own copy of them (sys.argv[4]), never from the kit.
BOOT = "import sys; sys.path.insert(0, sys.argv[4]); from grader.sandbox.worker import main; main(sys.argv)"
REPLY_LIMIT = 64 << 20
PRINTED_LIMIT = 2000
START_TIMEOUT = 60.0  # for the worker to load numpy and confine itself, before any submission code
SIGNALS = {"SIGSEGV": "a segmentation fault", "SIGXCPU": "it used up its CPU time",
           "SIGKILL": "killed: out of memory, or over the CPU time", "SIGXFSZ": "it wrote a file over the size limit"}
# Popen hands a child descriptors beyond the standard three, and select waits on pipes, only
# where processes are made by fork and exec: not on Windows, which has no fork.
PASS_FDS = hasattr(os, "fork")
KILL_GROUP = hasattr(os, "killpg") and hasattr(signal, "SIGKILL")


class SubmissionError(Exception):
    """The submission could not give an answer; the message says why, for the learner."""

    raised_in = None  # the learner's function whose line raised, when the worker could tell

    def __init__(self, message, printed=""):
        super().__init__(message)
        self.printed = printed


class NotStarted(SubmissionError):
    """A function that is still the stub: it raised NotImplementedError itself."""

    def __init__(self, message, printed="", function=None):
        super().__init__(message, printed)
        self.function = function


class TimedOut(SubmissionError):
    pass


class Crashed(SubmissionError):
    pass


class NotJudged(Exception):
    """A check that could not be judged, through no fault of the submission's code."""


class WorkerUnavailable(NotJudged):
    """The worker process could not be started: the grader's problem, not the submission's."""


class Worker:
    """One worker process, started on demand and restarted after a crash or time-out."""

    def __init__(self, folder, timeout=10.0, limits=None, protect=()):
        self.folder = os.path.abspath(folder)
        self.timeout = timeout
        self.limits = limits or Limits()
        self.sandbox = Sandbox(folder, protect)
        self.proc = None
        self.ready = False
        self.threads = None    # the worker's thread count when ready, before any submission code
        self.failure = None    # why the worker cannot start, once that is known
        self.imported = set()  # submission modules the current worker process has imported
        self.output = _Printed() if fcntl and hasattr(os, "pread") else _PrintedPerWorker()  # the current call's
        self.channel = None
        self._unapplied = []   # the limits the worker said it could not apply

    @classmethod
    def for_grading(cls, folder, call_timeout, memory_gib, time_limit, protect):
        """A worker with the limits a grading run gives it: ``memory_gib`` of address space, CPU
        time for the whole run, and ``protect`` (the reference, the tests, the results) closed to it."""
        from grader.sandbox.limits import GiB
        return cls(folder, call_timeout, Limits(memory=int(memory_gib * GiB), cpu_seconds=int(time_limit) + 1), protect)

    def start(self):
        self.ready, self.imported = False, set()
        try:
            self.sandbox.prepare()
            spec = json.dumps(self.sandbox.spec(self.limits))
        except Exception as exc:  # the grader cannot set the worker up: not the submission's doing
            self.failure = f"the worker could not be set up: {type(exc).__name__}: {exc}"
            return
        requests_r, requests_w = os.pipe()
        replies_r, replies_w = os.pipe()
        with self.output.for_worker(self.sandbox.root) as printed:
            if PASS_FDS:
                wire, ends = (requests_r, replies_w), {"pass_fds": (requests_r, replies_w),
                                                       "stdin": subprocess.DEVNULL, "stdout": printed}
            else:  # the worker moves them off its stdin and stdout before anything else
                wire, ends = (0, 1), {"stdin": requests_r, "stdout": replies_w}
            self.proc = subprocess.Popen(
                [sys.executable, "-I", "-c", BOOT, *map(str, wire), self.sandbox.folder, self.sandbox.runtime,
                 KIT_ROOT, spec],
                stderr=printed, env=self.sandbox.env(ONE_BLAS_THREAD), cwd=self.sandbox.folder,
                start_new_session=True, **ends)
        os.close(requests_r)
        os.close(replies_w)
        self.channel = (_Polled if PASS_FDS else _Threaded)(requests_w, replies_r)

    def kill(self):
        """End the worker process now, with its process group where there are groups (the
        watchdog calls this from its own thread)."""
        proc = self.proc
        if proc is None:
            return
        if not KILL_GROUP:
            with contextlib.suppress(OSError):
                proc.kill()  # TerminateProcess on Windows: it cannot be caught
            return
        for kill in (os.killpg, os.kill):  # its group, and itself in case it left the group
            try:
                kill(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

    def stop(self):
        if self.proc is None:
            return
        if self.channel is not None:
            self.channel.close()
        self.kill()
        self.proc.wait()
        self.proc = None
        self.sandbox.end_leftovers()

    @property
    def unenforced(self):
        """The limits this platform does not let the grader enforce, in words for the report:
        the worker's own it could not apply, then what the grader cannot do around it."""
        return self._unapplied + self.sandbox.unenforced

    def close(self):
        """Stop the worker, end whatever it left running, and remove its private folder."""
        try:
            self.stop()
        finally:
            self.sandbox.close()

    def request(self, message, timeout=None):
        """Send one request and wait for its reply; returns (reply, printed text)."""
        if self.proc is None and self.failure is None:
            self.start()
        if not self.ready:
            self._await_ready()
        self.output.begin()
        data = frame(message)
        timeout = self.timeout if timeout is None else timeout
        deadline = time.monotonic() + timeout
        try:
            self._send(data, deadline, timeout)
            reply = self._reply(deadline, timeout)
        except (TimedOut, Crashed) as exc:
            exc.printed = self.printed()
            flood = self._printed_mib()
            if isinstance(exc, TimedOut) and flood:
                exc.args = (f"did not answer within {timeout:g} s, and it printed over {flood} MiB in that time "
                            f"(all but the first {self.limits.printed >> 10} KiB dropped): the printing is what "
                            f"made it slow, so remove the prints from your function",)
            raise
        except (BrokenPipeError, ProtocolError) as exc:
            printed = self.printed()
            self.stop()
            raise Crashed(f"broke the connection to the worker ({exc})", printed) from None
        printed = self.printed()
        if not self._alone():
            # A process or thread the call started could answer or write on the pipes later:
            # this reply stands, the next call gets a fresh worker.
            self.stop()
        return reply, printed

    def _alone(self):
        """Whether the worker is still a single thread with no child, and no other process the
        grader adopted has started since the worker did (one the worker detached: the grader is
        a subreaper). Older children are the host's own: a notebook kernel's, or in the kit's
        tests the orphans of an earlier test's browser, which a subreaper adopts too."""
        pid = self.proc.pid
        since = started_at(pid)
        if since is None:
            return True  # no /proc to look at: the process-group kill at the end still applies
        try:
            adopted = [c for c in children(os.getpid()) if c != pid and (started_at(c) or -1) >= since]
            return thread_count(pid) == self.threads and not children(pid) and not adopted
        except (OSError, IndexError, ValueError):
            return True

    def _await_ready(self):
        """Wait for the worker to say it is confined and ready; WorkerUnavailable if it never does."""
        if self.failure is None:
            try:
                reply = unpack(self._read(time.monotonic() + START_TIMEOUT, START_TIMEOUT))
                expected = self.sandbox.identity[0] if self.sandbox.identity else getattr(os, "getuid", lambda: None)()
                if reply.get("ready") and reply.get("uid") == expected:
                    self.ready, self.threads = True, thread_count(self.proc.pid)  # before any submission code
                    self._unapplied = [str(gap) for gap in reply.get("unenforced") or ()]
                    self.sandbox.fill()
                    return
                self.failure = f"the worker process started as the wrong user ({reply.get('uid')})"
            except (TimedOut, Crashed, ProtocolError) as exc:
                said = self.printed().strip().splitlines()
                self.failure = f"the worker process could not start: {said[-1] if said else exc}"
            except OSError as exc:
                self.failure = f"the submission could not be copied for the worker: {exc}"
            self.stop()
        raise WorkerUnavailable(self.failure)

    def _send(self, data, deadline, limit):
        view = memoryview(data)
        while view:
            left = deadline - time.monotonic()
            written = self.channel.write(view, left) if left > 0 else None
            if written is None:
                self.stop()
                raise TimedOut(f"did not take its input within {limit:g} s")
            view = view[written:]

    def _reply(self, deadline, limit):
        """The call's reply, decoded. One whose structure is refused (protocol.TooComplex) fails
        its call with what it held; the worker goes on, since the reply was read whole. One that
        the grader's own memory limit cannot hold stops the worker, whose pipe may hold the rest."""
        try:
            return unpack(self._read(deadline, limit))
        except TooComplex as exc:
            raise Crashed(str(exc)) from None
        except MemoryError:
            self.stop()
            raise Crashed("returned more than the grader's own memory limit lets it read; return arrays of "
                          "the shapes the docstring gives") from None

    def _read(self, deadline, limit):
        size = message_size(self._read_exact(HEADER_BYTES, deadline, limit))
        if size > REPLY_LIMIT:
            self.stop()
            raise Crashed(f"returned {size / 2**20:.0f} MiB, over the {REPLY_LIMIT >> 20} MiB limit")
        return self._read_exact(size, deadline, limit)

    def _read_exact(self, n, deadline, limit):
        chunks = []
        while n:
            left = deadline - time.monotonic()
            chunk = self.channel.read(min(n, 1 << 20), left) if left > 0 else None
            if chunk is None:
                self.stop()
                raise TimedOut(f"did not answer within {limit:g} s: is there an endless loop?")
            if not chunk:
                raise Crashed(self._death())
            chunks.append(chunk)
            n -= len(chunk)
        return b"".join(chunks)

    def _death(self):
        try:
            code = self.proc.wait(timeout=1)
        except subprocess.TimeoutExpired:
            self.stop()
            return "closed its connection to the grader"
        self.stop()
        if code < 0:
            name = signal.Signals(-code).name
            return f"crashed the worker process ({name}" + (f", {SIGNALS[name]})" if name in SIGNALS else ")")
        return f"ended the worker process with exit status {code} (os._exit, or a crash in native code)"

    def _printed_mib(self):
        """How many MiB the current call printed, by the worker's last tally (0 under one MiB)."""
        tallies = re.findall(rf"{re.escape(TALLY_START)}(\d+) MiB", self.output.tail(256).decode(errors="replace"))
        return int(tallies[-1]) if tallies else 0

    def printed(self):
        """What the current call printed, cut to PRINTED_LIMIT characters for the report."""
        head, size = self.output.head(PRINTED_LIMIT)
        text = printable(head.decode(errors="replace"), lines=True)
        if size > PRINTED_LIMIT:
            text += f"\n... ({size - PRINTED_LIMIT} more bytes not shown)"
        return text


class _Polled:
    """The pipes to the worker, on POSIX: select waits on them, and the request end never blocks."""

    def __init__(self, requests, replies):
        self.requests, self.replies = requests, replies
        os.set_blocking(requests, False)  # a worker that stops reading cannot block the grader

    def write(self, data, left):
        """How many bytes of ``data`` went to the worker within ``left`` seconds; None if it took none."""
        if not select.select([], [self.requests], [], left)[1]:
            return None
        try:
            return os.write(self.requests, data)
        except BlockingIOError:
            return 0

    def read(self, n, left):
        """Up to ``n`` bytes of the reply within ``left`` seconds, b"" at its end; None if none came."""
        if not select.select([self.replies], [], [], left)[0]:
            return None
        return os.read(self.replies, n)

    def close(self):
        os.close(self.requests)
        os.close(self.replies)


class _Threaded:
    """The pipes where select cannot wait on them (Windows: sockets only): each end has a thread
    for its blocking calls, and the grader waits for that thread as long as the call may take.
    ``write`` and ``read`` answer as ``_Polled``'s do."""

    def __init__(self, requests, replies):
        self.write, self.read = _Blocking(requests, _write_to), _Blocking(replies, _read_from)

    def close(self):
        self.write.close()
        self.read.close()


def _write_to(fd, data):
    try:
        return os.write(fd, data)
    except OSError as exc:  # Windows says EINVAL, not EPIPE, for a pipe whose reader is gone
        raise BrokenPipeError(exc.errno, exc.strerror) from None


def _read_from(fd, n):
    try:
        return os.read(fd, n)
    except OSError:  # Windows reports a pipe whose writer is gone as broken, not as ended
        return b""


class _Blocking:
    """One pipe end and the thread that makes its blocking calls, one at a time.

    A call that times out goes on in the thread until the worker is killed, which ends it. The
    thread closes the descriptor itself, after its last call: no other file can get the number
    while a call still uses it.
    """

    def __init__(self, fd, call):
        self.fd, self.call = fd, call
        self.todo, self.done = queue.Queue(), queue.Queue()
        threading.Thread(target=self._serve, name=f"worker-pipe-{fd}", daemon=True).start()

    def _serve(self):
        try:
            while (argument := self.todo.get()) is not None:
                try:
                    self.done.put((self.call(self.fd, argument), None))
                except OSError as exc:
                    self.done.put((None, exc))
        finally:
            os.close(self.fd)

    def __call__(self, argument, left):
        self.todo.put(argument)
        try:
            result, error = self.done.get(timeout=left)
        except queue.Empty:
            return None
        if error is not None:
            raise error
        return result

    def close(self):
        self.todo.put(None)


class _Printed:
    """What the worker prints, on POSIX: one temporary file that every write appends to, so the
    grader can empty it between calls."""

    def __init__(self):
        self.file = tempfile.TemporaryFile()
        flags = fcntl.fcntl(self.file.fileno(), fcntl.F_GETFL)
        fcntl.fcntl(self.file.fileno(), fcntl.F_SETFL, flags | os.O_APPEND)

    def for_worker(self, folder):
        """The file to give the next worker process as its stdout and stderr, as a context."""
        return contextlib.nullcontext(self.file)

    def begin(self):
        """A call starts: what it prints is all the file will hold."""
        os.ftruncate(self.file.fileno(), 0)

    def head(self, limit):
        """(the first ``limit`` bytes the call printed, how many it printed)."""
        size = os.fstat(self.file.fileno()).st_size
        return os.pread(self.file.fileno(), min(size, limit), 0), size

    def tail(self, limit):
        """The last ``limit`` bytes the call printed."""
        size = os.fstat(self.file.fileno()).st_size
        return os.pread(self.file.fileno(), min(size, limit), max(size - limit, 0))


class _PrintedPerWorker:
    """What the worker prints, where a file cannot be made append-only for another process
    (Windows): a new file in ``folder`` for each worker process, which the grader closes once the
    worker has it and never empties under it (the worker would go on writing where it was). A
    call printed what follows the size the file had when the call began; the grader reads it by
    name, with a position of its own."""

    def __init__(self):
        self.path, self.start = None, 0

    def for_worker(self, folder):
        if self.path is not None:
            with contextlib.suppress(OSError):  # still open in a process left running: removed with the folder
                os.remove(self.path)
        fd, self.path = tempfile.mkstemp(prefix="printed-", dir=folder)
        self.start = 0
        return os.fdopen(fd, "wb")

    def begin(self):
        self.start = os.path.getsize(self.path)

    def head(self, limit):
        if self.path is None:
            return b"", 0
        with open(self.path, "rb") as file:
            file.seek(self.start)
            return file.read(limit), os.fstat(file.fileno()).st_size - self.start

    def tail(self, limit):
        if self.path is None:
            return b""
        with open(self.path, "rb") as file:
            file.seek(max(self.start, os.fstat(file.fileno()).st_size - limit))
            return file.read(limit)


class Submission:
    """Calls into a submission's functions by name: ``submission.forget_gate(...)``."""

    def __init__(self, worker, deadline=None):
        self.worker = worker
        self.timeout = None        # per-test override, set by the ``timeout`` marker
        self.deadline = deadline   # time.monotonic() at which the whole run's time is up
        self.broken = {}           # module -> why it does not import: not tried again
        self.printed = ""          # what the latest call printed, for a check that fails on its answer

    def __getattr__(self, name):
        if name not in BY_FUNCTION:
            raise AttributeError(f"no step has a function named {name!r}")
        return Function(self, name)

    def call_limit(self):
        """Seconds one call may take: the test's ``timeout`` marker, else the worker's limit."""
        return self.timeout or self.worker.timeout

    def budget(self):
        """(seconds the next call may take, whether the run's deadline is what limits it)."""
        allowed = self.call_limit()
        left = float("inf") if self.deadline is None else self.deadline - time.monotonic()
        if left <= 0:
            raise NotJudged("not judged: the time limit for the whole run was reached first")
        return (left, True) if left < allowed else (allowed, False)

    def ask(self, message, what):
        """Send ``message`` within the budget; ``what`` names the call in errors ("forget_gate")."""
        timeout, cut = self.budget()
        try:
            reply, self.printed = self.worker.request(message, timeout)
            return reply, self.printed
        except TimedOut as exc:
            if cut:
                raise NotJudged("not judged: the time limit for the whole run was reached during "
                                "this check") from None
            raise TimedOut(f"{what} {exc}", exc.printed) from None
        except Crashed as exc:
            raise Crashed(f"{what} {exc}", exc.printed) from None

    def imported(self, module):
        """Import ``module`` in the worker, once per worker process; a failure is remembered, so a
        file that loops at import time costs one time-out, not one per check."""
        if module in self.broken:
            raise SubmissionError(self.broken[module])
        if module in self.worker.imported and self.worker.proc is not None:
            return
        try:
            reply, printed = self.ask({"op": "import", "module": module, "broken": sorted(self.broken)},
                                      "importing it")
        except (TimedOut, Crashed) as exc:
            message, printed = f"{module}.py could not be imported: {exc}", exc.printed
        else:
            if reply.get("ok"):
                self.worker.imported.add(module)
                return
            message = str(_error_from(reply, module, printed))
        self.broken[module] = message
        raise SubmissionError(message, printed)


class Function:
    def __init__(self, submission, name):
        self.submission, self.name, self.module = submission, name, module_of(name)

    def _ask(self, op, **fields):
        self.submission.imported(self.module)
        reply, printed = self.submission.ask({"op": op, "module": self.module, "function": self.name, **fields},
                                             self.name)
        if not reply.get("ok"):
            raise _error_from(reply, self.name, printed)
        return reply, printed

    def call(self, *args, keep=(), inputs_back=False):
        """Call the learner's function; returns the full reply (value, warnings, mutated, printed).

        With ``inputs_back`` the reply also holds ``after``: each argument as the call left it (an
        array, or a dict's arrays; None for anything else), for the grader to compare with what
        it sent (``grader.judge.side_effects``) rather than take the worker's ``mutated``."""
        fields = {"inputs_back": True} if inputs_back else {}
        reply, printed = self._ask("call", args=list(args), keep=list(keep), **fields)
        reply["printed"] = printed
        return reply

    def __call__(self, *args, keep=()):
        return self.call(*args, keep=keep)["value"]

    def is_stub(self):
        """Whether the learner has not touched this function yet."""
        try:
            return self._ask("is_stub")[0]["value"] is True
        except (SubmissionError, NotJudged):
            return False

    def perturbed(self, args, perturb, outputs):
        """Outputs for each (arg index, flat index, delta) move, stacked along a new first axis.

        A gradient check's hundreds of evaluations go in a few requests (1, then up to 15, then up
        to 240, ...), each sized by how long an evaluation has taken so far to last at most a
        quarter of the call limit: an evaluation that never ends is stopped within the call limit,
        as a call is, while the evaluations together may take the call limit plus
        EVALUATION_SECONDS each (at most BATCH_SECONDS, and never past the run's time limit).
        """
        batch, limit = _Batch(self.name, len(perturb)), self.submission.call_limit()
        parts = []
        while batch.done < batch.count:
            batch.expect_in_time(limit)
            moves = perturb[batch.done:batch.done + batch.next_size(limit)]
            asked = time.monotonic()
            try:
                reply = self._ask("perturbed", args=list(args), perturb=moves, outputs=outputs)[0]
            except TimedOut as exc:
                raise TimedOut(f"{exc} {batch.where(len(moves))}", exc.printed) from None
            parts.append(reply["value"])
            batch.record(len(moves), reply.get("seconds"), time.monotonic() - asked)
        return _joined(parts, self.name)


EVALUATION_SECONDS = 0.1  # that a batch of evaluations may take for each, beyond one call's limit
BATCH_SECONDS = 300.0     # the most a batch may take, unless one call is allowed longer
REQUEST_SHARE = 0.25      # of the call limit, what one request of a batch is sized to take
GROWTH = 15               # a request holds at most this many times the evaluations timed before it


class _Batch:
    """The timing of one batch of evaluations of a learner's function (a gradient check's moves),
    made in several requests. How long an evaluation takes, by the worker's clock (the grader's
    would count starting a worker and the round trips), sizes the next request and says early
    when the evaluations together would take longer than they may; the grader's own clock stops
    a batch that takes longer all the same."""

    def __init__(self, name, count):
        self.name, self.count = name, count
        self.done, self.evaluating, self.started = 0, 0.0, time.monotonic()

    def seconds_each(self):
        return self.evaluating / self.done

    def allowed(self, limit):
        return max(limit, min(limit + self.count * EVALUATION_SECONDS, BATCH_SECONDS))

    def next_size(self, limit):
        if not self.done:
            return 1  # how long one evaluation takes is not known yet
        each = self.seconds_each()
        # At most GROWTH times the evaluations timed so far: one evaluation's time is a rough figure.
        fits = self.count if each <= 0 else int(REQUEST_SHARE * limit / each)
        return max(1, min(fits, GROWTH * self.done))

    def record(self, size, reported, waited):
        """``size`` more evaluations done, in ``reported`` seconds by the worker's clock (``waited``
        by the grader's, where the worker's is no plausible figure)."""
        plausible = isinstance(reported, float) and 0 <= reported <= waited
        self.done, self.evaluating = self.done + size, self.evaluating + (reported if plausible else waited)

    def expect_in_time(self, limit):
        """TimedOut, saying how long one evaluation took, once the evaluations so far show that all
        of them would take longer than the batch may, or they already have."""
        if not self.done:
            return
        each, allowed = self.seconds_each(), self.allowed(limit)
        if time.monotonic() - self.started > allowed >= each * self.count:  # the time went on starting workers
            raise TimedOut(f"{self.name}'s gradient check took over the {allowed:.0f} s it may take, at {each:.2g} s "
                           f"a call on {self.done} of its {self.count} evaluations")
        if each * self.count > allowed:
            rule = (f"{limit:g} s, plus {EVALUATION_SECONDS:g} s for each evaluation" if allowed < BATCH_SECONDS
                    else "the most any gradient check may take")
            raise TimedOut(
                f"{self.name} took {each:.2g} s a call on the gradient check's evaluations ({self.done} of "
                f"{self.count} so far), so all {self.count} would take about {each * self.count:.0f} s, over "
                f"the {allowed:.0f} s they may take ({rule}): make {self.name} faster; at these small sizes "
                f"one call should take milliseconds")

    def where(self, size):
        """Which of the evaluations a request that timed out held, for its message."""
        if not self.done:
            return "(on the gradient check's first evaluation, its inputs with one entry moved)"
        each = self.seconds_each()
        return (f"(on {size} of the gradient check's {self.count} evaluations, after {self.done} that took "
                f"{each:.2g} s a call: these should have taken about {each * size:.2g} s)")


def _joined(parts, name):
    """The output stacks of a batch's requests, one stack per output, joined along the moves; a
    part that is not such stacks is returned as it is, for the check to say what it is."""
    if len(parts) == 1:
        return parts[0]
    for part in parts:
        if not (isinstance(part, list) and len(part) == len(parts[0])
                and all(isinstance(stack, np.ndarray) and stack.ndim >= 1 for stack in part)):
            return part
    shapes = {tuple(stack.shape[1:] for stack in part) for part in parts}
    if len(shapes) > 1:
        raise SubmissionError(f"{name} returned outputs of other shapes on some of the gradient check's "
                              f"evaluations than on others ({' and '.join(map(str, sorted(shapes)[:2]))})")
    return [np.concatenate(stacks) for stacks in zip(*parts)]


def _error_from(reply, name, printed):
    error = _error_of(reply, name, printed)
    error.args = (printable(str(error)),)
    # The learner's function whose line raised (None for an import or a missing function), so
    # the report can tell an error in this step's own code from one in a step it calls.
    where = reply.get("where") if isinstance(reply.get("where"), dict) else {}
    error.raised_in = where.get("function") if isinstance(where.get("function"), str) else None
    return error


def _error_of(reply, name, printed):
    where = reply.get("where") or {}
    place = f" ({where['file']}, line {where['line']}: {where['source']})" if where.get("line") else ""
    kind, text = reply.get("kind"), f"{reply.get('type')}: {reply.get('message')}".rstrip(": ")
    if kind == "not_implemented":
        return NotStarted(f"{name} is not written yet (it still raises NotImplementedError)", printed, name)
    if kind == "blocked":
        return SubmissionError(f"{name} calls {where['function']}, which is still a stub: "
                               f"write {where['function']} first", printed)
    if kind == "import":
        return SubmissionError(f"{reply['module']}.py could not be imported: {text}{place}", printed)
    if kind == "missing":
        return SubmissionError(reply["message"], printed)
    origin = shape_origin(str(reply.get("message")), reply.get("frames")) if where.get("line") else ""
    return SubmissionError(f"{name} raised {text}{place}{origin}", printed)


__all__ = ["Submission", "Worker", "SubmissionError", "NotStarted", "TimedOut", "Crashed", "NotJudged",
           "WorkerUnavailable", "Ref"]
