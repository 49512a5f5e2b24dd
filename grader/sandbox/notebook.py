"""A learner's Jupyter notebook as the files the grader grades, read by parsing only.

The grader's own process never runs learner code, so a notebook is read with ``json`` and
``ast``: its code cells (never its outputs) are parsed, and what a module would hold is kept.
Outputs, attachments and metadata are cut from the text unparsed, so a notebook with tens of
MiB of plots costs a linear scan, and it is graded (the note says its outputs were not read).

- Kept: imports (in each module, those its code names), function and class definitions
  (decorators included: they are part of a definition, and run only in the worker, like any
  learner code), ``name = lambda ...``, and
  constants: a plain name (or a tuple of names) assigned a literal (number, string, bytes,
  True/False/None, or a tuple, list, dict or set of literals), or arithmetic on numbers
  (``EPS = 1e-8``, ``H = 2 * 16``, ``LIMIT = -50``). A helper no step function uses, directly or
  through another helper, is left out (a plotting helper would only add its imports).
- Not run: everything else at module level (prints, experiments, training loops, ``if __name__
  == "__main__":``); each is listed in a note, by cell and first line. A bare string is a
  comment and is dropped silently.
- IPython: a cell that starts with a cell magic (``%%time``, ``%%bash``) is skipped; a line
  magic, shell line or help line (``%timeit f()``, ``!pip install``, ``x = !ls``, ``f?``) becomes
  ``pass``, so the rest of its cell still parses. A kept function that calls ``get_ipython()``
  gets a note: the worker runs plain Python, where that name does not exist.
- A cell with a syntax error is left out, with a note naming it; the other cells still count.
- A later definition of a name wins, as when the cells are run in order.

The step functions go to their step's file (grader.course.steps). The modules form a chain in
the order of FILES: each one gets the notebook's imports it needs, then imports by name all the
earlier modules define (``cell.py`` does ``from gates import sigmoid, ...``), so a function
calls what it used from an earlier cell without an import, as in the kernel. Constants go to the
first module, and a helper (a definition that is not a step's function) to the first module at
or after every step function and helper it names, so it can call them.

Cells are numbered as a learner counts them in the notebook: from 1, markdown cells included.
"""
import ast
import json
import os
import re
from dataclasses import dataclass, field

from grader.course.steps import BY_FUNCTION, FILES
from grader.sandbox.protocol import FROM_NOTEBOOK, JSON_STRING

MAX_NOTEBOOK_BYTES = 100 << 20  # the file, outputs included: plots and printed logs save tens of MiB
MAX_PARSED_BYTES = 20 << 20     # what json parses, outputs cut: objects cost ~10x their text in memory
MAX_TOKENS = 2_000_000          # strings and brackets scanned to cut outputs: about a second
NOTED_CUT_BYTES = 10 << 20      # outputs this large get a line in the notes: the learner may wonder
MAX_CELLS = 2000
MAX_CELL_CHARS = 1 << 20       # as for a learner's .py file (staging.MAX_FILE_BYTES)
MAX_CODE_CHARS = 2 << 20       # in all code cells: real ones hold ~100 kB; parsing more only costs the grader
SHOWN_CELLS = 12               # cells named in the note of what was not run; the rest are counted
STEP_MODULES = {name[:-3] for name in FILES}  # imported by the scheme itself, never from the notebook
# %magic, !shell, ?help, x = !shell, x = %magic, obj? and obj??; only tried on a cell that does not parse
MAGIC_LINE = re.compile(r"^\s*(?:[%!?]|[\w.]+\s*=\s*[%!]|[\w.]+\?\??\s*$)")
ARITHMETIC = (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.FloorDiv, ast.Mod, ast.Pow)
# A JSON string (escapes included) or a bracket: all that finding a value's end takes.
JSON_TOKEN = re.compile(JSON_STRING + rb"|[\[\]{}]")
JSON_COLON = re.compile(rb"\s*:\s*")
READ_KEYS = {1: {b'"cells"'}, 3: {b'"cell_type"', b'"source"'}}  # by depth: the notebook's, a cell's
SHELL_NAME = "get_ipython"  # IPython's, in the kernel only: a function calling it fails when graded


class NotebookError(Exception):
    """A file that cannot be read as a notebook; the message says why, for the learner."""


