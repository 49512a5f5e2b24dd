"""What to re-teach, from a class's grades: per step, who fails it on their own and who is blocked.

A step that fails only because a step it builds on fails ("fix sigmoid first (this step builds on
it)", see grader.plugin.hooks) is a follow-on of that step, not a failure of its own: counting it
here would send an instructor to re-teach the wrong step. So each step's learners fall into
passing, failing on their own (with the named mistakes counted: how many learners made each),
blocked by an earlier step (counted by that step), not started, and not judged (the run ran out of
time before the step was reached). The same figures go to summary.json, summary.csv, the printed
summary and build/class/report.html.
"""
import csv
import io
import json
import re
import statistics
from collections import Counter
from dataclasses import asdict, dataclass, field

from grader.course.steps import BY_NAME
from grader.outputs.export import write_atomically
from instructor.gradebook import failure_key, failure_line, histogram, shown

BLOCKED = re.compile(r"^fix (?P<steps>.+?) first \(this step builds on it\)\. ")
CALL_TIMED_OUT = "did not answer within"  # grader.sandbox.client's words for a call that hit its limit
RUN_STOPPED = "grading stopped after"       # instructor.grade_all's note for a grade that hit its limit


@dataclass
class StepFigures:
    step: str
    number: int
    passed: int = 0
    failing: int = 0            # on their own
    blocked: int = 0            # failing or not started because a step it builds on fails
    not_started: int = 0
    not_judged: int = 0
    mistakes: dict = field(default_factory=dict)  # catalogue key -> learners failing on their own with it
    other_failures: dict = field(default_factory=dict)  # unnamed failures, by failure_key
    blocked_by: dict = field(default_factory=dict)      # earlier step -> learners it blocks here

    def most_common(self):
        """(failure, count): the commonest failure of learners failing this step on their own."""
        counted = Counter({_mistake_name(key): n for key, n in self.mistakes.items()}) + Counter(self.other_failures)
        return counted.most_common(1)[0] if counted else ("", 0)


def _mistake_name(key):
    from grader.course.mistakes import CATALOGUE
    return CATALOGUE[key].name if key in CATALOGUE else shown(key)


def blockers(entry):
    """The earlier steps a step's failure is put down to, or [] for a failure of its own."""
    found = BLOCKED.match(entry.get("message") or "")
    return found["steps"].split(" and ") if found else []


def named_mistakes(result, step):
    """The catalogue keys the grader named in ``step``'s checks for one learner (any test, hidden too)."""
    keys = {t.get("extra_data", {}).get("mistake") for t in result.tests if t.get("extra_data", {}).get("step") == step}
    entry_key = (result.steps.get(step) or {}).get("mistake")
    return sorted(k for k in keys | {entry_key} if k)


def step_figures(results, steps):
    graded = [r for r in results if r.graded]
    rows = []
    for step in steps:
        row = StepFigures(step, BY_NAME[step].number if step in BY_NAME else 0)
        mistakes, others, blocked_by, lines = Counter(), Counter(), Counter(), {}
        for r in graded:
            entry = r.steps.get(step) or {"status": "not started"}
            status, cause = entry["status"], blockers(entry)
            if status == "passed":
                row.passed += 1
            elif status == "not judged":
                row.not_judged += 1
            elif cause:
                row.blocked += 1
                blocked_by.update(cause)
            elif status == "not started":
                row.not_started += 1
            else:
                row.failing += 1
                named = named_mistakes(r, step)
                mistakes.update(named)
                if not named:
                    others[failure_key(entry)] += 1
                    lines.setdefault(failure_key(entry), set()).add(failure_line(entry))
        # a group whose learners all read the same words is shown in them, figures and all ("within 2 s")
        others = {(next(iter(lines[key])) if len(lines[key]) == 1 else key): n for key, n in others.items()}
        row.mistakes, row.other_failures, row.blocked_by = dict(mistakes), others, dict(blocked_by)
        rows.append(row)
    return rows


