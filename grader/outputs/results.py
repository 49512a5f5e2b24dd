"""From per-test outcomes to per-step results and a score."""
from dataclasses import dataclass

from grader.course.steps import STEPS
from grader.plugin.outcome import PASSED, step_status


@dataclass
class StepResult:
    step: object        # grader.course.steps.Step
    status: str         # PASSED, FAILED, NOT_STARTED or NOT_JUDGED (some check never ran)
    points: float
    max_points: float
    message: str = ""   # the first failing check's message
    printed: str = ""   # what the submission printed during that check
    mistake: str = ""   # the catalogued mistake that check recognised, if any


def summarize(outcomes):
    """One StepResult per step that has tests, in path order."""
    results = []
    for step in STEPS:
        mine = [o for o in outcomes if o.step == step.name]
        if not mine:
            continue
        status = step_status(o.status for o in mine)
        first = next((o for o in mine if o.status != PASSED), None)
        results.append(StepResult(step, status, sum(o.points for o in mine if o.status == PASSED),
                                  sum(o.points for o in mine), first.message if first else "",
                                  first.printed if first else "", first.mistake if first else ""))
    return results


def score(results):
    return sum(r.points for r in results), sum(r.max_points for r in results)


def current_step(results):
    """The first step that is not passing: the one the learner should work on now."""
    return next((r for r in results if r.status != PASSED), None)
