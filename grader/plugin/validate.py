"""Checks on test folders before they grade anyone.

Every graded test must name a known step with a positive number of points, a known Gradescope
visibility and a sensible time-out; every test file must import; no test may be counted twice.
Each problem is one line for the instructor that names the file and line. It never quotes the
test's source, so a broken hidden test cannot show its code to a learner either.
"""
import difflib
import math
import os
import re
import traceback
from dataclasses import dataclass
from numbers import Real

from _pytest.config import ConftestImportFailure
from _pytest.outcomes import OutcomeException
from _pytest.pathlib import ImportPathMismatchError

from grader.course.steps import BY_NAME, STEPS

VISIBILITIES = ("visible", "hidden", "after_due_date", "after_published")
KNOWN_MARKERS = ("step", "visibility", "timeout", "parametrize", "skip", "skipif", "xfail", "usefixtures",
                 "filterwarnings")
UNKNOWN_MARKER = re.compile(r"'(\w+)' not found in `markers` configuration option")
TEST_FILE_PATTERNS = ("test_", "_test.py")  # as grader/plugin/pytest.ini's python_files


class TestFolderError(Exception):
    """A test folder that cannot grade: each problem names the file and line."""

    __test__ = False  # not a test class, despite the name

    def __init__(self, *problems):
        super().__init__("\n".join(problems))
        self.problems = list(problems)


@dataclass(frozen=True)
class GradedTest:
    """What a graded test's markers say about it."""
    nodeid: str
    path: str
    step: str
    points: float
    visibility: str = "visible"
    timeout: float | None = None
    line: int | None = None  # of its definition, for messages to its author


def where(path, line=None):
    """``tests/hidden/test_x.py, line 12``, relative to the current folder when that is shorter."""
    rel = os.path.relpath(path)
    shown = rel if not rel.startswith(".." + os.sep) else str(path)
    return f"{shown}, line {line}" if line else shown


def _item_line(item):
    _, line, _ = item.reportinfo()
    return line + 1 if line is not None else None


def _number(value):
    return isinstance(value, Real) and not isinstance(value, bool) and math.isfinite(value)


def _marker_arg(marker, position, keyword):
    if len(marker.args) > position:
        return marker.args[position]
    return marker.kwargs.get(keyword)


def _step_problems(item):
    """(step name, points, [problems]) from the step marker; name or points None when wrong."""
    own = [m for m in getattr(item, "own_markers", []) if m.name == "step"]
    if len(own) > 1:
        return None, None, [f"{item.name} has {len(own)} step markers; a test grades one step"]
    marker = item.get_closest_marker("step")
    if marker is None:
        return None, None, [f"{item.name} has no @pytest.mark.step(name, points=...): every graded test needs one"]
    problems = []
    name = _marker_arg(marker, 0, "name")
    if name not in BY_NAME:
        close = difflib.get_close_matches(str(name), BY_NAME, n=1)
        guess = f" (did you mean {close[0]!r}?)" if close else ""
        problems.append(f"unknown step {name!r}{guess}; the steps are {', '.join(s.name for s in STEPS)}")
        name = None
    points = _marker_arg(marker, 1, "points")
    if points is None:
        shown = name or "sigmoid"
        problems.append(f"the step marker of {item.name} gives no points "
                        f"(write @pytest.mark.step({shown!r}, points=5))")
    elif not _number(points) or points <= 0:
        problems.append(f"{item.name} has points={points!r}; points must be a positive number")
        points = None
    return name, None if points is None else float(points), problems


def _visibility_problems(item):
    marker = item.get_closest_marker("visibility")
    value = "visible" if marker is None else _marker_arg(marker, 0, "value")
    if value not in VISIBILITIES:
        return value, [f"visibility {value!r} of {item.name} is not one of {', '.join(VISIBILITIES)}"]
    return value, []


def _timeout_problems(item):
    marker = item.get_closest_marker("timeout")
    if marker is None:
        return None, []
    seconds = _marker_arg(marker, 0, "seconds")
    if not _number(seconds) or seconds <= 0:
        return None, [f"timeout {seconds!r} of {item.name} must be a positive number of seconds"]
    return float(seconds), []


def graded_test(item):
    """The step, points, visibility and time-out a test's markers give; TestFolderError naming
    every one of them that is wrong."""
    line = _item_line(item)
    place = where(item.reportinfo()[0], line)
    step, points, problems = _step_problems(item)
    visibility, more = _visibility_problems(item)
    timeout, most = _timeout_problems(item)
    problems += more + most
    if problems:
        raise TestFolderError(*(f"{place}: {problem}" for problem in problems))
    return GradedTest(item.nodeid, str(item.path), step, points, visibility, timeout, line)


