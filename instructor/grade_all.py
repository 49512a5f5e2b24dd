"""``make grade-all SUBMISSIONS=dir``: grade a whole class, one learner per sub-folder (or .zip, or .ipynb).

Each learner's work is found wherever it sits in their folder (see grader.sandbox.staging), copied to a
private folder (a Jupyter notebook's code cells are written there as the files, without running
them), and graded by its own ``python -m grader`` process with its own worker, several at a time.
A submission that crashes, hangs or kills its grader costs only its own grade: every grade runs
in its own processes under a time limit, and every score is read from that grade's own
results.json. Output, in OUT (default build/class/):

    gradebook.csv            a max-points row; learner, total, visible, hidden, one column per step, note
    summary.json, .csv       per step: passing, failing on its own, blocked by an earlier step, not started
    report.html              the class report, one page (instructor.class_report)
    <learner>/results.json   the learner's Gradescope-format results
    <learner>/report.md      feedback that can be sent to the learner as it is (instructor.feedback)
    <learner>/report.txt     the grader's own output, for the instructor

``--only NAME`` grades one learner again into an earlier run's OUT and rebuilds those files
(instructor.class_files); ``--roster`` names the learners (instructor.roster).
"""
import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor, as_completed

from grader.course.steps import FILES
from grader.kit import KIT_ROOT
from grader.outputs.points import points_by_step
from grader.sandbox.isolation import hide, is_root
from grader.sandbox.staging import readable, stage, unreadable
from instructor import class_files
from instructor.common import ToolError, catalog, fresh_dir, grader_env, require_full_marks
from instructor.gradebook import LearnerResult, summary_lines

