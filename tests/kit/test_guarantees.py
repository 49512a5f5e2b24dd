"""The run's guarantees when the trouble is not the submission: results.json is written when the
worker cannot start, when pytest stops or hangs, and nothing near the tests can change them."""
import io
import json
import os
import shutil
import time

from grader.course.steps import BY_NAME
from grader.kit import KIT_ROOT
from grader.outputs.results import StepResult
from grader.plugin.outcome import FAILED

import corpus
from conftest import grade

SOLUTIONS = os.path.join(KIT_ROOT, "solutions")
PASSING = '''
import pytest


@pytest.mark.step("sigmoid", points=3)
def test_sigmoid_runs(submission):
    """sigmoid answers"""
    assert submission.sigmoid(__import__("numpy").zeros((2, 2))).shape == (2, 2)
'''
LATER = '''
import pytest


@pytest.mark.step("candidate", points=5)
def test_later(submission):
    """a check after the one that stops the run"""
'''


def make_tests_folder(path, **files):
    path.mkdir()
    for name, text in files.items():
        (path / f"{name}.py").write_text(text)
    return path


def test_worker_that_cannot_start_is_a_grader_error_with_results(tmp_path):
    graded = grade(SOLUTIONS, tmp_path / "results", "--memory-limit", "0.05")
    assert graded.exit_code == 2
    assert "could not start" in graded.results["output"] and "memory limit" in graded.results["output"]
    assert graded.score == 0
    assert {s["status"] for s in graded.steps.values()} == {"not judged"}
    assert len(graded.results["tests"]) == len(graded.results["extra_data"]["not_judged"]) > 0


def test_pytest_stopped_mid_run_still_writes_what_was_judged(tmp_path):
    tests = make_tests_folder(tmp_path / "tests", test_a=PASSING, test_c=LATER, test_b='''
import pytest


@pytest.mark.step("input_gate", points=5)
def test_stops_the_run():
    """stops pytest, as Ctrl-C would"""
    raise KeyboardInterrupt
''')
    graded = grade(SOLUTIONS, tmp_path / "results", "--tests", str(tests))
    assert graded.exit_code == 2
    assert (graded.status("sigmoid"), graded.points("sigmoid")) == ("passed", 3)
    assert graded.status("candidate") == "not judged"
    assert "could not all run" in graded.results["output"] and "Not judged: " in graded.results["output"]


def test_sigterm_to_the_grader_still_writes_results(tmp_path):
    tests = make_tests_folder(tmp_path / "tests", test_a=PASSING, test_c=LATER, test_b='''
import os
import signal

import pytest


@pytest.mark.step("input_gate", points=5)
def test_terminates_the_grader():
    """the grading machine stops the grader"""
    os.kill(os.getpid(), signal.SIGTERM)
''')
    graded = grade(SOLUTIONS, tmp_path / "results", "--tests", str(tests))
    assert graded.exit_code == 2
    assert graded.points("sigmoid") == 3 and graded.status("candidate") == "not judged"


def test_grader_that_hangs_is_stopped_by_its_watchdog(tmp_path):
    tests = make_tests_folder(tmp_path / "tests", test_a=PASSING, test_b='''
import time

import pytest


@pytest.mark.step("input_gate", points=5)
def test_hangs_in_the_grader():
    """a check whose own code never ends"""
    while True:
        time.sleep(1)
''')
    # 5 s: the time limit counts from the grader's start, and sigmoid's check must be judged
    # within it even when pytest's start-up takes 2 s on a loaded machine.
    started = time.monotonic()
    graded = grade(SOLUTIONS, tmp_path / "results", "--tests", str(tests), "--time-limit", "5", timeout=60)
    assert graded.exit_code == 2
    assert time.monotonic() - started < 30
    assert graded.points("sigmoid") == 3 and graded.status("input_gate") == "not judged"
    assert "went past its time limit of 5 s" in graded.results["output"]


def test_conftest_above_the_tests_is_not_loaded(tmp_path):
    (tmp_path / "conftest.py").write_text("raise RuntimeError('a conftest.py above the tests ran')\n")
    shutil.copytree(os.path.join(KIT_ROOT, "tests", "steps"), tmp_path / "tests")
    graded = grade(SOLUTIONS, tmp_path / "results", "--tests", str(tmp_path / "tests"))
    assert graded.exit_code == 0, graded.output
    assert graded.score == 100


