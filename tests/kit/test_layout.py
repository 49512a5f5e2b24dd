"""The grader's layout holds: no import cycles, the sandbox never imports the judge, and the worker
runs on nothing but its own modules, the standard library and numpy."""
import ast
import os
import sys

from grader.kit import KIT_ROOT
from grader.sandbox.isolation import RUNTIME

GRADER = os.path.join(KIT_ROOT, "grader")


def modules():
    """{dotted name: path} of every module of the grader package."""
    found = {}
    for folder, _, files in os.walk(GRADER):
        for name in files:
            if name.endswith(".py"):
                path = os.path.join(folder, name)
                dotted = os.path.relpath(path, KIT_ROOT)[:-3].replace(os.sep, ".")
                found[dotted.removesuffix(".__init__")] = path
    return found


def imports(path):
    """Every module ``path`` imports, at the top or inside a function, as dotted names."""
    names = set()
    for node in ast.walk(ast.parse(open(path).read())):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
            names |= {f"{node.module}.{alias.name}" for alias in node.names}
    return names


def grader_imports():
    """{module: the grader modules it imports}, leaving out the packages above it."""
    known = modules()
    return {name: {i for i in imports(path) if i in known and i != name and not name.startswith(i + ".")}
            for name, path in known.items()}


def test_no_import_cycles():
    graph = grader_imports()
    done, path = set(), []

    def visit(name):
        if name in path:
            raise AssertionError("import cycle: " + " -> ".join(path[path.index(name):] + [name]))
        if name in done:
            return
        path.append(name)
        for dep in sorted(graph[name]):
            visit(dep)
        path.pop()
        done.add(name)

    for name in sorted(graph):
        visit(name)


def test_the_sandbox_imports_nothing_of_the_judge_or_what_uses_it():
    forbidden = ("grader.judge", "grader.plugin", "grader.outputs", "grader.commands", "grader.testing")
    for name, deps in grader_imports().items():
        if name.startswith("grader.sandbox"):
            bad = sorted(d for d in deps if d.startswith(forbidden))
            assert not bad, f"{name} imports {', '.join(bad)}"


def test_the_worker_needs_only_its_runtime_the_standard_library_and_numpy():
    runtime = {path[:-3].replace("/", ".").removesuffix(".__init__") for path in RUNTIME}
    for path in RUNTIME:
        for name in imports(os.path.join(KIT_ROOT, *path.split("/"))):
            top = name.split(".")[0]
            held = name in runtime or name.rsplit(".", 1)[0] in runtime  # a module, or a name from one
            assert held or top == "numpy" or (top in sys.stdlib_module_names and top != "grader"), \
                f"{path} imports {name}, which the worker's private copy does not hold"