MARKER = ".lstm-kit-class"
# A grade's grader and worker mostly take turns, so one and a half grades per core keep the cores busy
# (on 2 cores, 3 at a time grade about a third more a minute than 2 at a time).
DEFAULT_JOBS = max(1, (os.cpu_count() or 1) * 3 // 2)
SKIP = {"__MACOSX"}


def discover(submissions):
    """[(learner name, folder, zip or notebook)], one per sub-folder, .zip or .ipynb file, sorted by name.

    A name is the entry's, as text any file can hold: bytes that are not UTF-8 as \\xNN, and a
    backslash doubled, so that no two entries get the same name."""
    learners, seen = [], set()
    for entry in sorted(os.listdir(submissions)):
        path = os.path.join(submissions, entry)
        if entry.startswith(".") or entry in SKIP or os.path.islink(path):
            continue
        if os.path.isdir(path):
            name = _shown_name(entry)
        elif entry.lower().endswith((".zip", ".ipynb")) and os.path.isfile(path):
            name = _shown_name(os.path.splitext(entry)[0])
            name = name if name not in seen else _shown_name(entry)  # bob/ and bob.zip
        else:
            continue
        base, k = name, 2
        while name in seen:  # never two rows of one name
            name, k = f"{base} ({k})", k + 1
        learners.append((name, path))
        seen.add(name)
    return learners


def _shown_name(entry):
    """At most 200 characters: the gradebook shows 300 of a name, so a suffix that tells two
    long names apart is never cut off."""
    return readable(entry.replace("\\", "\\\\"))[:200]


def _safe_name(name):
    cleaned = "".join(c if c.isalnum() or c in "-_.@+ " else "_" for c in name).strip(". ") or "learner"
    return cleaned[:100]


def _descendants(pid):
    """Every process below ``pid`` (the grader's worker runs in a session of its own)."""
    children = {}
    for entry in os.listdir("/proc") if os.path.isdir("/proc") else []:
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _kill_tree(proc):
    for pid in _descendants(proc.pid) + [proc.pid]:
        try:
            os.kill(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
    proc.wait()


def read_results(path):
    with open(path) as f:
        document = json.load(f)
    return float(document.get("score", 0)), document.get("extra_data", {}).get("steps", {}), document.get("output", "")


def folder_names(names):
    """A distinct, file-system-safe folder name for each learner."""
    taken, out = {name.lower() for name in class_files.RESERVED}, []  # the class's own files
    for name in names:
        base = candidate = _safe_name(name)
        k = 2
        while candidate.lower() in taken:
            candidate, k = f"{base}-{k}", k + 1
        taken.add(candidate.lower())
        out.append(candidate)
    return out


def stage_learner(source, work):
    """(Staged or None, note): the learner's files copied into a folder of their own; for an upload
    that cannot be read, whatever the reason, None and why in plain words."""
    folder = tempfile.mkdtemp(prefix="learner-", dir=work)
    try:
        return stage(source, folder), ""
    except Exception as exc:  # a damaged, locked or hostile zip, an unreadable file, or anything else
        shutil.rmtree(folder, ignore_errors=True)
        why = unreadable(exc).replace(work, "")
        return None, f"upload could not be read: {why}"


def grade_learner(name, staged, note, folder, tests, call_timeout, time_limit):
    """Grade one staged learner into ``folder``; never raises for anything the submission does."""
    started = time.monotonic()
    result = LearnerResult(name, note=note)
    os.makedirs(folder, exist_ok=True)
    if staged is None or not staged.found:
        none = staged.describe() if staged is not None and staged.notebook else f"none of {', '.join(FILES)} found"
        result.graded, result.note = False, result.note or none
    else:
        if staged.missing:
            result.note = staged.describe()
        elif staged.notebook:
            result.note = f"graded from the notebook {staged.notebook}"
        result.note = " ".join(filter(None, [result.note, staged.chosen]))  # which folder, when there were several
        command = [sys.executable, "-m", "grader", "--submission", staged.folder, "--tests", tests,
                   "--results", folder, "--call-timeout", str(call_timeout),
                   *[f"--note={note}" for note in staged.notes]]  # what the notebook did not give, for the learner
        proc = subprocess.Popen(command, cwd=KIT_ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, env=grader_env(staged.folder + ".progress.json"),
                                start_new_session=True)
        try:
            report, _ = proc.communicate(timeout=time_limit)
        except subprocess.TimeoutExpired:
            _kill_tree(proc)
            report = b""
            result.graded, result.note = False, f"grading stopped after {time_limit:g} s"
        with open(os.path.join(folder, "report.txt"), "wb") as f:
            f.write(report[-200_000:])
        path = os.path.join(folder, "results.json")
        if result.graded and proc.returncode in (0, 1) and os.path.exists(path):
            result.score, result.steps, _ = read_results(path)
        elif result.graded:
            output = read_results(path)[2] if os.path.exists(path) else ""
            result.graded = False
            stopped = f"the grader was killed (signal {-proc.returncode})" if proc.returncode < 0 else \
                f"the grader stopped (exit status {proc.returncode})"
            result.note = (output or stopped)[:300]
    if staged is not None:
        shutil.rmtree(staged.folder, ignore_errors=True)
    result.seconds = time.monotonic() - started
    return result


def grade_safely(name, staged, note, folder, *args):
    """grade_learner, with anything it raises (the grader's own trouble, a file system's) made that
    learner's ungraded row, so the rest of the class is graded and the gradebook written."""
    try:
        return grade_learner(name, staged, note, folder, *args)
    except Exception as exc:
        if staged is not None:
            shutil.rmtree(staged.folder, ignore_errors=True)
        why = f"{type(exc).__name__}: {exc.strerror}" if isinstance(exc, OSError) else type(exc).__name__
        return LearnerResult(name, graded=False, note=f"could not be graded ({why})")


class Progress:
    """A rich progress bar in a terminal; one line per learner elsewhere (logs, CI)."""

    def __init__(self, total, stream=None):
        self.total, self.done, self.stream = total, 0, stream or sys.stderr
        self.bar = None
        if self.stream.isatty() and "NO_COLOR" not in os.environ:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeRemainingColumn
            from rich.progress import Progress as Bar
            self.bar = Bar(TextColumn("grading"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                           TextColumn("{task.description}"), console=Console(file=self.stream), transient=True)
            self.task = self.bar.add_task("", total=total)

    def __enter__(self):
        if self.bar:
            self.bar.__enter__()
        return self

    def __exit__(self, *exc):
        if self.bar:
            self.bar.__exit__(*exc)

    def finished(self, result, max_score):
        self.done += 1
        shown = f"{result.score:g}/{max_score:g}" if result.graded else "not graded"
        if self.bar:
            self.bar.update(self.task, advance=1, description=f"{result.learner}: {shown}")
        else:
            self.stream.write(f"[{self.done:>{len(str(self.total))}}/{self.total}] {result.learner}: {shown} "
                              f"({result.seconds:.1f} s)\n")
            self.stream.flush()


def close_uploads(submissions):
    """Under root, take other users' access to the export away (as the grader does to the kit's
    folder, and it stays so): every learner's code runs as a user of its own, and must read no
    other learner's upload there."""
    why = hide(submissions) if is_root() else None
    if why:
        sys.stderr.write(f"grade-all: {submissions} stays readable to the learners' code: {why}\n")


def grade_class(submissions, out, tests, jobs, call_timeout, time_limit, check_reference=True, roster=None):
    """Grade every learner; returns ([LearnerResult], step names, max score, seconds)."""
    if not os.path.isdir(submissions):
        raise ToolError(f"no submissions folder at {submissions}")
    graded_tests = catalog(tests)  # a broken test folder stops here, before anyone is graded
    if check_reference:
        require_full_marks(tests)
    per_step = points_by_step(graded_tests)
    steps, max_score = list(per_step), sum(per_step.values())
    learners = discover(submissions)
    fresh_dir(out, MARKER)
    results, started = [], time.monotonic()
    close_uploads(submissions)
    # Root's alone (0700), as is each staged upload in it: no worker reads them, each grader copies
    # its learner's into its worker's private folder, so no learner's code can read another's upload.
    with tempfile.TemporaryDirectory(prefix="lstm-kit-class-") as work:
        learners, people = class_files.with_roster(learners, submissions, work, roster)
        # Every upload is copied before any is graded: code graded early cannot alter one graded later.
        staged = [stage_learner(source, work) for _, source in learners]
        folders = folder_names(name for name, _ in learners)
        with Progress(len(learners)) as progress, ThreadPoolExecutor(max_workers=jobs) as pool:
            futures = [pool.submit(grade_safely, name, copy, note, os.path.join(out, folder), tests,
                                   call_timeout, time_limit)
                       for (name, _), (copy, note), folder in zip(learners, staged, folders)]
            for future in as_completed(futures):
                results.append(future.result())
                progress.finished(results[-1], max_score)
    seconds = time.monotonic() - started
    results.sort(key=lambda r: r.learner)
    class_files.finish(out, results, dict(zip((name for name, _ in learners), folders)), graded_tests, steps, tests,
                       people, roster)
    return results, steps, max_score, seconds


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m instructor grade-all", description=__doc__.split("\n")[0])
    parser.add_argument("submissions", help="a folder with one sub-folder (or .zip, or .ipynb) per learner")
    parser.add_argument("--tests", default=os.path.join(KIT_ROOT, "tests", "steps"), help="test folders, ':'-separated")
    parser.add_argument("--out", default=os.path.join(KIT_ROOT, "build", "class"), help="default: build/class/")
    parser.add_argument("--jobs", type=int, default=DEFAULT_JOBS,
                        help=f"grades at a time (default: {DEFAULT_JOBS}, one and a half per core)")
    parser.add_argument("--call-timeout", type=float, default=10.0, help="seconds allowed per call (default: 10)")
    parser.add_argument("--time-limit", type=float, default=300.0, help="seconds allowed per learner (default: 300)")
    parser.add_argument("--skip-reference-check", action="store_true",
                        help="do not first check that the reference earns full marks on the tests")
    parser.add_argument("--only", action="append", metavar="NAME",
                        help="grade this learner again into OUT's earlier run, keeping the others' rows (may be repeated)")
    parser.add_argument("--roster", metavar="FILE",
                        help="a CSV roster (folder, id, name, email) or Gradescope's submission_metadata.yml for the "
                             "learner column (a submission_metadata.yml in SUBMISSIONS is read anyway)")
    args = parser.parse_args(argv)
    submissions, out = os.path.abspath(args.submissions), os.path.abspath(args.out)
    try:
        if args.only:
            results, steps, max_score, seconds, _ = class_files.regrade(
                submissions, out, args.only, args.tests, args.call_timeout, args.time_limit, args.roster)
        else:
            results, steps, max_score, seconds = grade_class(
                submissions, out, args.tests, max(1, args.jobs), args.call_timeout, args.time_limit,
                not args.skip_reference_check, args.roster)
    except ToolError as exc:
        print(f"grade-all: {exc}", file=sys.stderr)
        return 2
    lines = summary_lines(results, steps, max_score, seconds, max(1, args.jobs))
    if args.only:
        lines[0] = f"Graded {', '.join(args.only)} again in {seconds:.1f} s; the other rows are kept."
    lines.insert(1, class_files.listing(args.out))
    print("\n".join(lines))
    return 0

