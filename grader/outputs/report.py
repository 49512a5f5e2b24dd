"""The learner's report in the terminal: one row per step, the score, and what to do next."""
import os
import sys
from dataclasses import dataclass

from grader.course.steps import STEPS, functions_text
from grader.kit import INSTALLED
from grader.outputs.results import current_step, score
from grader.plugin.outcome import FAILED, NOT_JUDGED, NOT_STARTED, PASSED

LABELS = {PASSED: "passing", FAILED: "failing", NOT_STARTED: "not started", NOT_JUDGED: "not judged"}
STYLES = {PASSED: "green", FAILED: "red", NOT_STARTED: "dim", NOT_JUDGED: "yellow"}
MARKS = {PASSED: "✔", FAILED: "✘", NOT_STARTED: "·", NOT_JUDGED: "?"}
SHOWN = (FAILED, NOT_JUDGED)  # statuses whose message the report shows
PRINTED_LINES = 3             # of what a failing check printed, in the terminal


@dataclass(frozen=True)
class Commands:
    """How the learner asks for each thing where they work: make targets, or a notebook's calls."""
    grade: str
    hint: str
    demo: str
    in_notebook: bool = False


# A kit installed by pip has no Makefile around it: the same commands, by module.
TERMINAL = Commands("python -m grader", "python -m grader hint", "python -m demo") if INSTALLED else \
    Commands("make grade", "make hint", "make demo")
THIS_NOTEBOOK = "this notebook"  # the label of what a notebook's kernel has defined (check())
NOTEBOOK = Commands("check()", "hint()", "show_memory()", in_notebook=True)


def printed_excerpt(printed):
    """The first lines a failing check printed, for the terminal (results.json has more)."""
    lines = printed.strip().splitlines()
    if not lines:
        return ""
    more = f" (+{len(lines) - PRINTED_LINES} more lines)" if len(lines) > PRINTED_LINES else ""
    return "printed: " + " | ".join(line[:100] for line in lines[:PRINTED_LINES]) + more


def _points(value):
    return f"{value:g}"


def next_step_text(results, submission_label, hints, commands=TERMINAL):
    """What the learner should do now, in two or three short lines."""
    step = current_step(results)
    if not results:
        return ["No step was graded."], None
    if step is None and len(results) < len(STEPS):  # a test folder (or --step) that grades a few steps
        return [f"Passing: {', '.join(r.step.name for r in results)}."], None
    if step is None:
        return [f"All steps pass: your LSTM is complete and it learns. Run `{commands.demo}` to watch it remember."], None
    if step.status == NOT_JUDGED:
        return [f"Next: grade again; the run ended before {step.step.name} was judged."], None
    verb = "write" if step.status == NOT_STARTED else "fix"
    if commands.in_notebook:
        return [f"Next: {verb} {functions_text(step.step)}, run its cell, then `{commands.grade}` again."], \
            (hints.get(step.step.name) or [None])[0]
    place = submission_label if _notebook(submission_label) else f"{submission_label}/{step.step.file}"
    lines = [f"Next: open {place} and {verb} {functions_text(step.step)}."]
    hint = (hints.get(step.step.name) or [None])[0]
    return lines, hint


def _notebook(label):
    """A notebook is graded as its own files (grader.sandbox.notebook), but the learner edits the notebook."""
    return label.lower().endswith(".ipynb") or label == THIS_NOTEBOOK


def score_text(results):
    """The score line; a check of a few steps says it is the score of those."""
    got, total = score(results)
    text = f"Score: {_points(got)}/{_points(total)}"
    return text if len(results) in (0, len(STEPS)) else f"{text} on {_steps(len(results))} checked (of {len(STEPS)})"


def _steps(count):
    return "the step" if count == 1 else f"the {count} steps"


def _title(label):
    return f"lstm-kit: grading {label}" + ("" if _notebook(label) else "/")


def use_color(stream):
    return stream.isatty() and "NO_COLOR" not in os.environ and os.environ.get("TERM") != "dumb"


def render(results, submission_label, hints, notes=(), stream=None, commands=TERMINAL, console=None):
    """The report on ``stream`` (stdout): a rich table where colour is wanted, or on ``console``
    (a notebook's, which shows it as HTML); plain text otherwise."""
    stream = stream or sys.stdout
    if console is not None or use_color(stream):
        _render_rich(results, submission_label, hints, notes, commands, console or _console(stream))
    else:
        _render_plain(results, submission_label, hints, notes, commands, stream)


def _console(stream):
    from rich.console import Console
    return Console(file=stream, highlight=False)


def _render_plain(results, label, hints, notes, commands, stream):
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
    out += ["", score_text(results)]
    lines, hint = next_step_text(results, label, hints, commands)
    out += lines
    if hint:
        out.append(f"Hint: {hint}")
    out += list(notes)
    stream.write("\n".join(out) + "\n")


def _render_rich(results, label, hints, notes, commands, console):
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

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
    lines, hint = next_step_text(results, label, hints, commands)
    shown = [table, Text(score_text(results), style="bold"), *(Text(line, style="bold cyan") for line in lines)]
    shown += [Text("Hint: ", style="bold yellow") + Text(hint)] if hint else []
    shown += [Text(note, style="dim") for note in notes]
    console.print(Group(*shown))  # one piece: a notebook shows it as one output
