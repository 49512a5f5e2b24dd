"""The grader's handle on a submission: a worker process, and proxies to call its functions.

A test calls ``submission.forget_gate(x, h, Wx, Wh, b)`` as if it were the learner's function;
the call travels to the worker, and what comes back is plain data or one of the errors below,
each with a message written for the learner.
"""
import os
import select
import signal
import subprocess
import sys
import tempfile
import time

from grader.protocol import ProtocolError, Ref, pack, unpack
from grader.steps import BY_FUNCTION, module_of

KIT_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BOOT = "import sys; sys.path.insert(0, sys.argv[4]); from grader.worker import main; main(sys.argv)"
ONE_THREAD = {name: "1" for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")}
REPLY_LIMIT = 64 << 20
PRINTED_LIMIT = 2000


class SubmissionError(Exception):
    """The submission could not give an answer; the message says why, for the learner."""

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


class Worker:
    """One worker process, started on demand and restarted after a crash or time-out."""

    def __init__(self, folder, timeout=10.0):
        self.folder = os.path.abspath(folder)
        self.timeout = timeout
        self.proc = None
        self.output = tempfile.TemporaryFile()  # what the learner's code prints, all calls

    def start(self):
        requests_r, self._requests = os.pipe()
        self._replies, replies_w = os.pipe()
        env = {**os.environ, **ONE_THREAD, "PYTHONDONTWRITEBYTECODE": "1"}
        self.proc = subprocess.Popen(
            [sys.executable, "-I", "-c", BOOT, str(requests_r), str(replies_w), self.folder, KIT_ROOT],
            pass_fds=(requests_r, replies_w), stdin=subprocess.DEVNULL, stdout=self.output,
            stderr=self.output, env=env, cwd=self.folder, start_new_session=True)
        os.close(requests_r)
        os.close(replies_w)

    def stop(self):
        if self.proc is None:
            return
        for fd in (self._requests, self._replies):
            os.close(fd)
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait()
        self.proc = None

    def request(self, message, timeout=None):
        """Send one request and wait for its reply; returns (reply, printed text)."""
        if self.proc is None:
            self.start()
        mark = os.fstat(self.output.fileno()).st_size
        body = pack(message)
        try:
            os.write(self._requests, len(body).to_bytes(8, "big"))
            _write_all(self._requests, body)
            reply = unpack(self._read(timeout))
        except (TimedOut, Crashed) as exc:
            exc.printed = self.printed_since(mark)
            raise
        except (BrokenPipeError, ProtocolError) as exc:
            printed = self.printed_since(mark)
            self.stop()
            raise Crashed(f"broke the connection to the worker ({exc})", printed) from None
        return reply, self.printed_since(mark)

    def _read(self, timeout):
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        size = int.from_bytes(self._read_exact(8, deadline), "big")
        if size > REPLY_LIMIT:
            self.stop()
            raise Crashed(f"returned {size / 2**20:.0f} MiB, over the {REPLY_LIMIT >> 20} MiB limit")
        return self._read_exact(size, deadline)

    def _read_exact(self, n, deadline):
        chunks = []
        while n:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self._replies], [], [], left)[0]:
                limit = self.timeout
                self.stop()
                raise TimedOut(f"did not answer within {limit:g} s: is there an endless loop?")
            chunk = os.read(self._replies, min(n, 1 << 20))
            if not chunk:
                raise Crashed(self._death())
            chunks.append(chunk)
            n -= len(chunk)
        return b"".join(chunks)

    def _death(self):
        code = self.proc.wait(timeout=5)
        self.stop()
        if code < 0:
            name = signal.Signals(-code).name
            return f"crashed the worker process ({name}" + (", a segmentation fault)" if name == "SIGSEGV" else ")")
        return f"ended the worker process with exit status {code} (os._exit, or a crash in native code)"

    def printed_since(self, mark):
        size = os.fstat(self.output.fileno()).st_size
        text = os.pread(self.output.fileno(), min(size - mark, PRINTED_LIMIT), mark).decode(errors="replace")
        if size - mark > PRINTED_LIMIT:
            text += f"\n... ({size - mark - PRINTED_LIMIT} more bytes not shown)"
        return text


def _write_all(fd, data):
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


class Submission:
    """Calls into a submission's functions by name: ``submission.forget_gate(...)``."""

    def __init__(self, worker):
        self.worker = worker
        self.timeout = None  # per-test override, set by the ``timeout`` marker

    def __getattr__(self, name):
        if name not in BY_FUNCTION:
            raise AttributeError(f"no step has a function named {name!r}")
        return Function(self, name)


class Function:
    def __init__(self, submission, name):
        self.submission, self.name, self.module = submission, name, module_of(name)

    def _ask(self, op, **fields):
        try:
            reply, printed = self.submission.worker.request(
                {"op": op, "module": self.module, "function": self.name, **fields}, self.submission.timeout)
        except (TimedOut, Crashed) as exc:
            raise type(exc)(f"{self.name} {exc}", exc.printed) from None
        if not reply.get("ok"):
            raise _error_from(reply, self.name, printed)
        return reply, printed

    def call(self, *args, keep=()):
        """Call the learner's function; returns the full reply (value, warnings, mutated, printed)."""
        reply, printed = self._ask("call", args=list(args), keep=list(keep))
        reply["printed"] = printed
        return reply

    def __call__(self, *args, keep=()):
        return self.call(*args, keep=keep)["value"]

    def is_stub(self):
        """Whether the learner has not touched this function yet."""
        try:
            return self._ask("is_stub")[0]["value"] is True
        except SubmissionError:
            return False

    def perturbed(self, args, perturb, outputs):
        """Outputs for each (arg index, flat index, delta) move, stacked along a new first axis."""
        return self._ask("perturbed", args=list(args), perturb=perturb, outputs=outputs)[0]["value"]


def _error_from(reply, name, printed):
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
    return SubmissionError(f"{name} raised {text}{place}", printed)


__all__ = ["Submission", "Worker", "SubmissionError", "NotStarted", "TimedOut", "Crashed", "Ref"]
