"""What the worker may use, applied by the worker to itself before any submission code runs.

The grader picks the figures (``Limits``) and, under root, an unprivileged user; the worker
calls ``confine`` once it has loaded numpy and its own modules. Resource limits are inherited
by every process the submission starts, and an unprivileged user cannot raise them again.
Where there is no ``resource`` module (Windows), ``confine`` applies none and says so: the
grader's per-call time-out, which ends the worker process from outside, still holds.
"""
import io
import os
import stat
import sys
from dataclasses import asdict, dataclass

try:
    import resource
except ImportError:  # Windows
    resource = None

MiB, GiB = 1 << 20, 1 << 30


@dataclass
class Limits:
    memory: int = 2 * GiB      # address space of each worker process
    cpu_seconds: int = 600     # CPU time of each worker process: no more than the whole run may take
    processes: int = 8         # processes and threads the worker's user may have, all told
    file_size: int = 16 * MiB  # the largest file the worker may write (its printed output included)
    printed: int = 64 << 10    # printed output kept per call; the rest is dropped, not an error
    open_files: int = 256

    def spec(self, **extra):
        """The limits as plain data for the worker's command line."""
        return {**asdict(self), **extra}


class StartFailed(Exception):
    """The worker cannot run within these limits: the grader's configuration, not the submission."""


def vm_size():
    """This process's address space in bytes (0 where there is no /proc to read it from)."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except OSError:  # no /proc (macOS): the worker's own size cannot be read, so it is not compared
        pass
    return 0


NO_RESOURCE = "the memory, CPU-time, file-size, open-file and process-count limits (no resource module)"


def confine(spec):
    """Apply ``spec`` (from ``Limits.spec``) to this process, then drop to its uid and gid if given.

    Returns the limits this platform could not apply, in words for the report.
    """
    if resource is None:
        _switch_user(spec)
        return [NO_RESOURCE]
    if spec["memory"] < vm_size() + 64 * MiB:
        raise StartFailed(f"the memory limit ({spec['memory'] / MiB:.0f} MiB) is below what the worker "
                          f"needs to start ({vm_size() / MiB:.0f} MiB plus room to work)")
    for limit, value in ((resource.RLIMIT_AS, spec["memory"]), (resource.RLIMIT_FSIZE, spec["file_size"]),
                         (resource.RLIMIT_NOFILE, spec["open_files"]), (resource.RLIMIT_CORE, 0),
                         (resource.RLIMIT_NPROC, spec["processes"])):
        _lower(limit, value, value)
    # SIGXCPU at the soft limit; the kernel sends SIGKILL one second later if that is ignored.
    _lower(resource.RLIMIT_CPU, spec["cpu_seconds"], spec["cpu_seconds"] + 1)
    _switch_user(spec)
    return []


def _switch_user(spec):
    """Drop to the uid and gid in ``spec``, if the grader gave them (it does only under root)."""
    uid, gid = spec.get("uid"), spec.get("gid")
    if uid is not None:
        reach = _descriptors_for(sys.path[1:])  # sys.path[0] is the submission's own folder
        os.setgroups([])
        os.setresgid(gid, gid, gid)
        os.setresuid(uid, uid, uid)
        if os.getresuid() != (uid, uid, uid) or os.getresgid() != (gid, gid, gid):
            raise StartFailed(f"could not switch to uid {uid}")
        _import_through(reach)


def _lower(limit, soft, hard):
    """Set a limit, never above what the machine already imposes (only root could raise that)."""
    _, current = resource.getrlimit(limit)
    if current != resource.RLIM_INFINITY:
        soft, hard = min(soft, current), min(hard, current)
    resource.setrlimit(limit, (soft, hard))


def _open_to_others(path):
    """Whether a user with no relation to ``path``'s owners can read it (ACLs aside)."""
    here = "/"
    for part in [p for p in path.split("/") if p]:
        here = os.path.join(here, part)
        if not os.stat(here).st_mode & stat.S_IXOTH:
            return False
    return bool(os.stat(path).st_mode & stat.S_IROTH)


def _descriptors_for(paths):
    """{path: /proc/self/fd/N} for import folders the unprivileged worker could not reach.

    Python and its packages may live below a folder only root may enter (pyenv in /root,
    say). A descriptor opened now, as root, still leads into such a folder after the switch:
    only the folders below it are checked, and those are open to everyone.
    """
    reach = {}
    for path in paths:
        if os.path.isdir(path) and not _open_to_others(path):
            reach[path] = f"/proc/self/fd/{os.open(path, os.O_RDONLY | os.O_DIRECTORY)}"
    return reach


def _import_through(reach):
    """Point sys.path, and the packages already loaded, at the descriptors in ``reach``."""
    if not reach:
        return

    def through(path):
        for folder, fd_path in reach.items():
            if path == folder or path.startswith(folder + os.sep):
                return fd_path + path[len(folder):]
        return path

    sys.path[:] = [through(p) for p in sys.path]
    for module in list(sys.modules.values()):
        search = getattr(module, "__path__", None)
        if isinstance(search, list):
            search[:] = [through(p) for p in search]
    sys.path_importer_cache.clear()


TALLY_START, TALLY_END = "[printed so far in this call: ", "]"


class BoundedOutput(io.RawIOBase):
    """A write-only stream on ``fd`` that keeps the first ``limit`` bytes per call and drops the rest.

    Printing a lot is not a mistake in the learner's function, so it must not fail; it only
    must not flood the report. Writes straight to the file descriptor bypass this and meet
    the file-size limit instead.
    """

    def __init__(self, fd, limit):
        super().__init__()
        self.fd, self.limit, self.left = fd, limit, limit
        self.total = 0  # bytes printed in this call, kept or not

    def writable(self):
        return True

    def fileno(self):
        return self.fd

    def write(self, data):
        size = len(data)
        kept = b""
        if self.left > 0:
            kept = bytes(data[:self.left])
            self.left -= size
            if self.left <= 0:
                kept += f"\n[printed output beyond {self.limit // 1024} KiB per call was dropped]\n".encode()
        before, self.total = self.total, self.total + size
        if before >> 20 < self.total >> 20 and self.left <= 0:
            # A tally at each MiB: a call that runs out of time while printing is told how much
            # it printed, even though the worker is ended before it can answer.
            kept += f"{TALLY_START}{self.total >> 20} MiB{TALLY_END}\n".encode()
        if kept:
            try:
                os.write(self.fd, kept)
            except OSError:
                pass
        return size

    def reset(self):
        self.left, self.total = self.limit, 0


def bounded_text(raw):
    return io.TextIOWrapper(io.BufferedWriter(raw), encoding="utf-8", errors="backslashreplace",
                            line_buffering=True)
