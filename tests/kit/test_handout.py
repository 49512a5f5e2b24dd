"""The handout: the learners' copy grades itself without solutions/ and names the catalogued
mistakes as the kit does, holds no solution code, no code of the mistakes' forms, no hidden test,
and no output for any input but the public tests' own."""
import ast
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from grader.course.inputs import SQUARE_SEED
from grader.course.mistakes import CATALOGUE
from grader.course.steps import FILES
from grader.judge import mistake_outputs
from grader.judge.forms_index import PROBES
from grader.judge.reference import MISTAKE_RECORDING, RECORDING, digest, read_recording
from grader.kit import KIT_ROOT

from bundles import pack
from conftest import ALL_STEPS, build_submission, build_wheel, grade, install_wheel
from mistakes import MISTAKES

PUBLIC = os.path.join(KIT_ROOT, "tests", "steps")
HIDDEN = os.path.join(KIT_ROOT, "tests", "hidden")
LEARNER_DOCS = ("math.md",)
# Targets of instructor.mk and dev.mk, which the kit's Makefile includes and a handout leaves out.
KIT_TARGETS = ("test", "bench", "bench-torch", "check-tests", "handout", "gradescope", "grade-all", "classroom50",
               "prairielearn")
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


def function_bodies(folder, paths=None):
    """{(file, function, line): (AST of the body without docstring, normalized body text)} in the .py
    files below ``folder``, or in ``paths`` only (relative to it)."""
    bodies = {}
    for path in paths or files_below(folder):
        if not path.endswith(".py"):
            continue
        text = open(os.path.join(folder, path)).read()
        lines = text.split("\n")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef):
                body = node.body[1:] if ast.get_docstring(node) is not None else node.body
                source = "\n".join(lines[body[0].lineno - 1:node.end_lineno]) if body else ""
                bodies[(path, node.name, node.lineno)] = (ast.dump(ast.Module(body, [])), normalized(source))
    return bodies


def normalized(text):
    """Without comments and with all white space alike, so reformatted code still matches."""
    return re.sub(r"\s+", " ", re.sub(r"#[^\n]*", "", text)).strip()


def code_found(bodies, folder):
    """The keys of ``bodies`` whose function body appears in a file below ``folder`` (as code or text)."""
    theirs = {ast_dump for ast_dump, _ in function_bodies(folder).values()}
    texts = [normalized(open(os.path.join(folder, p), errors="replace").read()) for p in files_below(folder)
             if not p.endswith((".npz", ".zip"))]
    return sorted(key for key, (ast_dump, body) in bodies.items()
                  if body and (ast_dump in theirs or any(body in text for text in texts)))


def solution_code_found(folder):
    """Every solution function whose body appears in a file below ``folder``."""
    return sorted(name for _, name, _ in code_found(function_bodies(os.path.join(KIT_ROOT, "solutions")), folder))


# The code of the mistakes' forms: the reference with one piece changed, so mostly right code.
FORMS_CODE = os.path.join("grader", "judge", "variants.py")


def forms_code_found(folder):
    """(line in variants.py, function) of every form or helper whose body appears in a file below ``folder``."""
    return [(line, name) for _, name, line in code_found(function_bodies(KIT_ROOT, [FORMS_CODE]), folder)]


# Kit-only code that answers a step: the demo's loop for the reference's plain RNN, and the
# step-by-step sequence loop the docstrings teach.
LOOP_CODE = [os.path.join("demo", "reference_rnn.py"), os.path.join("tests", "kit", "as_taught.py")]
# Where a handout's own code lives, beside the learner's exercises/: its tools and its public tests.
SHIPPED_CODE = ("demo", "grader", "lstm_kit", "tests")


def shipped_functions(folder):
    """(path, function node) of every function in the handout's own code below ``folder``."""
    for path in files_below(folder):
        if path.endswith(".py") and path.split(os.sep)[0] in SHIPPED_CODE:
            for node in ast.walk(ast.parse(open(os.path.join(folder, path)).read())):
                if isinstance(node, ast.FunctionDef):
                    yield path, node


