"""A test folder with a mistake stops the grade with exit status 2, a results.json, and one clear
line naming the file and line; the test file's code is never quoted."""
import os

import pytest

from grader.kit import KIT_ROOT

SOLUTIONS = os.path.join(KIT_ROOT, "solutions")
HEADER = "import pytest\nSECRET_INPUT_TABLE = [0.125, 0.25]\n\n"
GOOD = '@pytest.mark.step("sigmoid", points=1)\ndef test_fine(submission):\n    """fine"""\n'

CASES = {
    "syntax_error": ({"test_a.py": HEADER + GOOD + "\ndef broken(:\n    pass\n"},
                     "test_a.py, line 8: SyntaxError"),
    "error_at_import": ({"test_b.py": HEADER + "load_secret_table()\n"},
                        "test_b.py, line 4: NameError: name 'load_secret_table' is not defined"),
    "broken_conftest": ({"conftest.py": "import os\nraise RuntimeError('fixture file broken')\n", "test_c.py": HEADER + GOOD},
                        "conftest.py, line 2: RuntimeError: fixture file broken"),
    "unknown_step": ({"test_d.py": HEADER + '@pytest.mark.step("forget_gat", points=2)\ndef test_d(submission):\n    pass\n'},
                     "test_d.py, line 4: unknown step 'forget_gat' (did you mean 'forget_gate'?)"),
    "no_step_marker": ({"test_e.py": HEADER + "def test_e(submission):\n    pass\n"},
                       "test_e.py, line 4: test_e has no @pytest.mark.step"),
    "points_missing": ({"test_f.py": HEADER + '@pytest.mark.step("sigmoid")\ndef test_f(submission):\n    pass\n'},
                       "test_f.py, line 4: the step marker of test_f gives no points"),
    "points_negative": ({"test_g.py": HEADER + '@pytest.mark.step("sigmoid", points=-2)\ndef test_g(submission):\n    pass\n'},
                        "test_g.py, line 4: test_g has points=-2; points must be a positive number"),
    "points_not_a_number": ({"test_h.py": HEADER + '@pytest.mark.step("sigmoid", points="5")\n'
                                            'def test_h(submission):\n    pass\n'},
                            "test_h.py, line 4: test_h has points='5'"),
    "unknown_visibility": ({"test_i.py": HEADER + '@pytest.mark.step("sigmoid", points=1)\n'
                            '@pytest.mark.visibility("secret")\ndef test_i(submission):\n    pass\n'},
                           "test_i.py, line 4: visibility 'secret' of test_i is not one of visible, hidden"),
    "misspelled_marker": ({"test_j.py": HEADER + '@pytest.mark.step("sigmoid", points=1)\n'
                           '@pytest.mark.visibilty("hidden")\ndef test_j(submission):\n    pass\n'},
                          "test_j.py, line 5: unknown marker 'visibilty' (did you mean 'visibility'?)"),
    "bad_timeout": ({"test_k.py": HEADER + '@pytest.mark.step("sigmoid", points=1)\n'
                     '@pytest.mark.timeout(0)\ndef test_k(submission):\n    pass\n'},
                    "test_k.py, line 4: timeout 0 of test_k must be a positive number of seconds"),
    "no_tests": ({"helpers.py": HEADER}, "holds no graded tests"),
}


def write_folder(folder, files):
    folder.mkdir(parents=True)
    for name, text in files.items():
        (folder / name).write_text(text)
    return folder


def expect_not_graded(graded, expected):
    assert graded.exit_code == 2, graded.output
    assert expected in graded.output
    assert graded.results["score"] == 0 and graded.results["tests"] == []
    assert graded.results["output"].startswith("Not graded: the tests cannot grade")
    assert expected in graded.results["output"]
    for text in (graded.output, graded.results["output"]):
        assert "SECRET_INPUT_TABLE" not in text and "load_secret_table()" not in text and "Traceback" not in text


@pytest.mark.parametrize("case", sorted(CASES))
def test_broken_test_folder_is_named_by_file_and_line(grade_in, tmp_path, case):
    files, expected = CASES[case]
    folder = write_folder(tmp_path / "hidden", files)
    expect_not_graded(grade_in(SOLUTIONS, "--tests", f"{KIT_ROOT}/tests/steps:{folder}"), expected)


def test_two_test_files_with_one_name_are_refused(grade_in, tmp_path):
    folder = write_folder(tmp_path / "hidden", {"test_gates.py": HEADER + GOOD})
    expect_not_graded(grade_in(SOLUTIONS, "--tests", f"{KIT_ROOT}/tests/steps:{folder}"),
                      "two test files are named test_gates.py")


def test_a_folder_given_twice_or_nested_is_refused(grade_in, tmp_path):
    outer = write_folder(tmp_path / "hidden", {"test_x.py": HEADER + GOOD})
    write_folder(outer / "more", {"test_y.py": HEADER + GOOD})
    expect_not_graded(grade_in(SOLUTIONS, "--tests", f"{outer}:{outer}"), "is given twice")
    expect_not_graded(grade_in(SOLUTIONS, "--tests", f"{outer}:{outer / 'more'}"), "is inside")


def test_points_must_add_up_to_the_expected_total(grade_in):
    ok = grade_in(SOLUTIONS, "--max-score", "100")
    assert ok.exit_code == 0 and ok.score == 100
    wrong = grade_in(SOLUTIONS, "--tests", f"{KIT_ROOT}/tests/steps:{KIT_ROOT}/tests/hidden", "--max-score", "100")
    assert wrong.exit_code == 2
    assert "the tests' points add up to 109, not the expected 100" in wrong.output
    assert "forget_gate 6" in wrong.output


