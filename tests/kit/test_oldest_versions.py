"""Grades do not depend on the versions within pyproject.toml's ranges: the reference, the stubs,
every catalogued mistake and the valid alternative styles of
tests/kit/mistakes.py get the same per-step results (status, points, mistake named) under
the oldest versions the ranges allow (requirements-oldest.txt, in .venv-oldest/) as under the
pinned ones (requirements.txt, the kit's .venv), and the same report, figures aside.

.venv-oldest/ is built on first use and reused while its stamp matches requirements-oldest.txt
and this Python; if it cannot be built (no network, say), the comparison is skipped, with pip's
reason, never passed.
"""
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest

from grader.kit import KIT_ROOT

from bundles import CHANGES
from bundles import GROUPS as ALL_GROUPS
from conftest import ALL_STEPS, build_submission, build_wheel, grade, install_wheel
from mistakes import MISTAKES

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

OLDEST = os.path.join(KIT_ROOT, "requirements-oldest.txt")
VENV = os.path.join(KIT_ROOT, ".venv-oldest")
PYTHON = os.path.join(VENV, "bin", "python")
STAMP = os.path.join(VENV, ".installed")

# kind -> {case: (step, source)}, packed into few submissions as test_mistakes.py packs them. The
# uncatalogued mistakes are left out: at about a minute more per `make test`, they would prove
# again what the catalogued ones and the alternative styles prove.
GROUPS = {kind: ALL_GROUPS[kind] for kind in ("mistakes", "alternatives")}
SUBMISSIONS = ["reference", "stubs", *(f"{kind}-{k}" for kind, groups in GROUPS.items() for k in range(len(groups)))]
COMPARED = ("status", "points", "max_points", "mistake")


def release(version):
    """'1.24' -> (1, 24, 0): numeric releases, padded so that 1.24 and 1.24.0 compare equal."""
    parts = tuple(int(p) for p in version.split("."))
    return parts + (0,) * (3 - len(parts))


def applies(marker):
    """Whether ``marker`` holds for this Python: empty, or ``python_version < "3.11"`` (or ``>=``)
    clauses joined by ``and``, the only kind pyproject.toml and the requirements files use."""
    for clause in filter(None, (c.strip() for c in marker.split(" and "))):
        op, version = re.fullmatch(r"""python_version\s*(<|>=)\s*["']([0-9.]+)["']""", clause).groups()
        if (sys.version_info[:2] < release(version)[:2]) != (op == "<"):
            return False
    return True


def pins(path):
    """{name: version} of the ``name==version`` lines of a requirements file that apply to this Python."""
    found = {}
    for line in open(path):
        requirement, _, marker = line.split("#")[0].partition(";")
        if "==" in requirement and applies(marker):
            name, version = requirement.split("==")
            found[name.strip().lower()] = version.strip()
    return found


def lower_bounds():
    """{name: lowest version} of pyproject.toml's dependencies that apply to this Python."""
    with open(os.path.join(KIT_ROOT, "pyproject.toml"), "rb") as f:
        dependencies = tomllib.load(f)["project"]["dependencies"]
    bounds = {}
    for dependency in dependencies:
        requirement, _, marker = dependency.partition(";")
        if applies(marker):
            name, low = re.fullmatch(r"([A-Za-z0-9_.-]+)>=([0-9.]+)(,<[0-9.]+)?", requirement.strip()).group(1, 2)
            bounds[name.lower()] = low
    return bounds


def stamp():
    """What .venv-oldest/ was built from: the requirements file and the Python that made it."""
    return hashlib.sha256(open(OLDEST, "rb").read() + sys.version.encode()).hexdigest()


