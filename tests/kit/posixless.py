"""A platform without POSIX's process facilities, simulated on Linux for ``test_without_posix.py``.

Nothing happens on import: ``simulate()`` does the work. The test installs this module into a
throwaway venv whose ``.pth`` file calls it, so it applies at start-up to every process run
with that venv's python: the grader, and each worker it starts with ``sys.executable`` (``-I``
leaves a venv's ``.pth`` files in force). The kit has no switch for it.

What is taken away is what Windows lacks and the grader reaches for: the ``resource``, ``fcntl``,
``pwd``, ``grp`` and ``termios`` modules; fork, sessions and process groups, uids, ``pread`` and non-blocking
pipes in ``os``; ``SIGKILL``, ``SIGHUP`` and the timer signals; prctl (``ctypes.CDLL(None)``
raises TypeError there); /proc; and ``select`` on anything but a socket. ``Popen.kill`` and
``terminate`` end the process outright, as TerminateProcess does. What cannot be taken away
on Linux: ``os.name`` and ``sys.platform`` stay POSIX's, the kernel still applies its own
defaults, and ``start_new_session`` still starts a session (Windows ignores it).
"""
import builtins
import os
import signal
import stat
import sys

MODULES = ("resource", "fcntl", "pwd", "grp", "termios")
OS_NAMES = ("fork", "forkpty", "setsid", "getsid", "killpg", "getpgid", "setpgid", "getpgrp",
            "getuid", "geteuid", "getgid", "getegid", "setuid", "seteuid", "setgid", "setegid",
            "setresuid", "setresgid", "getresuid", "getresgid", "setgroups", "getgroups",
            "chown", "lchown", "fchown", "pread", "pwrite", "set_blocking", "get_blocking",
            "O_NOFOLLOW", "O_NONBLOCK", "O_DIRECTORY")
SIGNAL_NAMES = ("SIGKILL", "SIGHUP", "SIGALRM", "SIGXCPU", "SIGXFSZ", "SIGVTALRM", "SIGPROF",
                "alarm", "setitimer", "getitimer", "pthread_kill", "siginterrupt")
NOT_A_SOCKET = 10038  # WSAENOTSOCK: Windows' select on a pipe


class _Missing:
    """A meta-path finder for which MODULES do not exist."""

    @staticmethod
    def find_spec(name, path=None, target=None):
        if name in MODULES:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None


def _in_proc(path):
    return isinstance(path, (str, bytes, os.PathLike)) and os.fsdecode(path).startswith("/proc")


def _without_proc(function):
    def call(path=".", *args, **kwargs):
        if _in_proc(path):
            raise FileNotFoundError(2, "No such file or directory", os.fsdecode(path))
        return function(path, *args, **kwargs)
    return call


def _sockets_only(select):
    def call(readers, writers, errors, *timeout):
        for item in (*readers, *writers, *errors):
            fd = item if isinstance(item, int) else item.fileno()
            if not stat.S_ISSOCK(os.fstat(fd).st_mode):
                raise OSError(NOT_A_SOCKET, "An operation was attempted on something that is not a socket")
        return select(readers, writers, errors, *timeout)
    return call


def _terminate(popen):
    """Popen.kill and Popen.terminate as on Windows: the process ends at once, uncatchably."""
    if popen.returncode is None:
        os.kill(popen.pid, signal.Signals.SIGKILL)


def simulate():
    for name in MODULES:
        sys.modules.pop(name, None)
    sys.meta_path.insert(0, _Missing)
    for module, names in ((os, OS_NAMES), (signal, SIGNAL_NAMES)):
        for name in names:
            if hasattr(module, name):
                delattr(module, name)
    builtins.open = _without_proc(builtins.open)
    os.listdir = _without_proc(os.listdir)
    os.scandir = _without_proc(os.scandir)

    import ctypes
    import select
    import subprocess

    class CDLL(ctypes.CDLL):
        def __init__(self, name, *args, **kwargs):
            if name is None:
                raise TypeError("expected str, bytes or os.PathLike object, not NoneType")
            super().__init__(name, *args, **kwargs)

    ctypes.CDLL = CDLL
    select.select = _sockets_only(select.select)
    subprocess.Popen.kill = subprocess.Popen.terminate = _terminate
