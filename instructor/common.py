"""What the instructor tools share: the kit's location, the test catalogue, and output folders."""
import os
import shutil
import subprocess
import sys
import tempfile

from grader.kit import KIT_ROOT


class ToolError(Exception):
    """The tool cannot do its job; the message says why, for the instructor."""


def catalog(tests):
    """Every graded test (grader.plugin.validate.GradedTest) in the ':'-separated test folders."""
    from grader.commands.grade import parse_args
    from grader.plugin.hooks import STATE
    from grader.plugin.session import Collector, GraderError, run_pytest

    args = parse_args(["--check-tests", "--tests", tests, "--results", os.path.join(KIT_ROOT, "build", "catalog")])
    collector = Collector()
    try:
        with tempfile.TemporaryDirectory() as scratch:
            code, log = run_pytest(args, collector, os.path.join(scratch, "report.json"))
    except GraderError as exc:
        raise ToolError(str(exc)) from None
    if collector.config is None or STATE not in collector.config.stash:
        raise ToolError(f"pytest could not start (exit status {code}):\n{log.strip()[-3000:]}")
    state = collector.config.stash[STATE]
    if state.problems:
        raise ToolError("the tests cannot grade:\n" + "\n".join(f"  {p}" for p in state.problems))
    return state.tests


def step_points(tests):
    """[(step number, step name, points)] in path order, from the tests' markers."""
    from grader.course.steps import BY_NAME
    from grader.outputs.points import points_by_step

    return [(BY_NAME[name].number, name, points) for name, points in points_by_step(catalog(tests)).items()]


def grader_env(state_file):
    """The environment for a grade run by a tool: plain text, and the learner-progress file (which
    remembers hints for ``make hint``) kept out of the kit, at ``state_file``."""
    return {**os.environ, "NO_COLOR": "1", "LSTM_KIT_STATE": state_file}


def grade(submission, tests, results, *extra, cwd=KIT_ROOT, timeout=600):
    """``python -m grader`` in its own process; returns the finished process (text output)."""
    return subprocess.run(
        [sys.executable, "-m", "grader", "--submission", submission, "--tests", tests, "--results", results, *extra],
        cwd=cwd, capture_output=True, text=True, timeout=timeout,
        env=grader_env(os.path.join(results, "progress.json")))


def require_full_marks(tests):
    """The reference must pass every test it will grade learners with: a test it fails is wrong.
    ``python -m grader --check-tests`` judges that, and says which test and why."""
    with tempfile.TemporaryDirectory() as results:  # not build/: a check must not clear a grade's results
        done = subprocess.run([sys.executable, "-m", "grader", "--check-tests", "--tests", tests, "--results", results],
                              cwd=KIT_ROOT, capture_output=True, text=True, timeout=600, env={**os.environ, "NO_COLOR": "1"})
    if done.returncode != 0:
        said = done.stderr.strip().removeprefix("grader: ") or done.stdout.strip()[-2000:]
        raise ToolError(said)  # the tool names itself


def fresh_dir(path, marker):
    """Empty ``path`` for new output, but only if it is new, empty, or made by this tool before."""
    if os.path.exists(path) and os.listdir(path) and not os.path.exists(os.path.join(path, marker)):
        raise ToolError(f"{path} exists and was not made by this tool: move it away or choose another folder")
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(path)
    open(os.path.join(path, marker), "w").close()


def test_folder_names(folders):
    """tests/<name> for each folder of a bundle, unique even when two folders share a name. The
    first is always ``steps``: a grader finds its kit by ``tests/steps`` (grader.kit)."""
    names = []
    for k, folder in enumerate(folders):
        base = "steps" if k == 0 else os.path.basename(os.path.normpath(folder))
        name, n = base, 2
        while name in names:
            name, n = f"{base}-{n}", n + 1
        names.append(name)
    return names


def copy_bundle(root, names, ignore, tests):
    """Copy the kit's ``names`` (folders or files) and the test folders of ``tests`` into
    ``root``; returns the bundle's own ``tests`` value ('tests/steps:tests/hidden')."""
    for name in names:
        source, target = os.path.join(KIT_ROOT, name), os.path.join(root, name)
        if os.path.isdir(source):
            shutil.copytree(source, target, ignore=ignore)
        else:
            shutil.copy2(source, target)
    folders = [os.path.abspath(t) for t in tests.split(":") if t]
    names = test_folder_names(folders)
    for folder, name in zip(folders, names):
        shutil.copytree(folder, os.path.join(root, "tests", name), ignore=ignore)
    return ":".join(f"tests/{n}" for n in names)


def zero_rows(graded):
    """[(label, points)]: what a platform without visibility shows of these tests, before any
    grade: one row per step (its visible points), then the hidden and after-due-date tests as
    one row (grader.outputs.markdown.public_view makes the same rows from a grade)."""
    from grader.course.steps import STEPS
    from grader.outputs.markdown import WITHHELD

    rows = []
    for step in STEPS:
        points = sum(t.points for t in graded if t.step == step.name and t.visibility == "visible")
        if any(t.step == step.name and t.visibility == "visible" for t in graded):
            rows.append((f"{step.number}. {step.name}", points))
    withheld = sum(t.points for t in graded if t.visibility != "visible")
    return rows + ([(WITHHELD, withheld)] if any(t.visibility != "visible" for t in graded) else [])


def self_check(root, tests, stubs):
    """Grade ``stubs`` (all "not started") and the kit's reference (full marks) inside the bundle
    or handout at ``root``, with its own grader and tests; a copy that fails is not shipped."""
    with tempfile.TemporaryDirectory() as tmp:
        done = grade(stubs, tests, os.path.join(tmp, "stubs"), cwd=root)
        if done.returncode != 1 or "not started" not in done.stdout:
            raise ToolError(f"{os.path.basename(root)} does not grade the stubs as not started:\n{done.stdout}{done.stderr}")
        done = grade(os.path.join(KIT_ROOT, "solutions"), tests, os.path.join(tmp, "ref"), cwd=root)
        if done.returncode != 0:
            raise ToolError(f"{os.path.basename(root)} does not give the reference full marks:\n{done.stdout}{done.stderr}")


def remove_caches(root):
    """The __pycache__ folders a self-check's imports leave."""
    for dirpath, dirnames, _ in os.walk(root):
        for name in [d for d in dirnames if d == "__pycache__"]:
            shutil.rmtree(os.path.join(dirpath, name))