@pytest.fixture(scope="module")
def oldest():
    """The interpreter of .venv-oldest/, built (or rebuilt) unless its stamp is current; a failed
    build skips every test that needs it (pytest keeps the skip for the module)."""
    if os.path.exists(STAMP) and open(STAMP).read() == stamp():
        return PYTHON
    shutil.rmtree(VENV, ignore_errors=True)
    steps = {"python -m venv .venv-oldest": [sys.executable, "-m", "venv", VENV],
             "pip install -r requirements-oldest.txt": [PYTHON, "-m", "pip", "install", "--quiet",
                                                        "--disable-pip-version-check", "-r", OLDEST]}
    for label, command in steps.items():
        try:
            proc = subprocess.run(command, cwd=KIT_ROOT, capture_output=True, text=True, timeout=600)
        except subprocess.TimeoutExpired:
            pytest.skip(f"cannot build .venv-oldest: {label} timed out after 600 s")
        if proc.returncode != 0:
            lines = (proc.stdout + proc.stderr).splitlines()
            errors = [line for line in lines if line.startswith("ERROR")] or lines[-3:]
            pytest.skip(f"cannot build .venv-oldest: {label} exited {proc.returncode}: " + " | ".join(errors[-3:]))
    with open(STAMP, "w") as f:
        f.write(stamp())
    return PYTHON


def installed(python, names):
    """{name: version} of ``names`` as installed for ``python``."""
    code = "import json, sys; from importlib.metadata import version; print(json.dumps({n: version(n) for n in sys.argv[1:]}))"
    proc = subprocess.run([python, "-c", code, *names], capture_output=True, text=True, check=True)
    return {name.lower(): version for name, version in json.loads(proc.stdout).items()}


def group_key(name):
    """'mistakes-3' -> ('mistakes', 3)."""
    kind, k = name.rsplit("-", 1)
    return kind, int(k)


def group(name):
    """'mistakes-3' -> ('mistakes', the cases of the fourth group of mistakes)."""
    kind, k = group_key(name)
    return kind, GROUPS[kind][k]


def submission(name, folder):
    if name == "reference":
        return os.path.join(KIT_ROOT, "solutions")
    if name == "stubs":
        return os.path.join(KIT_ROOT, "exercises")
    kind, cases = group(name)
    return build_submission(folder, done=ALL_STEPS, replace=dict(CHANGES[kind][case] for case in cases))


def figures_masked(text):
    """The report with its figures masked, and the submission's folder (the two runs of a group
    may grade copies in different folders)."""
    text = re.sub(r"(grading |open )\S*?(/|/gates\.py|/cell\.py|/sequence\.py|/memory\.py)(\s)", r"\1<folder>\2\3", text)
    return re.sub(r"-?[0-9][0-9.e+-]*", "#", text)


@pytest.fixture(scope="module")
def graded(tmp_path_factory, oldest, group_grades):
    """{(environment, submission): Graded}: each submission graded under the oldest versions, two
    at a time; under the pinned ones, the groups as test_mistakes.py grades them (once a session)."""
    environments = {"pinned": sys.executable, "oldest": oldest}
    root = tmp_path_factory.mktemp("oldest-versions")
    folders = {name: submission(name, root / name / "submission") for name in SUBMISSIONS}
    shared = {("pinned", name): group_grades(*group_key(name)) for name in SUBMISSIONS if "-" in name}
    jobs = [(env, name) for name in SUBMISSIONS for env in environments if (env, name) not in shared]

    def run(job):
        env, name = job
        return grade(folders[name], root / name / f"results-{env}", python=environments[env])
    with ThreadPoolExecutor(max_workers=2) as pool:
        return {**shared, **dict(zip(jobs, pool.map(run, jobs)))}


def test_the_oldest_pins_are_the_lower_bounds():
    """requirements-oldest.txt pins exactly the lowest version of every range, and only those."""
    bounds = lower_bounds()
    assert set(pins(OLDEST)) == set(bounds)
    for name, version in pins(OLDEST).items():
        if name == "numpy" and sys.version_info >= (3, 12):
            # No numpy 1.24 has wheels for this Python: the pin is the first release that has.
            assert release(version) > release(bounds[name])
        else:
            assert release(version) == release(bounds[name]), name


