"""Where, and as whom, the worker runs; and making sure nothing it started outlives the grade.

- The worker runs on a private copy of the submission (regular files only: a symlink could
  point at the reference), never on the folder it was handed in. Each worker process gets a
  fresh copy before its first call: it sees the files as they are then (a worker started ahead
  of a save sees the save), and nothing an earlier worker did to its copy. The copy is its
  worker's alone (folders 0700, files 0600, owned by the worker's uid under root): the workers
  of other grades running at the same time, each with a uid of its own, cannot read it.
- The worker's own modules (``worker``, ``protocol``, ``limits``, ``perturb``) are copied into
  the private folder, readable by root only, and imported from there before the worker drops
  its privileges: it needs nothing from the kit.
- Under root, the worker runs as a user of its own: a uid and gid with no account, picked per
  run, so two grades on one machine cannot signal each other or share a process limit. The
  whole kit (solutions, every test folder, recorded outputs, instructor files, built bundles,
  its git history), the reference, the tests and the results folder lose their permissions for
  other users before it starts. Python and numpy stay within reach through folder descriptors
  the worker opens as root (``limits.confine``), even where they live inside the kit's venv.
- The grader becomes a subreaper, so a process the submission detaches (setsid, double fork)
  is still its descendant, and ``end_descendants`` ends all of them.
- Where a facility is missing (Windows has no subreaper, no /proc, no uids), what rests on it
  is not done, and ``Sandbox.unenforced`` says so for the report.
"""
import ctypes
import os
import random
import shutil
import signal
import socket
import stat
import tempfile
import time

from grader.course.steps import FILES
from grader.kit import KIT_ROOT

SANDBOX = os.path.dirname(os.path.abspath(__file__))
# What the worker process imports, relative to the folder holding the grader package.
RUNTIME = ("grader/__init__.py", "grader/sandbox/__init__.py", "grader/sandbox/worker.py",
           "grader/sandbox/protocol.py", "grader/sandbox/limits.py", "grader/sandbox/perturb.py")
WORKER_UIDS = range(20000, 60000)  # uids with no account are picked from here, at random
COPY_BUDGET = 64 << 20             # bytes of the submission folder copied at most
COPY_FILES = 500
MAX_FOLDER_DEPTH = 4               # folders inside one another below the submission's own
# One graded file (gates.py, ...): a learner's is a few kB; this leaves room for any amount of
# comments. The same limit holds wherever an upload is staged (grader.sandbox.staging).
MAX_GRADED_BYTES = 4 << 20
NAMES_IN_SHORT = 3                 # names shown per reason a file was not copied
TOO_DEEP = (f"a folder over {MAX_FOLDER_DEPTH} deep", f"folders over {MAX_FOLDER_DEPTH} deep")
OVER_BUDGET = f"over the {COPY_BUDGET >> 20} MiB / {COPY_FILES}-file copy budget"
IGNORED_NAMES = ("conftest.py", "pytest.ini", "sitecustomize.py", "usercustomize.py")


def is_ignored(name):
    """A file pytest or Python would pick up by its name, which the grader never runs."""
    return (name in IGNORED_NAMES or name.endswith(".pth")
            or (name.endswith(".py") and (name.startswith("test_") or name.endswith("_test.py"))))


