"""``python -m grader --check-tests``: what the test folders grade, step by step, and for how much."""
import os

from grader.course.steps import STEPS
from grader.plugin.validate import VISIBILITIES


def points_by_step(tests):
    """{step name: total points} in path order, for the steps that have tests."""
    totals = {}
    for step in STEPS:
        points = sum(t.points for t in tests if t.step == step.name)
        if points:
            totals[step.name] = points
    return totals


def _split(tests):
    """'5 visible + 2 hidden' for these tests' points."""
    parts = []
    for visibility in VISIBILITIES:
        points = sum(t.points for t in tests if t.visibility == visibility)
        if points:
            parts.append(f"{points:g} {visibility}")
    return " + ".join(parts)


def render_catalog(tests, stream):
    lines = [f"{'#':>3}  {'step':<20} {'tests':>5} {'points':>6}  by visibility"]
    for step in STEPS:
        mine = [t for t in tests if t.step == step.name]
        if mine:
            lines.append(f"{step.number:>3}  {step.name:<20} {len(mine):>5} {sum(t.points for t in mine):>6g}  {_split(mine)}")
    total = sum(t.points for t in tests)
    lines += ["", f"Total: {total:g} points in {len(tests)} tests ({_split(tests)})"]
    folders = {}
    for t in tests:
        folders.setdefault(os.path.dirname(t.path), []).append(t)
    for folder, mine in sorted(folders.items()):
        lines.append(f"  {os.path.relpath(folder)}: {sum(t.points for t in mine):g} points in {len(mine)} tests")
    stream.write("\n".join(lines) + "\n")
