"""A class's grades: gradebook.csv, and a summary of what to re-teach.

The summary gives the score distribution and, per step, the share of learners who passed it and
the most common failure among those who did not: the named mistake when the grader names one
(``mistake`` in a step's entry of results.json, shown by its catalogue name), else the failure
message with the details that differ from learner to learner (numbers, indices, inputs) taken out.
"""
import csv
import io
import re
import statistics
from collections import Counter
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


def write_gradebook(path, results, steps):
    """learner, total, one column per step (points), and a note."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["learner", "total", *steps, "note"])
    for r in sorted(results, key=lambda r: r.learner):
        writer.writerow([cell(r.learner), f"{r.score:g}",
                         *(f"{r.steps[s]['points']:g}" if s in r.steps else "0" for s in steps), cell(r.note)])
    from grader.outputs.export import write_atomically
    write_atomically(path, out.getvalue())


def shown(text):
    """Text from an upload or its grade (a file name, a message), as the gradebook and the summary
    show it: capped, its control characters escaped (grader.sandbox.protocol.printable)."""
    from grader.sandbox.protocol import printable
    return printable(text, SHOWN)


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
    line = shown((entry.get("message") or "").split("\n")[0])
    line = re.sub(r"^fix .*? first \(this step builds on it\)\. ", "", line)  # the cause, not the cascade
    line = re.split(r" \(|; |: first at ", line)[0]
    line = re.sub(r"(?<![\w.])[-+]?\d+(\.\d+)?([eE][-+]?\d+)?", "#", line)
    return line.strip().rstrip(".:") or "failed"


@dataclass
class StepSummary:
    step: str
    passed: int
    not_started: int
    failed: int
    common: str = ""
    common_count: int = 0


def summarize_steps(results, steps):
    graded = [r for r in results if r.graded]
    rows = []
    for step in steps:
        entries = [r.steps.get(step) for r in graded]
        statuses = Counter(e["status"] if e else "not started" for e in entries)
        failures = Counter(failure_key(e) for e in entries if e and e["status"] == "failed")
        common, count = failures.most_common(1)[0] if failures else ("", 0)
        rows.append(StepSummary(step, statuses["passed"], statuses["not started"], statuses["failed"], common, count))
    return rows


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
    n = len(graded) or 1
    lines += ["", f"  {'step':<20} {'passed':>6} {'not started':>11}  most common failure"]
    for row in summarize_steps(results, steps):
        common = f"{row.common} ({row.common_count} of {row.failed} failing)" if row.failed else ""
        lines.append(f"  {row.step:<20} {100 * row.passed / n:>5.0f}% {100 * row.not_started / n:>10.0f}%  {common}")
    ungraded = [r for r in results if not r.graded]
    if ungraded:
        lines += ["", f"Not graded ({len(ungraded)}; score 0 in the gradebook, see its note column):"]
        lines += [f"  {shown(r.learner)}: {shown(r.note)}" for r in ungraded]
    return lines
