"""A class's grades: gradebook.csv, and a summary of what to re-teach.

The summary gives the score distribution and, per step, the shares of learners who pass it, fail
it on their own, are blocked by an earlier step, or have not started it (instructor.summary), and
the most common failure of those failing on their own: the named mistake when the grader names
one (``mistake`` in results.json, shown by its catalogue name), else the failure message with the
details that differ from learner to learner (numbers, indices, inputs) taken out.
"""
import csv
import io
import re
import statistics
from dataclasses import dataclass, field

BUCKETS = 10  # 0-9 %, 10-19 %, ..., 90-99 %, and full marks on its own line
SHOWN = 300   # characters of a note or a failure, in the gradebook and the summary


@dataclass
class LearnerResult:
    learner: str
    score: float = 0.0
    steps: dict = field(default_factory=dict)  # step -> results.json's extra_data.steps entry
    note: str = ""                             # why the grade is not a plain one (not graded, files missing)
    graded: bool = True
    seconds: float = 0.0
    folder: str = ""                           # its folder under the class's output folder
    tests: list = field(default_factory=list)  # results.json's tests (each with its visibility)
    who: dict = field(default_factory=dict)    # id, name, email from a roster (instructor.roster)

    def points_by_visibility(self):
        """(points on visible tests, points on the others: hidden, after the due date, after publishing)."""
        visible = sum(t.get("score", 0) for t in self.tests if t.get("visibility", "visible") == "visible")
        return visible, sum(t.get("score", 0) for t in self.tests) - visible


@dataclass
class Maxima:
    """The most each column can hold: per step, and the visible and other tests' points."""
    steps: dict
    visible: float = 0.0
    hidden: float = 0.0

    @property
    def total(self):
        return self.visible + self.hidden

    @classmethod
    def of(cls, tests):
        """From the graded tests (grader.plugin.validate.GradedTest) a class is graded with."""
        steps = {}
        for t in tests:
            steps[t.step] = steps.get(t.step, 0) + t.points
        visible = sum(t.points for t in tests if t.visibility == "visible")
        return cls(steps, visible, sum(t.points for t in tests) - visible)


MAX_ROW = "(max points)"  # the gradebook's first row; no upload's name is taken for it
ROSTER_COLUMNS = ("id", "name", "email")


def write_gradebook(path, results, steps, maxima=None):
    """learner (then id, name, email where a roster gave them), total, the visible and the other
    tests' subtotals, one column per step (points), and a note; the first row holds the maxima."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    roster = [c for c in ROSTER_COLUMNS if any(r.who.get(c) for r in results)]
    writer.writerow(["learner", *roster, "total", "visible", "hidden", *steps, "note"])
    if maxima is not None:
        writer.writerow([MAX_ROW, *("" for _ in roster), f"{maxima.total:g}", f"{maxima.visible:g}",
                         f"{maxima.hidden:g}", *(f"{maxima.steps.get(s, 0):g}" for s in steps), ""])
    for r in sorted(results, key=lambda r: r.learner):
        visible, hidden = r.points_by_visibility()
        writer.writerow([cell(r.learner), *(cell(str(r.who.get(c, ""))) for c in roster), f"{r.score:g}",
                         f"{visible:g}", f"{hidden:g}",
                         *(f"{r.steps[s]['points']:g}" if s in r.steps else "0" for s in steps), cell(r.note)])
    from grader.outputs.export import write_atomically
    write_atomically(path, out.getvalue())


def shown(text):
    """Text from an upload or its grade (a file name, a message), as the gradebook and the summary
    show it: capped, its control characters escaped (grader.sandbox.protocol.printable)."""
    from grader.sandbox.protocol import printable
    from grader.sandbox.staging import readable
    return printable(readable(str(text)), SHOWN)  # a name that is not UTF-8: its bytes as \\xNN


def cell(text):
    """A text cell of gradebook.csv: shown, and never read as a formula by a spreadsheet."""
    text = shown(text)
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def failure_key(entry):
    """What a failed step's failure is, in words that many learners' failures share: the named
    mistake's name from the catalogue (grader.course.mistakes), else the message without its details."""
    if entry.get("mistake"):
        from grader.course.mistakes import CATALOGUE
        key = str(entry["mistake"])
        return CATALOGUE[key].name if key in CATALOGUE else shown(key)
    return re.sub(r"(?<![\w.])[-+]?\d+(\.\d+)?([eE][-+]?\d+)?", "#", failure_line(entry))


def failure_line(entry):
    """A failed step's message, its first line up to the details (figures kept): what failure_key
    shows when every learner in its group has the same words."""
    line = shown((entry.get("message") or "").split("\n")[0])
    line = re.sub(r"^fix .*? first \(this step builds on it\)\. ", "", line)  # the cause, not the cascade
    line = re.split(r" \(|; |: first at ", line)[0]
    return line.strip().rstrip(".:") or "failed"


def histogram(scores, max_score):
    """[(label, count)]: tenths of the maximum, then full marks."""
    counts = [0] * (BUCKETS + 1)
    for score in scores:
        share = score / max_score if max_score else 0
        counts[BUCKETS if share >= 1 else min(int(share * BUCKETS), BUCKETS - 1)] += 1
    labels = [f"{k * 10}-{k * 10 + 9}%".rjust(6) for k in range(BUCKETS)] + ["  100%"]
    return list(zip(labels, counts))


def summary_lines(results, steps, max_score, seconds, jobs):
    graded = [r for r in results if r.graded]
    scores = [r.score for r in graded]
    rate = 60 * len(results) / seconds if seconds else 0
    lines = [f"Graded {len(results)} submissions in {seconds:.1f} s ({rate:.0f} a minute, {jobs} at a time)."]
    if scores:
        lines += ["", f"Scores out of {max_score:g}: mean {statistics.mean(scores):.1f}, median "
                      f"{statistics.median(scores):g}, lowest {min(scores):g}, highest {max(scores):g}"]
        top = max(count for _, count in histogram(scores, max_score)) or 1
        for label, count in histogram(scores, max_score):
            lines.append(f"  {label} {'#' * round(20 * count / top):<20} {count}")
    from instructor.summary import step_figures, step_lines, time_limit_lines
    lines += ["", *step_lines(step_figures(results, steps), len(graded)), *time_limit_lines(results)]
    ungraded = [r for r in results if not r.graded]
    if ungraded:
        lines += ["", f"Not graded ({len(ungraded)}; score 0 in the gradebook, see its note column):"]
        lines += [f"  {shown(r.learner)}: {shown(r.note)}" for r in ungraded]
    return lines
