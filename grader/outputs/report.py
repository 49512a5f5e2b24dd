"""The learner's report in the terminal: one row per step, the score, and what to do next."""
import os
import sys

from grader.course.steps import STEPS, functions_text
from grader.outputs.results import current_step, score
from grader.plugin.outcome import FAILED, NOT_JUDGED, NOT_STARTED, PASSED

LABELS = {PASSED: "passing", FAILED: "failing", NOT_STARTED: "not started", NOT_JUDGED: "not judged"}
STYLES = {PASSED: "green", FAILED: "red", NOT_STARTED: "dim", NOT_JUDGED: "yellow"}
MARKS = {PASSED: "✔", FAILED: "✘", NOT_STARTED: "·", NOT_JUDGED: "?"}
SHOWN = (FAILED, NOT_JUDGED)  # statuses whose message the report shows
PRINTED_LINES = 3             # of what a failing check printed, in the terminal


def printed_excerpt(printed):
    """The first lines a failing check printed, for the terminal (results.json has more)."""
    lines = printed.strip().splitlines()
    if not lines:
        return ""
    more = f" (+{len(lines) - PRINTED_LINES} more lines)" if len(lines) > PRINTED_LINES else ""
    return "printed: " + " | ".join(line[:100] for line in lines[:PRINTED_LINES]) + more


def _points(value):
    return f"{value:g}"


def next_step_text(results, submission_label, hints):
    """What the learner should do now, in two or three short lines."""
    step = current_step(results)
    if not results:
        return ["No step was graded."], None
    if step is None and len(results) < len(STEPS):  # a test folder (or --step) that grades a few steps
        return [f"Passing: {', '.join(r.step.name for r in results)}."], None
    if step is None:
        return ["All steps pass: your LSTM is complete and it learns. Run `make demo` to watch it remember."], None
    if step.status == NOT_JUDGED:
        return [f"Next: grade again; the run ended before {step.step.name} was judged."], None
    verb = "write" if step.status == NOT_STARTED else "fix"
    place = submission_label if _notebook(submission_label) else f"{submission_label}/{step.step.file}"
    lines = [f"Next: open {place} and {verb} {functions_text(step.step)}."]
    hint = (hints.get(step.step.name) or [None])[0]
    return lines, hint


def _notebook(label):
    """A notebook is graded as its own files (grader.sandbox.notebook), but the learner edits the notebook."""
    return label.lower().endswith(".ipynb")


def _title(label):
    return f"lstm-kit: grading {label}" + ("" if _notebook(label) else "/")


def use_color(stream):
    return stream.isatty() and "NO_COLOR" not in os.environ and os.environ.get("TERM") != "dumb"


def render(results, submission_label, hints, notes=(), stream=None):
    stream = stream or sys.stdout
    if use_color(stream):
        _render_rich(results, submission_label, hints, notes, stream)
    else:
        _render_plain(results, submission_label, hints, notes, stream)


def _render_plain(results, label, hints, notes, stream):
    out = [_title(label), ""]
    current = current_step(results)
    for r in results:
        mark = ">" if r is current else " "  # the step to work on now
        line = f"{mark}{r.step.number:>2}. {r.step.name:<20} {r.step.file:<12} {LABELS[r.status]:<12} " \
               f"{_points(r.points):>3}/{_points(r.max_points)}"
        out.append(line)
        if r.status in SHOWN:
            out.append(f"       {r.message}")
            if printed_excerpt(r.printed):
                out.append(f"       {printed_excerpt(r.printed)}")
    got, total = score(results)
    out += ["", f"Score: {_points(got)}/{_points(total)}"]
    lines, hint = next_step_text(results, label, hints)
    out += lines
    if hint:
        out.append(f"Hint: {hint}")
    out += list(notes)
    stream.write("\n".join(out) + "\n")


def _render_rich(results, label, hints, notes, stream):
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    console = Console(file=stream, highlight=False)
    current = current_step(results)
    table = Table(title=_title(label), title_justify="left", expand=True)
    table.add_column("#", justify="right", width=3)
    table.add_column("step", no_wrap=True)
    table.add_column("file", style="dim", no_wrap=True)
    table.add_column("status", no_wrap=True)
    table.add_column("points", justify="right", no_wrap=True)
    table.add_column("first failing check", ratio=1)
    for r in results:
        status = Text(f"{MARKS[r.status]} {LABELS[r.status]}", style=STYLES[r.status])
        row_style = "bold" if r is current else None
        # Text, not markup: a message may quote the learner's own brackets.
        message = Text("\n".join(filter(None, (r.message, printed_excerpt(r.printed)))) if r.status in SHOWN else "")
        table.add_row(str(r.step.number), r.step.name, r.step.file, status,
                      f"{_points(r.points)}/{_points(r.max_points)}", message, style=row_style)
    console.print(table)
    got, total = score(results)
    console.print(f"[bold]Score: {_points(got)}/{_points(total)}[/bold]")
    lines, hint = next_step_text(results, label, hints)
    for line in lines:
        console.print(line, style="bold cyan")
    if hint:
        console.print(Text("Hint: ", style="bold yellow") + Text(hint))
    for note in notes:
        console.print(Text(note), style="dim")