@dataclass
class Definition:
    name: str
    cell: int
    source: str
    names_used: set
    step_file: str = None  # the step's file, for a step's function
    constant: bool = False  # constants go to the first module; they name nothing


@dataclass
class Converted:
    """What a notebook holds: modules to write, where its step functions were, what was not run."""
    modules: dict = field(default_factory=dict)   # file name -> text, for each of FILES
    cells: dict = field(default_factory=dict)     # file name -> cell numbers of its step functions
    skipped: list = field(default_factory=list)   # "cell 3: for epoch in range(5):"
    problems: list = field(default_factory=list)  # cells left out, and why
    unread: int = 0                                # bytes of outputs and metadata never read

    def notes(self, label):
        notes = [f"{label}, {p}" for p in self.problems]
        if self.unread >= NOTED_CUT_BYTES:
            notes.append(f"{label} holds {self.unread / (1 << 20):.1f} MiB of outputs: they were not read "
                         f"(only the code cells are graded).")
        if self.skipped:
            notes.append(f"Not run from {label} (only imports, definitions and constants are kept): "
                         f"{skipped_text(self.skipped)}.")
        return notes


def skipped_text(skipped):
    """Each cell once, by its first statement not run, and a count of the rest: brief enough for
    a notebook that prints in every cell."""
    by_cell = {}
    for entry in skipped:
        by_cell.setdefault(entry.split(":", 1)[0], []).append(entry)
    shown = [entries[0] + (f" (and {len(entries) - 1} more)" if len(entries) > 1 else "")
             for entries in list(by_cell.values())[:SHOWN_CELLS]]
    rest = len(by_cell) - SHOWN_CELLS
    return "; ".join(shown) + (f"; and {rest} more cell{'s' if rest > 1 else ''}" if rest > 0 else "")


def read_cells(path):
    """[(cell number, source)] of the notebook's code cells; NotebookError if it is not one."""
    return read_notebook(path)[0]


def read_notebook(path):
    """(read_cells's list, bytes of outputs and metadata cut unread); NotebookError if it is not one."""
    name = os.path.basename(path)
    size = os.path.getsize(path)
    if size > MAX_NOTEBOOK_BYTES:
        raise NotebookError(f"{name} is {size / (1 << 20):.1f} MiB; a notebook over "
                            f"{MAX_NOTEBOOK_BYTES >> 20} MiB is not graded (clear its outputs and save it again)")
    with open(path, "rb") as f:
        data, cut = _unread_values_cut(f.read(MAX_NOTEBOOK_BYTES + 1), name)
    if len(data) > MAX_PARSED_BYTES:
        raise NotebookError(f"{name} holds {len(data) / (1 << 20):.1f} MiB besides its outputs; a notebook with "
                            f"over {MAX_PARSED_BYTES >> 20} MiB of cells is not graded")
    try:
        document = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise NotebookError(f"{name} is not a notebook: it is not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise NotebookError(f"{name} is not a valid notebook: its JSON is broken at line {exc.lineno}, "
                            f"column {exc.colno} ({exc.msg})") from None
    except (RecursionError, MemoryError):  # JSON nested thousands deep: no notebook is
        raise NotebookError(f"{name} is not a notebook: its JSON is nested too deep to read") from None
    cells = document.get("cells") if isinstance(document, dict) else None
    if not isinstance(cells, list):
        raise NotebookError(f"{name} is not a Jupyter notebook: it has no list of cells "
                            f"(save it from Jupyter as .ipynb, format 4)")
    if len(cells) > MAX_CELLS:
        raise NotebookError(f"{name} has {len(cells)} cells; a notebook over {MAX_CELLS} is not graded")
    code = [(number, _text(cell, number)) for number, cell in enumerate(cells, 1)
            if isinstance(cell, dict) and cell.get("cell_type") == "code"]
    total = sum(len(text) for _, text in code)
    if total > MAX_CODE_CHARS:
        raise NotebookError(f"{name} holds {total} characters of code; a notebook with over "
                            f"{MAX_CODE_CHARS} is not graded")
    return code, cut


