"""Under root, in `make grade-all`, every upload is private to its own grade: a learner's code reads
no other learner's upload (not in the export, not staged, not in the private copy of another
grade's worker running at the same time), and every score stays the one its own code earns.

One learner's code hunts for the others' files at import time and again inside a function, while
the other grades run: it globs the export, the class's output, the staging area and the system's
temporary folders, follows the paths the running graders name on their command lines, and looks
into other processes' working folders. What it reads of another upload it prints, and it grades
a stolen gates.py in place of its own stubs, as a learner copying a classmate's work would.
"""
import json
import os
import pathlib
import re
import shutil
import stat
import subprocess
import sys
import tempfile
import uuid

import pytest

from grader.kit import KIT_ROOT

from conftest import ALL_STEPS, build_submission, learner_rows
from mistakes import MISTAKES

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="only under root does each grade's worker run as a user of its own")

SPY = "aaa-spy"  # first by name: graded in the first batch, alongside both victims

PROBE = '''

import glob as _glob
import os as _os
import time as _time

_TOKEN, _ME, _PLACES = {token!r}, {me!r}, {places!r}
_TEMPS = sorted({{_PLACES[-1], "/tmp", "/var/tmp", "/dev/shm"}})
_FOUND = {{"read": {{}}, "own": set(), "staged": set(), "workers": {{}}, "tried": set()}}


def _processes():
    """{{pid: (parent pid, uid, argv)}} of every process: any user may read these."""
    found = {{}}
    for pid in filter(str.isdigit, _os.listdir("/proc")):
        try:
            with open(f"/proc/{{pid}}/cmdline", "rb") as f:
                argv = f.read().decode(errors="replace").split("\\0")
            with open(f"/proc/{{pid}}/status") as f:
                fields = dict(line.split(":", 1) for line in f if ":" in line)
            found[int(pid)] = (int(fields["PPid"]), int(fields["Uid"].split()[0]), argv)
        except (OSError, KeyError, ValueError):
            continue
    return found


def _survey():
    """The folders the running graders grade (their command lines name them), and the private
    folders of the other workers of this class (their graders share this one's work folder)."""
    procs = _processes()
    staged = {{pid: argv[argv.index("--submission") + 1] for pid, (_, _, argv) in procs.items()
              if "--submission" in argv[:-1]}}
    work = _os.path.dirname(staged.get(_os.getppid(), "?/?"))
    graders = {{pid for pid, folder in staged.items() if _os.path.dirname(folder) == work}}
    workers = {{arg: uid for pid, (parent, uid, argv) in procs.items() if parent in graders and uid != _os.getuid()
               for arg in argv if arg.endswith(_os.sep + "submission")}}
    return set(staged.values()), workers


def _paths(staged, workers):
    folders = set(staged) | {{_os.path.dirname(f) for f in staged}} | set(workers)
    patterns = [_os.path.join(p, "**", "*") for p in [*_PLACES[:-1], *folders]]  # not all of the temporary folder
    for temp in _TEMPS:
        patterns += [_os.path.join(temp, "lstm-kit-*", "submission", "*"), _os.path.join(temp, "*", "*", "*.py"),
                     _os.path.join(temp, "lstm-kit-class-*", "*", "*")]
    patterns.append("/proc/[0-9]*/cwd/*")
    paths = {{p for pattern in patterns for p in _glob.glob(pattern, recursive=True)}}
    return paths | {{_os.path.join(f, n) for f in folders for n in ("gates.py", "cell.py", "sequence.py", "memory.py")}}


def _probe():
    """Read every file that could be another learner's; keep what holds another's upload."""
    staged, workers = _survey()
    _FOUND["staged"] |= staged
    _FOUND["workers"].update(workers)
    for path in _paths(staged, workers):
        _FOUND["tried"].add(path)
        try:
            with open(path, errors="replace") as f:
                text = f.read(1 << 20)
        except OSError:
            continue
        if f"{{_TOKEN}} {{_ME}}" in text:
            _FOUND["own"].add(path)
        elif _TOKEN in text:
            _FOUND["read"][path] = text


_probe()
_stolen = [text for path, text in _FOUND["read"].items() if path.endswith("gates.py")]
if _stolen:  # what a learner copying a classmate would do: their gates.py in place of these stubs
    print("READ at import:", sorted(_FOUND["read"]))
    exec(_stolen[0], globals())
else:
    def sigmoid(z):
        """Probe again, while the other grades run, until another worker's copy has been there a while."""
        if not _FOUND.get("probed"):
            deadline, first = _time.monotonic() + 4, None
            while _time.monotonic() < deadline:
                _probe()
                first = first or (_FOUND["workers"] and _time.monotonic())
                if first and _time.monotonic() - first > 1.5:
                    break
                _time.sleep(0.2)
            _FOUND["probed"] = True
        for path, text in _FOUND["read"].items():
            print(f"READ {{path}}:\\n{{text}}")
        print("OTHER WORKERS", sorted(_FOUND["workers"].items()))
        uids = ",".join(str(uid) for _, uid in sorted(_FOUND["workers"].items()))
        # Short, ahead of anything a cap on messages could cut: the paths read are printed above.
        raise ValueError(f"PROBE read {{len(_FOUND['read'])}} of {{len(_FOUND['tried'])}}; own {{len(_FOUND['own'])}}; "
                         f"staged {{len(_FOUND['staged'])}}; workers {{uids}}; mine {{_os.getuid()}};")
'''


