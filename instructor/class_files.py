"""The files of a class's output folder made from its grades, and regrading some learners into it.

After a run, ``write_class_files`` writes, in OUT (build/class/):

    gradebook.csv         a max-points row, then per learner: total, visible and hidden subtotals, steps
    summary.json, .csv    per step: passing, failing on its own (named mistakes counted), blocked, not started
    report.html           the class report (instructor.class_report)
    class.json            what the run graded with: its tests, steps and maxima, its roster
    <learner>/learner.json  that learner's row (name, roster entry, note, score), for a later regrade
    <learner>/report.md   feedback the learner can be sent as it is (instructor.feedback)

Every one of them is made from the learners' folders alone, so ``regrade`` (``--only NAME``)
grades the named learners again into their folders and rebuilds them all: the others' rows stay
as they were.
"""
import json
import os
import tempfile
import time

from grader.outputs.export import write_atomically
from instructor.class_report import write_report
from instructor.common import ToolError
from instructor.feedback import FEEDBACK, without_machine_paths, write_feedback
from instructor.gradebook import LearnerResult, Maxima, write_gradebook
from instructor.summary import class_summary, write_summaries

RECORD = "learner.json"
CLASS = "class.json"
# The class's own files, beside the learners' folders: no learner's folder takes one of these names.
RESERVED = ("gradebook.csv", "summary.json", "summary.csv", "report.html", "report.png", CLASS)
NOTEBOOK = "the notebook "  # in the note of a learner graded from a notebook (instructor.grade_all)
KEPT = ("learner", "score", "note", "graded", "seconds", "folder", "who")


def save_record(out, result):
    write_atomically(os.path.join(out, result.folder, RECORD), json.dumps({k: getattr(result, k) for k in KEPT}, indent=2))


def with_tests(out, result):
    """``result`` with its results.json's tests (visibility and points of each)."""
    path = os.path.join(out, result.folder, "results.json")
    if result.graded and result.folder and os.path.exists(path):
        with open(path) as f:
            result.tests = json.load(f).get("tests", [])
    return result


def load_results(out):
    """Every learner's row as the last run or regrade left it."""
    from instructor.grade_all import read_results

    results = []
    for entry in sorted(os.listdir(out)):
        record = os.path.join(out, entry, RECORD)
        if not os.path.isfile(record):
            continue
        with open(record) as f:
            result = LearnerResult(**{k: v for k, v in json.load(f).items() if k in KEPT})
        results_json = os.path.join(out, entry, "results.json")
        if result.graded and os.path.exists(results_json):
            result.steps = read_results(results_json)[1]
        results.append(with_tests(out, result))
    return results


def _feedback(out, result):
    """The learner's report.md: their grade's public view, or why their upload was not graded."""
    folder = os.path.join(out, result.folder)
    path = os.path.join(folder, "results.json")
    if result.graded and os.path.exists(path):
        with open(path) as f:
            write_feedback(folder, json.load(f), notebook=NOTEBOOK in result.note)
    else:
        text = f"## lstm-kit: your grade\n\nYour upload was not graded: {without_machine_paths(result.note)}\n"
        write_atomically(os.path.join(folder, FEEDBACK), text)


def write_class_files(out, results, steps, maxima, tests, roster=None):
    """Everything above from ``results`` (LearnerResult, each with its ``folder``); returns the
    summary document."""
    for r in results:
        if r.folder:
            os.makedirs(os.path.join(out, r.folder), exist_ok=True)
            with_tests(out, r)
            save_record(out, r)
            _feedback(out, r)
    write_atomically(os.path.join(out, CLASS), json.dumps(
        {"tests": tests, "steps": steps, "maxima": vars(maxima), "roster": roster}, indent=2))
    write_gradebook(os.path.join(out, "gradebook.csv"), results, steps, maxima)
    document = class_summary(results, steps, maxima)
    write_summaries(out, document)
    write_report(out, document, results, steps)
    return document


def with_roster(learners, submissions, work, roster=None):
    """``learners`` with a Canvas export's flat files grouped into learners (instructor.roster),
    and everyone's roster entry: (learners, {name: entry})."""
    from instructor import roster as rosters

    learners, canvas = rosters.regroup(learners, submissions, work)
    return learners, {**rosters.load(submissions, roster), **canvas}


