"""Where the shape that made a learner's line raise came from, told from the source text alone.

A shape mismatch raises on the line that uses the bad value, often far from the line that made
it: ``h_last = h[-1]`` (the wrong axis) raises at ``dh[:, -1] = dscores @ Wy.T``. The worker sends
back, for each of the traceback's frames in the submission, its function's source lines and the
shapes of its local arrays at the moment of the error (``grader.sandbox.worker``); nothing here
runs the learner's code: the source is parsed with ``ast``, in the grader.

The sizes that disagree are read from the error's own message. From each array on the failing
line with one of those sizes, the value is followed back through the assignments of its function
(an assignment passes the size on when one of the arrays it reads has the same number of
dimensions and that size on the same axis), and, when it is a parameter, through the caller's
line, if the caller is the learner's too. Where the size stops being passed on, an assignment
made it: that line is told, when exactly one such line is found. A value that came in as an
argument from the grader, or whose way cannot be followed (a loop variable, a name bound again
since), tells nothing.
"""
import ast
import re
import textwrap

_SHAPE = re.compile(r"\((\d+(?:,\s*\d+)*),?\)")
_SIZES = (re.compile(r"size (\d+) is different from (\d+)"),               # matmul's core dimensions
          re.compile(r"(\d+) \(dim \d+\) != (\d+) \(dim \d+\)"),           # np.dot
          re.compile(r"index (-?\d+) is out of bounds for axis \d+ with size (\d+)"))
MAX_STEPS = 60  # assignments followed back, at most
MAX_FRAMES, MAX_LINES = 6, 300  # what is read of what the worker sent (it sends no more)


def mismatched_sizes(message):
    """The sizes a shape error's message says disagree (never a size of 1, which broadcasts)."""
    sizes = set()
    for pattern in _SIZES:
        for match in pattern.finditer(message):
            sizes |= {abs(int(g)) for g in match.groups()}
    shapes = [tuple(int(n) for n in m.group(1).split(",")) for m in _SHAPE.finditer(message)]
    for a, b in zip(shapes, shapes[1:]):
        for x, y in zip(reversed(a), reversed(b)):  # aligned from the right, as broadcasting aligns them
            if x != y and 1 not in (x, y):
                sizes |= {x, y}
    return sizes - {0, 1}


class _Frame:
    """One of the learner's frames, as the worker sent it: its function's syntax tree (lines as in
    the file), the line it was at, and its arrays' shapes."""

    def __init__(self, sent):
        self.file, self.line, self.function = sent["file"], sent["line"], sent["function"]
        self.shapes = {k: tuple(int(n) for n in v) for k, v in sent["shapes"].items()}
        lines = [str(line) for line in sent["lines"][:MAX_LINES]]
        self.node = _function_node(lines, int(sent["first"]), self.function)
        self.lines = {sent["first"] + k: text.strip() for k, text in enumerate(lines)}

    def statement_at(self, line):
        """The innermost simple statement of the function that spans ``line``."""
        found = None
        for node in ast.walk(self.node):
            if isinstance(node, ast.stmt) and not hasattr(node, "body") and node.lineno <= line <= node.end_lineno:
                found = node
        return found

    def bindings(self, name):
        """[(line, statement)] of every statement that binds ``name``, in source order."""
        found = []
        for node in ast.walk(self.node):
            targets = ()
            if isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            elif isinstance(node, (ast.For, ast.With, ast.NamedExpr, ast.comprehension)):
                targets = [getattr(node, "target", None)] + [i.optional_vars for i in getattr(node, "items", [])]
            if any(name in _bound(t) for t in targets if t is not None):
                found.append((getattr(node, "lineno", getattr(getattr(node, "target", None), "lineno", 0)), node))
        return sorted(found, key=lambda pair: pair[0])

    def parameters(self):
        a = self.node.args
        return [p.arg for p in (*a.posonlyargs, *a.args)]


def _function_node(lines, first, name):
    """The def of ``name`` parsed from its lines, with line numbers as in the file; the lines may
    run past its end (the worker cuts at its last line of code), so shorter cuts are tried."""
    text = textwrap.dedent("\n".join(lines))
    cut = text.split("\n")
    for end in range(len(cut), 0, -1):
        try:
            tree = ast.parse("\n".join(cut[:end]))
        except SyntaxError:
            continue
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == name:
                ast.increment_lineno(tree, first - 1)
                return node
    raise ValueError(f"the source of {name} does not parse")


def _bound(target):
    """The names an assignment target binds (a, or a, b in a tuple; not a[0] or a.x)."""
    if isinstance(target, ast.Name):
        return {target.id}
    if isinstance(target, (ast.Tuple, ast.List)):
        return set().union(*(_bound(t) for t in target.elts)) if target.elts else set()
    if isinstance(target, ast.Starred):
        return _bound(target.value)
    return set()


def _names(node):
    """The names a piece of syntax reads, in order, each once."""
    return list(dict.fromkeys(n.id for n in ast.walk(node) if isinstance(n, ast.Name)))