def called_names(node):
    """The names of what ``node`` calls: ``np.tanh(...)`` gives tanh, ``self.step_forward(...)`` step_forward."""
    calls = [n.func for n in ast.walk(node) if isinstance(n, ast.Call)]
    return {f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", "") for f in calls}


def answer_shapes_found(folder):
    """(path, function, what) for code that answers a step by its shape: a loop over time steps
    around a one-step function (steps 10 and 11), or a gate's or cell's arithmetic (steps 1 to 8)."""
    found = []
    for path, node in shipped_functions(folder):
        loops = [n for n in ast.walk(node) if isinstance(n, (ast.For, ast.While))]
        if any(name.endswith(("step_forward", "step_backward")) for loop in loops for name in called_names(loop)):
            found.append((path, node.name, "a loop over a one-step function"))
        if called_names(node) & {"exp", "expit", "tanh", "logaddexp"}:
            found.append((path, node.name, "a sigmoid's or a cell's arithmetic"))
    return found


def test_handout_has_the_learners_files_and_nothing_else(handout):
    files = files_below(handout)
    assert {f.split(os.sep)[0] for f in files} == {
        ".github", ".gitignore", ".lstm-kit-handout.json", "Makefile", "README.md", "demo", "docs", "exercises",
        "grader", "lstm_kit", "notebooks", "pyproject.toml", "requirements-extra.txt", "requirements.txt", "setup.py",
        "tests"}
    assert sorted(f for f in files if f.startswith("tests")) == sorted(
        [os.path.join("tests", "steps", f) for f in os.listdir(PUBLIC) if f.endswith(".py")]
        + [os.path.join("tests", "steps", RECORDING), os.path.join("tests", "steps", MISTAKE_RECORDING)])
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


def test_handout_ships_no_sequence_loop_and_no_cell_beside_the_exercises(handout):
    """Its demo runs the learner's own functions: no loop over a one-step function, no sigmoid,
    no cell of its own, nor the kit's loops for the reference."""
    assert not (handout / "demo" / "reference_rnn.py").exists()
    assert code_found(function_bodies(KIT_ROOT, LOOP_CODE), handout) == []
    assert answer_shapes_found(handout) == []


def test_the_answer_shape_detector_finds_planted_code(handout, tmp_path):
    """The check above can fail: the kit's RNN loop, a stable sigmoid, or the step loop as taught."""
    copy = tmp_path / "leaky"
    shutil.copytree(handout, copy)
    shutil.copy(os.path.join(KIT_ROOT, "demo", "reference_rnn.py"), copy / "demo" / "plain_rnn.py")
    with open(copy / "demo" / "measure.py", "a") as f:
        f.write("\n\ndef squash(z):\n    return 0.5 * (1 + np.tanh(z / 2))\n")
    rnn = os.path.join("demo", "plain_rnn.py")
    assert answer_shapes_found(copy) == [(os.path.join("demo", "measure.py"), "squash", "a sigmoid's or a cell's arithmetic"),
                                         (rnn, "forward", "a loop over a one-step function"),
                                         (rnn, "backward", "a loop over a one-step function")]
    assert [name for _, name, _ in code_found(function_bodies(KIT_ROOT, LOOP_CODE), copy)] == ["__init__", "backward", "forward"]


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


def test_handout_holds_no_code_of_the_mistakes_forms(handout):
    """Only which forms there are (forms_index.py): no form's body, as code or as text, anywhere."""
    assert not (handout / FORMS_CODE).exists()
    assert (handout / "grader" / "judge" / "forms_index.py").exists()
    assert len(function_bodies(KIT_ROOT, [FORMS_CODE])) > 50  # every form and helper, the nameless "_" included
    assert forms_code_found(handout) == []


def test_the_forms_code_detector_finds_planted_code(handout, tmp_path):
    """The check above can fail: a form's helper pasted into the grader under another name, or a
    form's body into a doc, is found."""
    copy = tmp_path / "leaky"
    shutil.copytree(handout, copy)
    from conftest import function_source
    variants = os.path.join(KIT_ROOT, FORMS_CODE)
    with open(copy / "grader" / "judge" / "forms_index.py", "a") as f:
        f.write("\n\n" + function_source(variants, "_with_da").replace("def _with_da", "def rescaled") + "\n")
    with open(copy / "docs" / "math.md", "a") as f:
        f.write("\n```python\n" + function_source(variants, "_preactivation_grad") + "\n```\n")
    assert {name for _, name in forms_code_found(copy)} == {"_with_da", "_preactivation_grad"}


def recorded_by(tests, folder):
    """(reference recording, mistakes recording) of the reference graded with ``tests``, in ``folder``."""
    done = grade(os.path.join(KIT_ROOT, "solutions"), folder / "results", "--tests", tests, "--record-reference",
                 str(folder / RECORDING))
    assert done.exit_code == 0, done.output
    return folder / RECORDING, folder / MISTAKE_RECORDING


def leaves(recording):
    """Every output array of a mistakes recording, as bytes of its rounded values (to compare with others)."""
    return {fingerprint(leaf) for outcomes in mistake_outputs.load(recording).values()
            for out in outcomes.values() if isinstance(out, list) for _, leaf in out}


def fingerprint(array):
    a = np.round(np.asarray(array, dtype=np.float64), 9) + 0.0
    return repr(a.shape).encode() + a.tobytes()


def test_recorded_outputs_are_numbers_for_the_public_inputs_only(handout, tmp_path):
    steps = handout / "tests" / "steps"
    for path in (steps / RECORDING, steps / MISTAKE_RECORDING):
        with np.load(path, allow_pickle=False) as data:  # no pickles: plain numeric arrays and an index
            assert all(data[name].dtype.kind == "f" for name in data.files if name != "index")
    public, public_mistakes = recorded_by(PUBLIC, tmp_path / "public")
    hidden, hidden_mistakes = recorded_by(HIDDEN, tmp_path / "hidden")
    shipped = set(read_recording(steps / RECORDING)[0]["entries"])
    assert shipped == set(read_recording(public)[0]["entries"])
    assert set(mistake_outputs.load(steps / MISTAKE_RECORDING)) == set(mistake_outputs.load(public_mistakes))
    hidden_calls = set(read_recording(hidden)[0]["entries"])
    assert hidden_calls and not hidden_calls & shipped  # nothing the handout holds answers a hidden test's call
    # The diagnosis' own square probe inputs are the same for every test; no hidden check's inputs are held.
    probes = {digest(name, make(SQUARE_SEED)) for name, make in PROBES.items()}
    assert not (set(mistake_outputs.load(hidden_mistakes)) - probes) & set(mistake_outputs.load(steps / MISTAKE_RECORDING))
    # Not even as a mistake's output: no array the hidden tests' reference calls return is among them.
    hidden_outputs = {fingerprint(a) for a in read_recording(hidden)[1].values()}
    assert hidden_outputs and not hidden_outputs & leaves(steps / MISTAKE_RECORDING)


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


def grade_in_handout(handout, submission, results, output=False, extra=()):
    """(exit code, results.json's steps) of a grade inside the handout (and its terminal text, with ``output``)."""
    done = subprocess.run([sys.executable, "-m", "grader", "--submission", str(submission), "--results",
                           str(results), *extra], cwd=handout, capture_output=True, text=True,
                          env={**os.environ, "NO_COLOR": "1", "LSTM_KIT_STATE": str(results / "state.json")})
    steps = json.load(open(results / "results.json"))["extra_data"]["steps"]
    return (done.returncode, steps, done.stdout + done.stderr) if output else (done.returncode, steps)


def verdicts(steps):
    """Status and points per step; messages differ only in the kit's naming of the mistake."""
    return {name: (s["status"], s["points"]) for name, s in steps.items()}


def named(steps):
    return {name: (s["mistake"], s["message"]) for name, s in steps.items()}


def test_handout_gives_the_same_verdicts_and_names_as_the_kit(handout, tmp_path):
    """Train's check runs lstm_forward on the learner's trained weights: with the learner's own
    lstm_forward standing in for the reference there, every verdict is the kit's; and the mistake
    is named from the recorded outputs in the very words the kit uses."""
    step, key, source = MISTAKES["cell_update_swaps_gates"]
    submission = build_submission(tmp_path / "mistake", done=ALL_STEPS, replace={step: source})
    in_kit = grade(submission, tmp_path / "kit")
    code, in_handout = grade_in_handout(handout, submission, tmp_path / "handout")
    assert code == 1
    assert verdicts(in_handout) == verdicts(in_kit.steps) and in_handout["train"]["status"] == "passed"
    assert in_kit.steps[step]["mistake"] == key and named(in_handout) == named(in_kit.steps)


SLOWED = """

import time as _time
_{name}_as_written = {name}


def {name}(*args):
    _time.sleep({seconds})
    return _{name}_as_written(*args)
"""


def test_handout_keeps_the_backward_points_of_a_slow_but_correct_forward(handout, tmp_path):
    """Without solutions/, a gradient check evaluates the learner's own forward hundreds of times:
    lstm_step_forward at 5 ms a call (678 evaluations, 3.4 s, where one call may take 1 s) keeps
    lstm_step_backward's points, and rnn_step_forward at 0.3 s a call is told how long a call took."""
    submission = build_submission(tmp_path / "slow", done=ALL_STEPS)
    shutil.copy(os.path.join(KIT_ROOT, "solutions", "sequence.py"), submission)  # calls no lstm_step_forward
    for name, file, seconds in (("lstm_step_forward", "cell.py", 0.005), ("rnn_step_forward", "memory.py", 0.3)):
        with open(submission / file, "a") as f:
            f.write(SLOWED.format(name=name, seconds=seconds))
    _, steps, output = grade_in_handout(handout, submission, tmp_path / "results", True, ("--call-timeout", "1"))
    short = {name: s["max_points"] - s["points"] for name, s in steps.items() if s["points"] != s["max_points"]}
    assert short == {"rnn_step": 3}, output  # its gradient check's points, and no other's
    message = steps["rnn_step"]["message"]
    took = re.match(r"rnn_step_forward took ([0-9.]+) s a call on the gradient check's evaluations", message)
    assert took and 0.3 <= float(took.group(1)) < 1, message  # its sleep, and what a loaded machine adds
    assert "endless loop" not in message


# Every learner-style catalogued mistake, packed as test_mistakes packs them for the kit.
MISTAKE_GROUPS = pack({case: source for case, (_, _, source) in MISTAKES.items()})


@pytest.fixture(scope="module")
def mistakes_in_handout(handout, tmp_path_factory):
    """[(submission, results.json's steps)] for each group of MISTAKE_GROUPS, graded inside the handout."""
    def run(group):
        folder = tmp_path_factory.mktemp("handout-mistakes")
        submission = build_submission(folder / "submission", done=ALL_STEPS,
                                      replace={MISTAKES[case][0]: MISTAKES[case][2] for case in group})
        return submission, grade_in_handout(handout, submission, folder)[1]
    with ThreadPoolExecutor(max_workers=2) as pool:
        return list(pool.map(run, MISTAKE_GROUPS))


def in_handout(graded, case):
    """The step of ``case`` in the handout's grade of the group holding it."""
    k = next(k for k, group in enumerate(MISTAKE_GROUPS) if case in group)
    return graded[k][1][MISTAKES[case][0]]


@pytest.mark.parametrize("case", sorted(MISTAKES))
def test_handout_names_each_catalogued_mistake_as_the_kit_does(mistakes_in_handout, case):
    """Without solutions/, the same name and explanation as test_mistakes finds in the kit."""
    _, key, _ = MISTAKES[case]
    step = in_handout(mistakes_in_handout, case)
    assert step["status"] == "failed" and step["mistake"] == key, step["message"]
    assert step["message"].startswith(f"This looks like {CATALOGUE[key].name}: {CATALOGUE[key].message} ")
    if key == "swapped_weights" or "raised" in step["message"]:
        assert "On inputs with D = H" in step["message"].split(" Details: ")[0]


def test_handout_with_a_damaged_recording_of_mistakes_grades_without_their_names(handout, mistakes_in_handout,
                                                                                 tmp_path):
    """The same verdicts as with the recording intact; no name that needs it, and a note saying why.
    Mistakes a check spots by itself (an overflow in softmax) are still named."""
    copy = tmp_path / "handout"
    shutil.copytree(handout, copy)
    path = copy / "tests" / "steps" / MISTAKE_RECORDING
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    k = next(k for k, group in enumerate(MISTAKE_GROUPS) if "forget_gate_uses_tanh" in group)
    submission, intact = mistakes_in_handout[k]
    code, damaged, output = grade_in_handout(copy, submission, tmp_path / "results", output=True)
    assert code == 1 and verdicts(damaged) == verdicts(intact)
    for case in MISTAKE_GROUPS[k]:
        step, key, _ = MISTAKES[case]
        assert intact[step]["mistake"] == key
        if key in ("softmax_overflow", "mutated_input"):
            assert damaged[step] == intact[step]
            continue
        details, unnamed = intact[step]["message"].split(" Details: ", 1)[1], damaged[step]["message"]
        assert damaged[step]["mistake"] == "", unnamed
        if step == "train":  # named, train's details are the short run's figures alone; unnamed, its message holds them
            setting, figures = details.split("), ", 1)
            assert unnamed.startswith(setting) and figures.rstrip(".") in unnamed, (details, unnamed)
        else:
            assert unnamed == details
    note = f"Common mistakes are not named in this run: {os.path.join('tests', 'steps', MISTAKE_RECORDING)} cannot be read"
    assert note in output and note in json.load(open(tmp_path / "results" / "results.json"))["output"]


def test_a_missing_or_stale_recording_of_mistakes_says_why_it_is_not_used(handout, tmp_path):
    """Missing beside the reference's recording, or made with another catalogue of forms: not used."""
    steps = tmp_path / "steps"
    shutil.copytree(handout / "tests" / "steps", steps)
    assert mistake_outputs.open_recorded([steps])[0] is not None
    with np.load(steps / MISTAKE_RECORDING, allow_pickle=False) as data:
        document, values = json.loads(str(data["index"])), data["values"]
    document["catalogue"]["forget_gate"].pop()  # as if recorded by a grader with one form fewer
    np.savez_compressed(steps / MISTAKE_RECORDING, index=np.array(json.dumps(document)), values=values)
    forms, problems = mistake_outputs.open_recorded([steps])
    assert forms is None and problems == [f"{os.path.relpath(steps / MISTAKE_RECORDING)} was recorded for "
                                          "another version of the catalogue of mistakes"]
    (steps / MISTAKE_RECORDING).unlink()
    assert mistake_outputs.open_recorded([steps]) == (None, [f"{os.path.relpath(steps / MISTAKE_RECORDING)} is missing"])
    (steps / RECORDING).unlink()  # no handout's folder: nothing to say
    assert mistake_outputs.open_recorded([steps]) == (None, [])


def test_a_recording_whose_index_does_not_fit_its_values_is_refused(tmp_path):
    """Checked when loaded: an output outside the values, or a form this grader does not have."""
    from grader.course.inputs import gate_args
    from grader.judge.diagnosis import LiveForms, load_reference

    path = tmp_path / MISTAKE_RECORDING
    mistake_outputs.record(LiveForms(load_reference(os.path.join(KIT_ROOT, "solutions"))),
                           [("forget_gate", gate_args(0))], path)
    assert len(mistake_outputs.load(path)) == 2  # the call, and the square probe for the forms that raise on it
    with np.load(path, allow_pickle=False) as data:
        document, values = json.loads(str(data["index"])), data["values"]
    call = document["calls"][digest("forget_gate", gate_args(0))]
    for tamper, why in ((lambda f: f["gate_tanh:0"][0].__setitem__(1, values.size), "outside the recorded values"),
                        (lambda f: f.__setitem__("no_such_mistake:0", "right"), "a call it cannot hold")):
        forms = json.loads(json.dumps(call["forms"]))
        tamper(forms)
        broken = {**document, "calls": {"k": {**call, "forms": forms}}}
        np.savez_compressed(tmp_path / "broken.npz", index=np.array(json.dumps(broken)), values=values)
        with pytest.raises(mistake_outputs.Unusable, match=why):
            mistake_outputs.load(tmp_path / "broken.npz")


def test_handout_stand_in_waits_for_the_learners_own_step(handout, tmp_path):
    """Where the kit would judge train with the reference's lstm_forward, the handout needs the
    learner's lstm_forward to pass first, and says so."""
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
    # pyproject.toml and setup.py go along: they are what `pip install` of a handout reads.
    for name in ("instructor.mk", "dev.mk", "requirements-test.txt", "requirements-torch.txt",
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


def actions_env(repo, bin_dir, summary, step):
    """What GitHub Actions sets for a `run:` step (those the workflow's commands can read), the
    step's own `env:` on top; pip asks no index (the test venv has the pins already)."""
    return {"PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", "HOME": str(repo.parent), "CI": "true",
            "GITHUB_ACTIONS": "true", "GITHUB_WORKSPACE": str(repo), "GITHUB_STEP_SUMMARY": str(summary),
            "GITHUB_EVENT_NAME": "push", "GITHUB_REF": "refs/heads/main", "RUNNER_OS": "Linux",
            "RUNNER_TEMP": str(repo.parent), "PIP_NO_INDEX": "1", **step.get("env", {})}


def test_the_handouts_workflow_grades_a_push_as_actions_would(handout, tmp_path):
    """.github/workflows/grade.yml, parsed as Actions reads it, each `run:` step in bash as Actions
    runs it (`bash --noprofile --norc -eo pipefail`, its variables set, a fresh summary file per
    step), on a push where three steps are done: the summary is the report (a row per step, the
    score), results.json is there for the artifact, and the job succeeds below full marks."""
    import yaml
    from markdown_it import MarkdownIt

    workflow = yaml.safe_load((handout / ".github" / "workflows" / "grade.yml").read_text())
    assert "push" in workflow[True]  # YAML 1.1 reads the key `on` as true; Actions reads it as on
    job = workflow["jobs"]["grade"]
    assert job["runs-on"] == "ubuntu-latest" and job["timeout-minutes"] <= 15
    uses = [step["uses"].split("@")[0] for step in job["steps"] if "uses" in step]
    assert uses == ["actions/checkout", "actions/setup-python", "actions/upload-artifact"]
    repo = tmp_path / "workspace"  # actions/checkout: the repository made from the handout
    shutil.copytree(handout, repo)
    shutil.rmtree(repo / "exercises")
    build_submission(repo / "exercises", done=ALL_STEPS[:3])
    bin_dir = tmp_path / "python-bin"  # actions/setup-python: `python` first on PATH
    bin_dir.mkdir()
    (bin_dir / "python").write_text(f"#!/bin/sh\nexec {sys.executable} \"$@\"\n")
    os.chmod(bin_dir / "python", 0o755)
    summaries, artifacts = {}, []
    for k, step in enumerate(job["steps"]):
        if step.get("uses", "").startswith("actions/upload-artifact"):
            assert step.get("if") == "always()"
            artifacts.append(repo / step["with"]["path"])
        if "run" not in step:
            continue
        summary, script = tmp_path / f"summary-{k}.md", tmp_path / f"step-{k}.sh"
        summary.write_text("")
        script.write_text(step["run"])
        done = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)], cwd=repo,
                              env=actions_env(repo, bin_dir, summary, step), capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, f"{step['name']}:\n{done.stdout[-3000:]}{done.stderr[-3000:]}"
        summaries[step["name"]] = summary.read_text()
    assert artifacts == [repo / "build" / "results.json"] and artifacts[0].exists()
    results = json.loads(artifacts[0].read_text())
    assert results["score"] == sum(max_points(ALL_STEPS[:3]))
    text = summaries["Grade"]
    assert text.startswith(f"## lstm-kit: {results['score']:g}/100\n")
    tokens = MarkdownIt().enable("table").parse(text)
    rows = table_rows(tokens)
    assert [row[0] for row in rows] == [f"{n}. {name}" for n, name in enumerate(ALL_STEPS, 1)]
    assert [row[1] for row in rows] == ["✅ passing"] * 3 + ["⚪ not started"] * (len(ALL_STEPS) - 3)
    assert [row[2].split("/")[1] for row in rows] == [f"{p:g}" for p in max_points(ALL_STEPS)]
    assert "### 4. candidate: ⚪ not started" in text and "Hint:" in text  # the step to write next, with its hint
    assert not any(t.type == "html_block" for t in tokens)


