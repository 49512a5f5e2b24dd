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
