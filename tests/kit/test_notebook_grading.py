"""A Jupyter notebook is graded like the four files: its step functions, imports and constants are
read from its code cells by parsing alone, and nothing else in it ever runs. Magics, shell lines,
prints and training loops at module level do not stop it; a later definition wins; a broken
notebook or cell gets a message naming it, and the rest is still graded."""
import json
import os
import subprocess
import sys
import time
import zipfile

import pytest

from grader.course.steps import STEPS
from grader.kit import KIT_ROOT
from grader.sandbox.notebook import (
    MAX_CELLS,
    MAX_NOTEBOOK_BYTES,
    MAX_PARSED_BYTES,
    MAX_TOKENS,
    NotebookError,
    convert,
    read_cells,
    read_notebook,
)

from conftest import ALL_STEPS, function_source, learner_rows
from corpus import AS_TAUGHT
from mistakes import MISTAKES

SETUP = """%matplotlib inline
!pip install numpy
import numpy as np
EPS, LIMIT = 1e-8, -(2 ** 5)
rng = np.random.default_rng(0)
print("ready")"""
TRAINING = """%%time
params = None"""
LOOP = """for epoch in range(3):
    loss = classifier_loss(rng.normal(size=(2, 3, 4)), np.array([0, 1]), params)
    print(epoch, loss)"""
WRONG_SIGMOID = "def sigmoid(z):\n    return 0.5 * z  # a first try, replaced below"


def code(source, outputs=()):
    """A code cell as Jupyter saves it: the source as a list of lines."""
    return {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": list(outputs),
            "source": source.splitlines(keepends=True)}


def markdown(text):
    return {"cell_type": "markdown", "metadata": {}, "source": [text]}


def write_notebook(path, cells):
    path.write_text(json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {"kernelspec": {"name": "python3"}},
                                "cells": cells}))
    return path


def step_cells(replace=None):
    """One cell per step's functions (the reference's, or ``replace[step]``), with a line magic
    after them, a print in every third, and an output that is code (never read as code)."""
    replace = replace or {}
    cells = []
    for step in STEPS:
        source = AS_TAUGHT if step.file == "sequence.py" else os.path.join(KIT_ROOT, "solutions", step.file)
        body = replace.get(step.name) or "\n\n".join(function_source(source, f) for f in step.functions)
        output = {"output_type": "stream", "name": "stdout", "text": ["def sigmoid(z):\n", "    return z\n"]}
        printed = f"print('{step.name} done')\n" if step.number % 3 == 1 else ""
        cells.append(code(f"{body.strip()}\n\n{printed}%timeit -n1 -r1 1 + 1\n", [output]))
    return cells


def notebook_cells(replace=None, extra=()):
    """A learner's notebook: markdown, set-up with magics, a wrong sigmoid then the steps (the
    right sigmoid later), a cell-magic cell, a training loop, and ``extra`` cells at the end."""
    return [markdown("# My LSTM"), code(SETUP), code(WRONG_SIGMOID), *step_cells(replace),
            code(TRAINING), code(LOOP), *[code(c) for c in extra]]


def test_the_reference_notebook_gets_full_marks_and_lists_what_it_did_not_run(tmp_path, grade_in):
    graded = grade_in(write_notebook(tmp_path / "lstm.ipynb", notebook_cells()))
    assert graded.exit_code == 0, graded.output
    assert graded.score == 100, graded.results.get("output")
    said = graded.results["output"]
    assert "Not run from lstm.ipynb (only imports, definitions and constants are kept)" in said, said
    # Cells count from 1 with markdown: set-up is cell 2, the steps 4..17, then %%time and the loop.
    for skipped in ("cell 2: rng = np.random.default_rng(0) (and 1 more)", "cell 4: print('sigmoid done')",
                    "cell 18: %%time", "cell 19: for epoch in range(3):"):
        assert skipped in said, f"{skipped!r} not in the notes: {said}"
    assert "The notebook lstm.ipynb gives gates.py (cells 4, 5, 6, 7, 8, 9, 10)" in graded.output, graded.output
    assert "Next: open" not in graded.output and "lstm.ipynb/" not in graded.output


