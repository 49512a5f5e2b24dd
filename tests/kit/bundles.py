"""Packing one-function changes into few submissions, so the kit's tests start fewer graders.

Two changes can share a submission when they touch different functions and neither touches a
step that the other's step builds on (a wrong lstm_step_forward would change what a wrong
lstm_step_backward is compared with). Each change is then judged on its own step, exactly as if
it were graded alone.
"""
import ast

from grader.course.steps import BY_FUNCTION, BY_NAME, builds_on

from mistakes import ALTERNATIVES, MISTAKES, UNCATALOGUED


def defined_functions(source):
    """The learner's functions (of any step) that ``source`` defines."""
    return {node.name for node in ast.parse(source).body
            if isinstance(node, ast.FunctionDef) and node.name in BY_FUNCTION}


def defined_steps(source):
    """The steps whose functions ``source`` defines."""
    return {BY_FUNCTION[name].name for name in defined_functions(source)}


def affected(steps):
    """The steps whose result a change to ``steps`` can alter: those, and all built on them."""
    return {name for name in BY_NAME if name in steps or set(builds_on(name)) & set(steps)}


def independent(a, b):
    return not (affected(a) & set(b)) and not (affected(b) & set(a))


def pack(changes):
    """[[name, ...], ...]: ``changes`` ({name: source}) in groups of mutually independent ones."""
    steps = {name: defined_steps(source) for name, source in changes.items()}
    # Latest steps first: they conflict with the most, so first-fit wastes the fewest groups.
    order = sorted(changes, key=lambda name: (-max(BY_NAME[s].number for s in steps[name]), name))
    groups = []
    for name in order:
        group = next((g for g in groups if all(independent(steps[name], steps[other]) for other in g)), None)
        if group is None:
            groups.append([name])
        else:
            group.append(name)
    return groups


# The learner-style cases of mistakes.py, packed once for every test module that grades them:
# kind -> {case: (step, source)}, and kind -> [[case, ...], ...] of mutually independent ones.
CHANGES = {"mistakes": {c: (s, src) for c, (s, _, src) in MISTAKES.items()},
           "uncatalogued": {c: (s, src) for c, (s, src, _) in UNCATALOGUED.items()},
           "alternatives": ALTERNATIVES}
GROUPS = {kind: pack({case: source for case, (_, source) in changes.items()}) for kind, changes in CHANGES.items()}
