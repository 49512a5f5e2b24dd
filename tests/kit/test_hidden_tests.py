"""Hidden tests: the documented example runs, visibility reaches results.json, a hidden test's
source never reaches the learner (terminal, results.json, report.json), and a forward and backward
that agree with each other but not with the reference earn nothing from the example."""
import ast
import json
import os
import re

import pytest

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

# Wrong, but consistent: central differences of a zero forward are zero, like its gradients.
ZERO_STEP_FORWARD = '''
def lstm_step_forward(x, h_prev, c_prev, Wx, Wh, b):
    return np.zeros_like(h_prev), np.zeros_like(c_prev), (x, h_prev, c_prev, Wx, Wh, b)
'''
ZERO_STEP_BACKWARD = '''
def lstm_step_backward(dh, dc, cache):
    return tuple(np.zeros_like(a) for a in cache)
'''
# Right on every plain call; near its last inputs, where a gradient check moves them, it repeats its
# last answer, so its central differences are zero too (as tests/kit/hostile/flat-under-perturbation).
FLAT_STEP_FORWARD = '''
_last = {}


def lstm_step_forward(x, h_prev, c_prev, Wx, Wh, b):
    args = (x, h_prev, c_prev, Wx, Wh, b)
    last = _last.get("args")
    if last is not None and all(a.shape == l.shape and np.max(np.abs(a - l)) < 1e-4 for a, l in zip(args, last)):
        return _last["out"]
    H = h_prev.shape[1]
    a = x @ Wx + h_prev @ Wh + b
    i, f, o = (1 / (1 + np.exp(-a[:, k * H:(k + 1) * H])) for k in (0, 1, 3))
    c = f * c_prev + i * np.tanh(a[:, 2 * H:3 * H])
    _last["args"], _last["out"] = [v.copy() for v in args], (o * np.tanh(c), c, args)
    return _last["out"]
'''
CONSISTENT_PAIRS = {
    "zero-forward": ({"lstm_step_forward": ZERO_STEP_FORWARD, "lstm_step_backward": ZERO_STEP_BACKWARD},
                     "h has wrong values"),
    "flat-under-perturbation": ({"lstm_step_forward": FLAT_STEP_FORWARD, "lstm_step_backward": ZERO_STEP_BACKWARD},
                                "lstm_step_forward gives other outputs than the reference when one input entry moves"),
}


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
    for name in ("submission", "reference", "visibility", "timeout", "expect_backward", "without_reference=True",
                 "expect_matches_reference", "axes", "noted", "CheckFailed", "sizes", "upstream", "keep="):
        assert name in docs


@pytest.mark.parametrize("case", sorted(CONSISTENT_PAIRS))
def test_a_consistent_wrong_pair_earns_nothing_from_the_hidden_tests(grade_in, tmp_path, case):
    replace, reason = CONSISTENT_PAIRS[case]
    graded = grade_in(build_submission(tmp_path / case, replace=replace), "--tests", HIDDEN)
    assert graded.exit_code == 1, graded.output
    tests = graded.results["tests"]
    assert len(tests) == len([line for line in open(EXAMPLE) if line.startswith("def test_")])
    assert graded.score == 0 and [t["score"] for t in tests] == [0] * len(tests)
    backward = [t for t in tests if t["extra_data"]["step"] == "lstm_step_backward"]
    assert backward, tests
    assert all(t["extra_data"]["outcome"] == "failed" and reason in t["output"] for t in backward), backward
