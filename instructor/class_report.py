"""``build/class/report.html``: a class's grades as one page an instructor can open, print or mail.

One self-contained file: inline CSS (light, dark and print), inline SVG, no script, and a content
security policy that lets nothing load from anywhere. Made with jinja2 from
templates/class_report.html.j2 with autoescaping on: learner names, notes and failure messages
come from uploads and are shown as text, never as markup. Its figures are summary.json's
(instructor.summary); each learner's row links to the files grade-all wrote in their folder.
"""
import datetime
import os
from urllib.parse import quote

from grader.course.mistakes import CATALOGUE
from grader.outputs.export import write_atomically
from instructor.feedback import FEEDBACK
from instructor.gradebook import ROSTER_COLUMNS, shown
from instructor.summary import StepFigures

TEMPLATES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "templates")
REPORT = "report.html"
CHART = {"height": 160, "bar_width": 56, "gap": 10, "top": 18}  # top: room for the tallest bar's count
MARKS = {"passed": ("passed", "✔", "passing"), "failed": ("failing", "✘", "failing"),
         "blocked": ("blocked", "↳", "blocked by an earlier step"), "not started": ("not-started", "·", "not started"),
         "not judged": ("not-judged", "?", "not judged")}
PARTS = ("passed", "failing", "blocked", "not-started", "not-judged")


def environment():
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
    return Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html", "j2"]),
                       undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def points(value):
    return f"{value:g}" if isinstance(value, (int, float)) else str(value)


def chart(histogram):
    top = max((b["count"] for b in histogram), default=0) or 1
    step = CHART["bar_width"] + CHART["gap"]
    bars = [{"label": b["bin"], "count": b["count"], "x": CHART["gap"] + k * step,
             "height": round(CHART["height"] * b["count"] / top, 1)} for k, b in enumerate(histogram)]
    return {**CHART, "width": CHART["gap"] + step * len(bars), "base": CHART["top"] + CHART["height"], "bars": bars}


def step_rows(document):
    rows = []
    for entry in document["steps"]:
        figures = StepFigures(**entry)
        common, count = figures.most_common()
        counts = (figures.passed, figures.failing, figures.blocked, figures.not_started, figures.not_judged)
        rows.append({**entry, "parts": list(zip(PARTS, counts)), "common": common, "common_count": count,
                     "blocked_by": sorted(figures.blocked_by.items(), key=lambda item: (-item[1], item[0]))})
    return rows


def heatmap(document):
    """Rows: the catalogued mistakes some learner made; columns: the steps; cells: learners."""
    steps = [row["step"] for row in document["steps"]]
    counts = {}
    for row in document["steps"]:
        for key, n in row["mistakes"].items():
            counts.setdefault(key, {})[row["step"]] = n
    top = max((n for by_step in counts.values() for n in by_step.values()), default=1)
    order = sorted(counts, key=lambda key: (-sum(counts[key].values()), key))
    rows = [{"key": key, "name": CATALOGUE[key].name if key in CATALOGUE else shown(key),
             "cells": [{"step": step, "count": counts[key].get(step, 0),
                        "alpha": round(0.25 + 0.75 * counts[key].get(step, 0) / top, 2)} for step in steps]}
            for key in order]
    return {"steps": steps, "rows": rows}


def _status(entry):
    from instructor.summary import blockers
    return "blocked" if blockers(entry) else entry.get("status", "not started")


def learner_rows(results, steps, out):
    rows = []
    for r in sorted(results, key=lambda r: r.learner):
        visible, hidden = r.points_by_visibility()
        marks = []
        for step in steps if r.graded else ():
            css, glyph, label = MARKS.get(_status(r.steps.get(step) or {}), MARKS["not started"])
            marks.append({"step": step, "css": css, "glyph": glyph, "label": label})
        links = [(label, f"{quote(r.folder)}/{name}") for label, name in
                 (("feedback", FEEDBACK), ("results.json", "results.json"), ("grader's output", "report.txt"))
                 if r.folder and os.path.exists(os.path.join(out, r.folder, name))]
        rows.append({"name": shown(r.learner), "who": {k: shown(str(v)) for k, v in r.who.items()},
                     "graded": r.graded, "score": r.score, "visible": visible, "hidden": hidden,
                     "marks": marks, "links": links, "note": shown(r.note)})
    return rows


def render(document, results, steps, out, made=None):
    """The page's HTML for a class's ``document`` (summary.json's) and results."""
    graded = document["graded"] or 1
    template = environment().get_template("class_report.html.j2")
    return template.render(
        summary=document, chart=chart(document["histogram"]), steps=step_rows(document), heat=heatmap(document),
        learners=learner_rows(results, steps, out), roster=[c for c in ROSTER_COLUMNS if any(r.who.get(c) for r in results)],
        made=made, points=points, percent=lambda n: f"{100 * n / graded:.0f}%",
        share=lambda n: f"{100 * n / graded:.2f}")


def write_report(out, document, results, steps):
    path = os.path.join(out, REPORT)
    made = datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    write_atomically(path, render(document, results, steps, out, made))
    return path
