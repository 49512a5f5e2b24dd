"""A graded test's verdict, and the rule that turns a step's verdicts into the step's status."""
from dataclasses import dataclass

PASSED, FAILED, NOT_STARTED, NOT_JUDGED = "passed", "failed", "not started", "not judged"


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
