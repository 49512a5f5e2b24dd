"""A graded test's verdict, and the rule that turns a step's verdicts into the step's status."""
from dataclasses import dataclass

from grader.sandbox.protocol import printable

PASSED, FAILED, NOT_STARTED, NOT_JUDGED = "passed", "failed", "not started", "not judged"
MESSAGE_LIMIT = 3000  # characters of a verdict's message: the longest the checks write are under 1000
PRINTED_LIMIT = 4000  # of what the code printed (the worker's client keeps its first 2000 bytes)


@dataclass
class Outcome:
    """The verdict on one graded test."""
    nodeid: str
    name: str
    step: str
    points: float
    status: str         # PASSED, FAILED, NOT_STARTED or NOT_JUDGED
    message: str = ""
    printed: str = ""
    mistake: str = ""   # the catalogued mistake the failure was recognised as (grader.course.mistakes)
    visibility: str = "visible"  # Gradescope's: visible, hidden, after_due_date, after_published
    # For the test's author, never the learner: what the check said before the grader framed it
    # for the learner (a named mistake, a step to fix first); for a check that itself raised,
    # where in the test folder and what, as "file, line N: Type: message".
    detail: str = ""
    broke: bool = False  # the check itself raised: the test's fault whatever the code it graded

    def __post_init__(self):
        # Every verdict is made here, and each of these can quote the learner's text (a key, a
        # warning, an exception, what it printed): capped and escaped once, before any output.
        self.message = printable(self.message, MESSAGE_LIMIT)
        self.detail = printable(self.detail, MESSAGE_LIMIT)
        self.printed = printable(self.printed, PRINTED_LIMIT, lines=True)


def step_status(statuses):
    """A step's status from its tests' statuses: passed only if every test passed, not started
    only if none was started, not judged if some test never ran and none failed."""
    statuses = set(statuses)
    if not statuses:
        return None
    if statuses == {PASSED}:
        return PASSED
    if statuses == {NOT_STARTED}:
        return NOT_STARTED
    return NOT_JUDGED if NOT_JUDGED in statuses and FAILED not in statuses else FAILED
