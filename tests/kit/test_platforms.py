"""Classroom 50 and PrairieLearn: each bundle built as `make classroom50` / `make prairielearn`
builds it, then run as the platform runs it (Classroom 50's runner: its variables, the learner's
checkout as the working directory; PrairieLearn: /grade mapped into a temporary folder), and
what it writes checked field by field against the platform's rules. Each platform grades two
uploads at most; the rest are refused before any grade."""
import ast
import json
import os
import re
import shutil
import stat
import subprocess
import sys
import uuid

import pytest
from markdown_it import MarkdownIt

from grader.kit import KIT_ROOT
from grader.outputs.markdown import WITHHELD

from conftest import ALL_STEPS, build_submission
from mistakes import MISTAKES

TESTS = f"{os.path.join(KIT_ROOT, 'tests', 'steps')}:{os.path.join(KIT_ROOT, 'tests', 'hidden')}"
STEP_ROWS = [f"{n}. {name}" for n, name in enumerate(ALL_STEPS, 1)]
HIDDEN = os.path.join(KIT_ROOT, "tests", "hidden", "test_hidden_example.py")
# The hidden checks' names (their docstrings' first lines): never in what a learner's peers see.
HIDDEN_NAMES = [ast.get_docstring(node).splitlines()[0] for node in ast.parse(open(HIDDEN).read()).body
                if isinstance(node, ast.FunctionDef) and node.name.startswith("test_")]
# forget_gate with tanh (a named mistake), printing what it was given: the public checks and the
# hidden one call it on different shapes, so each one's printed line is its own.
PRINTS = "Shape `x` **is** [{}]"
TANH_PRINTING = MISTAKES["forget_gate_uses_tanh"][2] + f'''
_tanh_forget_gate = forget_gate


def forget_gate(x, h_prev, Wx, Wh, b):
    print({PRINTS!r}.format(x.shape))
    return _tanh_forget_gate(x, h_prev, Wx, Wh, b)
'''
VISIBLE_PRINT, HIDDEN_PRINT = PRINTS.format((3, 5)), PRINTS.format((2, 5))


