"""Hidden tests: the documented example runs, visibility reaches results.json, and a hidden test's
source never reaches the learner (terminal, results.json, report.json)."""
import ast
import json
import os
import re

from grader.kit import KIT_ROOT

from conftest import ALL_STEPS, build_submission, grade

HIDDEN = os.path.join(KIT_ROOT, "tests", "hidden")
EXAMPLE = os.path.join(HIDDEN, "test_hidden_example.py")
BOTH = f"{os.path.join(KIT_ROOT, 'tests', 'steps')}:{HIDDEN}"

# Passes every public check (values within tolerance, no overflow) but is not symmetric.
SIGMOID_BIASED_ON_NEGATIVES = '''
def sigmoid(z):
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e) + 1e-9)
'''


def source_lines(path):
    """The file's code lines (no docstrings, comments or short lines): none may reach a learner."""
    text = open(path).read()
    docstring_lines = set()
    for node in ast.walk(ast.parse(text)):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
            docstring_lines.update(range(body[0].lineno, body[0].end_lineno + 1))
    return [line.strip() for k, line in enumerate(text.split("\n"), 1)
            if k not in docstring_lines and len(line.strip()) >= 15 and not line.strip().startswith("#")]


def test_example_gives_the_reference_full_marks_with_its_visibilities(grade_in):
    graded = grade_in(os.path.join(KIT_ROOT, "solutions"), "--tests", BOTH)
    assert graded.exit_code == 0, graded.output
    assert graded.score == 109
    visibility = {t["name"].split(": ", 1)[1]: t["visibility"] for t in graded.results["tests"]}
    assert visibility["sigmoid(-z) equals 1 - sigmoid(z)"] == "after_due_date"
    assert visibility["forget_gate matches the reference on inputs the public checks never use"] == "hidden"
    assert visibility["sigmoid matches 1 / (1 + exp(-z)) on moderate inputs"] == "visible"
    assert sorted(set(visibility.values())) == ["after_due_date", "hidden", "visible"]


def test_hidden_test_catches_what_public_tests_miss(grade_in, tmp_path):
    submission = build_submission(tmp_path / "biased", done=ALL_STEPS, replace={"sigmoid": SIGMOID_BIASED_ON_NEGATIVES})
    public = grade_in(submission)
    assert public.exit_code == 0 and public.score == 100
    both = grade_in(submission, "--tests", BOTH)
    assert both.status("sigmoid") == "failed"
    failed = [t for t in both.results["tests"] if t["status"] == "failed"]
    assert [t["visibility"] for t in failed] == ["after_due_date"]
    assert "sigmoid(-z) should equal 1 - sigmoid(z)" in failed[0]["output"]


def test_hidden_source_never_reaches_the_learner(tmp_path):
    from mistakes import MISTAKES
    replace = {MISTAKES[m][0]: MISTAKES[m][2] for m in
               ("forget_gate_uses_tanh", "cell_update_swaps_gates", "step_backward_missing_h_path_in_dc",
                "lstm_forward_resets_cell_state")}
    submission = build_submission(tmp_path / "broken", done=ALL_STEPS, replace=replace)
    results_dir = tmp_path / "results"
    graded = grade(submission, results_dir, "--tests", BOTH)
    hidden_failures = [t for t in graded.results["tests"] if t["visibility"] == "hidden" and t["status"] == "failed"]
    assert len(hidden_failures) == 4
    outputs = {t["name"].split(": ", 1)[1]: t["output"] for t in hidden_failures}
    assert outputs["cell_update with f = 1 and i = 0 returns c_prev unchanged"] == \
        "with f = 1 and i = 0 the cell state must pass through unchanged"  # a plain assert's message
    assert "f has wrong values" in outputs["forget_gate matches the reference on inputs the public checks never use"]
    seen = {"terminal": graded.output,
            "results.json": (results_dir / "results.json").read_text(),
            "report.json": (results_dir / "report.json").read_text()}
    lines = source_lines(EXAMPLE)
    assert len(lines) > 30
    for where, text in seen.items():
        # In a JSON file a line would appear escaped (quotes as \").
        leaked = [line for line in lines if line in text or json.dumps(line)[1:-1] in text]
        assert not leaked, (where, leaked)
    assert "Traceback" not in seen["report.json"] and '"traceback"' not in seen["report.json"]


def test_docs_show_the_example_file_exactly():
    docs = open(os.path.join(KIT_ROOT, "docs", "writing-tests.md")).read()
    blocks = re.findall(r"```python\n(.*?)```", docs, re.S)
    assert open(EXAMPLE).read() in blocks
    for name in ("submission", "reference", "visibility", "timeout", "gradient_check", "expect_matches_reference",
                 "noted", "CheckFailed", "sizes", "upstream", "keep="):
        assert name in docs
