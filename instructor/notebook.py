"""``make notebook``: notebooks/lstm_kit.ipynb, the learner's notebook, written from the stubs.

The stubs in exercises/ stay the one source: each file's docstring becomes a part's introduction,
each function's docstring a markdown cell (its equations and shapes as code blocks), the function
itself a code cell (its docstring cut to the first line), and the last function of each step is
followed by a cell that checks it. tests/kit/test_learner_notebook.py fails when the notebook and
the stubs disagree, and runs it in a real kernel.

``notebook_for(folder)`` builds the same notebook from any folder of the four files (the kit's
tests build one from the reference).
"""
import argparse
import ast
import json
import os
import re
import sys
import textwrap

from grader.course.steps import BY_FUNCTION, BY_NAME, FILES
from grader.kit import EXERCISES, KIT_ROOT

NOTEBOOK = os.path.join(KIT_ROOT, "notebooks", "lstm_kit.ipynb")
STEP_MODULES = {name[:-3] for name in FILES}  # in a notebook every function is in the one namespace

INTRODUCTION = """\
# Build an LSTM, one gate at a time

Read "Sarah went to the store. ___" and you know the next word is "She": you kept the subject in
mind across the words between. A plain recurrent network forgets it within a few words. In this
notebook you build, in NumPy, the network that does not: an LSTM, whose cell state carries what
matters down the sequence like a conveyor belt, with gates that decide what to forget, what to
write and what to show.

How to work here:
1. Run the set-up cell below once.
2. For each function, read the text above it, replace `raise NotImplementedError` with your
   code, and run the cell.
3. Run the check cell after it: it grades your function, names a common mistake when it sees
   one, and shows a hint. `hint()` shows the next hint for the step you are on.
4. `check()` with no argument checks every step up to the first one not passing.

Your code runs in a separate process with limits, never in this kernel's grader. The checks here
are the public ones: a course may grade your submitted notebook with more.
"""

SETUP = """\
# In Colab, or in a kernel without the kit, install it first: see "Use it in Colab" in the
# kit's README (a %pip install line, then run this cell).
import numpy as np

from lstm_kit import check, hint, show_memory
"""

PAYOFF = """\
## The payoff

Once every step passes, `show_memory()` trains your LSTM on the pronoun task and draws why it
remembers: the gates reading "Sarah went to the store . ___", the gradient that reaches the first
word (the bucket brigade, against a plain RNN), and accuracy as the distance grows.
"""


def cell(kind, cell_id, text):
    """One notebook cell; ``cell_id`` is fixed, so the same stubs give the same file."""
    lines = text.strip("\n").splitlines(keepends=True)
    entry = {"cell_type": kind, "id": cell_id, "metadata": {}, "source": lines}
    if kind == "code":
        entry.update(execution_count=None, outputs=[])
    return entry


def docstring_markdown(text):
    """A docstring as markdown: indented runs (equations, shapes, code) become code blocks."""
    out, block = [], []
    for line in textwrap.dedent(text).splitlines():
        if line.startswith("    ") or (block and not line.strip()):
            block.append(line)
            continue
        if block:
            out += _fenced(block)
            block = []
        out.append(line)
    if block:
        out += _fenced(block)
    return "\n".join(out)


def _fenced(lines):
    while lines and not lines[-1].strip():
        lines.pop()
    return ["", "```", *textwrap.dedent("\n".join(lines)).splitlines(), "```", ""]


def _summary(docstring):
    return docstring.strip().splitlines()[0] if docstring else ""


def function_code(source, node):
    """The function's source with its docstring cut to the first line (the rest is above it)."""
    lines = source.splitlines()
    body = node.body[0]
    start, end = body.lineno - 1, body.end_lineno
    indent = re.match(r"\s*", lines[start]).group(0)
    kept = lines[node.lineno - 1:start] + [f'{indent}"""{_summary(ast.get_docstring(node))}"""'] + lines[end:node.end_lineno]
    first = min(d.lineno for d in node.decorator_list) - 1 if node.decorator_list else node.lineno - 1
    return "\n".join(lines[first:node.lineno - 1] + kept)


def _imports(tree, source):
    """The file's imports, less those of the other step files (a notebook has one namespace)."""
    kept = []
    for node in tree.body:
        if isinstance(node, ast.Import):
            names = [a for a in node.names if a.name.split(".")[0] not in STEP_MODULES]
        elif isinstance(node, ast.ImportFrom):
            names = [] if (node.module or "").split(".")[0] in STEP_MODULES else node.names
        else:
            continue
        if names:
            kept.append(ast.get_source_segment(source, node))
    return kept


def part_cells(number, file, source):
    tree = ast.parse(source)
    stem = file[:-3]
    docstring = ast.get_docstring(tree) or file
    title, rest = _summary(docstring).rstrip("."), "\n".join(docstring.splitlines()[1:])
    cells = [cell("markdown", f"{stem}-intro", f"## Part {number}: {title}\n\n_In the kit's files: `{file}`._\n\n"
                  + docstring_markdown(rest))]
    imports = [i for i in _imports(tree, source) if i not in ("import numpy as np",)]
    if imports:
        cells.append(cell("code", f"{stem}-imports", "\n".join(imports)))
    for node in tree.body:
        if not isinstance(node, ast.FunctionDef):
            continue
        step = BY_FUNCTION.get(node.name)
        doc = ast.get_docstring(node) or ""
        heading = f"### Step {step.number}: `{node.name}`" if step else f"### `{node.name}`"
        cells.append(cell("markdown", f"{stem}-{node.name}-text", f"{heading}\n\n" + docstring_markdown(doc)))
        cells.append(cell("code", f"{stem}-{node.name}", function_code(source, node)))
        if step and node.name == step.functions[-1]:
            cells.append(cell("code", f"{stem}-{node.name}-check", f'check("{step.name}")'))
    return cells


def notebook_for(folder=EXERCISES):
    """The learner's notebook (a dict, as JSON holds it) from ``folder``'s four files."""
    cells = [cell("markdown", "introduction", INTRODUCTION), cell("code", "setup", SETUP)]
    for number, file in enumerate(FILES, 1):
        with open(os.path.join(folder, file), encoding="utf-8") as f:
            cells += part_cells(number, file, f.read())
    cells += [cell("markdown", "payoff", PAYOFF),
              cell("code", "check-all", "check()"),
              cell("code", "show-memory", "show_memory()")]
    return {"cells": cells, "metadata": {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"}}, "nbformat": 4, "nbformat_minor": 5}


def notebook_text(folder=EXERCISES):
    """The notebook file's exact text: the same stubs give the same bytes."""
    return json.dumps(notebook_for(folder), indent=1, ensure_ascii=False) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m instructor notebook", description=__doc__.split("\n")[0])
    parser.add_argument("--stubs", default=EXERCISES, help="the folder of the four files (default: exercises/)")
    parser.add_argument("--out", default=NOTEBOOK, help="default: notebooks/lstm_kit.ipynb")
    args = parser.parse_args(argv)
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    text = notebook_text(args.stubs)
    with open(args.out, "w", encoding="utf-8") as f:
        f.write(text)
    steps = sum('check("' in "".join(c["source"]) for c in json.loads(text)["cells"])
    print(f"wrote {os.path.relpath(args.out)}: {steps} check cells, one per step of {len(BY_NAME)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