def test_a_notebook_lists_its_training_loop_as_not_run():
    cells = [(n, "".join(c["source"])) for n, c in enumerate(notebook_cells(), 1) if c["cell_type"] == "code"]
    converted = convert(cells)
    loop_cell = len(notebook_cells())
    assert f"cell {loop_cell}: for epoch in range(3):" in converted.skipped
    assert f"cell {loop_cell - 1}: %%time" in converted.skipped
    gates = converted.modules["gates.py"]
    assert "EPS, LIMIT = 1e-8, -(2 ** 5)" in gates and "import numpy as np" in gates
    assert "0.5 * z" not in gates, "the first sigmoid stayed, though a later cell defines it again"
    assert "from gates import" in converted.modules["cell.py"] and "sigmoid" in converted.modules["cell.py"]


def test_helpers_go_to_the_first_file_with_what_they_call_and_unused_ones_stay_out():
    converted = convert([
        (1, "import numpy as np\nimport matplotlib.pyplot as plt\n"),
        (2, "def affine(x, W, b):\n    return x @ W + b\n"),
        (3, "def forget_gate(x, h_prev, Wx, Wh, b):\n    %time 1\n    return sigmoid(affine(x, Wx, b) + np.dot(h_prev, Wh))\n"),
        (4, "def run(x, params):\n    return lstm_forward(x, *params)\n"),
        (5, "def train(params, data, steps, lr, clip):\n    return run(data, params)\n"),
        (6, "def plot(losses):\n    plt.plot(losses)\n"),
    ])
    modules = converted.modules
    for file, text in modules.items():
        compile(text, file, "exec")  # every written file is Python, the magic inside a function too
    assert "def affine" in modules["gates.py"] and "def forget_gate" in modules["gates.py"], modules["gates.py"]
    assert "%time" not in modules["gates.py"] and "import numpy as np" in modules["gates.py"]
    # run calls lstm_forward, which the notebook lacks: still, run can only work from sequence.py on
    assert "def run" in modules["sequence.py"], modules["sequence.py"]
    assert "from gates import affine, forget_gate" in modules["memory.py"] and "from sequence import run" in \
        modules["memory.py"], modules["memory.py"]
    assert not any("plot" in text or "matplotlib" in text for text in modules.values()), \
        "a helper no step uses (and its import) was written out"
    assert converted.cells == {"gates.py": [3], "memory.py": [5]}


def test_a_statement_sharing_a_line_with_an_import_is_not_kept():
    converted = convert([(1, "import os; os.remove('x')\nEPS = 1e-8; print(EPS)\n"
                             "def sigmoid(z):\n    return os.getcwd()\n")])
    gates = converted.modules["gates.py"]
    assert "import os\n" in gates and "EPS = 1e-8\n" in gates, gates
    assert "remove" not in gates and "print" not in gates, gates
    assert converted.skipped == ["cell 1: import os; os.remove('x')", "cell 1: EPS = 1e-8; print(EPS)"]


def test_one_mistake_in_one_cell_loses_exactly_that_step(tmp_path, grade_in):
    step, key, source = MISTAKES["forget_gate_uses_tanh"]
    graded = grade_in(write_notebook(tmp_path / "lstm.ipynb", notebook_cells(replace={step: source})))
    assert graded.exit_code == 1, graded.output
    assert graded.steps[step]["mistake"] == key, graded.message(step)
    wrong = [s for s in ALL_STEPS if graded.status(s) != "passed"]
    assert wrong == [step], f"only {step} should fail; failing: {wrong}"
    assert graded.score == 96


def test_a_syntax_error_in_one_cell_is_named_and_the_other_steps_are_graded(tmp_path, grade_in):
    broken = "def forget_gate(x, h_prev, Wx, Wh, b):\n    return sigmoid(x @ Wx + h_prev @ Wh +)\n"
    cells = notebook_cells(replace={"forget_gate": broken})
    graded = grade_in(write_notebook(tmp_path / "lstm.ipynb", cells))
    assert graded.exit_code == 1, graded.output
    said = graded.results["output"]
    assert "lstm.ipynb, cell 5 has a syntax error: invalid syntax (line 2: return sigmoid(" in said, said
    assert "the cell was left out" in said
    assert graded.message("forget_gate") == "the notebook defines no function named forget_gate"
    assert [s for s in ALL_STEPS if graded.status(s) != "passed"] == ["forget_gate"]