def test_the_oldest_venv_has_the_oldest_versions(oldest):
    assert installed(oldest, pins(OLDEST)) == pins(OLDEST)
    # ... and the kit's venv has other ones, so the comparison below compares something.
    assert installed(sys.executable, ["numpy"]) != installed(oldest, ["numpy"])


@pytest.mark.parametrize("name", SUBMISSIONS)
def test_grades_are_the_same_under_the_oldest_versions(graded, name):
    pinned, oldest = graded[("pinned", name)], graded[("oldest", name)]
    for run in (pinned, oldest):  # every step judged: not the same crash twice
        assert set(run.results.get("extra_data", {}).get("steps", {})) == set(ALL_STEPS), run.output
    assert oldest.exit_code == pinned.exit_code, oldest.output
    for step in ALL_STEPS:
        assert ({key: oldest.steps[step][key] for key in COMPARED}
                == {key: pinned.steps[step][key] for key in COMPARED}), (step, oldest.message(step), pinned.message(step))
    assert oldest.score == pinned.score
    # The report a learner reads (rich's table, the messages) is the same too, figures aside: the
    # last digit of a figure may follow the BLAS that numpy bundles.
    assert figures_masked(oldest.output) == figures_masked(pinned.output), oldest.output
    # Not two identical failures: the grades are the ones the kit promises.
    kind, cases = group(name) if "-" in name else (name, [])
    if kind in ("reference", "alternatives"):
        assert oldest.score == 100, oldest.output
    elif kind == "stubs":
        assert {oldest.status(step) for step in ALL_STEPS} == {"not started"}
    for case in cases if kind == "mistakes" else []:
        step = CHANGES[kind][case][0]
        key = MISTAKES[case][1]
        assert (oldest.status(step), oldest.steps[step]["mistake"]) == ("failed", key), (case, oldest.message(step))


# Installing into an environment that already has the dependencies (a notebook's kernel): pip must
# take the kit alone, and the installed kit (no checkout around it) grades where the learner works.

@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    return build_wheel(KIT_ROOT, tmp_path_factory.mktemp("wheel"))


def test_pip_takes_the_kit_alone_where_the_oldest_versions_are_installed(oldest, wheel, tmp_path):
    report = tmp_path / "report.json"
    proc = subprocess.run([oldest, "-m", "pip", "install", "--dry-run", "--quiet", "--disable-pip-version-check",
                           "--report", str(report), str(wheel)], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    planned = {item["metadata"]["name"].lower(): item["metadata"]["version"]
               for item in json.loads(report.read_text())["install"]}
    assert planned == {"lstm-kit": "0.2.0"}, "pip would change what the environment has: " + str(planned)


def test_an_installed_kit_grades_where_the_learner_works(oldest, wheel, tmp_path):
    site = install_wheel(wheel, oldest, tmp_path / "site")
    work = tmp_path / "work"
    build_submission(work / "exercises", done=("sigmoid", "forget_gate"))
    env = {**os.environ, "PYTHONPATH": str(site), "NO_COLOR": "1", "LSTM_KIT_STATE": str(tmp_path / "state.json")}

    def run(*command):
        return subprocess.run([oldest, *command], cwd=work, env=env, capture_output=True, text=True, timeout=300)
    checked = run("-c", "from lstm_kit import check; check()")
    assert checked.returncode == 0, checked.stderr
    assert re.search(r"forget_gate\s+gates.py\s+passing", checked.stdout), checked.stdout
    assert re.search(r">\s*3\. input_gate\s+gates.py\s+not started", checked.stdout), checked.stdout
    assert "lstm_step_forward" not in checked.stdout  # check() stops at the first step not passing
    graded = run("-m", "grader")
    assert graded.returncode == 1, graded.stderr
    results = json.loads((work / "build" / "results.json").read_text())
    assert results["score"] == 8 and "python -m grader hint" in graded.stdout, graded.stdout