def describe_exception(exc, fallback_path, roots=()):
    """``file, line N: Type: message`` for an exception raised while importing a test file.

    The line is the innermost one inside the test folders (``roots``), else the innermost one.
    """
    if isinstance(exc, SyntaxError) and exc.filename:
        path, line = exc.filename, exc.lineno
        text = f"{type(exc).__name__}: {exc.msg}"
    else:
        frames = traceback.extract_tb(exc.__traceback__)
        inside = [f for f in frames if any(_is_inside(f.filename, root) for root in roots)]
        frame = (inside or frames or [None])[-1]
        path, line = (frame.filename, frame.lineno) if frame else (fallback_path, None)
        # pytest.fail() and friends carry a message that stands on its own.
        kind = "" if isinstance(exc, OutcomeException) else f"{type(exc).__name__}: "
        text = f"{kind}{exc}".strip().split("\n")[0]
        unknown = UNKNOWN_MARKER.match(text)
        if unknown:
            close = difflib.get_close_matches(unknown[1], KNOWN_MARKERS, n=1)
            text = f"unknown marker {unknown[1]!r}" + (f" (did you mean {close[0]!r}?)" if close else "") + \
                "; the kit's markers are step, visibility and timeout"
    return f"{where(path, line)}: {text}"


def collection_problem(excinfo, collector, roots):
    """The one-line problem for a test file (or folder) that could not be collected; None when
    ``folder_problems`` has already said why (two test files with one name)."""
    exc = excinfo.value
    if isinstance(exc, ImportPathMismatchError) or isinstance(exc.__cause__, ImportPathMismatchError):
        return None
    # pytest wraps import failures in its own CollectError, keeping the original as the cause.
    if type(exc).__name__ == "CollectError" and exc.__cause__ is not None:
        exc = exc.__cause__
    if isinstance(exc, ConftestImportFailure):
        exc = exc.cause
    return describe_exception(exc, str(collector.path), roots)


def _is_inside(path, root):
    path, root = os.path.abspath(path), os.path.abspath(root)
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def _is_test_file(name):
    return name.endswith(".py") and (name.startswith(TEST_FILE_PATTERNS[0]) or name.endswith(TEST_FILE_PATTERNS[1]))


def find_test_files(folder):
    """Every test file pytest would collect below ``folder``."""
    found = []
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith((".", "__")))
        found += [os.path.join(dirpath, f) for f in sorted(filenames) if _is_test_file(f)]
    return found



def folder_problems(folders):
    """Problems with the set of test folders themselves, found before pytest runs."""
    problems = []
    folders = [os.path.abspath(f) for f in folders]
    for k, folder in enumerate(folders):
        for other in folders[:k]:
            if folder == other:
                problems.append(f"{where(folder)} is given twice: its tests would be counted twice")
            elif _is_inside(folder, other) or _is_inside(other, folder):
                inner, outer = (folder, other) if _is_inside(folder, other) else (other, folder)
                problems.append(f"{where(inner)} is inside {where(outer)}: its tests would be counted twice")
    by_name = {}
    for folder in dict.fromkeys(folders):
        for path in find_test_files(folder):
            paths = by_name.setdefault(os.path.basename(path), [])
            if path not in paths:  # a folder inside another is walked twice
                paths.append(path)
    for name, paths in sorted(by_name.items()):
        if len(paths) > 1 and not all(os.path.exists(os.path.join(os.path.dirname(p), "__init__.py")) for p in paths):
            problems.append(f"two test files are named {name} ({', '.join(where(p) for p in paths)}): "
                            f"pytest imports test files by name, so rename one "
                            f"(say, {name[:-3]}_hidden.py)")
    return problems


def empty_folder_problems(folders, found):
    """A test folder in which no test was found (``found``: the paths of every test collected, and
    of every file or folder that could not be, which has problems of its own)."""
    return [f"{where(folder)} holds no graded tests (test files are named test_*.py, tests test_*)"
            for folder in folders
            if not any(_is_inside(path, folder) or _is_inside(folder, path) for path in found)]


def total_problems(infos, max_score):
    """The tests' points must add up to ``max_score`` (the total a course platform is set to)."""
    total = sum(info.points for info in infos)
    if max_score is None or math.isclose(total, max_score):
        return []
    per_step = {}
    for info in infos:
        per_step[info.step] = per_step.get(info.step, 0) + info.points
    listing = ", ".join(f"{step} {points:g}" for step, points in per_step.items())
    return [f"the tests' points add up to {total:g}, not the expected {max_score:g} ({listing})"]