def _unread_values_cut(data, name):
    """(the notebook's bytes with every value it is never read for emptied, bytes cut).

    Only the list of cells and each cell's type and source are read; outputs, attachments and
    metadata are the bulk of a large notebook, and parsing them would cost memory ten times
    their size. So each other value of the notebook or of a cell, if a string or a container, is
    cut from the text before json parses it, leaving ``""``, ``[]`` or ``{}``. Its lines stay,
    as blank lines, so that a JSON error names the right line.
    """
    pieces, start = [], 0
    for at, end, empty in _unread_values(data, name):
        pieces += [data[start:at], empty[:1], b"\n" * data.count(b"\n", at, end), empty[1:]]
        start = end
    pieces.append(data[start:])
    kept = b"".join(pieces)
    return kept, len(data) - len(kept)


def _unread_values(data, name):
    """(start, end, what it becomes) for each value to cut, found by scanning strings and
    brackets, never building them; a container never closed (broken JSON) is cut to the end."""
    depth = 0
    value_at = None              # where the value of a key not read starts, until its first token
    cut_from = closes_at = None  # the container being cut: where it starts, the depth it closes at
    for count, token in enumerate(JSON_TOKEN.finditer(data)):
        if count == MAX_TOKENS:
            raise NotebookError(f"{name} holds over {MAX_TOKENS} strings and lists in its outputs; "
                                f"it is not graded (clear its outputs and save it again)")
        at, end = token.span()
        if value_at is not None and at != value_at:
            value_at = None  # the value was a number, true, false or null: nothing to cut
        if data[at] == 34:  # a string: the value to cut, or a key whose value is to be cut
            if at == value_at:
                yield at, end, b'""'
                value_at = None
            elif cut_from is None and depth in READ_KEYS and not (end - at < 32 and data[at:end] in READ_KEYS[depth]):
                colon = JSON_COLON.match(data, end)
                value_at = colon.end() if colon else None
        elif data[at] in b"[{":
            if at == value_at:
                cut_from, closes_at, value_at = at, depth, None
            depth += 1
        else:
            depth -= 1
            if depth == closes_at:
                yield cut_from, end, data[cut_from:cut_from + 1] + data[end - 1:end]
                cut_from = closes_at = None
    if cut_from is not None:
        yield cut_from, len(data), b""


def _text(cell, number):
    source = cell.get("source", "")
    if isinstance(source, list) and all(isinstance(line, str) for line in source):
        source = "".join(source)
    if not isinstance(source, str):
        raise NotebookError(f"cell {number} is not a notebook cell: its source is neither text nor lines")
    if len(source) > MAX_CELL_CHARS:
        raise NotebookError(f"cell {number} holds {len(source)} characters; a cell over "
                            f"{MAX_CELL_CHARS} is not graded")
    return source


def parse_cell(source):
    """(module AST, the code it was parsed from, None) for a cell, with IPython's lines made
    ``pass``; (None, None, what is wrong with it) for a cell that is not Python even so."""
    try:
        return ast.parse(source), source, None
    except SyntaxError:
        pass  # most likely IPython's syntax: try again without it
    except (ValueError, RecursionError, MemoryError) as exc:  # a NUL byte; code nested too deep to read
        return None, None, f"could not be read ({type(exc).__name__}: {exc})"
    text = "\n".join(_as_pass(line) if MAGIC_LINE.search(line) else line for line in source.split("\n"))
    try:
        return ast.parse(text), text, None
    except SyntaxError as exc:
        shown = _shown((exc.text or "").strip(), 80)
        return None, None, f"has a syntax error: {exc.msg} (line {exc.lineno}{': ' + shown if shown else ''})"
    except (ValueError, RecursionError, MemoryError) as exc:
        return None, None, f"could not be read ({type(exc).__name__}: {exc})"


def _as_pass(line):
    return line[:len(line) - len(line.lstrip())] + "pass"


KIT_CALLS = ("check", "hint", "show_memory")  # lstm_kit's functions, called from the learner's notebook


def _kit_call(node):
    call = node.value if isinstance(node, ast.Expr) else None
    return isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id in KIT_CALLS


def _literal(node):
    """Whether ``node`` is a constant by this module's rule (see the docstring)."""
    if isinstance(node, ast.Constant):
        return True
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        return all(_literal(e) for e in node.elts)
    if isinstance(node, ast.Dict):
        return all(k is not None and _literal(k) and _literal(v) for k, v in zip(node.keys, node.values))
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        return _number(node.operand)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ARITHMETIC):
        return _number(node.left) and _number(node.right)
    return False