class Sandbox:
    """The worker's private folder and identity, for one grading run."""

    def __init__(self, submission, protect=()):
        self.submission = os.path.abspath(submission)
        self.protect = [os.path.abspath(p) for p in protect]
        self.root = self.folder = self.runtime = None
        self.identity = None  # (uid, gid, claim) under root
        self.skipped, self.ignored, self.unprotected = [], [], []
        self.unenforced = []  # what this platform lets the grader not do, in words for the report
        self._children_before = set()

    def prepare(self):
        """Pick the worker's user, hide what it must not read, and make its folder; once per run."""
        if self.root is not None:
            return
        if is_root():
            self.identity = claim_identity()
            for path in self.protect + kit_folders():
                why = hide(path)
                if why:
                    self.unprotected.append(f"{path} ({why})")
        self.root = tempfile.mkdtemp(prefix="lstm-kit-")
        self.folder = os.path.join(self.root, "submission")
        os.mkdir(self.folder, 0o700)  # another grade's worker, running meanwhile, must not read this upload
        self.runtime = install_runtime(os.path.join(self.root, "runtime"))
        if self.identity:
            # The worker may use its folder freely, but not rename or replace it: the grader
            # starts each worker there as root.
            os.chmod(self.root, 0o711)
            os.chown(self.folder, *self.identity[:2])
        self._children_before = set(descendants(os.getpid()))  # not the worker's: left alone
        self.unenforced = clean_up_gaps(become_subreaper())

    def fill(self):
        """Empty the worker's folder and copy the submission into it, as it is now."""
        for entry in os.scandir(self.folder):
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path)
            else:
                os.unlink(entry.path)
        self.skipped = copy_tree(self.submission, self.folder, self.identity[:2] if self.identity else None)
        self.ignored = sorted(os.path.relpath(os.path.join(d, f), self.folder)
                              for d, _, files in os.walk(self.folder) for f in files if is_ignored(f))

    def spec(self, limits):
        """What the worker applies to itself: the limits, and its uid and gid under root."""
        if self.identity:
            return limits.spec(uid=self.identity[0], gid=self.identity[1])
        # A normal user's process count includes everything else they run.
        return limits.spec(processes=limits.processes + (tasks_of(os.getuid()) if hasattr(os, "getuid") else 0))

    def env(self, extra=()):
        """The worker's environment: nothing of the grader's beyond what Python needs (on Windows,
        SYSTEMROOT too: without it Python cannot start)."""
        windows = {"SYSTEMROOT": os.environ["SYSTEMROOT"]} if "SYSTEMROOT" in os.environ else {}
        return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8", "HOME": self.folder,
                "TMPDIR": self.folder, **windows, **dict(extra)}

    def end_leftovers(self):
        """End every process the worker left behind (it is already stopped)."""
        end_descendants(exclude=self._children_before)

    def close(self):
        if self.root is None:
            return
        try:
            self.end_leftovers()
        finally:  # even when interrupted (Ctrl-C in watch mode): no folder is left behind
            shutil.rmtree(self.root, ignore_errors=True)
            self.root = None
            if self.identity:
                remove_files_of(self.identity[0])
                self.identity[2].close()


def is_root():
    """Whether workers run as users of their own (only root can switch to them)."""
    return hasattr(os, "geteuid") and os.geteuid() == 0


def claim_identity():
    """A (uid, gid, claim) no account and no other grading run uses; the claim holds it.

    The claim is a socket bound to an abstract name: the kernel lets one process at a time
    hold it and releases it when that process ends, however it ends.
    """
    start = random.randrange(len(WORKER_UIDS))
    for k in range(len(WORKER_UIDS)):
        uid = WORKER_UIDS[(start + k) % len(WORKER_UIDS)]
        if _has_account(uid):
            continue
        claim = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            claim.bind(f"\0lstm-kit-worker-{uid}")
        except OSError:
            claim.close()
            continue
        return uid, uid, claim
    raise RuntimeError("no free uid for the worker")


def _has_account(uid):
    import grp
    import pwd
    for lookup in (pwd.getpwuid, grp.getgrgid):
        try:
            lookup(uid)
            return True
        except KeyError:
            pass
    return False


def install_runtime(target):
    """Copy the worker's modules to ``target`` (root's alone under root); returns ``target``."""
    grader_parent = os.path.dirname(os.path.dirname(SANDBOX))
    for name in RUNTIME:
        path = os.path.join(target, *name.split("/"))
        os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
        shutil.copyfile(os.path.join(grader_parent, *name.split("/")), path)
    return target


def kit_folders():
    """The kit as a whole, when the grader runs from a checkout of it (or a handout); else the
    grader's package alone (installed among other packages, whose folder must stay open)."""
    if os.path.isdir(os.path.join(KIT_ROOT, "exercises")) or os.path.isdir(os.path.join(KIT_ROOT, "tests")):
        return [KIT_ROOT]
    return [os.path.dirname(SANDBOX)]


def _essential(path):
    """The folder for temporary files, which holds the worker's own: never hidden. (Python and
    numpy need not be left open: the worker reaches them through descriptors it opens as root.)"""
    real = os.path.realpath(path).rstrip("/") + "/"
    return (os.path.realpath(tempfile.gettempdir()) + "/").startswith(real)