def make_class(export, token, places):
    """The spy and two victims, every file marked with the class's token and its learner's name."""
    build_submission(export / SPY)
    build_submission(export / "bob" / "lstm-kit-main" / "exercises", done=ALL_STEPS)
    step, _, source = MISTAKES["cell_update_swaps_gates"]
    build_submission(export / "carol", done=ALL_STEPS, replace={step: source})
    for path in export.rglob("*.py"):
        learner = path.relative_to(export).parts[0]
        with open(path, "a") as f:
            f.write(f"\n# {token} {learner}\n")
    with open(export / SPY / "gates.py", "a") as f:
        f.write(PROBE.format(token=token, me=SPY, places=places))
    return {SPY: 0, "bob": 100, "carol": 96}


def test_no_learner_reads_another_upload():
    # Not pytest's tmp_path, which is root's alone: the export and the output sit in a folder any
    # user may enter, as an instructor's often do, so only the grader's own measures keep them.
    top = tempfile.mkdtemp(prefix="lstm-kit-open-class-")
    try:
        os.chmod(top, 0o755)
        export, out = os.path.join(top, "export"), os.path.join(top, "class")
        token = f"CLASS-{uuid.uuid4().hex}"
        expected = make_class(pathlib.Path(export), token, (export, out, tempfile.gettempdir()))
        done = subprocess.run([sys.executable, "-m", "instructor", "grade-all", export, "--out", out, "--jobs", "3",
                               "--tests", os.path.join(KIT_ROOT, "tests", "steps"), "--skip-reference-check",
                               "--call-timeout", "20", "--time-limit", "60"],  # the spy's probing call takes seconds
                              cwd=KIT_ROOT, capture_output=True, text=True, env={**os.environ, "NO_COLOR": "1"}, timeout=120)
        assert done.returncode == 0, done.stdout + done.stderr
        rows = {name: float(r["total"]) for name, r in learner_rows(os.path.join(out, "gradebook.csv")).items()}
        spied = [open(os.path.join(out, SPY, name), errors="replace").read() for name in ("report.txt", "results.json")]
        message = json.loads(spied[1])["extra_data"]["steps"]["sigmoid"]["message"]
        closed = stat.S_IMODE(os.stat(export).st_mode) & 0o007
    finally:
        shutil.rmtree(top)

    assert rows == expected  # each score its own: the spy graded no stolen code
    leaked = [victim for victim in expected if victim != SPY and f"{token} {victim}" in "".join(spied)]
    assert not leaked, f"files of {leaked} reached the spy's outputs: {message}"
    probe = re.search(r"PROBE read (\d+) of (\d+); own (\d+); staged (\d+); workers ([\d,]*); mine (\d+);", message)
    assert probe, f"{message}\n{spied[0][-3000:]}"
    read, tried, own, staged, workers, mine = probe.groups()
    assert read == "0", spied[0][-3000:]
    # The probe was real: it read its own private copy by the same patterns, knew the victims'
    # staged folders from their graders' command lines, and, while it ran, saw their workers'
    # private folders, each worker with a uid of its own.
    assert int(tried) > 20 and int(own) >= 4 and int(staged) >= 2, message
    uids = [int(uid) for uid in workers.split(",") if uid]
    assert uids and int(mine) not in uids and len(set(uids)) == len(uids), spied[0][-3000:]
    assert closed == 0, "the export stays open to other users"