def test_a_broken_notebook_file_gets_its_own_message_and_no_marks(tmp_path, grade_in):
    cases = {"corrupt.ipynb": ('{"cells": [', "corrupt.ipynb is not a valid notebook: its JSON is broken at line 1"),
             "other.ipynb": ('{"hello": "world"}', "other.ipynb is not a Jupyter notebook: it has no list of cells")}
    for name, (text, message) in cases.items():
        (tmp_path / name).write_text(text)
        graded = grade_in(tmp_path / name)
        assert graded.exit_code == 1, f"{name}: exit {graded.exit_code} (a grade below full marks is 1)"
        assert message in graded.results["output"], graded.results["output"]
        assert graded.score == 0 and all(graded.status(s) != "passed" for s in ALL_STEPS)


def test_a_notebook_without_the_functions_says_so(tmp_path, grade_in):
    notebook = write_notebook(tmp_path / "notes.ipynb", [markdown("# notes"), code("import numpy as np\nprint(1)")])
    graded = grade_in(notebook)
    assert graded.exit_code == 1, graded.output
    assert "The notebook notes.ipynb defines none of the steps' functions (sigmoid, forget_gate," in \
        graded.results["output"], graded.results["output"]
    assert "the notebook defines no function named sigmoid" in graded.message("sigmoid")


def test_module_level_code_never_runs(tmp_path, grade_in):
    """An endless loop and a cell that writes a fake results.json (and a marker) are never run:
    the grade is the notebook's real one, and quick."""
    marker = tmp_path / "ran"
    results_dir = tmp_path / "results-0"  # where grade_in puts the first run's results
    fake = (f"import json\nopen({str(marker)!r}, 'w').write('ran')\n"
            f"json.dump({{'score': 100, 'tests': []}}, open({str(results_dir / 'results.json')!r}, 'w'))")
    step, _, source = MISTAKES["forget_gate_uses_tanh"]
    cells = notebook_cells(replace={step: source}, extra=["while True:\n    pass", fake])
    graded = grade_in(write_notebook(tmp_path / "lstm.ipynb", cells), "--time-limit", "60")
    assert graded.score == 96 and graded.exit_code == 1, graded.results.get("output")
    assert not marker.exists(), "a module-level statement of the notebook was run"
    assert graded.seconds < 50, f"took {graded.seconds:.0f} s: was the endless loop run?"
    assert f"cell {len(cells) - 1}: while True:" in graded.results["output"]


def test_too_large_too_deep_or_too_many_cells_is_refused(tmp_path):
    many = write_notebook(tmp_path / "many.ipynb", [code("x = 1")] * (MAX_CELLS + 1))
    with pytest.raises(NotebookError) as refused:
        read_cells(many)
    assert f"has {MAX_CELLS + 1} cells; a notebook over {MAX_CELLS} is not graded" in str(refused.value)
    deep = tmp_path / "deep.ipynb"
    deep.write_text("[" * 200_000 + "]" * 200_000)
    with pytest.raises(NotebookError) as refused:
        read_cells(deep)
    assert "deep.ipynb is not a notebook: its JSON is nested too deep to read" in str(refused.value)
    big = tmp_path / "big.ipynb"
    with open(big, "wb") as f:
        f.truncate(MAX_NOTEBOOK_BYTES + (1 << 20))
    with pytest.raises(NotebookError) as refused:
        read_cells(big)
    assert "big.ipynb is 101.0 MiB; a notebook over 100 MiB is not graded" in str(refused.value)


def test_outputs_are_cut_unread_so_a_notebook_over_the_parsed_bound_is_read(tmp_path):
    """30 MiB of outputs, metadata and attachments (strings, lists, brackets and quotes in strings):
    the cells read are those of the notebook without them, and the bytes cut are counted."""
    cells = notebook_cells()
    noisy = [{"output_type": "stream", "name": "stdout", "text": ['"outputs": [{"x": "]}\\', "]" * 100] * 3000},
             {"output_type": "display_data", "metadata": {"isolated": True},
              "data": {"image/png": "iVBORw0KGgo" * (1 << 20), "text/plain": ["<Figure>"]}}]
    cells[3]["outputs"] = noisy
    cells[0]["attachments"] = {"plot.png": {"image/png": "AAAA" * (4 << 20)}}
    clean = write_notebook(tmp_path / "clean.ipynb", notebook_cells())
    document = {"nbformat": 4, "nbformat_minor": 4, "metadata": {"widgets": {"state": ["{[" * (1 << 20)]}},
                "cells": cells}
    big = tmp_path / "big.ipynb"
    big.write_text(json.dumps(document, indent=1))
    assert os.path.getsize(big) > MAX_PARSED_BYTES  # over the bound on what is parsed: the rest was cut
    got, unread = read_notebook(big)
    assert got == read_cells(clean)
    assert unread > os.path.getsize(big) - os.path.getsize(clean) - (1 << 20), unread
    with open(big, "a") as f:
        f.write("\n\n}")  # broken after the outputs: the error still names the file's own line
    with pytest.raises(NotebookError) as refused:
        read_cells(big)
    lines = big.read_text().count("\n") + 1
    assert f"big.ipynb is not a valid notebook: its JSON is broken at line {lines}, column 1" in str(refused.value)