def _number(node):
    if isinstance(node, ast.Constant):
        return isinstance(node.value, (int, float, complex)) and not isinstance(node.value, bool)
    return isinstance(node, (ast.UnaryOp, ast.BinOp)) and _literal(node)


def _targets(node):
    """The names a constant or lambda assignment binds, or None if it is not one we keep."""
    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
    names = []
    for target in targets:
        elements = target.elts if isinstance(target, (ast.Tuple, ast.List)) else [target]
        if not all(isinstance(e, ast.Name) for e in elements):
            return None
        names += [e.id for e in elements]
    value = node.value
    if value is None or not (_literal(value) or (isinstance(value, ast.Lambda) and len(names) == 1)):
        return None
    return names


def _first_line(lines, node):
    return _shown(lines[node.lineno - 1].strip())


def _segment(lines, node):
    """A simple statement's own code, exactly (another may share its line after a ``;``).
    Like ast.get_source_segment, without splitting the whole cell again for each statement."""
    first, last = node.lineno - 1, node.end_lineno - 1
    if first == last:
        return lines[first].encode()[node.col_offset:node.end_col_offset].decode()
    head = lines[first].encode()[node.col_offset:].decode()
    return "\n".join([head, *lines[first + 1:last], lines[last].encode()[:node.end_col_offset].decode()])


def _shown(line, width=60):
    """A line of learner code as a note shows it: short, and no control characters for a terminal."""
    line = "".join(c if c.isprintable() else "?" for c in line)
    return line if len(line) <= width else line[:width - 3] + "..."


class _Reader:
    """Goes through the cells in order, keeping what a module holds."""

    def __init__(self):
        self.imports = {}      # statement source -> the names it binds, in order (deduplicated)
        self.future = {}
        self.definitions = {}  # name -> Definition; a later one replaces an earlier
        self.converted = Converted()

    def cell(self, number, source):
        if source.lstrip().startswith("%%"):  # a cell magic: the whole cell is IPython's to run
            self.converted.skipped.append(f"cell {number}: {_shown(source.strip().splitlines()[0])}")
            return
        tree, source, why = parse_cell(source)
        if tree is None:
            self.converted.problems.append(f"cell {number} {why}; the cell was left out")
            return
        lines = source.split("\n")
        for node in tree.body:
            try:
                self.statement(number, lines, node)
            except RecursionError:  # a statement nested too deep to walk: it cannot be a constant
                self.converted.skipped.append(f"cell {number}: {_first_line(lines, node)}")

    def statement(self, number, lines, node):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            self.add_import(node, _segment(lines, node))
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            # Whole lines, decorators included: a compound statement starts and ends its lines.
            start = node.decorator_list[0].lineno if node.decorator_list else node.lineno
            self.define(node.name, number, "\n".join(lines[start - 1:node.end_lineno]), node)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)) and _targets(node):
            for name in _targets(node):
                self.definitions.pop(name, None)
            self.define(_targets(node)[0], number, _segment(lines, node), node,
                        constant=not isinstance(node.value, ast.Lambda))
            for name in _targets(node)[1:]:
                self.definitions[name] = self.definitions[_targets(node)[0]]
        elif isinstance(node, ast.Pass) or (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)):
            pass  # a bare string or number does nothing: a comment, not code
        elif _kit_call(node):
            pass  # check("forget_gate") and friends: the kit's own cells, not the learner's experiments
        else:
            self.converted.skipped.append(f"cell {number}: {_first_line(lines, node)}")

    def add_import(self, node, text):
        module = node.module if isinstance(node, ast.ImportFrom) else None
        if isinstance(node, ast.ImportFrom) and node.level:
            return  # a relative import: a notebook has no package to import from
        if module in STEP_MODULES or (module is None and {a.name for a in node.names} & STEP_MODULES):
            return  # the step files import each other by the scheme above
        if module == "__future__":
            self.future[text.strip()] = True
        else:  # the names it binds; None for a star import, which every module then gets
            bound = [a.asname or a.name.split(".")[0] for a in node.names]
            self.imports[text.strip()] = None if "*" in bound else set(bound)

    def define(self, name, number, text, node, constant=False):
        used = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
        step = BY_FUNCTION.get(name)
        self.definitions.pop(name, None)  # a later definition wins, and is placed where it was made
        self.definitions[name] = Definition(name, number, text, used, step.file if step else None,
                                            constant and not step)