def finish(out, results, folders, graded_tests, steps, tests, people, roster=None):
    """After a whole class's run: each result's folder (``folders``: name -> folder) and roster
    entry, then every file of the class; returns the summary document."""
    from instructor import roster as rosters

    for r in results:
        r.folder = folders.get(r.learner, r.folder)
    rosters.apply(results, people)
    results += absent(results, people)
    results.sort(key=lambda r: r.learner)
    return write_class_files(out, results, steps, Maxima.of(graded_tests), tests, roster)


def absent(results, people):
    """A row for each learner the roster names and the export does not hold: not graded, "no submission"."""
    from instructor.grade_all import folder_names
    from instructor.roster import matches

    missing = sorted(name for name, entry in people.items() if "note" not in entry  # Canvas's are all there
                     and not any(matches(r.learner, name) for r in results))
    taken = [r.folder for r in results if r.folder]
    folders = folder_names([*taken, *missing])[len(taken):]
    return [LearnerResult(name, graded=False, note="no submission", folder=folder,
                          who={k: v for k, v in people[name].items() if v})
            for name, folder in zip(missing, folders)]


def read_class(out):
    path = os.path.join(out, CLASS)
    if not os.path.isfile(path):
        raise ToolError(f"{out} holds no earlier grade-all run to regrade into: grade the whole class first")
    with open(path) as f:
        saved = json.load(f)
    return saved, Maxima(**saved["maxima"])


def regrade(submissions, out, names, tests, call_timeout, time_limit, roster=None):
    """Grade the learners ``names`` again into ``out`` and rebuild the class's files; returns
    (results, steps, max score, seconds, the regraded results)."""
    from instructor import roster as rosters
    from instructor.grade_all import close_uploads, discover, grade_safely, stage_learner

    saved, maxima = read_class(out)
    if tests and _folders(tests) != _folders(saved["tests"]):
        raise ToolError(f"{out} was graded with --tests {saved['tests']}: regrade with the same tests, or grade "
                        "the whole class again")
    roster = roster or saved["roster"]
    results = {r.learner: r for r in load_results(out)}
    started = time.monotonic()
    close_uploads(submissions)
    redone = []
    with tempfile.TemporaryDirectory(prefix="lstm-kit-class-") as work:
        learners, people = with_roster(discover(submissions), submissions, work, roster)
        sources = {entry[0]: entry[1] for entry in learners}
        unknown = [n for n in names if n not in sources]
        if unknown:
            raise ToolError(f"no learner named {', '.join(unknown)} in {submissions} (the learners are "
                            f"{', '.join(sorted(sources)) or 'none'})")
        taken = {r.folder for r in results.values()}
        for name in names:
            folder = results[name].folder if name in results else _new_folder(name, taken)
            taken.add(folder)
            copy, note = stage_learner(sources[name], work)
            result = grade_safely(name, copy, note, os.path.join(out, folder), saved["tests"], call_timeout, time_limit)
            result.folder = folder
            rosters.apply([result], people)
            results[name] = result
            redone.append(result)
    ordered = sorted(results.values(), key=lambda r: r.learner)
    write_class_files(out, ordered, saved["steps"], maxima, saved["tests"], roster)
    return ordered, saved["steps"], maxima.total, time.monotonic() - started, redone


def _folders(tests):
    return [os.path.normpath(os.path.abspath(t)) for t in tests.split(":") if t]


def listing(out):
    """The printed line that says where the class's files are."""
    from grader.plugin.validate import where
    return (f"Gradebook: {where(os.path.join(out, 'gradebook.csv'))}; summary: {where(os.path.join(out, 'summary.json'))} "
            f"and .csv; class report: {where(os.path.join(out, 'report.html'))}; each learner's results.json, report.md "
            f"(to send them) and report.txt: {where(out)}/<learner>/")


def _new_folder(name, taken):
    from instructor.grade_all import folder_names
    return folder_names([*sorted(taken), name])[-1]
