"""The hostile corpus: every submission in tests/kit/hostile/ (a folder of files, or a notebook)
gets exactly the points its code earns, the run ends within its bound, and results.json is valid
and the grader's own."""
import json
import os
from concurrent.futures import ThreadPoolExecutor

import pytest
from test_path import MAX_POINTS

import corpus
from conftest import grade

CASES = corpus.cases()
STALE = {"score": 999, "tests": [], "output": "left from an earlier run"}
AT_ONCE = 3  # cases graded side by side: most of a hostile run is spent waiting for a time-out


def runs_here(case):
    return not case.root_only or os.geteuid() == 0


@pytest.fixture(scope="module")
def graded_corpus(request, tmp_path_factory):
    """{case name: (Graded, results folder)} for every case that runs here and whose test was
    selected (``-k notebook`` grades the notebook cases only), each graded once."""
    def run(case):
        folder = tmp_path_factory.mktemp(case.name)
        results = folder / "results"
        results.mkdir()
        (results / "results.json").write_text(json.dumps(STALE))
        (results / "report.json").write_text(json.dumps(STALE))
        submission = corpus.build(case, str(folder / "submission"))
        return grade(submission, results, *case.args(), env=corpus.SECRET, timeout=case.max_seconds() + 60), results

    selected = {item.callspec.params["case"].name for item in request.session.items
                if item.module is request.module and hasattr(item, "callspec") and "case" in item.callspec.params}
    cases = [case for case in CASES if runs_here(case) and case.name in selected]
    tmp_path_factory.getbasetemp()  # made once, here: threads making it at once would remove each other's
    with ThreadPoolExecutor(AT_ONCE) as pool:
        return dict(zip((case.name for case in cases), pool.map(run, cases)))


def test_corpus_covers_what_the_issue_lists():
    names = {case.name for case in CASES}
    assert len(names) >= 25
    assert {"import-loop", "loop-in-function", "sys-exit", "os-exit", "systemexit-at-import",
            "keyboard-interrupt", "base-exception", "segfault", "memory-bomb", "fork-bomb", "output-flood",
            "fake-results", "conftest-marks-all-passed", "patches-numpy-and-builtins", "always-equal-object",
            "agreeable-arrays", "mutates-inputs", "reads-reference-and-tests", "sleep-under-limit",
            "sleep-over-limit", "nonfinite-values", "wrong-return-types", "mixed-crashes", "huge-warning",
            "huge-dict-key", "escape-sequences", "nested-reply"} <= names
    notebooks = {case.name for case in CASES if case.notebook}
    assert {"notebook-fake-results", "notebook-endless-loops", "notebook-reads-reference-and-tests",
            "notebook-ipython-calls", "notebook-big-output", "notebook-defined-twice"} <= notebooks
    for case in CASES:
        assert case.what and "\n" not in case.what, case.name
        assert set(case.expected.get("points", {})) <= set(MAX_POINTS), case.name


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_hostile_submission_gets_exactly_its_points(case, graded_corpus):
    if not runs_here(case):
        pytest.skip(f"holds under root only: {case.root_only}")
    graded, results = graded_corpus[case.name]
    assert corpus.problems(case, graded.results, graded.seconds, MAX_POINTS) == [], graded.output[-3000:]
    assert graded.exit_code == (0 if graded.score == 100 else 1), graded.output[-3000:]
    report = json.loads((results / "report.json").read_text())
    assert report.get("summary", {}).get("total", 0) > 0  # pytest-json-report's, not the submission's
    assert "\x1b" not in graded.output and len(graded.output) < 20_000
