"""Each learner's ``report.md`` in a class's output: feedback an instructor can send as it is.

It is made from the learner's results.json by grader.outputs.markdown's public view: a step's
status, points and messages come from its visible checks alone, and the hidden or after-due-date
checks are one line with their points summed, no name, no message. It names no command of the
kit (the learner may grade in a notebook, on a platform, or not at all) and no folder of the
grading machine: the temporary folder a learner's upload was staged in is cut from every text.
"""
import os
import re
import tempfile

from grader.course.steps import BY_NAME, functions_text
from grader.outputs.export import write_atomically
from grader.outputs.markdown import escaped, public_view, report_markdown
from grader.plugin.outcome import NOT_STARTED, PASSED

FEEDBACK = "report.md"
TITLE = "lstm-kit: your grade"
# A folder of the grading machine's temporary space (a staged upload, a worker's private folder):
# the path up to its last separator, so "/tmp/lstm-kit-class-x/learner-y/gates.py" shows as "gates.py".
_TEMPORARY = re.compile(re.escape(tempfile.gettempdir().rstrip(os.sep)) + r"(?:/[^\s/'\"`|()\\]+)*/")


def without_machine_paths(text, *folders):
    """``text`` with the grading machine's folders (``folders``, then any temporary one) cut out."""
    for folder in sorted(filter(None, folders), key=len, reverse=True):
        text = text.replace(folder.rstrip(os.sep) + os.sep, "").replace(folder, "your submission")
    return _TEMPORARY.sub("", text)


def next_step(document, notebook=False):
    """One neutral line: the first step whose visible checks do not pass, and what to do there (in
    the file it lives in, or in the notebook the learner handed in)."""
    rows, _ = public_view(document)
    first = next((r for r in rows if r.status != PASSED), None)
    if first is None:
        return "Every step shown here passes." if rows else ""
    step = BY_NAME.get(first.step)
    if step is None:
        return f"Next: {escaped(first.step)}."
    verb = "write" if first.status == NOT_STARTED else "fix"
    return f"Next: {verb} {escaped(functions_text(step))} in {'your notebook' if notebook else step.file}."


def feedback_markdown(document, *folders, notebook=False):
    """The report a learner may be sent, from their results.json ``document``."""
    text = report_markdown(document, title=TITLE)
    said = next_step(document, notebook)
    return without_machine_paths(text + (f"\n{said}\n" if said else ""), *folders)


def write_feedback(folder, document, *staged, notebook=False):
    """``folder``/report.md from ``document``, with the ``staged`` folders' paths cut out."""
    path = os.path.join(folder, FEEDBACK)
    write_atomically(path, feedback_markdown(document, *staged, notebook=notebook))
    return path