def built(tool, *options, out):
    done = subprocess.run([sys.executable, "-m", "instructor", tool, "--tests", TESTS, "--out", str(out), *options],
                          cwd=KIT_ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def learner_work(folder):
    """What a learner hands in: every step right but forget_gate, which prints."""
    return build_submission(folder, done=ALL_STEPS, replace={"forget_gate": TANH_PRINTING})


def no_floats(value, where="result.json"):
    """Classroom 50 rejects floats anywhere a number is."""
    if isinstance(value, dict):
        for key, item in value.items():
            no_floats(item, f"{where}.{key}")
    elif isinstance(value, list):
        for k, item in enumerate(value):
            no_floats(item, f"{where}[{k}]")
    else:
        assert not isinstance(value, float), f"{where} is a float: {value}"


def bold_texts(tokens):
    """The texts markdown-it renders in bold."""
    found = []
    for token in tokens:
        children = token.children or []
        found += [children[k + 1].content for k, child in enumerate(children[:-1]) if child.type == "strong_open"]
    return found


def is_whole(value):
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


# ---- Classroom 50 ------------------------------------------------------------------------------

RUNNER = {"CLASSROOM": "cs-rnn-2026", "ASSIGNMENT": "lstm-kit", "SUBMISSION_TAG": "submit/2026-12-01T10-00-00Z-1a2b3c4",
          "COMMIT_URL": "https://github.com/cs-rnn-2026/lstm-kit-ada/commit/1a2b3c4",
          "RELEASE_URL": "https://github.com/cs-rnn-2026/lstm-kit-ada/releases/tag/submit%2F2026-12-01T10-00-00Z-1a2b3c4",
          "REVIEW_URL": "https://github.com/cs-rnn-2026/lstm-kit-ada/pull/1", "USERNAME": "ada"}


@pytest.fixture(scope="module")
def classroom50(tmp_path_factory):
    out = tmp_path_factory.mktemp("classroom50")
    said = built("classroom50", "--slug", "lstm-kit", out=out)
    assert "multiplied by 2, 218 in all" in said and "their code is in this public bundle" in said
    return out / "lstm-kit"


def run_classroom50(bundle, checkout, tmp_path, **env):
    """``python autograder.py`` as Classroom 50's runner calls it: no arguments, the checkout as the
    working directory, the runner's variables set; pip asks no index (the pins are installed)."""
    summary = tmp_path / "step-summary.md"
    summary.write_text("")
    environ = {**os.environ, **RUNNER, "CLASSROOM50_BUNDLE_DIR": str(bundle), "GITHUB_STEP_SUMMARY": str(summary),
               "GITHUB_OUTPUT": str(tmp_path / "github-output"), "CI": "true", "PIP_NO_INDEX": "1", **env}
    environ = {k: v for k, v in environ.items() if v is not None}
    done = subprocess.run([sys.executable, str(bundle / "autograder.py")], cwd=checkout, env=environ,
                          capture_output=True, text=True, timeout=600)
    return done, summary


def checkout_of(tmp_path, exercises):
    """A learner's repository as Classroom 50 checks it out: the handout's files, their own work in
    exercises/, and a result.json of their own that must not be what is published."""
    repo = tmp_path / "checkout"
    repo.mkdir(parents=True)
    for name in ("README.md", "Makefile", "requirements.txt"):
        shutil.copy2(os.path.join(KIT_ROOT, name), repo / name)
    shutil.copytree(os.path.join(KIT_ROOT, "notebooks"), repo / "notebooks")
    exercises(repo / "exercises")
    (repo / "result.json").write_text(json.dumps({"score": 999, "max-score": 1}))
    return repo


def check_result(result, tests_expected):
    """Every rule of Classroom 50's result.json (classroom50/result/v1), field by field."""
    assert result["schema"] == "classroom50/result/v1"
    assert result["classroom"] == RUNNER["CLASSROOM"] and result["assignment"] == RUNNER["ASSIGNMENT"]
    assert result["submission"] == RUNNER["SUBMISSION_TAG"] and result["submission"].startswith("submit/")
    for key, name in (("commit", "COMMIT_URL"), ("release", "RELEASE_URL"), ("review", "REVIEW_URL")):
        assert isinstance(result[key], str) and result[key] == RUNNER[name]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", result["datetime"])
    no_floats(result)
    assert is_whole(result["score"]) and is_whole(result["max-score"]) and result["score"] <= result["max-score"]
    tests = result["tests"]
    assert isinstance(tests, list) and [t["test-name"] for t in tests] == tests_expected
    for test in tests:
        assert isinstance(test["test-name"], str) and test["test-name"]
        assert isinstance(test["passed"], bool)
        assert is_whole(test["score"]) and is_whole(test["max-score"]) and test["score"] <= test["max-score"]
        assert test["passed"] == (test["score"] == test["max-score"] and test["max-score"] > 0)
    assert sum(t["score"] for t in tests) == result["score"]
    assert sum(t["max-score"] for t in tests) == result["max-score"] == 218  # 109 points, each doubled


def test_the_classroom50_bundle_is_public_and_holds_no_solution(classroom50):
    from test_handout import code_found, function_bodies

    names = {os.path.relpath(os.path.join(d, f), classroom50) for d, _, fs in os.walk(classroom50) for f in fs}
    assert {"autograder.py", "bundle.json", "requirements.txt", "tests/steps/reference_outputs.npz",
            "tests/steps/mistake_outputs.npz", "tests/hidden/test_hidden_example.py", "grader/__main__.py"} <= names
    assert not any(n.startswith(("solutions/", "instructor/", "exercises/")) or "__pycache__" in n for n in names)
    assert "grader/judge/variants.py" not in names  # the mistakes' forms are the reference, one piece changed
    assert code_found(function_bodies(os.path.join(KIT_ROOT, "solutions")), str(classroom50)) == []
    assert (classroom50 / "requirements.txt").read_text() == open(os.path.join(KIT_ROOT, "requirements.txt")).read()
    config = json.loads((classroom50 / "bundle.json").read_text())
    assert config["tests"] == "tests/steps:tests/hidden" and config["scale"] == 2
    assert [label for label, _ in config["rows"]] == STEP_ROWS + [WITHHELD]


def test_classroom50_grades_a_checkout_and_publishes_no_hidden_words(classroom50, tmp_path):
    checkout = checkout_of(tmp_path, learner_work)
    done, summary = run_classroom50(classroom50, checkout, tmp_path)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "Requirement already satisfied" in done.stdout  # it installed its pins (nothing to do here)
    result = json.loads((checkout / "result.json").read_text())
    check_result(result, STEP_ROWS + [WITHHELD])
    rows = {t["test-name"]: t for t in result["tests"]}
    assert rows["2. forget_gate"] == {"test-name": "2. forget_gate", "passed": False, "score": 0, "max-score": 8,
                                      "status": "failing"}
    assert all(rows[name]["passed"] for name in STEP_ROWS if name != "2. forget_gate")
    withheld = rows[WITHHELD]  # forget_gate's hidden check (2 points) fails: 7 of 9, doubled
    assert (withheld["score"], withheld["max-score"], withheld["passed"]) == (14, 18, False)
    assert result["score"] == 218 - 8 - 4
    body = (checkout / "release-body.md").read_text()
    assert body.startswith("Classroom 50 counts whole points") and "## lstm-kit: 206/218" in body
    tokens = MarkdownIt().enable("table").parse(body)
    fences = [t.content for t in tokens if t.type == "fence"]
    assert fences == [VISIBLE_PRINT + "\n"]  # the visible check's print, fenced as it was printed
    assert "This looks like tanh instead of sigmoid on a gate:" in bold_texts(tokens)  # the named mistake, in bold
    assert "Hint:" in bold_texts(tokens)
    published = body + json.dumps(result)
    for secret in HIDDEN_NAMES + [HIDDEN_PRINT, "inputs the public checks never use", "seed 11"]:
        assert secret not in published, secret
    assert summary.read_text() == body  # the job's summary shows the same report


def test_classroom50_grades_the_stubs_at_zero_and_an_empty_checkout_without_grading(classroom50, tmp_path):
    stubs = checkout_of(tmp_path / "stubs", lambda folder: build_submission(folder))
    done, _ = run_classroom50(classroom50, stubs, tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads((stubs / "result.json").read_text())
    check_result(result, STEP_ROWS + [WITHHELD])
    assert result["score"] == 0 and not any(t["passed"] for t in result["tests"])
    assert {t["status"] for t in result["tests"][:-1]} == {"not started"}
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "README.md").write_text("my notes\n")
    done, _ = run_classroom50(classroom50, empty, tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads((empty / "result.json").read_text())
    check_result(result, STEP_ROWS + [WITHHELD])  # every row, at zero: the max-score does not change
    assert result["score"] == 0 and {t["status"] for t in result["tests"]} == {"not graded"}
    assert "Nothing was graded" in (empty / "release-body.md").read_text()


def test_classroom50_publishes_nothing_when_it_cannot_grade(classroom50, tmp_path):
    """Outside the runner, or when the requirements cannot be installed: exit status 1, no result."""
    work = checkout_of(tmp_path, learner_work)
    theirs = (work / "result.json").read_text()
    done, _ = run_classroom50(classroom50, work, tmp_path, SUBMISSION_TAG=None)
    assert done.returncode == 1 and "SUBMISSION_TAG not set" in done.stderr
    assert (work / "result.json").read_text() == theirs and not (work / "release-body.md").exists()  # untouched
    broken = tmp_path / "bundle"
    shutil.copytree(classroom50, broken)
    (broken / "requirements.txt").write_text("lstm-kit-no-such-requirement==0.0.1\n")
    done, _ = run_classroom50(broken, work, tmp_path, CLASSROOM50_BUNDLE_DIR=str(broken))
    assert done.returncode == 1 and "could not install the grader's requirements" in done.stderr
    assert "lstm-kit-no-such-requirement" in done.stdout + done.stderr  # pip's own words, for the log
    assert not (work / "result.json").exists()


# ---- PrairieLearn ------------------------------------------------------------------------------

IMAGE = "example/lstm-kit-grader"


@pytest.fixture(scope="module")
def question(tmp_path_factory):
    out = tmp_path_factory.mktemp("prairielearn")
    said = built("prairielearn", "--image", IMAGE, "--qid", "lstmKit", "--timeout", "120", out=out)
    assert "results.json gives points out of 109" in said
    return out / "lstmKit"


def run_prairielearn(question, tmp_path, upload):
    """The entrypoint as PrairieLearn runs it: the question's tests/ at /grade/tests, the upload at
    /grade/student, no /grade/results yet; /grade mapped into ``tmp_path``."""
    root = tmp_path / "grade"
    shutil.copytree(question / "tests", root / "tests")
    (root / "student").mkdir()
    upload(root / "student")
    entrypoint = json.loads((question / "info.json").read_text())["externalGradingOptions"]["entrypoint"]
    script = root / os.path.relpath(entrypoint, "/grade")
    assert not (root / "results").exists()
    done = subprocess.run([str(script)], env={**os.environ, "LSTM_KIT_GRADE_ROOT": str(root),
                                              "PATH": f"{os.path.dirname(sys.executable)}{os.pathsep}{os.environ['PATH']}"},
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    path = root / "results" / "results.json"
    assert path.stat().st_size < 1_000_000  # PrairieLearn's cap
    return json.loads(path.read_text())


def test_the_prairielearn_question_is_laid_out_as_prairielearn_reads_it(question):
    info = json.loads((question / "info.json").read_text())
    assert uuid.UUID(info["uuid"]) and info["type"] == "v3" and info["gradingMethod"] == "External"
    assert isinstance(info["title"], str) and info["title"] and isinstance(info["topic"], str)
    options = info["externalGradingOptions"]
    assert options["enabled"] is True and options["image"] == IMAGE
    assert isinstance(options["timeout"], int) and 0 < options["timeout"] <= 600
    assert options["entrypoint"] == "/grade/tests/grade.py"  # the question's tests/ is mounted at /grade/tests
    entry = question / "tests" / "grade.py"
    assert entry.read_text().startswith("#!/usr/bin/env python3") and os.stat(entry).st_mode & stat.S_IXUSR
    assert "serverFilesCourse" not in options  # the question carries all it needs
    html = (question / "question.html").read_text()
    assert "<pl-file-upload" in html and "<pl-external-grader-results>" in html
    assert re.search(r'optional-file-names="gates.py, cell.py, sequence.py, memory.py, lstm_kit.ipynb"', html)
    config = json.loads((question / "tests" / "bundle.json").read_text())
    assert config["time_limit"] < options["timeout"]  # the grade ends, and writes, before PrairieLearn kills it
    assert (question / "tests" / "solutions" / "gates.py").exists()  # private to the course, as on Gradescope
    assert stat.S_IMODE(os.stat(question / "tests" / "solutions" / "gates.py").st_mode) & 0o077 == 0
    dockerfile = (question.parent / "image" / "Dockerfile").read_text()
    assert "pip install" in dockerfile and "requirements.txt" in dockerfile
    assert (question.parent / "image" / "requirements.txt").read_text() == \
        open(os.path.join(KIT_ROOT, "requirements.txt")).read()


def test_prairielearn_grades_an_upload_field_by_field(question, tmp_path):
    def upload(student):
        for path in learner_work(tmp_path / "work").iterdir():
            shutil.copy2(path, student / path.name)
    results = run_prairielearn(question, tmp_path, upload)
    assert results["gradable"] is True
    assert results["max_points"] == 109 and results["points"] == 109 - 4 - 2
    assert isinstance(results["score"], float) and 0 <= results["score"] <= 1
    assert results["score"] == pytest.approx(results["points"] / results["max_points"])
    tests = results["tests"]
    assert [t["name"] for t in tests] == STEP_ROWS + [WITHHELD]
    for test in tests:
        assert isinstance(test["name"], str) and isinstance(test["message"], str) and isinstance(test["output"], str)
        assert 0 <= test["points"] <= test["max_points"]
    assert sum(t["points"] for t in tests) == results["points"] and sum(t["max_points"] for t in tests) == 109
    forget = tests[1]
    assert forget["points"] == 0 and forget["message"].startswith("This looks like tanh instead of sigmoid on a gate:")
    assert "f[0, 0]" in forget["output"] and VISIBLE_PRINT in forget["output"]  # plain text: no Markdown escapes
    assert "\\[" not in forget["output"] and "```" not in forget["output"].replace(VISIBLE_PRINT, "")
    assert tests[0]["message"] == "passing" and tests[0]["output"] == ""
    assert tests[-1]["output"] == "" and "description" not in tests[-1]
    shown = json.dumps(results)
    for secret in HIDDEN_NAMES + [HIDDEN_PRINT, "inputs the public checks never use"]:
        assert secret not in shown, secret


def test_prairielearn_gives_back_the_attempt_for_an_upload_it_cannot_grade(question, tmp_path):
    def syntax_error(student):
        build_submission(student, done=ALL_STEPS[:2])
        (student / "cell.py").write_text("def lstm_step_forward(x, prev_h, prev_c, Wx, Wh, b)\n    return None\n")
    results = run_prairielearn(question, tmp_path / "syntax", syntax_error)
    assert results["gradable"] is False and results["tests"] == [] and results["max_points"] == 109
    assert results["format_errors"] == ["cell.py, line 1: expected ':'"]
    assert "this attempt does not count" in results["message"]
    results = run_prairielearn(question, tmp_path / "nothing", lambda student: (student / "notes.txt").write_text("hi"))
    assert results["gradable"] is False and "none of gates.py, cell.py, sequence.py, memory.py" in results["message"]
    assert results["format_errors"] == [results["message"]]
    elsewhere = tmp_path / "elsewhere"  # run by hand outside the container: it says so and writes nothing
    elsewhere.mkdir()
    done = subprocess.run([sys.executable, str(question / "tests" / "grade.py")], cwd=elsewhere, capture_output=True,
                          text=True, env={**os.environ, "LSTM_KIT_GRADE_ROOT": str(elsewhere)})
    assert done.returncode == 2 and "nothing written" in done.stderr and os.listdir(elsewhere) == []


def test_prairielearn_results_stay_under_its_1_mb_cap(question, tmp_path, monkeypatch):
    """However much a learner's code printed into every check, results.json is cut to fit."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("pl_grade", question / "tests" / "grade.py")
    entrypoint = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(entrypoint)
    monkeypatch.setattr(entrypoint, "ROOT", str(tmp_path))
    tests = [{"name": f"{k}. step", "points": 0, "max_points": 4, "message": "m" * 3000, "output": "spam\n" * 40_000}
             for k in range(1, 16)]
    entrypoint.write({"gradable": True, "score": 0.0, "points": 0, "max_points": 60, "message": "", "output": "x" * 200_000,
                      "tests": tests})
    text = (tmp_path / "results" / "results.json").read_text()
    output = json.loads(text)["tests"][0]["output"]
    assert len(text) < 1_000_000 and output.startswith("spam\nspam") and output.endswith(entrypoint.CUT)