def test_every_problem_of_the_folders_is_reported_in_one_pass(grade_in, tmp_path):
    many = write_folder(tmp_path / "hidden", {
        "test_markers.py": HEADER + '@pytest.mark.step("forget_gat", points=-2)\n@pytest.mark.visibility("secret")\n'
                                    '@pytest.mark.timeout(0)\ndef test_m(submission):\n    pass\n\n\n'
                                    '@pytest.mark.step("sigmoid")\ndef test_n(submission):\n    pass\n',
        "test_syntax.py": HEADER + GOOD + "\ndef broken(:\n    pass\n",
        "test_gates.py": HEADER + GOOD,
    })
    broken = write_folder(tmp_path / "broken", {"conftest.py": "raise RuntimeError('fixture file broken')\n",
                                                "test_under_conftest.py": HEADER + GOOD})
    empty = write_folder(tmp_path / "empty", {"helpers.py": HEADER})
    graded = grade_in(SOLUTIONS, "--tests", ":".join(map(str, (f"{KIT_ROOT}/tests/steps", many, broken, empty, many))))
    for expected in ("hidden is given twice",
                     "two test files are named test_gates.py",
                     "test_markers.py, line 4: unknown step 'forget_gat' (did you mean 'forget_gate'?)",
                     "test_markers.py, line 4: test_m has points=-2",
                     "test_markers.py, line 4: visibility 'secret' of test_m is not one of",
                     "test_markers.py, line 4: timeout 0 of test_m must be a positive number of seconds",
                     "test_markers.py, line 11: the step marker of test_n gives no points",
                     "test_syntax.py, line 8: SyntaxError",
                     "conftest.py, line 1: RuntimeError: fixture file broken",
                     "empty holds no graded tests"):
        expect_not_graded(graded, expected)
    assert graded.output.count("fixture file broken") == 1 and "ImportPathMismatch" not in graded.output


def test_check_tests_lists_points_per_step_and_visibility(grade_in):
    listed = grade_in(SOLUTIONS, "--check-tests", "--tests", f"{KIT_ROOT}/tests/steps:{KIT_ROOT}/tests/hidden")
    assert listed.exit_code == 0, listed.output
    assert "Total: 109 points in 42 tests (100 visible + 8 hidden + 1 after_due_date)" in listed.output
    row = next(line for line in listed.output.splitlines() if " forget_gate " in line)
    assert row.split()[2:5] == ["3", "6", "4"]
    assert "The reference solution (solutions) passes every test." in listed.output


WRONG_TESTS = HEADER + '''import numpy as np

from grader.testing import TIME, expect_close, expect_matches_reference, sequence_args


@pytest.mark.step("sigmoid", points=1)
def test_sigmoid_of_zero(submission):
    """sigmoid(0) is one (it is not)"""
    expect_close(submission.sigmoid(np.zeros(3)), np.ones(3), "sigmoid(0)")


@pytest.mark.step("lstm_forward", points=1)
def test_time_axis_in_the_form_of_expect_close(submission, reference):
    """lstm_forward with its time axis named"""
    expect_matches_reference(submission.lstm_forward, reference.lstm_forward, sequence_args(11),
                             ("x", "h0", "Wx", "Wh", "b"), ("h", "cache"), {1: TIME}, keep=(1,))


@pytest.mark.step("forget_gate", points=1)
def test_right(submission):
    """a right test"""
'''


def test_check_tests_reports_a_test_the_reference_does_not_pass_as_the_tests_fault(grade_in, tmp_path):
    folder = write_folder(tmp_path / "hidden", {"test_wrong.py": WRONG_TESTS})
    checked = grade_in(SOLUTIONS, "--check-tests", "--tests", f"{KIT_ROOT}/tests/steps:{folder}")
    assert checked.exit_code == 2, checked.output
    assert "these tests do not pass on the reference solution, so they would grade learners wrongly" in checked.output
    assert "test_wrong.py, line 9: the reference solution fails test_sigmoid_of_zero, so the test is wrong" in \
        checked.output
    assert "yours 0.5, expected 1" in checked.output
    assert "test_wrong.py, line 15: test_time_axis_in_the_form_of_expect_close breaks when it grades the reference " \
           "solution: " in checked.output
    assert "test_wrong.py, line 18: TypeError: expect_matches_reference takes axes keyed by output name, as " \
           "{'h': {1: TIME}}; got {1: 'time step'}" in checked.output
    assert "test_right" not in checked.output and "tests/steps" not in checked.output.split("wrongly:")[1]
    assert "open solutions" not in checked.output and "Next:" not in checked.output
    assert checked.results["tests"] == [] and checked.results["output"].startswith("Not graded: these tests")


def test_step_option_grades_one_step_and_exits_by_its_status(grade_in, tmp_path):
    from conftest import build_submission
    partial = build_submission(tmp_path / "partial", done=("sigmoid",))
    passing = grade_in(partial, "--step", "sigmoid")
    assert passing.exit_code == 0 and set(passing.steps) == {"sigmoid"}
    assert "Passing: sigmoid." in passing.output
    failing = grade_in(partial, "--step", "forget_gate")
    assert failing.exit_code == 1 and set(failing.steps) == {"forget_gate"}
    unknown = grade_in(partial, "--step", "forget")
    assert unknown.exit_code == 2 and "no step named 'forget'" in unknown.output