def hide(path):
    """Take other users' access away from ``path``; returns why it stays readable, if it does."""
    if not os.path.exists(path):
        return None
    if _essential(path):
        return "the worker needs it"
    mode = os.stat(path).st_mode
    if mode & 0o007:
        try:
            os.chmod(path, stat.S_IMODE(mode) & ~0o007)
        except OSError as exc:
            return f"its permissions could not be changed: {exc.strerror}"
    return None


def remove_files_of(uid):
    """Remove what ``uid`` left in the folders every user may write to."""
    for folder in {tempfile.gettempdir(), "/tmp", "/var/tmp", "/dev/shm"}:
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            try:
                if entry.stat(follow_symlinks=False).st_uid != uid:
                    continue
                if entry.is_dir(follow_symlinks=False):
                    shutil.rmtree(entry.path, ignore_errors=True)
                else:
                    os.unlink(entry.path)
            except OSError:
                pass


def copy_tree(source, target, owner=None):
    """Copy the regular files and folders under ``source``: the graded files first, then the other
    Python files and the packages beside them, then the rest, so no data folder can spend the
    budget before them. Returns what was skipped, in short: per reason a count and a few names."""
    skipped = {}
    budget = {"bytes": COPY_BUDGET, "files": COPY_FILES}
    entries = sorted(_entries(source), key=lambda e: (_priority(e), e.name))
    _copy_entries(entries, target, owner, source, budget, skipped)
    return [_in_short(reason, names) for reason, names in skipped.items()]


def _entries(folder):
    with os.scandir(folder) as found:
        return [e for e in found if not (e.name.startswith(".") or e.name in ("__pycache__", "__MACOSX"))]


def _priority(entry):
    """0 for a graded file, 1 for another Python file, 2 for a package, 3 for the rest."""
    if entry.name in FILES:
        return 0
    if entry.name.endswith(".py"):
        return 1
    package = entry.is_dir(follow_symlinks=False) and os.path.isfile(os.path.join(entry.path, "__init__.py"))
    return 2 if package else 3


def _copy_entries(entries, target, owner, top, budget, skipped):
    for entry in entries:
        path, shown = os.path.join(target, entry.name), os.path.relpath(entry.path, top)
        info = entry.stat(follow_symlinks=False)
        if stat.S_ISLNK(info.st_mode):
            skipped.setdefault(("a symbolic link", "symbolic links"), []).append(shown)
        elif stat.S_ISDIR(info.st_mode) and shown.count(os.sep) >= MAX_FOLDER_DEPTH:
            skipped.setdefault(TOO_DEEP, []).append(shown)
        elif stat.S_ISDIR(info.st_mode):
            os.mkdir(path, 0o700)
            if owner:
                os.chown(path, *owner)
            _copy_entries(sorted(_entries(entry.path), key=lambda e: e.name), path, owner, top, budget, skipped)
        elif not stat.S_ISREG(info.st_mode):
            skipped.setdefault(("not a regular file", "not regular files"), []).append(shown)
        elif shown in FILES and info.st_size > MAX_GRADED_BYTES:
            skipped.setdefault((too_large(info.st_size),) * 2, []).append(shown)
            write_refusal(path, f"{shown} was not graded: it is {too_large(info.st_size)}", owner)
        elif info.st_size > budget["bytes"] or budget["files"] == 0:
            skipped.setdefault((OVER_BUDGET, OVER_BUDGET), []).append(shown)
        else:
            budget["bytes"] -= info.st_size
            budget["files"] -= 1
            _copy_file(entry.path, path, owner)


def too_large(size):
    return f"{size / (1 << 20):.1f} MiB, over the {MAX_GRADED_BYTES >> 20} MiB limit for a graded file"


def write_refusal(path, why, owner=None):
    """In place of a graded file refused for its size: a module whose import says why, so every
    step of that file fails with the reason, never with "missing"."""
    _write_file(path, f"NOT_GRADED = {why!r}\nraise ImportError(NOT_GRADED)\n".encode(), owner)