def convert(cells):
    """Converted for [(cell number, source)] (see read_cells)."""
    reader = _Reader()
    for number, source in cells:
        reader.cell(number, source)
    definitions = _needed(_unique(reader.definitions), reader.definitions)
    if SHELL_NAME not in reader.definitions:
        reader.converted.problems += [f"cell {d.cell}: {d.name} calls {SHELL_NAME}(), which only exists in IPython; "
                                      f"the grader runs your functions in plain Python, so that call fails there "
                                      f"(run shell commands in a cell of their own)"
                                      for d in definitions if SHELL_NAME in d.names_used]
    levels = _levels(definitions)
    bound = {}  # id(definition) -> the names it binds (a tuple assignment binds several)
    for name, definition in reader.definitions.items():
        bound.setdefault(id(definition), []).append(name)
    converted = reader.converted
    earlier = []  # (module, [names]) written so far
    for index, file in enumerate(FILES):
        here = [d for d in definitions if levels[d.name] == index]
        converted.modules[file] = _module_text(file, reader, earlier, here)
        cells = sorted({d.cell for d in here if d.step_file == file})
        if cells:
            converted.cells[file] = cells
        names = sorted({n for d in here for n in bound.get(id(d), ())})
        earlier.append((file[:-3], names))
    return converted


def _unique(definitions):
    """The definitions in the order they were made, each once (a tuple assignment binds several names)."""
    seen, out = set(), []
    for definition in definitions.values():
        if id(definition) not in seen:
            seen.add(id(definition))
            out.append(definition)
    return out


def _needed(definitions, by_name):
    """The step functions, the constants, and the helpers a step function uses, directly or not:
    a helper no step uses (a plot, say) is left out, with the imports only it needs."""
    keep = {id(d) for d in definitions if d.step_file or d.constant}
    todo = [d for d in definitions if id(d) in keep]
    while todo:
        for name in todo.pop().names_used:
            used = by_name.get(name)
            if used is not None and id(used) not in keep:
                keep.add(id(used))
                todo.append(used)
    return [d for d in definitions if id(d) in keep]


def _levels(definitions):
    """{name: index into FILES of the module that holds it} (see the module's docstring).

    A helper's level only rises, to at most len(FILES) - 1, and a rise is passed on to the
    helpers that name it: linear in the names used, however the helpers call each other."""
    level = {d.name: FILES.index(d.step_file) if d.step_file else 0 for d in definitions}
    helpers = [d for d in definitions if d.step_file is None and not d.constant]
    users = {}  # name -> the helpers that name it
    for d in helpers:
        for name in d.names_used - {d.name}:
            users.setdefault(name, []).append(d)
        level[d.name] = max([_level_of(n, level) for n in d.names_used if n != d.name], default=0)
    todo = [d.name for d in helpers]
    while todo:
        name = todo.pop()
        for user in users.get(name, ()):
            if level[name] > level[user.name]:
                level[user.name] = level[name]
                todo.append(user.name)
    return level


def _level_of(name, level):
    """Where a name a helper uses is: a step's function by its step even when the notebook lacks it."""
    if name in level:
        return level[name]
    return FILES.index(BY_FUNCTION[name].file) if name in BY_FUNCTION else 0


def _module_text(file, reader, earlier, here):
    lines = [f'"""{file}{FROM_NOTEBOOK}: its imports, constants and '
             f'definitions (a comment says each one\'s cell)."""']
    used = {n for d in here for n in d.names_used}
    lines += list(reader.future)
    lines += [text for text, bound in reader.imports.items() if bound is None or bound & used]
    lines += [f"from {module} import {', '.join(names)}" for module, names in earlier if names]
    for d in here:
        lines += ["", "", f"# cell {d.cell}", d.source.strip("\n")]
    return "\n".join(lines) + "\n"


def stage_notebook(path, dest):
    """Write FILES into ``dest`` from the notebook at ``path``; returns Converted (NotebookError if unreadable)."""
    cells, unread = read_notebook(path)
    converted = convert(cells)
    converted.unread = unread
    for file, text in converted.modules.items():
        with open(os.path.join(dest, file), "w", encoding="utf-8") as f:
            f.write(text)
    return converted