class _Trace:
    def __init__(self, frames):
        self.frames, self.steps = frames, 0

    def back(self, k, name, axis, size, before):
        """Where ``name``'s size on ``axis`` was made, following it back from line ``before`` of
        frame ``k``: (frame, statement), "argument" (it came in from the grader), or None."""
        self.steps += 1
        frame = self.frames[k]
        if self.steps > MAX_STEPS:
            return None
        earlier = [(line, node) for line, node in frame.bindings(name) if line < before]
        while earlier and isinstance(earlier[-1][1], ast.AugAssign):  # a += b keeps a's shape
            earlier.pop()
        if not earlier:
            return self.into_caller(k, name, axis, size) if name in frame.parameters() else None
        line, node = earlier[-1]
        if not isinstance(node, (ast.Assign, ast.AnnAssign)) or node.value is None:
            return None  # a loop variable or a with target: its way cannot be followed
        return self.through(k, node, node.value, frame.shapes[name], axis, size, before)

    def through(self, k, node, value, shape, axis, size, before, done=True):
        """The statement ``node`` made a value of ``shape`` from ``value``: follow the array in it that
        passes ``size`` on at ``axis``, or tell ``node`` as where the size was made. A statement
        ``done`` has bound its targets: an array it reads and binds (x = x.T) has another shape now."""
        frame = self.frames[k]
        arrays = [n for n in _names(value) if n in frame.shapes]
        rebound = _targets(node) if done else set()
        if any(n in rebound or self._bound_between(frame, n, node.lineno, before) for n in arrays):
            return None  # an array read there was bound again since: its shape now may not be its shape then
        passing = [n for n in arrays if len(frame.shapes[n]) == len(shape) and frame.shapes[n][axis] == size]
        if passing:
            return self.back(k, passing[0], axis, size, node.lineno)
        made = arrays or any(isinstance(n, ast.Call) for n in ast.walk(value))
        return (k, node, value) if made else None  # a plain lookup (params["Wy"]) tells nothing

    def into_caller(self, k, name, axis, size):
        """A parameter: follow the argument the learner's caller passed, or "argument"."""
        if k == 0:
            return "argument"
        caller, frame = self.frames[k - 1], self.frames[k]
        node = caller.statement_at(caller.line)
        call = next((c for c in ast.walk(node) if isinstance(c, ast.Call) and _called(c) == frame.function), None) \
            if node is not None else None
        if call is None:
            return None
        position = frame.parameters().index(name)
        given = {kw.arg: kw.value for kw in call.keywords if kw.arg}
        if name in given:
            value = given[name]
        elif position < len(call.args) and not any(isinstance(a, ast.Starred) for a in call.args[:position + 1]):
            value = call.args[position]
        else:
            return None
        return self.through(k - 1, node, value, frame.shapes[name], axis, size, caller.line + 1, done=False)

    @staticmethod
    def _bound_between(frame, name, start, end):
        return any(start < line < end for line, node in frame.bindings(name) if not isinstance(node, ast.AugAssign))


def _targets(node):
    """The names an assignment statement binds."""
    if isinstance(node, ast.Assign):
        return set().union(*(_bound(t) for t in node.targets))
    return _bound(node.target) if isinstance(node, (ast.AnnAssign, ast.AugAssign)) else set()


def _called(call):
    func = call.func
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None


def shape_origin(message, sent_frames):
    """", where the shape came from" for a shape error's ``message``, from the frames the worker sent
    (outermost first), or "" when it cannot be told."""
    try:
        return _origin(message, sent_frames)
    except Exception:  # text the worker sent that is not what it should be: nothing is told
        return ""


def _origin(message, sent_frames):
    sizes = mismatched_sizes(message)
    if not sizes or not sent_frames:
        return ""
    frames = [_Frame(f) for f in sent_frames[-MAX_FRAMES:]]
    inner = frames[-1]
    failing = inner.statement_at(inner.line)
    if failing is None:
        return ""
    trace, origins = _Trace(frames), {}
    for name in _names(failing):
        for axis, n in enumerate(inner.shapes.get(name, ())):
            if n in sizes:
                found = trace.back(len(frames) - 1, name, axis, n, failing.lineno)
                if isinstance(found, tuple):
                    origins[(found[0], found[1].lineno)] = found
    if len(origins) != 1:
        return ""
    k, node, value = next(iter(origins.values()))
    frame = frames[k]
    made = sorted(_targets(node)) if value is getattr(node, "value", None) else []
    shown = [f"{n} is {_shape_text(frame.shapes[n])}" for n in made + _names(value) if n in frame.shapes][:3]
    where = f"line {node.lineno}" if k == len(frames) - 1 else f"{frame.file}, line {node.lineno}"
    source = frame.lines.get(node.lineno, "")
    return f". The shape came from {where}: {source}" + (f" ({'; '.join(shown)})" if shown else "")


def _shape_text(shape):
    return "(" + ", ".join(map(str, shape)) + ("," if len(shape) == 1 else "") + ")"
