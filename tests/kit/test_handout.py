"""The handout: the learners' copy grades itself without solutions/, holds no solution code, no
hidden test, and no reference output for any input but the public tests' own."""
import ast
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile

import numpy as np
import pytest

from grader.course.steps import FILES
from grader.judge.reference import RECORDING, read_recording
from grader.kit import KIT_ROOT

from conftest import ALL_STEPS, build_submission, grade

PUBLIC = os.path.join(KIT_ROOT, "tests", "steps")
HIDDEN = os.path.join(KIT_ROOT, "tests", "hidden")
LEARNER_DOCS = ("math.md",)
# Targets of instructor.mk and dev.mk, which the kit's Makefile includes and a handout leaves out.
KIT_TARGETS = ("test", "bench", "bench-torch", "check-tests", "handout", "gradescope", "grade-all", "classroom")
LEARNER_TARGETS = ("setup", "grade", "hint", "watch", "demo", "clean")


@pytest.fixture(scope="module")
def handout(tmp_path_factory):
    """A handout built as `make handout` does, with hidden tests in the kit and named in TESTS."""
    root = tmp_path_factory.mktemp("dist")
    done = subprocess.run([sys.executable, "-m", "instructor", "handout", "--out", str(root / "handout"),
                           "--zip", str(root / "handout.zip")], cwd=KIT_ROOT, capture_output=True, text=True,
                          env={**os.environ, "TESTS": f"{PUBLIC}:{HIDDEN}"})
    assert done.returncode == 0, done.stdout + done.stderr
    assert "checked inside the handout" in done.stdout
    return root / "handout"


def files_below(folder):
    return sorted(os.path.relpath(os.path.join(d, f), folder) for d, _, fs in os.walk(folder) for f in fs)


def function_bodies(folder):
    """{(file, function): (AST of the body without docstring, normalized body text)} in .py files."""
    bodies = {}
    for path in files_below(folder):
        if not path.endswith(".py"):
            continue
        text = open(os.path.join(folder, path)).read()
        lines = text.split("\n")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef):
                body = node.body[1:] if ast.get_docstring(node) is not None else node.body
                source = "\n".join(lines[body[0].lineno - 1:node.end_lineno]) if body else ""
                bodies[(path, node.name)] = (ast.dump(ast.Module(body, [])), normalized(source))
    return bodies


def normalized(text):
    """Without comments and with all white space alike, so reformatted code still matches."""
    return re.sub(r"\s+", " ", re.sub(r"#[^\n]*", "", text)).strip()


def solution_code_found(folder):
    """Every solution function whose body appears in a file below ``folder`` (as code or text)."""
    solutions = {k: v for k, v in function_bodies(os.path.join(KIT_ROOT, "solutions")).items()}
    theirs = {ast_dump for ast_dump, _ in function_bodies(folder).values()}
    texts = [normalized(open(os.path.join(folder, p), errors="replace").read()) for p in files_below(folder)
             if not p.endswith((".npz", ".zip"))]
    return sorted(name for (_, name), (ast_dump, body) in solutions.items()
                  if ast_dump in theirs or any(body in text for text in texts))


def test_handout_has_the_learners_files_and_nothing_else(handout):
    files = files_below(handout)
    assert {f.split(os.sep)[0] for f in files} == {
        ".github", ".gitignore", ".lstm-kit-handout.json", "Makefile", "README.md", "demo", "docs", "exercises",
        "grader", "requirements-extra.txt", "requirements.txt", "tests"}
    assert sorted(f for f in files if f.startswith("tests")) == sorted(
        [os.path.join("tests", "steps", f) for f in os.listdir(PUBLIC) if f.endswith(".py")]
        + [os.path.join("tests", "steps", RECORDING)])
    assert not any("__pycache__" in f or "hidden" in f or "solutions" in f or "instructor" in f for f in files)
    assert [f for f in files if f.startswith("docs")] == [os.path.join("docs", f) for f in LEARNER_DOCS]
    for name in FILES:
        assert open(handout / "exercises" / name).read() == open(os.path.join(KIT_ROOT, "exercises", name)).read()


def test_handout_zip_holds_the_same_files(handout):
    with zipfile.ZipFile(handout.parent / "handout.zip") as archive:
        names = sorted(archive.namelist())
        assert names == sorted(f"lstm-kit/{f}" for f in files_below(handout))
        assert archive.read("lstm-kit/exercises/gates.py") == (handout / "exercises" / "gates.py").read_bytes()


def test_handout_holds_no_solution_code(handout):
    solution_files = {open(os.path.join(KIT_ROOT, "solutions", f), "rb").read() for f in FILES}
    assert not any(open(os.path.join(handout, f), "rb").read() in solution_files for f in files_below(handout))
    assert solution_code_found(handout) == []