def test_rich_report_shows_brackets_in_messages_as_text():
    result = StepResult(BY_NAME["forget_gate"], FAILED, 0, 5, "[/] [bold]x[/bold] [red", "[/]")
    stream = io.StringIO()
    from grader.outputs import report
    report.render([result], "exercises", {}, ["note with [/] inside"], console=report._console(stream))
    text = stream.getvalue()
    assert "[/] [bold]x[/bold] [red" in text and "printed: [/]" in text and "note with [/] inside" in text


# Every step's functions fail, each printing what the worker keeps of a call's output and raising
# an exception of 4 million characters of escape codes, line separators and accented letters;
# the worker's own cut of an exception's message (its first 1000 characters) is undone first,
# since the worker is the learner's process.
MAXIMAL_TEXT = '''
import sys as _sys

TEXT = "\\x1b[2J\\x01\\u2028\\u00e9\\u20ac\\ud800[/]\\n" * 300_000  # 13 MB in a reply: under its cap
_worker = _sys.modules["grader.sandbox.worker"]
if not hasattr(_worker, "_cut_error"):
    _worker._cut_error = _worker._error

    def _uncut(exc, folder, module, function=None):
        reply = _worker._cut_error(exc, folder, module, function)
        reply["message"] = TEXT
        return reply
    _worker._error = _uncut


def _failing(*args, **kwargs):
    print(TEXT[:70_000])
    raise ValueError(TEXT)


for _name in NAMES:
    globals()[_name] = _failing
'''


def test_results_json_stays_under_1_mb_when_every_check_fails_with_maximal_text(tmp_path):
    from grader.course.steps import STEPS
    from grader.outputs.export import RESULTS_LIMIT

    folder = tmp_path / "submission"
    folder.mkdir()
    for name in {step.file for step in STEPS}:
        names = [f for step in STEPS if step.file == name for f in step.functions]
        text = open(os.path.join(SOLUTIONS, name)).read() + f"\n\nNAMES = {names!r}\n" + MAXIMAL_TEXT
        (folder / name).write_text(text)
    graded = grade(folder, tmp_path / "results", timeout=300)
    assert graded.exit_code == 1 and graded.score == 0, graded.output[-3000:]
    assert {test["status"] for test in graded.results["tests"]} == {"failed"}
    assert all("raised ValueError: \\x1b[2J\\x01\\u2028" in s["message"] for s in graded.steps.values())
    assert os.path.getsize(tmp_path / "results" / "results.json") < RESULTS_LIMIT
    report = (tmp_path / "results" / "report.json").read_text()
    assert len(report) < RESULTS_LIMIT
    for document in (graded.results, json.loads(report)):
        assert not any(corpus.CONTROL.search(text) for text in corpus.strings(document))
    assert not corpus.CONTROL.search(graded.output) and len(graded.output) < 100_000


def test_results_too_large_are_cut_fairly_under_the_limit():
    from grader.outputs.export import CUT, RESULTS_LIMIT, fitted

    outputs = ["short output", *(f"test {k}: " + "\u20ac" * 100_000 for k in range(40)), "x" * 10_000]
    document = {"score": 0, "output": "notes " * 50_000, "tests": [{"output": text} for text in outputs],
                "extra_data": {"steps": {"sigmoid": {"message": "m" * 200_000}}}}
    fitted(document)
    assert len(json.dumps(document, indent=2)) <= RESULTS_LIMIT
    cut = [test["output"] for test in document["tests"]]
    assert cut[0] == "short output" and cut[-1] == "x" * 10_000  # short enough to keep whole
    assert all(text.startswith(f"test {k}: \u20ac") and text.endswith(CUT) for k, text in enumerate(cut[1:-1]))
    sizes = [len(json.dumps(text)) for text in cut[1:-1]]
    assert max(sizes) - min(sizes) < 12  # one share each, to within a character's escape
    assert document["output"].startswith("notes notes") and document["output"].endswith(CUT)
