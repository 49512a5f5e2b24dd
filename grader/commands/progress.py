"""Where the learner is and which hints they have seen, kept in a small state file in the kit.

The file (``.lstm-kit/state.json``, ignored by git; ``LSTM_KIT_STATE`` points elsewhere) holds,
per submission folder, the current step as of the last grade, a fingerprint of the folder's files
at that moment, and how many hints of each step have been shown. Losing it only resets hints.
"""
import json
import os

from grader.course.steps import FILES
from grader.kit import WORK
from grader.outputs.export import write_atomically
from grader.outputs.results import current_step

DEFAULT_FILE = os.path.join(WORK, ".lstm-kit", "state.json")  # the kit, or where an installed kit is used


def state_file():
    return os.environ.get("LSTM_KIT_STATE") or DEFAULT_FILE


def _load():
    try:
        with open(state_file()) as f:
            state = json.load(f)
        return state if isinstance(state, dict) else {}
    except (OSError, ValueError):
        return {}


def _save(state):
    try:
        write_atomically(state_file(), json.dumps(state, indent=2, sort_keys=True))
    except OSError:
        pass  # a read-only kit (say, on a grading server) simply forgets


def _entry(state, submission):
    entry = state.setdefault("submissions", {}).setdefault(os.path.abspath(submission), {})
    if not isinstance(entry.get("seen"), dict):
        entry["seen"] = {}
    return entry


def fingerprint(submission):
    """Modification time and size of each submission file: changes when the learner saves."""
    marks = {}
    for name in FILES:
        try:
            info = os.stat(os.path.join(submission, name))
            marks[name] = [info.st_mtime_ns, info.st_size]
        except OSError:
            marks[name] = None
    return marks


def record_grade(submission, results, files=None):
    """Remember the current step after grading ``submission`` (``files``: its fingerprint then)."""
    state = _load()
    entry = _entry(state, submission)
    step = current_step(results)
    entry["current"] = step.step.name if step else None
    entry["fingerprint"] = files if files is not None else fingerprint(submission)
    _save(state)


def last_grade(submission):
    """(current step or None, whether the files are unchanged since), or None if never graded."""
    entry = _entry(_load(), submission)
    if "current" not in entry:
        return None
    return entry["current"], entry.get("fingerprint") == fingerprint(submission)


def seen(submission, step):
    return int(_entry(_load(), submission)["seen"].get(step, 0))


def reveal_next(submission, step, count):
    """Marks the next of ``count`` hints of ``step`` as seen; returns its number (1-based)."""
    state = _load()
    entry = _entry(state, submission)
    shown = min(int(entry["seen"].get(step, 0)) + 1, count)
    entry["seen"][step] = shown
    _save(state)
    return shown


def report_hints(submission, results, hints, hint_command="make hint"):
    """{step: [text]} for the report: the current step's last seen hint again (the first if none),
    with its number and how to see the next. The hint shown counts as seen, so that the next
    ``make hint`` (or ``hint()``) goes on from it instead of showing it a second time; call this
    only for a report the learner sees."""
    step = current_step(results)
    if step is None or not hints.get(step.step.name):
        return {}
    name, texts = step.step.name, hints[step.step.name]
    k = seen(submission, name) or reveal_next(submission, name, len(texts))   # none yet: the first, now seen
    more = f"; `{hint_command}` shows the next" if k < len(texts) else ""
    return {name: [f"{texts[k - 1]} [hint {k} of {len(texts)}{more}]"]}