def test_a_flood_of_tiny_values_in_outputs_is_refused_quickly(tmp_path):
    flood = tmp_path / "flood.ipynb"
    flood.write_text('{"cells": [{"cell_type": "code", "source": "x = 1", "outputs": [' + "[]," * MAX_TOKENS + "[]]}]}")
    started = time.monotonic()
    with pytest.raises(NotebookError) as refused:
        read_cells(flood)
    assert f"flood.ipynb holds over {MAX_TOKENS} strings and lists in its outputs" in str(refused.value)
    assert time.monotonic() - started < 10


def test_grade_all_grades_notebooks_bare_in_a_folder_or_in_a_zip(tmp_path):
    submissions, out = tmp_path / "export", tmp_path / "class"
    (submissions / "bob" / "work").mkdir(parents=True)
    write_notebook(submissions / "alice.ipynb", notebook_cells())
    step, _, source = MISTAKES["forget_gate_uses_tanh"]
    write_notebook(submissions / "bob" / "work" / "lstm.ipynb", notebook_cells(replace={step: source}))
    write_notebook(tmp_path / "carol.ipynb", notebook_cells())
    with zipfile.ZipFile(submissions / "carol.zip", "w") as archive:
        archive.write(tmp_path / "carol.ipynb", "attempt/carol.ipynb")
    (submissions / "dave.ipynb").write_text("{broken")
    done = subprocess.run([sys.executable, "-m", "instructor", "grade-all", str(submissions), "--out", str(out),
                           "--jobs", "2", "--skip-reference-check"], cwd=KIT_ROOT, capture_output=True, text=True,
                          env={**os.environ, "NO_COLOR": "1"})
    assert done.returncode == 0, done.stdout + done.stderr
    rows = learner_rows(out / "gradebook.csv")
    assert {name: float(r["total"]) for name, r in rows.items()} == {"alice": 100, "bob": 96, "carol": 100, "dave": 0}
    assert rows["alice"]["note"] == "graded from the notebook alice.ipynb"
    assert "dave.ipynb is not a valid notebook: its JSON is broken" in rows["dave"]["note"]
    bob = json.load(open(out / "bob" / "results.json"))
    assert "Not run from work/lstm.ipynb" in bob["output"], bob["output"]
    assert "Not run from work/lstm.ipynb" in (out / "bob" / "report.txt").read_text()


def test_gradescope_grades_a_notebook_upload(tmp_path):
    from test_gradescope import TESTS, run_on

    bundle = tmp_path / "autograder.zip"
    built = subprocess.run([sys.executable, "-m", "instructor", "gradescope", "--tests", TESTS, "--out", str(bundle)],
                           cwd=KIT_ROOT, capture_output=True, text=True)
    assert built.returncode == 0, built.stdout + built.stderr
    step, key, source = MISTAKES["forget_gate_uses_tanh"]
    (tmp_path / "gradescope").mkdir()
    done, results = run_on(bundle, tmp_path / "gradescope", lambda sub: write_notebook(
        sub / "lstm.ipynb", notebook_cells(replace={step: source})))
    assert done.returncode == 0, done.stdout + done.stderr
    assert results["score"] == 109 - 4 - 2, results["output"]  # forget_gate's visible and hidden tests
    assert results["extra_data"]["steps"][step]["mistake"] == key
    assert results["output"].startswith("Your upload: the notebook lstm.ipynb gives gates.py (cells 4,"), \
        results["output"]
    assert "Not run from lstm.ipynb" in results["output"] and "cell 19: for epoch in range(3):" in results["output"]


def test_the_kits_own_check_cells_are_not_listed_as_not_run(tmp_path, grade_in):
    cells = [*notebook_cells(), code('check("sigmoid")'), code("hint()\nshow_memory()"), code("print('experiment')")]
    graded = grade_in(write_notebook(tmp_path / "lstm.ipynb", cells))
    said = graded.results["output"]
    assert "print('experiment')" in said and "check(" not in said and "hint()" not in said, said
