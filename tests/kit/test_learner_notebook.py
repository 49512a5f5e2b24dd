"""The learner's notebook (notebooks/lstm_kit.ipynb): written from the stubs, and run in a real
Jupyter kernel (nbclient, ipykernel) as a learner runs it.

- It is what ``make notebook`` writes from exercises/ today, and a valid notebook.
- Run top to bottom in a fresh kernel, every check says "not started", with the step's hint.
- With the reference in its cells and one catalogued mistake, each check passes but the mistake's,
  whose inline report names it; and ``python -m grader --submission`` on the saved notebook gives
  every step the status and points its check cell showed.
"""
import json
import os
import re

import pytest

from grader.course.hints import load_hints
from grader.course.mistakes import CATALOGUE
from grader.course.steps import BY_NAME, STEPS
from grader.kit import EXERCISES, KIT_ROOT, SOLUTIONS
from instructor.notebook import NOTEBOOK, notebook_for, notebook_text

from conftest import build_submission, function_source, grade
from mistakes import MISTAKES

nbformat = pytest.importorskip("nbformat", reason="nbformat is a test dependency (requirements-test.txt)")
nbclient = pytest.importorskip("nbclient", reason="nbclient is a test dependency (requirements-test.txt)")
pytest.importorskip("ipykernel", reason="ipykernel is a test dependency (requirements-test.txt)")

ROW = re.compile(r"^\W*(\d+)\W+(\w+)\W+\w+\.py\W+[✔✘·?]?\s*(passing|failing|not started|not judged)\W+([\d.]+)/([\d.]+)", re.M)
MISTAKE = "step_forward_cs231n_gate_order"  # a CS231n habit: its notebook's gate order


def run_in_kernel(notebook, cwd, tmp_path):
    """Execute ``notebook`` (a dict) in a fresh kernel with the kit importable; returns it, run."""
    node = nbformat.reads(json.dumps(notebook), as_version=4)  # joins each cell's lines, as Jupyter does
    env_before = {k: os.environ.get(k) for k in ("PYTHONPATH", "LSTM_KIT_STATE", "NO_COLOR")}
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [KIT_ROOT, env_before["PYTHONPATH"]]))
    os.environ["LSTM_KIT_STATE"] = str(tmp_path / "state.json")
    try:
        nbclient.NotebookClient(node, timeout=300, kernel_name="python3", allow_errors=False,
                                resources={"metadata": {"path": str(cwd)}}).execute()
    finally:
        for key, value in env_before.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    return node


def shown(cell):
    """What a cell showed, as text: the plain-text form of each output (rich sends HTML and text)."""
    parts = []
    for output in cell.get("outputs", []):
        parts.append(output.get("text") or output.get("data", {}).get("text/plain", ""))
    return re.sub(r"\x1b\[[0-9;]*m", "", "".join(parts))


def html_of(cell):
    return "".join(o.get("data", {}).get("text/html", "") for o in cell.get("outputs", []))


def check_cells(notebook):
    """{step: the check cell} for the cells that check one step."""
    found = {}
    for cell in notebook.cells:
        called = re.fullmatch(r'check\("(\w+)"\)', "".join(cell.source).strip())
        if cell.cell_type == "code" and called:
            found[called.group(1)] = cell
    return found


def clean(notebook):
    """No cell printed a traceback: an error in a thread of check() would only be printed."""
    for cell in notebook.cells:
        assert "Traceback" not in shown(cell) and "Error" not in "".join(
            o.get("text", "") for o in cell.get("outputs", []) if o.get("name") == "stderr"), shown(cell)


def rows(text):
    """{step: (status, points)} from a report's table."""
    return {m.group(2): (m.group(3), float(m.group(4))) for m in ROW.finditer(text)}


def with_mistake(notebook, case):
    """The notebook with the function cell of ``case`` (tests/kit/mistakes.py) replaced."""
    step, key, source = MISTAKES[case]
    name = re.search(r"def (\w+)\(", source).group(1)
    for cell in notebook["cells"]:
        if cell["cell_type"] == "code" and cell["id"].endswith(f"-{name}"):
            cell["source"] = source.strip().splitlines(keepends=True)
            return notebook, step, key
    raise AssertionError(f"no cell defines {name}")


def test_the_notebook_is_written_from_the_stubs():
    with open(NOTEBOOK, encoding="utf-8") as f:
        committed = f.read()
    assert committed == notebook_text(EXERCISES), "notebooks/lstm_kit.ipynb is stale: run `make notebook`"
    notebook = nbformat.reads(committed, as_version=4)
    nbformat.validate(notebook)
    assert set(check_cells(notebook)) == set(BY_NAME)
    # each function's docstring is a markdown cell just above its code cell, equations as code blocks
    texts = [c for c in notebook.cells if c.cell_type == "markdown" and c.id == "gates-forget_gate-text"]
    assert texts and "f = sigmoid(x @ Wx + h_prev @ Wh + b)" in texts[0].source and "```" in texts[0].source


