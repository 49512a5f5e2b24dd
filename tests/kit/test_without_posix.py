"""Where POSIX's process facilities are missing (Windows without WSL), the grader still grades
through its worker, every call still has its time-out, and the report names the limits that
do not hold there; where they exist, it says nothing of the kind.

The platform is simulated on Linux (``posixless.py``): a throwaway venv whose ``.pth`` file takes
the facilities away at start-up, in the grader and in each worker it starts with that venv's
python. The kit has no switch for it, and it was not run on Windows itself.
"""
import os
import shutil
import subprocess
import sys
import sysconfig

import pytest

from grader.kit import KIT_ROOT

from conftest import ALL_STEPS, build_submission

HERE = os.path.dirname(os.path.abspath(__file__))
# What the note must name, one phrase per facility missing in the simulation.
NAMED = ("the memory, CPU-time, file-size, open-file and process-count limits (no resource module)",
         "no process groups", "no /proc", "no subreaper", "the grader's own memory limit (no resource module)")
LOOPS = '''
def forget_gate(x, h_prev, Wx, Wh, b):
    while True:
        pass
'''
PRINTS = '''
CALLS = []


def candidate(x, h_prev, Wx, Wh, b):
    import os
    CALLS.append(1)
    print(f"call {len(CALLS)}; fork: {hasattr(os, 'fork')}")
    return np.zeros_like(h_prev)
'''
EXITS = '''
def output_gate(x, h_prev, Wx, Wh, b):
    import os
    os._exit(3)
'''
CALL_TIMEOUT = 2


@pytest.fixture(scope="module")
def posixless_python(tmp_path_factory):
    """A venv's python in which ``posixless.simulate()`` runs at start-up, with the kit's packages."""
    venv = tmp_path_factory.mktemp("posixless") / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = str(venv / "bin" / "python")
    site = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()
    shutil.copy(os.path.join(HERE, "posixless.py"), site)
    with open(os.path.join(site, "posixless.pth"), "w") as pth:
        pth.write(f"{sysconfig.get_paths()['purelib']}\nimport posixless; posixless.simulate()\n")
    return python


def note_of(graded):
    return next((line for line in graded.output.splitlines() if line.startswith("On this platform")), None)


def printed_by(graded, step):
    return next(t["output"] for t in graded.results["tests"] if t["name"].startswith(f"{step}:") and t["output"])


def test_the_simulation_holds_in_the_grader_and_its_worker(posixless_python):
    probe = ("import os, signal\n"
             "try:\n    import resource\nexcept ImportError:\n    resource = None\n"
             "print(hasattr(os, 'fork'), hasattr(os, 'killpg'), hasattr(signal, 'SIGKILL'), resource)")
    said = subprocess.run([posixless_python, "-I", "-c", probe], capture_output=True, text=True, check=True)
    assert said.stdout.split() == ["False", "False", "False", "None"]


def test_the_reference_gets_full_marks_and_the_note_names_what_is_not_enforced(posixless_python, grade_in):
    graded = grade_in(os.path.join(KIT_ROOT, "solutions"), python=posixless_python)
    assert graded.exit_code == 0, graded.output
    assert graded.score == 100
    note = note_of(graded)
    assert note and all(phrase in note for phrase in NAMED), graded.output
    assert "time-out of each call and the run's time limit still hold" in note
    assert note in graded.results["output"]
    unenforced = graded.results["extra_data"]["unenforced"]
    assert len(unenforced) == 4 and all(any(phrase in gap for gap in unenforced) for phrase in NAMED)


def test_a_loop_times_out_a_crash_and_prints_are_its_own_as_on_posix(posixless_python, grade_in, tmp_path):
    folder = build_submission(tmp_path / "sub", done=ALL_STEPS,
                              replace={"forget_gate": LOOPS, "candidate": PRINTS, "output_gate": EXITS})
    options = ("--call-timeout", str(CALL_TIMEOUT))
    there = grade_in(folder, *options, python=posixless_python)
    here = grade_in(folder, *options)

    for graded in (there, here):
        assert graded.exit_code == 1, graded.output
        assert graded.status("forget_gate") == "failed"
        assert f"did not answer within {CALL_TIMEOUT:g} s" in graded.message("forget_gate")
        assert "exit status 3" in graded.message("output_gate")
        assert graded.status("sigmoid") == graded.status("input_gate") == graded.status("train") == "passed"
        printed = printed_by(graded, "candidate").split("Your code printed:\n")[1]
        assert len([line for line in printed.splitlines() if line.startswith("call ")]) == 1, printed
    assert {step: (there.status(step), there.points(step)) for step in ALL_STEPS} == \
        {step: (here.status(step), here.points(step)) for step in ALL_STEPS}
    assert "fork: False" in printed_by(there, "candidate") and "fork: True" in printed_by(here, "candidate")
    # One time-out, as on POSIX: a worker that could not be ended would hold the run until its limit.
    assert there.seconds < 2 * here.seconds + 2 * CALL_TIMEOUT, (there.seconds, here.seconds)

    assert note_of(there) and note_of(here) is None, here.output
    assert here.results["extra_data"]["unenforced"] == []