def time_limits(results):
    """[(learner, what hit a limit)]: a grade stopped at the per-learner limit, or calls that timed out."""
    hits = []
    for r in results:
        if RUN_STOPPED in r.note:
            hits.append((r.learner, shown(r.note)))
            continue
        timed_out = [s for s, e in r.steps.items() if CALL_TIMED_OUT in (e.get("message") or "") and not blockers(e)]
        not_judged = [s for s, e in r.steps.items() if e.get("status") == "not judged"]
        said = [f"a call timed out in {', '.join(timed_out)}"] if timed_out else []
        said += [f"the run's time ran out before {', '.join(not_judged)}"] if not_judged else []
        if said:
            hits.append((r.learner, "; ".join(said)))
    return hits


def time_limit_lines(results):
    hits = time_limits(results)
    return ["", f"Hit a time limit ({len(hits)}):", *(f"  {shown(name)}: {what}" for name, what in hits)] if hits else []


def class_summary(results, steps, maxima):
    """Everything the summaries show, as plain data (summary.json's document)."""
    graded = [r for r in results if r.graded]
    scores = [r.score for r in graded]
    return {
        "learners": len(results), "graded": len(graded), "max_score": maxima.total,
        "max_visible": maxima.visible, "max_hidden": maxima.hidden,
        "scores": {"mean": round(statistics.mean(scores), 2), "median": statistics.median(scores),
                   "lowest": min(scores), "highest": max(scores)} if scores else {},
        "histogram": [{"bin": label.strip(), "count": count} for label, count in histogram(scores, maxima.total)],
        "steps": [asdict(row) for row in step_figures(results, steps)],
        "time_limits": [{"learner": shown(name), "what": what} for name, what in time_limits(results)],
        "not_graded": [{"learner": shown(r.learner), "note": shown(r.note)} for r in results if not r.graded],
    }


CSV_COLUMNS = ["step", "passed", "failing on its own", "blocked by an earlier step", "not started", "not judged",
               "most common failure", "named mistakes", "blocked by"]


def summary_csv(document):
    """One row per step: the counts, then the named mistakes and the blocking steps as "name: n; ..."."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for row in document["steps"]:
        figures = StepFigures(**row)
        common, count = figures.most_common()
        writer.writerow([row["step"], row["passed"], row["failing"], row["blocked"], row["not_started"],
                         row["not_judged"], f"{common} ({count})" if count else "",
                         "; ".join(f"{_mistake_name(k)}: {n}" for k, n in sorted(row["mistakes"].items(), key=_by_count)),
                         "; ".join(f"{k}: {n}" for k, n in sorted(row["blocked_by"].items(), key=_by_count))])
    return out.getvalue()


def _by_count(item):
    return -item[1], item[0]


def write_summaries(folder, document):
    """summary.json and summary.csv in ``folder``; returns their paths."""
    paths = f"{folder}/summary.json", f"{folder}/summary.csv"
    write_atomically(paths[0], json.dumps(document, indent=2))
    write_atomically(paths[1], summary_csv(document))
    return paths


def step_lines(rows, graded):
    """The printed table: per step (StepFigures), the shares of the ``graded`` learners, and the
    commonest failure of those failing it on their own."""
    n = graded or 1
    lines = [f"  {'step':<20} {'passed':>6} {'on own':>6} {'blocked':>7} {'not started':>11}  "
             "most common failure on its own"]
    for row in rows:
        common, count = row.most_common()
        said = f"{common} ({count} of {row.failing} failing)" if row.failing else ""
        if row.blocked:
            first = max(row.blocked_by.items(), key=_by_count_first)[0]
            said += ("; " if said else "") + f"{row.blocked} blocked, most by {first}"
        lines.append(f"  {row.step:<20} {100 * row.passed / n:>5.0f}% {100 * row.failing / n:>5.0f}% "
                     f"{100 * row.blocked / n:>6.0f}% {100 * row.not_started / n:>10.0f}%  {said}")
    return lines


def _by_count_first(item):
    """The step blocking the most learners; between equals, the earliest."""
    return item[1], -(BY_NAME[item[0]].number if item[0] in BY_NAME else 0)
