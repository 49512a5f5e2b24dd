"""The report as Markdown, made from results.json: a job's summary on GitHub Actions
(``--markdown FILE``), a release's page on Classroom 50, each check's output on Gradescope
(``output_format: "md"``).

Every text that can quote the learner is escaped, so their brackets, stars and underscores show
as typed; what their code printed goes in a fence longer than any run of backticks inside it.
A report made for a page the learner's peers may see (``public_view``) shows only the visible
checks: the others are one row, their points summed, with no name and no output.
"""
import re
from dataclasses import dataclass

from grader.course.steps import BY_NAME
from grader.plugin.outcome import FAILED, NOT_JUDGED, NOT_STARTED, PASSED, step_status

VISIBLE = "visible"
LABELS = {PASSED: "✅ passing", FAILED: "❌ failing", NOT_STARTED: "⚪ not started", NOT_JUDGED: "⏳ not judged"}
WITHHELD = "Further checks (not shown)"
# CommonMark's backslash escapes, for what would otherwise make emphasis, links, code, HTML or a
# table cell; an underscore inside a word (forget_gate) makes no emphasis and is left as it is.
_SPECIAL = re.compile(r"([\\`*\[\]<>|~]|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9]))")
_LINE_START = re.compile(r"^(\s*)([-+=#]|\d+[.)])", re.MULTILINE)  # a list item, a heading


def escaped(text):
    """``text`` shown as it is in Markdown: no emphasis, link, HTML, list or table cell made from it."""
    return _LINE_START.sub(r"\1\\\2", _SPECIAL.sub(r"\\\1", text)).replace("\n", "  \n")


def fenced(text, info="text"):
    """``text`` in a code block whose fence no line of it can close."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{info}\n{text.rstrip()}\n{fence}"


def fence_roles(markdown):
    """(lines, open fence): each line of ``markdown`` with its role, "text", "fence" (a code block's
    opening or closing line) or "code" (inside one), and the fence left open at the end, if any."""
    roles, fence = [], None
    for line in markdown.split("\n"):
        opening = re.fullmatch(r"(`{3,})[A-Za-z]*", line)
        if fence is None and opening:
            fence, role = opening.group(1), "fence"
        elif fence is not None and line == fence:
            fence, role = None, "fence"
        else:
            role = "text" if fence is None else "code"
        roles.append((line, role))
    return roles, fence


def as_plain(markdown):
    """What this module's Markdown says, as plain text, for a platform that shows text as it is
    (PrairieLearn): no backslash escapes and no bold outside the fences, a fence's lines as they
    are (what the code printed), the fence lines gone."""
    shown = {"text": lambda line: _UNESCAPE.sub(r"\1", line.removesuffix("  ").replace("**", "")), "code": str}
    return "\n".join(shown[role](line) for line, role in fence_roles(markdown)[0] if role != "fence")


_UNESCAPE = re.compile(r"\\([\\`*_\[\]<>|~#+=.)-])")


def points_text(value):
    return f"{value:g}"


def check_markdown(message, printed="", mistake="", hint=""):
    """One check's verdict: a named mistake in bold with its explanation, the check's own figures
    apart, what the code printed fenced, and the step's first hint."""
    parts = _message_parts(message, mistake)
    if printed.strip():
        parts += ["Your code printed:", fenced(printed)]
    if hint:
        parts.append(f"**Hint:** {escaped(hint)}")
    return "\n\n".join(parts)


def _message_parts(message, mistake):
    """The message in paragraphs: what came before a named mistake (a step to fix first), the
    mistake and its explanation, then the check's details ("Details: ..."), each escaped."""
    from grader.course.mistakes import CATALOGUE

    known = CATALOGUE.get(mistake)
    opening = f"This looks like {known.name}: " if known else None
    if not opening or opening not in message:
        return [escaped(message)] if message else []
    before, rest = message.split(opening, 1)
    explanation, _, details = rest.partition(" Details: ")
    parts = [escaped(before.strip())] if before.strip() else []
    parts.append(f"**This looks like {escaped(known.name)}:** {escaped(explanation.strip())}")
    if details:
        parts.append(f"**Details:** {escaped(details.strip())}")
    return parts


@dataclass
class Row:
    """A line of a public report: a step (from its visible checks) or the withheld checks together."""
    label: str
    status: str
    points: float
    max_points: float
    tests: int
    output: str = ""  # Markdown: the first failing visible check's output
    number: int = 0
    step: str = ""


def public_view(document):
    """(rows per step from the visible checks, the row of all other checks or None) of a
    results.json document. A step's status, points and message come from its visible checks
    alone, so nothing of a hidden or after-due-date check shows but its share of the points."""
    tests = document.get("tests", [])
    shown = [t for t in tests if t.get("visibility", VISIBLE) == VISIBLE]
    rows = []
    for name in dict.fromkeys(t["extra_data"]["step"] for t in shown):
        mine = [t for t in shown if t["extra_data"]["step"] == name]
        first = next((t for t in mine if t["status"] != PASSED), None)
        step = BY_NAME.get(name)
        rows.append(Row(f"{step.number}. {name}" if step else name,
                        step_status(t["extra_data"]["outcome"] for t in mine),
                        sum(t["score"] for t in mine), sum(t["max_score"] for t in mine), len(mine),
                        first["output"] if first else "", step.number if step else 0, name))
    others = [t for t in tests if t.get("visibility", VISIBLE) != VISIBLE]
    withheld = Row(WITHHELD, PASSED if all(t["status"] == PASSED for t in others) else FAILED,
                   sum(t["score"] for t in others), sum(t["max_score"] for t in others), len(others)) \
        if others else None
    return rows, withheld


def report_markdown(document, title="lstm-kit"):
    """The whole report: the score, a table of the steps, then each step not passing with its
    message, and the run's notes. Only the visible checks' words are shown (``public_view``)."""
    rows, withheld = public_view(document)
    every = rows + ([withheld] if withheld else [])
    got, total = sum(r.points for r in every), sum(r.max_points for r in every)
    out = [f"## {escaped(title)}: {points_text(got)}/{points_text(total)}", ""]
    if every:
        out += ["| step | status | points |", "|---|---|---:|"]
        out += [f"| {r.label} | {LABELS.get(r.status, r.status)} | "
                f"{points_text(r.points)}/{points_text(r.max_points)} |" for r in every]
        out.append("")
    if withheld:
        out += [f"Further checks, worth {points_text(withheld.max_points)} points in all, are graded but not "
                "shown here.", ""]
    for r in rows:
        if r.status != PASSED and r.output:
            out += [f"### {r.label}: {LABELS.get(r.status, r.status)}", "", r.output, ""]
    if document.get("output"):
        out += ["### Notes", "", escaped(document["output"]), ""]
    return "\n".join(out).rstrip() + "\n"
