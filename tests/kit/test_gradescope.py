"""dist/autograder.zip, unpacked into a folder that mimics Gradescope's /autograder, grades a
correct, a broken, a partial and an empty upload."""
import json
import os
import stat
import subprocess
import sys
import zipfile

import pytest

from grader.kit import KIT_ROOT

from conftest import ALL_STEPS, build_submission

TESTS = f"{os.path.join(KIT_ROOT, 'tests', 'steps')}:{os.path.join(KIT_ROOT, 'tests', 'hidden')}"


@pytest.fixture(scope="module")
def autograder_zip(tmp_path_factory):
    out = tmp_path_factory.mktemp("dist") / "autograder.zip"
    done = subprocess.run([sys.executable, "-m", "instructor", "gradescope", "--tests", TESTS, "--out", str(out)],
                          cwd=KIT_ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "set the assignment's autograder points to 109" in done.stdout
    return out


def run_on(autograder_zip, root, upload):
    """Unpack the zip as Gradescope does, put ``upload`` in submission/, run run_autograder."""
    with zipfile.ZipFile(autograder_zip) as archive:
        archive.extractall(root / "source")
    for name in ("run_autograder", "setup.sh"):  # zipfile does not restore modes; Gradescope does
        mode = zipfile.ZipFile(autograder_zip).getinfo(name).external_attr >> 16
        os.chmod(root / "source" / name, stat.S_IMODE(mode))
    (root / "submission").mkdir()
    upload(root / "submission")
    done = subprocess.run([str(root / "source" / "run_autograder")], capture_output=True, text=True,
                          env={**os.environ, "AUTOGRADER_ROOT": str(root), "LSTM_KIT_PYTHON": sys.executable})
    return done, json.load(open(root / "results" / "results.json"))


def test_the_bundle_is_its_owners_alone(autograder_zip):
    """The zip holds the solutions and the hidden tests: no other user may read it."""
    assert stat.S_IMODE(os.stat(autograder_zip).st_mode) & 0o077 == 0


def test_zip_follows_gradescopes_layout(autograder_zip):
    with zipfile.ZipFile(autograder_zip) as archive:
        names = set(archive.namelist())
        for script in ("setup.sh", "run_autograder"):
            assert script in names
            assert archive.getinfo(script).external_attr >> 16 & 0o111, f"{script} must be executable"
        assert json.loads(archive.read("autograder.json"))["tests"] == "tests/steps:tests/hidden"
        setup = archive.read("setup.sh").decode()
    assert {"grader/__main__.py", "solutions/gates.py", "tests/hidden/test_hidden_example.py",
            "tests/steps/test_gates.py", "requirements.txt", "grade_submission.py"} <= names
    assert not any(n.startswith(("instructor/", "exercises/", "tests/kit/")) or "__pycache__" in n for n in names)
    assert "pip install" in setup and "requirements.txt" in setup and "chmod -R go-rwx" in setup
    assert subprocess.run(["bash", "-n", "-c", setup]).returncode == 0


def test_correct_upload_in_a_subfolder_gets_full_marks(autograder_zip, tmp_path):
    done, results = run_on(autograder_zip, tmp_path, lambda sub: build_submission(sub / "lstm-kit-main" / "exercises",
                                                                                    done=ALL_STEPS))
    assert done.returncode == 0, done.stdout + done.stderr
    assert results["score"] == 109
    assert all(t["status"] == "passed" for t in results["tests"])
    assert {t["visibility"] for t in results["tests"]} == {"visible", "hidden", "after_due_date"}


# A print that Markdown would turn into code, bold and a link, were it not fenced.
PRINTED = "f is `tanh` **here** [x](y) <b>"


def test_broken_upload_loses_exactly_its_failing_tests(autograder_zip, tmp_path):
    from mistakes import MISTAKES
    step, key, source = MISTAKES["forget_gate_uses_tanh"]
    printing = source + f"\n_tanh = forget_gate\n\n\ndef forget_gate(*args):\n    print({PRINTED!r})\n    return _tanh(*args)\n"
    _, results = run_on(autograder_zip, tmp_path, lambda sub: build_submission(sub, done=ALL_STEPS, replace={step: printing}))
    failed = [t for t in results["tests"] if t["status"] == "failed"]
    # the public value check, the public side-effect check (which wants the values right too), the hidden one
    assert sorted(t["visibility"] for t in failed) == ["hidden", "visible", "visible"]
    assert all("f has wrong values" in t["output"] and t["score"] == 0 for t in failed)
    assert results["extra_data"]["steps"][step]["mistake"] == key  # named, with the reference on the server
    assert results["score"] == 109 - 4 - 2
    check_markdown_outputs(results["tests"], failed)


def check_markdown_outputs(tests, failed):
    """Every output is Markdown (output_format "md"), rendered as CommonMark renders it: the named
    mistake in bold, the check's figures as text, what the code printed in a fence exactly as
    printed, the step's first hint once, on its first failing check."""
    from markdown_it import MarkdownIt

    from grader.course.hints import load_hints
    from grader.course.mistakes import CATALOGUE

    assert {t["output_format"] for t in tests} == {"md"}
    assert all(t["output"] == "" for t in tests if t["status"] == "passed")
    hint = load_hints()["forget_gate"][0]
    for k, test in enumerate(failed):
        tokens = MarkdownIt().parse(test["output"])
        assert [t.content for t in tokens if t.type == "fence"] == [PRINTED + "\n"]
        assert not any(t.type.startswith("html") for t in tokens)
        inline = [t for t in tokens if t.type == "inline"]
        bold = [c.content for t in inline for a, c in zip(t.children, t.children[1:]) if a.type == "strong_open"]
        assert bold[0] == f"This looks like {CATALOGUE['gate_tanh'].name}:"
        text = " ".join(c.content for t in inline for c in t.children if c.type == "text")
        assert "first at f[0, 0], yours" in text  # figures read as written, brackets and all
        assert ("Hint:" in bold) == (k == 0) and (hint in text) == (k == 0)


def test_partial_upload_is_graded_and_told_what_is_missing(autograder_zip, tmp_path):
    def only_gates(sub):
        folder = build_submission(sub / "work", done=ALL_STEPS)
        os.remove(folder / "cell.py")
        os.remove(folder / "sequence.py")
        os.remove(folder / "memory.py")
    _, results = run_on(autograder_zip, tmp_path, only_gates)
    assert results["output"].startswith("Your upload: found gates.py in work; missing cell.py, sequence.py, memory.py.")
    steps = results["extra_data"]["steps"]
    assert steps["forget_gate"]["status"] == "passed"
    assert "cell.py is missing" in steps["lstm_step_forward"]["message"]


def test_upload_without_the_files_gets_a_clear_message(autograder_zip, tmp_path):
    _, results = run_on(autograder_zip, tmp_path, lambda sub: (sub / "notes.txt").write_text("my answers"))
    assert results["score"] == 0 and results["tests"] == []
    assert "none of gates.py, cell.py, sequence.py, memory.py" in results["output"]


def test_zip_is_refused_when_the_reference_fails_a_test(tmp_path):
    wrong = tmp_path / "wrong"
    wrong.mkdir()
    (wrong / "test_wrong.py").write_text(
        "import numpy as np\nimport pytest\n\nfrom grader.testing import expect_close\n\n\n"
        "@pytest.mark.step('sigmoid', points=1)\ndef test_sigmoid_of_zero(submission):\n"
        "    \"\"\"sigmoid(0) is one (it is not)\"\"\"\n"
        "    expect_close(submission.sigmoid(np.zeros(3)), np.ones(3), 'sigmoid(0)')\n")
    out = tmp_path / "autograder.zip"
    done = subprocess.run([sys.executable, "-m", "instructor", "gradescope", "--tests", str(wrong), "--out", str(out)],
                          cwd=KIT_ROOT, capture_output=True, text=True)
    assert done.returncode == 2
    assert "these tests do not pass on the reference solution" in done.stderr  # check-tests' own words
    assert "test_sigmoid_of_zero" in done.stderr and "yours 0.5, expected 1" in done.stderr and not out.exists()


@pytest.mark.skipif(os.path.exists("/autograder"), reason="this machine has an /autograder: it may be Gradescope's")
def test_run_autograder_outside_gradescope_writes_nothing(autograder_zip, tmp_path):
    """Run by hand, with no AUTOGRADER_ROOT and no /autograder, it says how to run it and writes nothing."""
    with zipfile.ZipFile(autograder_zip) as archive:
        archive.extractall(tmp_path / "unzipped")
    before = sorted(os.listdir(tmp_path))
    env = {k: v for k, v in os.environ.items() if k not in ("AUTOGRADER_ROOT", "LSTM_KIT_PYTHON")}
    done = subprocess.run(["bash", str(tmp_path / "unzipped" / "run_autograder")], cwd=tmp_path, env=env,
                          capture_output=True, text=True)
    assert done.returncode == 2 and "AUTOGRADER_ROOT=folder" in done.stderr and "nothing written" in done.stderr
    assert not os.path.exists("/autograder") and sorted(os.listdir(tmp_path)) == before


def test_the_learners_copy_is_graded_as_make_grade_grades_it(autograder_zip, tmp_path):
    """The untouched stubs beside the learner's copy (a package, a long file, a data folder in it):
    the learner's copy is graded in full, and the output says which folder, as make grade does."""
    from test_intake import COMBINED_NOTES, combined
    done, results = run_on(autograder_zip, tmp_path, combined)
    assert done.returncode == 0, done.stdout + done.stderr
    assert {entry["status"] for entry in results["extra_data"]["steps"].values()} == {"passed"}
    assert results["score"] == 109 and all(t["status"] == "passed" for t in results["tests"])
    for note in COMBINED_NOTES:
        assert note in results["output"], results["output"]


def test_an_output_cut_to_fit_keeps_its_markdown_whole():
    """results.json's 1 MB cut can fall inside what the code printed: the fence is closed before
    the cut's note, so the note reads as text and nothing after it shows as printed output."""
    from markdown_it import MarkdownIt

    from grader.outputs.export import CUT, fitted

    printed = "````text\n" + "spam\n" * 150_000 + "````"
    document = {"output": "", "tests": [{"output": f"**This looks like** a mistake.\n\nYour code printed:\n\n{printed}"}
                                        for _ in range(2)], "extra_data": {"steps": {}}}
    fitted(document)
    for test in document["tests"]:
        assert len(test["output"]) < 500_000 and test["output"].endswith(CUT)
        tokens = MarkdownIt().parse(test["output"])
        fences = [t for t in tokens if t.type == "fence"]
        assert len(fences) == 1 and set(fences[0].content.split()) == {"spam"}
        assert tokens[-2].type == "inline" and tokens[-2].content == CUT.strip()