def code_cell(cell_id, source):
    return {"cell_type": "code", "id": cell_id, "metadata": {}, "source": source, "execution_count": None, "outputs": []}


def by_id(notebook, cell_id):
    return next(c for c in notebook.cells if c.get("id") == cell_id)


def test_the_stubs_run_top_to_bottom_in_a_fresh_kernel(tmp_path):
    notebook = json.loads(notebook_text(EXERCISES))
    notebook["cells"] += [code_cell("hint-1", "hint()"), code_cell("hint-2", "hint()")]
    notebook = run_in_kernel(notebook, tmp_path, tmp_path)
    clean(notebook)
    hints = load_hints()
    checks = check_cells(notebook)
    for step in STEPS:
        text = shown(checks[step.name])
        assert rows(text) == {step.name: ("not started", 0.0)}, text
        assert hints[step.name][0].split()[0] in text and "Hint" in text, text
        assert "<table" in html_of(checks[step.name]) or "<pre" in html_of(checks[step.name])
    everything = shown(by_id(notebook, "check-all"))
    assert rows(everything) == {"sigmoid": ("not started", 0.0)}, everything
    assert "write sigmoid()" in everything
    # show_memory() ran the reference (the stubs do not pass yet) and drew the three pictures inline
    demo = by_id(notebook, "show-memory")
    assert sum("image/png" in o.get("data", {}) for o in demo.outputs) == 3, shown(demo)
    assert "runs the reference solution" in " ".join(shown(demo).split()), shown(demo)
    # the checks' reports showed sigmoid's hint 1, so each hint() shows the one after the last seen
    assert "Hint 2 of 3 for sigmoid() in this notebook" in shown(by_id(notebook, "hint-1"))
    assert "Hint 3 of 3 for sigmoid()" in shown(by_id(notebook, "hint-2"))
    assert hints["sigmoid"][2].split()[0] in shown(by_id(notebook, "hint-2"))


def test_reference_with_one_mistake_agrees_with_the_grader_on_the_saved_notebook(tmp_path):
    notebook, step, key = with_mistake(notebook_for(SOLUTIONS), MISTAKE)
    notebook["cells"] = [c for c in notebook["cells"] if c["id"] != "show-memory"]  # the demo is tested elsewhere
    fixed = function_source(os.path.join(SOLUTIONS, BY_NAME[step].file), step)
    notebook["cells"] += [code_cell("fixed", fixed), code_cell("checked-again", f'check("{step}")')]
    ran = run_in_kernel(notebook, tmp_path, tmp_path)
    clean(ran)
    # defining the function again and checking again grades the new definition
    assert rows(shown(by_id(ran, "checked-again"))) == {step: ("passing", 8.0)}, shown(by_id(ran, "checked-again"))
    ran.cells = ran.cells[:-2]  # the saved notebook below is the one with the mistake
    in_kernel = {}
    for cell in check_cells(ran).values():
        in_kernel.update(rows(shown(cell)))
    assert set(in_kernel) == set(BY_NAME)
    failing = re.sub(r"[│\s]+", " ", shown(check_cells(ran)[step]))  # the table wraps the message
    assert CATALOGUE[key].name in failing, failing
    assert in_kernel[step][0] == "failing"
    assert all(status == "passing" for name, (status, _) in in_kernel.items()
               if name != step and step not in BY_NAME[name].requires), in_kernel

    saved = tmp_path / "mine.ipynb"
    saved.write_text(json.dumps(ran), encoding="utf-8")
    graded = grade(saved, tmp_path / "results")
    assert {name: (graded.status(name), graded.points(name)) for name in BY_NAME} == \
        {name: (status.replace("passing", "passed").replace("failing", "failed"), points)
         for name, (status, points) in in_kernel.items()}


def test_a_notebook_that_defines_no_step_checks_the_exercises_folder(tmp_path):
    """CS231n's way: the code in exercises/*.py, the notebook only runs the checks."""
    build_submission(tmp_path / "exercises", done=("sigmoid",))
    notebook = {"cells": [code_cell("setup", "from lstm_kit import check"), code_cell("check", "check()")],
                "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    text = shown(by_id(run_in_kernel(notebook, tmp_path, tmp_path), "check"))
    assert rows(text) == {"sigmoid": ("passing", 4.0), "forget_gate": ("not started", 0.0)}, text
    assert "grading exercises/" in text