def max_points(steps):
    from test_path import MAX_POINTS
    return [MAX_POINTS[step] for step in steps]


def table_rows(tokens):
    """The cells' texts of each body row of the Markdown tables in ``tokens`` (markdown-it's)."""
    rows, row = [], None
    for token in tokens:
        if token.type == "tr_open":
            row = []
        elif token.type == "inline" and row is not None:
            row.append(token.content)
        elif token.type == "tr_close":
            rows.append(row)
            row = None
    return rows[1:]  # the header aside


def test_the_handout_installs_with_pip_and_names_mistakes_from_a_notebook_cell(handout, tmp_path):
    """pip install of the handout (its zip as it is), then check() from a learner's folder: the
    wheel carries the public tests and both recordings, no reference, and names a mistake."""
    wheel = build_wheel(handout.parent / "handout.zip", tmp_path / "wheel")
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
    assert f"grader/kit_files/tests/steps/{MISTAKE_RECORDING}" in names and "grader/kit_files/notebooks/lstm_kit.ipynb" in names
    assert not any("solutions" in name for name in names) and "grader/judge/variants.py" not in names
    site = install_wheel(wheel, sys.executable, tmp_path / "site")
    step, key, source = MISTAKES["step_forward_cs231n_gate_order"]
    build_submission(tmp_path / "work" / "exercises", done=ALL_STEPS, replace={step: source})
    checked = subprocess.run([sys.executable, "-c", f"from lstm_kit import check; check({step!r})"], cwd=tmp_path / "work",
                             env={**os.environ, "PYTHONPATH": str(site), "NO_COLOR": "1"},
                             capture_output=True, text=True, timeout=300)
    assert checked.returncode == 0, checked.stderr
    assert "failing" in checked.stdout and CATALOGUE[key].name in " ".join(checked.stdout.split()), checked.stdout