def test_the_solution_code_detector_finds_planted_code(handout, tmp_path):
    """The check above can fail: a solution body as code, or pasted into a doc, is found."""
    copy = tmp_path / "leaky"
    shutil.copytree(handout, copy)
    from conftest import function_source
    with open(copy / "exercises" / "gates.py", "a") as f:  # renamed: found by its body, not its name
        f.write("\n\n" + function_source(os.path.join(KIT_ROOT, "solutions", "gates.py"), "forget_gate")
                .replace("def forget_gate", "def helper") + "\n")
    with open(copy / "docs" / "math.md", "a") as f:
        backward = function_source(os.path.join(KIT_ROOT, "solutions", "sequence.py"), "lstm_backward")
        f.write("\n```python\n" + backward + "\n```\n")
    # forget_gate's body is also input_gate's and output_gate's: all three are found.
    assert solution_code_found(copy) == ["forget_gate", "input_gate", "lstm_backward", "output_gate"]


def test_recorded_outputs_are_numbers_for_the_public_inputs_only(handout, tmp_path):
    path = handout / "tests" / "steps" / RECORDING
    with np.load(path, allow_pickle=False) as data:  # no pickles: plain numeric arrays and an index
        assert all(data[name].dtype.kind == "f" for name in data.files if name != "index")
    document, _ = read_recording(path)
    shipped = set(document["entries"])

    def recorded_by(tests):
        out = tmp_path / f"{os.path.basename(tests)}.npz"
        done = grade(os.path.join(KIT_ROOT, "solutions"), tmp_path / "r", "--tests", tests, "--record-reference", str(out))
        assert done.exit_code == 0, done.output
        return set(read_recording(out)[0]["entries"])

    assert shipped == recorded_by(PUBLIC)
    hidden = recorded_by(HIDDEN)
    assert hidden and not hidden & shipped  # nothing the handout holds answers a hidden test's call


def test_handout_grades_its_stubs_and_a_correct_submission(handout, tmp_path):
    assert not (handout / "solutions").exists()
    correct = build_submission(tmp_path / "correct", done=ALL_STEPS)
    for submission, score, code in ((correct, 100, 0), (handout / "exercises", 0, 1)):
        done = subprocess.run([sys.executable, "-m", "grader", "--submission", str(submission),
                               "--results", str(tmp_path / "in-handout")], cwd=handout, capture_output=True,
                              text=True, env={**os.environ, "NO_COLOR": "1"})
        assert done.returncode == code, done.stdout + done.stderr
        results = json.load(open(tmp_path / "in-handout" / "results.json"))
        assert results["score"] == score
        if score == 0:
            assert {s["status"] for s in results["extra_data"]["steps"].values()} == {"not started"}


def grade_in_handout(handout, submission, results):
    done = subprocess.run([sys.executable, "-m", "grader", "--submission", str(submission), "--results",
                           str(results)], cwd=handout, capture_output=True, text=True)
    return done.returncode, json.load(open(results / "results.json"))["extra_data"]["steps"]


def verdicts(steps):
    """Status and points per step; messages differ only in the kit's naming of the mistake."""
    return {name: (s["status"], s["points"]) for name, s in steps.items()}


def test_handout_gives_the_same_verdicts_as_the_kit(handout, tmp_path):
    """Train's check runs lstm_forward on the learner's trained weights: with the learner's own
    lstm_forward standing in for the reference there, every verdict is the kit's."""
    from mistakes import MISTAKES
    step, key, source = MISTAKES["cell_update_swaps_gates"]
    submission = build_submission(tmp_path / "mistake", done=ALL_STEPS, replace={step: source})
    in_kit = grade(submission, tmp_path / "kit")
    code, in_handout = grade_in_handout(handout, submission, tmp_path / "handout")
    assert code == 1
    assert verdicts(in_handout) == verdicts(in_kit.steps) and in_handout["train"]["status"] == "passed"
    # Naming a mistake needs the reference's variants: the kit names it, the handout gives the check's message.
    assert in_kit.steps[step]["mistake"] == key and not in_handout[step]["mistake"]
    assert in_kit.steps[step]["message"].endswith(in_handout[step]["message"])


def test_handout_stand_in_waits_for_the_learners_own_step(handout, tmp_path):
    """Where the kit would judge train with the reference's lstm_forward, the handout needs the
    learner's lstm_forward to pass first, and says so."""
    from mistakes import MISTAKES
    step, _, source = MISTAKES["step_forward_cs231n_gate_order"]
    submission = build_submission(tmp_path / "mistake", done=ALL_STEPS, replace={step: source})
    in_kit = grade(submission, tmp_path / "kit")
    _, in_handout = grade_in_handout(handout, submission, tmp_path / "handout")
    kit = verdicts(in_kit.steps)
    assert {k: v for k, v in verdicts(in_handout).items() if k != "train"} == {k: v for k, v in kit.items() if k != "train"}
    assert in_handout["train"]["status"] == "failed"
    assert in_handout["train"]["points"] <= in_kit.points("train")
    assert "uses your own lstm_forward once lstm_forward passes, so fix lstm_forward first" in \
        json.dumps(json.load(open(tmp_path / "handout" / "results.json"))["tests"])


