"""Under root, the worker reads nothing of the kit: no test folder (graded or not), no solutions/,
no instructor files, no built bundle; only its private copy of the submission, Python and numpy.

A submission tries every way in it can think of (a walk of the kit, direct paths, the folder
descriptors the worker holds for Python's own folders) and prints and raises what it finds; no
line of those files may reach the terminal, results.json or report.json.
"""
import glob
import os
import pathlib
import shutil
import tempfile

import pytest

from grader.kit import KIT_ROOT

from conftest import build_submission, grade

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="only under root does the worker run as a user of its own")

SECRETS = ("tests/**/*.py", "solutions/*.py", "instructor/**/*.py", "instructor/autograder/*")

PROBE = '''

def _probe():
    import os
    kit = {kit!r}
    paths = []
    for folder, _, files in os.walk(kit):
        paths += [os.path.join(folder, name) for name in files if name.endswith(".py")]
    for name in ("solutions/gates.py", "tests/steps/test_gates.py", "tests/hidden/test_hidden_example.py",
                 "instructor/handout.py", "tests/kit/mistakes.py", "dist/autograder.zip"):
        paths.append(os.path.join(kit, name))
        for fd in os.listdir("/proc/self/fd"):  # a folder descriptor opened as root, and up from it
            for up in range(1, 8):
                paths.append(os.path.join("/proc/self/fd", fd, *[".."] * up, os.path.relpath(kit, "/"), name))
    found = []
    for path in paths:
        try:
            with open(path, errors="replace") as f:
                found.append(f.read())
        except OSError:
            pass
    return len(paths), found


def sigmoid(z):
    tried, found = _probe()
    print(f"PROBE tried {{tried}} paths, read {{len(found)}}")
    for text in found:
        print(text)
    if found:
        raise ValueError("".join(found)[:900])
    raise ValueError(f"PROBE read nothing of {{tried}} paths")
'''


def secret_lines(exclude):
    """Lines of the kit's hidden files long enough to be telling, but none that ``exclude`` holds."""
    lines = set()
    for pattern in SECRETS:
        for path in glob.glob(os.path.join(KIT_ROOT, pattern), recursive=True):
            if os.path.isfile(path):
                with open(path, errors="replace") as f:
                    lines |= {line.strip() for line in f if len(line.strip()) >= 30}
    return {line for line in lines if line not in exclude}


def everything_shown(graded, results_dir):
    texts = [graded.output]
    for name in ("results.json", "report.json"):
        path = os.path.join(results_dir, name)
        texts.append(open(path, errors="replace").read() if os.path.exists(path) else "")
    return "\n".join(texts)


def test_the_worker_reads_none_of_the_kit(tmp_path):
    honest = build_submission(tmp_path / "honest")
    baseline = grade(honest, tmp_path / "honest-results")
    probing = build_submission(tmp_path / "probing")
    with open(probing / "gates.py", "a") as f:
        f.write(PROBE.format(kit=KIT_ROOT))
    graded = grade(probing, tmp_path / "probing-results")

    message = graded.message("sigmoid")
    assert "PROBE read nothing of" in message, message  # it ran, and found nothing
    tried = int(message.split("PROBE read nothing of ")[1].split()[0])
    assert tried > 100, message

    shown = everything_shown(graded, tmp_path / "probing-results")
    # What any grade shows (test names are docstrings of tests/steps, say) is not a leak.
    own = {line.strip() for path in probing.glob("*.py") for line in open(path)}
    legitimate = own | set(everything_shown(baseline, tmp_path / "honest-results").splitlines())
    leaked = sorted(line for line in secret_lines(legitimate) if line in shown)
    assert not leaked, f"{len(leaked)} lines of the kit's files reached the outputs, e.g. {leaked[:3]}"


def test_the_probe_would_see_a_leak(tmp_path):
    """The check above can fail: the same probe, pointed at a copy of the kit the worker may read,
    reads it, and its lines reach the outputs."""
    copy = pathlib.Path(tempfile.mkdtemp(prefix="lstm-kit-open-copy-"))  # pytest's tmp_path is root's alone
    try:
        (copy / "solutions").mkdir()
        source = open(os.path.join(KIT_ROOT, "solutions", "gates.py")).read()
        (copy / "solutions" / "gates.py").write_text(source)
        for path in (copy, copy / "solutions"):
            os.chmod(path, 0o755)
        os.chmod(copy / "solutions" / "gates.py", 0o644)
        probing = build_submission(tmp_path / "probing")
        with open(probing / "gates.py", "a") as f:
            f.write(PROBE.format(kit=str(copy)))
        graded = grade(probing, tmp_path / "results")
    finally:
        shutil.rmtree(copy)
    shown = everything_shown(graded, tmp_path / "results")
    telling = [line.strip() for line in source.splitlines() if len(line.strip()) >= 30]
    assert any(line in shown for line in telling), graded.message("sigmoid")