def _in_short(reason, names):
    """One entry of what was skipped: each name with the reason (singular, plural), or how many
    there were and the first few."""
    if len(names) <= NAMES_IN_SHORT:
        return ", ".join(f"{name} ({reason[0]})" for name in names)
    shown = ", ".join(name[:60] for name in names[:NAMES_IN_SHORT])
    return f"{len(names)} entries ({reason[1]}): {shown} and {len(names) - NAMES_IN_SHORT} more"


# Never through a link, never waiting on a FIFO; in binary on Windows, which has none of the other two.
_READ_FLAGS = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)


def _copy_file(source, target, owner):
    """Copy one file, readable by its owner alone (the worker's uid under root), as its folder is."""
    fd = os.open(source, _READ_FLAGS)
    with os.fdopen(fd, "rb") as src:
        _write_file(target, src, owner)


def _write_file(target, content, owner):
    """A new file at ``target`` holding ``content`` (bytes, or a file to copy), its owner's alone."""
    out = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600)
    with os.fdopen(out, "wb") as dst:
        if isinstance(content, bytes):
            dst.write(content)
        else:
            shutil.copyfileobj(content, dst)
    if owner:
        os.chown(target, *owner)


def become_subreaper():
    """Orphans of the worker's processes become this process's children, not init's; returns
    whether that holds (Linux only: elsewhere there is no prctl, or no C library to find it in)."""
    try:
        return ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0) == 0  # PR_SET_CHILD_SUBREAPER
    except (OSError, AttributeError, TypeError):  # TypeError: Windows' CDLL takes no None
        return False


def _pids():
    """The pids /proc lists; none where there is no /proc (Windows, macOS)."""
    try:
        return [int(name) for name in os.listdir("/proc") if name.isdigit()]
    except OSError:
        return []


def clean_up_gaps(subreaper):
    """What the grader cannot do here to end what a submission leaves running, for the report."""
    gaps, missing = [], []
    if not hasattr(os, "killpg"):
        missing.append("no process groups")
    if not _pids():
        missing.append("no /proc to list processes")
    if missing:
        gaps.append(f"ending the processes a submission leaves running ({', '.join(missing)})")
    if not subreaper:
        gaps.append("keeping the processes a submission detaches within the grader's reach (no subreaper)")
    return gaps


def _parents():
    """{pid: parent pid} for every process visible in /proc."""
    parents = {}
    for pid in _pids():
        try:
            with open(f"/proc/{pid}/stat") as f:
                text = f.read()
        except OSError:
            continue
        parents[pid] = int(text[text.rindex(")") + 2:].split()[1])
    return parents


def descendants(pid, exclude=()):
    """Every process below ``pid``, leaving out the subtrees of ``exclude``."""
    children = {}
    for child, parent in _parents().items():
        children.setdefault(parent, []).append(child)
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), ()):
            if child not in exclude:
                found.append(child)
                todo.append(child)
    return found


def end_descendants(exclude=(), patience=5.0):
    """SIGKILL this process's descendants (but ``exclude``) until none is left, and reap them."""
    deadline = time.monotonic() + patience
    while time.monotonic() < deadline:
        found = descendants(os.getpid(), exclude)
        if not found:
            return
        for pid in found:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        for pid in found:
            try:
                os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:
                pass  # not (yet) ours: its parent is being ended too
        time.sleep(0.002)


def _stat_field(pid, field):
    """Field ``field`` (numbered as proc(5) numbers them) of /proc/pid/stat, or None."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return int(f.read().rsplit(")", 1)[1].split()[field - 3])
    except (OSError, IndexError, ValueError):
        return None


def thread_count(pid):
    return _stat_field(pid, 20)


def started_at(pid):
    """When ``pid`` started, in clock ticks since boot; None when it is gone."""
    return _stat_field(pid, 22)


def children(pid):
    """The child processes of ``pid``, from every one of its threads."""
    found = []
    for task in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{task}/children") as f:
            found += [int(k) for k in f.read().split()]
    return found


def tasks_of(uid):
    """How many processes and threads ``uid`` runs: what RLIMIT_NPROC counts."""
    count = 0
    for pid in _pids():
        try:
            with open(f"/proc/{pid}/status") as f:
                fields = dict(line.split(":", 1) for line in f if ":" in line)
            if int(fields["Uid"].split()[0]) == uid:
                count += int(fields["Threads"])
        except (OSError, KeyError, ValueError):
            continue
    return count