def handout_with_venv(handout, tmp_path):
    """A copy of the handout whose .venv is the one these tests run in (made by `make test`)."""
    installed = os.path.join(sys.prefix, ".installed")
    assert os.path.exists(installed), "run the kit's tests with `make test`, which sets up .venv"
    copy = tmp_path / "repo"
    shutil.copytree(handout, copy)
    os.symlink(sys.prefix, copy / ".venv")
    return copy


def test_make_grade_works_in_the_handout(handout, tmp_path):
    repo = handout_with_venv(handout, tmp_path)
    done = subprocess.run(["make", "-s", "grade"], cwd=repo, capture_output=True, text=True,
                          env={**os.environ, "NO_COLOR": "1"})
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Score: 0/100" in done.stdout and "write sigmoid()" in done.stdout
    assert subprocess.run(["make", "-s", "test"], cwd=repo, capture_output=True).returncode != 0  # kit-only


def make_targets(folder):
    """The targets make would know in ``folder`` (its Makefile and what that includes), without running any."""
    done = subprocess.run(["make", "-pRrqn"], cwd=folder, capture_output=True, text=True)
    return set(re.findall(r"^([A-Za-z][\w.-]*)::?(?:\s|$)", done.stdout, re.M))


def test_handout_readme_makefile_and_docs_are_the_kits_byte_for_byte(handout):
    for name in ("README.md", "Makefile", *(os.path.join("docs", f) for f in LEARNER_DOCS)):
        assert (handout / name).read_bytes() == open(os.path.join(KIT_ROOT, name), "rb").read(), name


def test_handout_has_no_instructor_or_developer_target(handout):
    in_kit, in_handout = make_targets(KIT_ROOT), make_targets(handout)
    assert set(KIT_TARGETS + LEARNER_TARGETS) <= in_kit  # the check below can fail
    assert set(LEARNER_TARGETS) <= in_handout and not in_handout & set(KIT_TARGETS)
    for name in ("instructor.mk", "dev.mk", "requirements-test.txt", "requirements-torch.txt", "pyproject.toml",
                 "bench", "instructor", "solutions"):
        assert not (handout / name).exists(), name


def test_handout_docs_link_only_to_files_it_carries(handout):
    """The README is the kit's too; a doc it links to must be in the handout, not only in the kit."""
    for doc in ("README.md", *(os.path.join("docs", f) for f in LEARNER_DOCS)):
        text = (handout / doc).read_text()
        targets = [t.split("#")[0] for t in re.findall(r"\]\(([^)\s]+)\)", text)]
        local = [t for t in targets if t and "://" not in t and not t.startswith("mailto:")]
        for target in local:
            assert (handout / os.path.dirname(doc) / target).exists(), f"{doc} links to {target}, not in the handout"
    assert "docs/math.md" in (handout / "README.md").read_text()


def test_github_classroom_file_is_current_and_each_step_exits_by_its_status(handout, tmp_path):
    check = subprocess.run([sys.executable, "-m", "instructor", "classroom", "--check"], cwd=KIT_ROOT,
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    committed = json.load(open(os.path.join(KIT_ROOT, ".github", "classroom", "autograding.json")))
    assert (handout / ".github" / "classroom" / "autograding.json").read_text() == \
        open(os.path.join(KIT_ROOT, ".github", "classroom", "autograding.json")).read()
    from test_path import MAX_POINTS
    assert [(t["name"].split(". ")[1], t["points"]) for t in committed["tests"]] == list(MAX_POINTS.items())
    workflow = (handout / ".github" / "workflows" / "classroom.yml").read_text()
    for test in committed["tests"]:
        assert f"command: {test['run']}" in workflow
        assert f"max-score: {test['points']}" in workflow
    repo = handout_with_venv(handout, tmp_path)
    shutil.rmtree(repo / "exercises")
    build_submission(repo / "exercises", done=ALL_STEPS[:3])
    exits = {}
    for test in committed["tests"]:
        assert subprocess.run(test["setup"], shell=True, cwd=repo, capture_output=True).returncode == 0
        exits[test["name"].split(". ")[1]] = subprocess.run(test["run"], shell=True, cwd=repo, capture_output=True).returncode
    assert exits == {step: 0 if step in ALL_STEPS[:3] else 1 for step in ALL_STEPS}
